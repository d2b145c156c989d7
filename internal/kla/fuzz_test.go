package kla

import (
	"context"
	"testing"
)

// FuzzParseUpload feeds arbitrary bytes to the upload parsers (CSV and the
// XLSX sniffing): they must never panic, every row they accept has a line
// number, and rows they accept are well-formed.
func FuzzParseUpload(f *testing.F) {
	f.Add([]byte("indicator,region_code,year,value,note,link\n11,61.07.01,2025,91.5,ok,https://example.org\n"), "a.csv")
	f.Add([]byte("indicator;region_code;year;value\n11;61.07.01;2025;91,5\n"), "b.csv")
	f.Add([]byte("\xef\xbb\xbfindikator,kode_wilayah,tahun,nilai\n2,61.07,2024,ada\n"), "c.csv")
	f.Add([]byte("regime,id,cluster,name,unit,polarity\nx,1,I,Nama,percent,higher\n"), "cat.csv")
	f.Add([]byte("PK\x03\x04garbage"), "d.xlsx")
	f.Add([]byte("\"unterminated\n"), "e.csv")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		tab, err := ReadTable(context.Background(), data, name)
		if err != nil {
			return
		}
		if len(tab.Rows) != len(tab.Lines) {
			t.Fatalf("%d rows, %d lines", len(tab.Rows), len(tab.Lines))
		}
		in, lines, errs := ParseValueRows(tab)
		if len(in) != len(lines) {
			t.Fatalf("%d values, %d lines", len(in), len(lines))
		}
		for _, v := range in {
			if v.IndicatorID == "" || v.RegionCode == "" {
				t.Fatalf("accepted an empty key: %+v", v)
			}
		}
		for _, e := range errs {
			if len(e.Reasons) == 0 {
				t.Fatal("row error without a reason")
			}
		}
		ParseCatalogue(context.Background(), data, name)
	})
}
