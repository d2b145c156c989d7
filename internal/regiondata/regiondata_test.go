package regiondata_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/regiondata"
)

// readAll collects what Read streams, copying each batch (Read reuses it).
func readAll(t *testing.T, filter string, batch int) ([]domain.Region, []int) {
	t.Helper()
	var all []domain.Region
	var sizes []int
	err := regiondata.Read(filter, batch, func(rs []domain.Region) error {
		sizes = append(sizes, len(rs))
		all = append(all, rs...)
		return nil
	})
	if err != nil {
		t.Fatalf("Read(%q): %v", filter, err)
	}
	return all, sizes
}

func TestReadAll(t *testing.T) {
	const batch = 5000
	all, sizes := readAll(t, "", batch)

	want := map[domain.RegionLevel]int{
		domain.LevelProvince: 38,
		domain.LevelRegency:  514,
		domain.LevelDistrict: 7277,
		domain.LevelVillage:  83763,
	}
	for l, n := range want {
		if regiondata.Expected[l] != n {
			t.Errorf("Expected[%s] = %d, want %d", l, regiondata.Expected[l], n)
		}
	}
	if len(regiondata.Expected) != 4 {
		t.Errorf("Expected has %d levels, want 4", len(regiondata.Expected))
	}
	if regiondata.Total() != 38+514+7277+83763 {
		t.Errorf("Total() = %d, want %d", regiondata.Total(), 38+514+7277+83763)
	}
	if len(all) != regiondata.Total() {
		t.Errorf("Read streamed %d regions, want %d", len(all), regiondata.Total())
	}

	// Batches are full except the last.
	for i, n := range sizes {
		if n == 0 || n > batch || (i < len(sizes)-1 && n != batch) {
			t.Fatalf("batch %d of %d has %d regions (batch size %d)", i, len(sizes), n, batch)
		}
	}

	got := map[domain.RegionLevel]int{}
	seen := make(map[string]domain.Region, len(all))
	prevLevel := domain.LevelProvince
	for i, r := range all {
		got[r.Level]++
		if _, dup := seen[r.Code]; dup {
			t.Fatalf("region %d: code %q appears twice", i, r.Code)
		}
		if !domain.ValidRegionCode(r.Code) || domain.RegionLevelOf(r.Code) != r.Level {
			t.Fatalf("region %d: code %q is not a valid level-%d code", i, r.Code, r.Level)
		}
		if r.Level < prevLevel {
			t.Fatalf("region %d (%s) at level %d comes after level %d", i, r.Code, r.Level, prevLevel)
		}
		prevLevel = r.Level
		if r.ParentCode != domain.ParentRegionCode(r.Code) {
			t.Fatalf("region %s: parent %q, want %q", r.Code, r.ParentCode, domain.ParentRegionCode(r.Code))
		}
		if r.Level > domain.LevelProvince {
			if _, ok := seen[r.ParentCode]; !ok {
				t.Fatalf("region %s: parent %s has not appeared before it", r.Code, r.ParentCode)
			}
		}
		if r.Name == "" || strings.TrimSpace(r.Name) != r.Name {
			t.Fatalf("region %s: bad name %q", r.Code, r.Name)
		}
		seen[r.Code] = r
	}
	for l, n := range want {
		if got[l] != n {
			t.Errorf("level %s: %d regions, want %d", l, got[l], n)
		}
	}

	// Spot checks, including Madurese names with a bare quote.
	for code, name := range map[string]string{
		"61":            "Kalimantan Barat",
		"61.07":         "Kabupaten Bengkayang",
		"61.07.01":      "Sungai Raya",
		"11":            "Aceh",
		"35.13.15.2017": `Soka"an`,
		"35.26.07.2007": `Ra"as`,
		"35.26.10.2007": `Ampara"an`,
	} {
		if r, ok := seen[code]; !ok || r.Name != name {
			t.Errorf("region %s = %q, want %q", code, r.Name, name)
		}
	}
	if r := seen["35.13.15.2017"]; r.ParentCode != "35.13.15" || r.Level != domain.LevelVillage {
		t.Errorf("Soka\"an: %+v", r)
	}
}

func TestReadFilterRegency(t *testing.T) {
	all, _ := readAll(t, "61.07", 50)
	var provinces, regencies, districts, villages []domain.Region
	for _, r := range all {
		switch r.Level {
		case domain.LevelProvince:
			provinces = append(provinces, r)
		case domain.LevelRegency:
			regencies = append(regencies, r)
		case domain.LevelDistrict:
			districts = append(districts, r)
		case domain.LevelVillage:
			villages = append(villages, r)
		}
	}
	if len(provinces) != 1 || provinces[0].Code != "61" || provinces[0].Name != "Kalimantan Barat" {
		t.Errorf("provinces = %v, want only 61 Kalimantan Barat", provinces)
	}
	if len(regencies) != 1 || regencies[0].Code != "61.07" || regencies[0].Name != "Kabupaten Bengkayang" {
		t.Errorf("regencies = %v, want only 61.07 Kabupaten Bengkayang", regencies)
	}
	wantDistricts := []string{"Sungai Raya", "Samalantan", "Ledo", "Bengkayang", "Seluas", "Sanggau Ledo",
		"Jagoi Babang", "Monterado", "Teriak", "Suti Semarang", "Capkala", "Siding", "Lumar", "Sungai Betung",
		"Sungai Raya Kepulauan", "Lembah Bawang", "Tujuh Belas"}
	if len(districts) != len(wantDistricts) {
		t.Fatalf("%d districts, want %d", len(districts), len(wantDistricts))
	}
	districtCodes := map[string]bool{}
	for i, d := range districts {
		code := fmt.Sprintf("61.07.%02d", i+1)
		if d.Code != code || d.Name != wantDistricts[i] || d.ParentCode != "61.07" {
			t.Errorf("district %d = %s %q (parent %s), want %s %q", i, d.Code, d.Name, d.ParentCode, code, wantDistricts[i])
		}
		districtCodes[d.Code] = true
	}
	// 124 villages in the shipped data (zcat villages.csv.gz | grep -c '^61\.07\.').
	if len(villages) != 124 {
		t.Errorf("%d villages, want 124", len(villages))
	}
	for _, v := range villages {
		if !districtCodes[v.ParentCode] || !domain.RegionWithin(v.Code, "61.07") {
			t.Errorf("village %s (parent %s) is not in a district of 61.07", v.Code, v.ParentCode)
		}
	}
	if n := len(all); n != 1+1+17+124 {
		t.Errorf("Read(61.07) streamed %d regions, want %d", n, 1+1+17+124)
	}
}

func TestReadFilterOther(t *testing.T) {
	tests := []struct {
		filter string
		want   []string // nil: only count
		count  int
	}{
		{filter: "35.13.15.2017", want: []string{"35", "35.13", "35.13.15", "35.13.15.2017"}},
		{filter: "61.07.17", count: -1},
		{filter: "99", want: []string{}},        // no such province
		{filter: "61.99", want: []string{"61"}}, // only the ancestor exists
		{filter: "61.0", want: []string{"61"}},  // not a prefix of 61.07
		{filter: "11", count: -1},               // a whole province
		{filter: "35.13.15.201", want: []string{"35", "35.13", "35.13.15"}},
	}
	for _, tt := range tests {
		all, _ := readAll(t, tt.filter, 1000)
		var codes []string
		for _, r := range all {
			if !domain.RegionWithin(r.Code, tt.filter) && !domain.RegionWithin(tt.filter, r.Code) {
				t.Errorf("Read(%q) streamed %s, neither above nor below the filter", tt.filter, r.Code)
			}
			codes = append(codes, r.Code)
		}
		if tt.want != nil && strings.Join(codes, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Read(%q) = %v, want %v", tt.filter, codes, tt.want)
		}
		if tt.want == nil && len(codes) < 2 {
			t.Errorf("Read(%q) streamed only %v", tt.filter, codes)
		}
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("store is down")
	calls := 0
	err := regiondata.Read("", 10, func(rs []domain.Region) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Read = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("callback called %d times after failing, want 1", calls)
	}

	// An error from the final, partial batch is returned too.
	calls = 0
	err = regiondata.Read("61.07", 1000, func(rs []domain.Region) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Read(61.07) = %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestAttribution(t *testing.T) {
	if !strings.Contains(regiondata.Attribution, "ODbL") || !strings.Contains(regiondata.Attribution, "idn-area-data") {
		t.Errorf("Attribution = %q must name the data set and its licence (ODbL 4.3)", regiondata.Attribution)
	}
	if !strings.HasPrefix(regiondata.Source, "https://") {
		t.Errorf("Source = %q", regiondata.Source)
	}
}
