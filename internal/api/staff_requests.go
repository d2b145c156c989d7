package api

// Limits and query parameters shared by the staff handlers of the case area.

import (
	"net/http"

	"lindu/internal/domain"
)

// Sizes of staff requests.
const (
	maxStaffBody = 64 << 10  // notes, transitions, details
	maxCaseBody  = 256 << 10 // a case with its summary and victims
	maxVictims   = 100
)

// intField parses an optional integer query parameter within [lo, hi]
// (intParam), naming a bad one in f with a message key.
func intField(r *http.Request, name string, def, lo, hi int, f domain.FieldErrors) int {
	bad := map[string]string{}
	n := intParam(r, name, def, lo, hi, bad)
	if _, ok := bad[name]; ok {
		f[name] = domain.M("field.int_range", lo, hi)
	}
	return n
}
