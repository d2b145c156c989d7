package web

import (
	"net/http"
	"net/url"
	"slices"
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

// TeamMatesPage is /users for staff who do not manage users: the names of
// the members of their own teams, nothing else of the staff directory.
type TeamMatesPage struct {
	Base
	Teams []domain.Team
}

// usersList shows the user list. Authorization: PermManageUsers in scope
// for the directory (the list holds no personal data, but each row opens a
// user's contact details); other staff with PermViewUsers see only their
// teams' members by name (teamMates); everyone else is refused by the
// store.
func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.title")
	if b.Scope.Can(domain.PermViewUsers) && !b.Scope.Can(domain.PermManageUsers) {
		s.teamMates(w, r, b)
		return
	}
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

// teamMates lists the teams the caller belongs to with their members'
// usernames and roles. Authorization: PermViewUsers and PermViewCases (the
// teams are read with the caller's scope); without PermViewCases the
// caller belongs to no team shown here.
func (s *Server) teamMates(w http.ResponseWriter, r *http.Request, b Base) {
	p := TeamMatesPage{Base: b}
	if b.Scope.Can(domain.PermViewCases) {
		teams, err := s.cases.ListTeams(r.Context(), b.Scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, t := range teams {
			if slices.Contains(t.MemberIDs, b.User.ID) {
				p.Teams = append(p.Teams, t)
			}
		}
	}
	s.render(w, r, http.StatusOK, "users_team", p)
}
