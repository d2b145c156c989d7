package httpx

import "testing"

func TestUnderPrefix(t *testing.T) {
	for _, c := range []struct {
		path, prefix string
		want         bool
	}{
		{"/kla/isi", "/kla/", true},
		{"/klaa", "/kla/", false},
		{"/kasus/abc/dokumen", "/kasus/*/dokumen", true},
		{"/kasus//dokumen", "/kasus/*/dokumen", false},
		{"/kasus/abc/dokumen/x/hapus", "/kasus/*/dokumen", false},
		{"/kasus/abc/note", "/kasus/*/dokumen", false},
		{"/kasus/a/b/dokumen", "/kasus/*/dokumen", false},
		{"/api/v1/cases/abc/documents", "/api/v1/cases/*/documents", true},
		{"/api/v1/cases/abc/notes", "/api/v1/cases/*/documents", false},
	} {
		if got := underPrefix(c.path, c.prefix); got != c.want {
			t.Errorf("underPrefix(%q, %q) = %v", c.path, c.prefix, got)
		}
	}
}
