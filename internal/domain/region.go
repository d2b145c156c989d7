package domain

import (
	"strings"
)

// RegionLevel is the depth of a region in Indonesia's administrative hierarchy.
type RegionLevel int

const (
	LevelProvince RegionLevel = 1 // provinsi, "61"
	LevelRegency  RegionLevel = 2 // kabupaten/kota, "61.07"
	LevelDistrict RegionLevel = 3 // kecamatan, "61.07.01"
	LevelVillage  RegionLevel = 4 // desa/kelurahan, "61.07.01.2001"
)

// Region is one administrative area with its Kemendagri code.
type Region struct {
	Code       string      `json:"code"`
	ParentCode string      `json:"parent_code,omitempty"`
	Level      RegionLevel `json:"level"`
	Name       string      `json:"name"`
	// Path is the names from province down to this region, for display
	// ("Kalimantan Barat › Kabupaten Bengkayang › Sungai Raya").
	Path []string `json:"path,omitempty"`
}

// LevelName is the Indonesian name of the level.
func (l RegionLevel) String() string {
	switch l {
	case LevelProvince:
		return "provinsi"
	case LevelRegency:
		return "kabupaten/kota"
	case LevelDistrict:
		return "kecamatan"
	case LevelVillage:
		return "desa/kelurahan"
	}
	return "?"
}

// ValidRegionCode reports whether code has the shape of a Kemendagri code:
// 2 digits, then optionally .2 digits, .2 digits, .4 digits.
func ValidRegionCode(code string) bool {
	parts := strings.Split(code, ".")
	if len(parts) < 1 || len(parts) > 4 {
		return false
	}
	want := []int{2, 2, 2, 4}
	for i, p := range parts {
		if len(p) != want[i] {
			return false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// RegionLevelOf returns the level implied by a (valid) code.
func RegionLevelOf(code string) RegionLevel {
	return RegionLevel(strings.Count(code, ".") + 1)
}

// ParentRegionCode returns the parent's code, or "" for a province.
func ParentRegionCode(code string) string {
	i := strings.LastIndexByte(code, '.')
	if i < 0 {
		return ""
	}
	return code[:i]
}

// RegionWithin reports whether code is root or lies below it. The empty
// root ("all of Indonesia") contains everything.
func RegionWithin(code, root string) bool {
	if root == "" {
		return true
	}
	return code == root || strings.HasPrefix(code, root+".")
}
