package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// DashboardPage is the staff home ("Beranda").
type DashboardPage struct {
	Base
	Region    domain.Region
	Children  []domain.Region
	UserCount int
	CanUsers  bool
	CanAudit  bool
	Recent    []domain.AuditEntry
	Personal  bool
	// AuditAgencies ranks the agencies by overdue audit actions.
	AuditAgencies AuditAgencies
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "dashboard.title")
	ctx := r.Context()
	page := DashboardPage{Base: b, Personal: b.Scope.Personal}
	if b.User.RegionCode != "" {
		reg, err := s.st.GetRegion(ctx, b.User.RegionCode)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Region = reg
		kids, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: reg.Code, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Children = kids
	}
	if b.Scope.Can(domain.PermViewUsers) {
		page.CanUsers = true
		_, n, err := s.st.ListUsers(ctx, b.Scope, domain.UserFilter{Limit: 1})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.UserCount = n
	}
	if b.Scope.Can(domain.PermViewAudit) {
		page.CanAudit = true
		recent, err := s.st.ListAudit(ctx, b.Scope, domain.AuditFilter{Limit: 8})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Recent = recent
	}
	var err error
	if page.AuditAgencies, err = s.auditAgencies(r, b, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", page)
}
