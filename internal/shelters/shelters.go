// Package shelters is the area of places where a child can stay (SPEC D):
// community safe houses (rumah aman berbasis komunitas) verified through a
// checklist and supervised, government shelters, and institutions (LKSA,
// panti) with their operating permits and accreditation; and the stays of
// children of cases in them — held, admitted, moved, extended and ended —
// with a capacity that is never exceeded and a stay limit that warns and
// alerts exactly once through the case's clocks.
//
//   - places.go: the registry, its lifecycle and permits (who, when, why).
//   - checklist.go: the versioned verification checklist and a place's
//     answers; a failed required item blocks verification.
//   - stays.go: holds and placements, capacity counted in the placing
//     transaction, one held or active stay per child.
//
// The host's name, phone and address are sealed and shown only to those
// who place children (PermWorkCases with personal data), every view
// audited.
package shelters

import (
	"lindu/internal/cases"
	"lindu/internal/store"
)

// Service is the shelters area on a store and its case area.
type Service struct {
	st    *store.Store
	cases *cases.Service
}

// New returns the area (area may be nil: the case area on st).
func New(st *store.Store, area *cases.Service) *Service {
	if area == nil {
		area = cases.New(st, cases.Options{})
	}
	return &Service{st: st, cases: area}
}
