package musrenbang

import (
	"strings"
	"testing"
)

// G-T1's text and its cousins: every phone, NIK, e-mail, school and full
// name is found; a first name alone, years and amounts are not.
func TestFindPII(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"tolong perbaiki taman, hubungi saya 0812-3456-7890, nama saya Rina Wulandari kelas 8 SMPN 1 Bengkayang",
			[]string{"phone:0812-3456-7890", "name:Rina Wulandari", "school:SMPN 1 Bengkayang"}},
		{"WA +62 812 3456 789 atau email rina.w@gmail.com", []string{"phone:+62 812 3456 789", "email:rina.w@gmail.com"}},
		{"NIK ibu 6107014501900001", []string{"nik:6107014501900001"}},
		{"Saya bernama Budi Santoso dari SD Negeri 3", []string{"name:Budi Santoso", "school:SD Negeri 3"}},
		{"Nama saya Rina. Tahun 2026 butuh Rp 25000000 untuk 12 ayunan", nil},
		{"Kami ingin taman bermain di dekat sekolah", nil},
	} {
		var got []string
		for _, f := range FindPII(c.text) {
			got = append(got, f.Kind+":"+f.Match)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
}

// FindPII reads children's free text: it never panics and every match
// is in the text.
func FuzzFindPII(f *testing.F) {
	for _, s := range []string{"hubungi 0812-3456-7890", "nama saya Rina Wulandari", "SMPN 1 Bengkayang", "NIK 6107014501900001", "", "a@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fl := range FindPII(s) {
			if !strings.Contains(s, fl.Match) {
				t.Fatalf("%q: match %q not in the text", s, fl.Match)
			}
		}
	})
}
