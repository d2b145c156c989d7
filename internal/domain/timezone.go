package domain

import (
	"strings"
	"time"
)

// Indonesia's three time zones. Fixed offsets: Indonesia has no daylight
// saving time, and this needs no tzdata on the server.
var (
	WIB  = time.FixedZone("WIB", 7*3600)
	WITA = time.FixedZone("WITA", 8*3600)
	WIT  = time.FixedZone("WIT", 9*3600)
)

// witaProvinces and witProvinces are the province codes east of WIB.
var (
	witaProvinces = map[string]bool{"51": true, "52": true, "53": true, "63": true, "64": true, "65": true,
		"71": true, "72": true, "73": true, "74": true, "75": true, "76": true}
	witProvinces = map[string]bool{"81": true, "82": true, "91": true, "92": true, "93": true, "94": true,
		"95": true, "96": true, "97": true}
)

// ZoneFor returns the local time zone of a region: cases carry UTC, the UI
// shows WIB, WITA or WIT by the region's province. The empty code (all of
// Indonesia) shows WIB.
func ZoneFor(regionCode string) *time.Location {
	prov, _, _ := strings.Cut(regionCode, ".")
	switch {
	case witaProvinces[prov]:
		return WITA
	case witProvinces[prov]:
		return WIT
	}
	return WIB
}
