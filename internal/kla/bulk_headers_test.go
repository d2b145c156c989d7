package kla

import (
	"context"
	"testing"
)

// The importer reads the Indonesian template and the English headers of
// earlier ones (any case, spaces or underscores), and values written
// either way ("ada"/"yes", "12,5").
func TestImportReadsIndonesianAndEnglishHeaders(t *testing.T) {
	for name, file := range map[string]string{
		"indonesian": "Indikator;Kode wilayah;Tahun;Nilai;Catatan;Tautan;Nama indikator;Satuan\n11;61.07;2025;12,5;PWS;https://x.example;ASI;persen\n7;61.07;2025;ada;;;Pojok;ada/tidak (1/0)\n",
		"english":    "indicator,region_code,year,value,note,link,name,unit\n11,61.07,2025,12.5,PWS,https://x.example,ASI,percent\n7,61.07,2025,yes,,,Pojok,availability\n",
		"mixed":      "INDIKATOR,kode_wilayah,Year,nilai,note,Tautan\n11,61.07,2025,12.5,PWS,https://x.example\n7,61.07,2025,1,,\n",
	} {
		tab, err := ReadTable(context.Background(), []byte(file), name+".csv")
		if err != nil {
			t.Fatal(err)
		}
		in, _, errs := ParseValueRows(tab)
		if len(errs) > 0 || len(in) != 2 {
			t.Fatalf("%s: %v %+v", name, errs, in)
		}
		if in[0].IndicatorID != "11" || in[0].RegionCode != "61.07" || in[0].Year != 2025 || in[0].Value != 12.5 ||
			in[0].Note != "PWS" || in[0].Link != "https://x.example" || in[1].Value != 1 {
			t.Errorf("%s: %+v", name, in)
		}
	}
	if h := TemplateHeader(); h[1] != "Kode wilayah" || h[3] != "Nilai" {
		t.Errorf("template header %q", h)
	}
	tab, err := ReadTable(context.Background(), []byte("indikator,tahun\n11,2025\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, errs := ParseValueRows(tab); len(errs) != 1 || errs[0].Reasons[0].Args[0] != "Kode wilayah, Nilai" {
		t.Errorf("missing columns: %+v", errs)
	}
}
