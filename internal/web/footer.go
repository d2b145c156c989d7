package web

import "strings"

// RegionDataCredit is the footer's credit for the region data in the
// page's language (regiondata.Attribution is written in Indonesian).
func (b Base) RegionDataCredit() string {
	return b.T("layout.region_data", strings.TrimPrefix(b.Attribution, "Data wilayah: "))
}
