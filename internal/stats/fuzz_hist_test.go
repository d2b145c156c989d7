package stats

import (
	"context"
	"errors"
	"os"
	"testing"
)

// FuzzParseHist: any bytes, CSV or XLSX, are a table or a *HistError,
// never a panic; a table's Check never panics and names a cell for every
// mismatch. The seed corpus (testdata/fuzz/FuzzParseHist and the two
// fixtures) runs with every `go test`.
func FuzzParseHist(f *testing.F) {
	for _, name := range []string{"pessel-2022-2023.csv", "bali-lksa-2019-2020.csv"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"fuzz.csv", "fuzz.xlsx"} {
			tab, err := ParseHist(context.Background(), data, name)
			if err != nil {
				var he *HistError
				if !errors.As(err, &he) || tab != nil {
					t.Fatalf("%s: err %v (%T), table %v", name, err, err, tab)
				}
				if he.Row > 0 && he.Col == "" || he.Key == "" || he.Error() == "" {
					t.Fatalf("%s: error without its cell: %+v", name, he)
				}
				continue
			}
			if len(tab.Rows) == 0 || tab.Region == "" || tab.Title == "" || len(tab.Years) == 0 {
				t.Fatalf("%s: incomplete table %+v", name, tab)
			}
			for _, m := range tab.Check() {
				if m.Col == "" || m.Row <= 0 || m.Sheet == "" || m.Rule == "" {
					t.Fatalf("%s: mismatch without its cell: %+v", name, m)
				}
			}
		}
	})
}
