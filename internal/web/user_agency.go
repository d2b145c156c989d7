package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// The agency (perangkat daerah, OPD) select of the new-user and user
// forms: an opd_operator account is bound to the agency whose KLA data it
// enters.

// userAgencies lists the agencies (kind "opd") an opd_operator account may
// be bound to, from the KLA store.
func (s *Server) userAgencies(ctx context.Context) ([]domain.KLAAgency, error) {
	all, err := kla.Agencies(ctx, s.st)
	if err != nil {
		return nil, fmt.Errorf("web: user agencies: %w", err)
	}
	var out []domain.KLAAgency
	for _, a := range all {
		if a.Kind == "opd" {
			out = append(out, a)
		}
	}
	return out, nil
}

// formAgency reads the agency of the user form: only an opd_operator is
// bound to an agency (any other role is unbound). ok is false when the
// code is not one of ags.
func formAgency(r *http.Request, role domain.Role, ags []domain.KLAAgency) (code string, ok bool) {
	if role != domain.RoleOPDOperator {
		return "", true
	}
	code = strings.TrimSpace(r.PostFormValue("agency"))
	if code == "" {
		return "", true
	}
	for _, a := range ags {
		if a.Code == code {
			return code, true
		}
	}
	return code, false
}

// badAgency is the field error of an agency code not in the list.
func badAgency() domain.FieldErrors {
	return domain.FieldErrors{"agency": domain.M("field.agency_unknown")}
}

// agencyName names an agency code from the list (the code when unknown).
func agencyName(ags []domain.KLAAgency, code string) string {
	for _, a := range ags {
		if a.Code == code {
			return a.Name
		}
	}
	return code
}
