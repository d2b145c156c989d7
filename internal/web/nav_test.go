package web

import (
	"reflect"
	"testing"
)

// A long navigation keeps its first links in the header's row and moves
// the less used ones under "Lainnya", the least used first, two at least;
// a short one stays whole.
func TestMoreNav(t *testing.T) {
	for _, c := range []struct {
		name  string
		hrefs []string
		more  []string
	}{
		{"administrator", []string{"/beranda", "/kasus", "/laporan", "/tempat", "/tim", "/notifikasi", "/audit-anak", "/tindak-lanjut",
			"/musrenbang-anak", "/statistik/kelola", "/kla", "/users", "/audit", "/wilayah", "/account"},
			[]string{"/audit-anak", "/tindak-lanjut", "/musrenbang-anak", "/statistik/kelola", "/users", "/audit", "/wilayah", "/account"}},
		{"supervisor", []string{"/beranda", "/kasus", "/laporan", "/tempat", "/tim", "/notifikasi", "/statistik/kelola", "/kla", "/wilayah",
			"/account"}, []string{"/statistik/kelola", "/wilayah", "/account"}},
		{"facilitator", []string{"/beranda", "/audit-anak", "/tindak-lanjut", "/musrenbang-anak", "/statistik/kelola", "/kla", "/wilayah",
			"/account"}, []string{"/wilayah", "/account"}},
		{"short", []string{"/beranda", "/tindak-lanjut", "/musrenbang-anak", "/statistik/kelola", "/kla", "/wilayah", "/account"}, nil},
		{"one to move only", []string{"/beranda", "/a", "/b", "/c", "/d", "/e", "/f", "/wilayah"}, nil},
	} {
		items := make([]NavItem, len(c.hrefs))
		for i, h := range c.hrefs {
			items[i] = NavItem{Href: h}
		}
		moreNav(items)
		b := Base{Nav: items}
		var more []string
		for _, it := range b.NavMore() {
			more = append(more, it.Href)
		}
		if !reflect.DeepEqual(more, c.more) || len(b.NavMain())+len(more) != len(c.hrefs) {
			t.Errorf("%s: more %v, want %v", c.name, more, c.more)
		}
		if len(more) > 0 && len(b.NavMain()) > navRow {
			t.Errorf("%s: %d links in the row", c.name, len(b.NavMain()))
		}
	}
}
