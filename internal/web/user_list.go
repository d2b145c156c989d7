package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/domain"
)

// The user list (/users): staff accounts in the caller's region, filtered
// by role, region and username.

const usersPerPage = 50

// UsersPage lists users in the caller's region.
type UsersPage struct {
	Base
	listPager
	Users     []domain.User
	Total     int
	Filter    domain.UserFilter
	CanManage bool
	CanLocks  bool // may see and lift login delays (admins of the whole deployment)
}

// usersList shows the user list. Authorization: PermViewUsers (the store
// refuses others); the list holds no personal data.
func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.title")
	q := r.URL.Query()
	f := domain.UserFilter{Role: domain.Role(q.Get("role")), RegionCode: strings.TrimSpace(q.Get("region")), Query: q.Get("q"), Limit: usersPerPage}
	if f.Role != "" && !f.Role.Valid() {
		f.Role = ""
	}
	if f.RegionCode != "" && !domain.ValidRegionCode(f.RegionCode) {
		b.Error = b.T("users.bad_region_filter")
		f.RegionCode = ""
	}
	page := listPageNum(r)
	f.Offset = (page - 1) * usersPerPage
	users, total, err := s.st.ListUsers(r.Context(), b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := url.Values{}
	if f.Role != "" {
		v.Set("role", string(f.Role))
	}
	if f.RegionCode != "" {
		v.Set("region", f.RegionCode)
	}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	s.render(w, r, http.StatusOK, "users", UsersPage{Base: b, listPager: newPager("/users", v, page, total, usersPerPage),
		Users: users, Total: total, Filter: f, CanManage: b.Scope.Can(domain.PermManageUsers),
		CanLocks: b.Scope.Can(domain.PermManageUsers) && b.Scope.Contains(s.opt.RootRegion)})
}
