package web

import (
	"testing"

	"lindu/internal/domain"
)

// A region is named with its kind, as people say it, in both languages;
// a village's kind comes from its code (1xxx kelurahan, 2xxx desa), and a
// name that carries its kind already is not prefixed twice.
func TestRegionLabel(t *testing.T) {
	for _, c := range []struct {
		code   string
		level  domain.RegionLevel
		name   string
		id, en string
	}{
		{"61", domain.LevelProvince, "Kalimantan Barat", "Provinsi Kalimantan Barat", "Kalimantan Barat Province"},
		{"61.07", domain.LevelRegency, "Kabupaten Bengkayang", "Kabupaten Bengkayang", "Kabupaten Bengkayang"},
		{"61.72", domain.LevelRegency, "Kota Singkawang", "Kota Singkawang", "Kota Singkawang"},
		{"61.07.06", domain.LevelDistrict, "Sanggau Ledo", "Kec. Sanggau Ledo", "Sanggau Ledo District"},
		{"61.07.01.2001", domain.LevelVillage, "Sungai Duri", "Desa Sungai Duri", "Sungai Duri Village"},
		{"61.71.01.1002", domain.LevelVillage, "Benuamelayu Laut", "Kel. Benuamelayu Laut", "Benuamelayu Laut Urban Village"},
		{"13.12.07.2002", domain.LevelVillage, "Desa Baru", "Desa Baru", "Desa Baru"},
		{"91.03.01.3007", domain.LevelVillage, "Desa Adat Yoboi", "Desa Adat Yoboi", "Desa Adat Yoboi"},
	} {
		reg := domain.Region{Code: c.code, Level: c.level, Name: c.name}
		for lang, want := range map[string]string{"id": c.id, "en": c.en} {
			if got := (Base{Lang: lang}).RegionLabel(reg); got != want {
				t.Errorf("%s %s: %q, want %q", lang, c.code, got, want)
			}
		}
	}
	b := Base{Lang: "id", regionOf: func(code string) (domain.Region, bool) {
		return domain.Region{Code: code, Level: domain.LevelDistrict, Name: "Sanggau Ledo"}, code == "61.07.06"
	}}
	for code, want := range map[string]string{"61.07.06": "Kec. Sanggau Ledo", "61.07.99": "", "": ""} {
		if got := b.RegionLabelOf(code); got != want {
			t.Errorf("RegionLabelOf(%q) = %q, want %q", code, got, want)
		}
	}
	if f := b.RegionField("region", "61.07.06", "kla.region"); f.Chosen != "Kec. Sanggau Ledo" || f.Value != "61.07.06" {
		t.Errorf("region field: %+v", f)
	}
}
