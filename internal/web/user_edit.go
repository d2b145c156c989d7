package web

import (
	"net/http"
	"net/url"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// One user (/users/{id}): their details, and for admins the form that
// changes role, region, agency, personal data, password and status.

// UserPage shows (and for admins edits) one user.
type UserPage struct {
	Base
	U         domain.User
	CanManage bool
	Self      bool
	Agencies  []domain.KLAAgency // for the agency select
	Agency    string             // the agency shown in the select
}

// AgencyName names the user's agency.
func (p UserPage) AgencyName() string { return agencyName(p.Agencies, p.U.Agency) }

// userShow shows a user. Authorization: PermManageUsers in scope, or the
// user themself (store.GetUser); the read of personal data is audited.
// Staff who only view users see their teams' members by name on /users,
// never another user's contact details: their request is not found.
func (s *Server) userShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
	if !b.Scope.Can(domain.PermManageUsers) && r.PathValue("id") != b.User.ID {
		s.fail(w, r, domain.NotFound("user"))
		return
	}
	u, err := s.st.GetUser(r.Context(), b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ags, err := s.userAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user", UserPage{Base: b, U: u, CanManage: b.Scope.Can(domain.PermManageUsers), Self: u.ID == b.User.ID,
		Agencies: ags, Agency: u.Agency})
}

// userUpdate saves the admins' user form. Authorization: PermManageUsers
// in scope; one's own role, region, agency, status and password are not
// changed here.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
	id := r.PathValue("id")
	if !b.Scope.Can(domain.PermManageUsers) {
		s.fail(w, r, domain.NotFound("user"))
		return
	}
	str := func(name string) *string {
		v := r.PostFormValue(name)
		return &v
	}
	role := domain.Role(r.PostFormValue("role"))
	up := domain.UserUpdate{Role: &role, RegionCode: str("region_code"), FullName: str("full_name"),
		Email: str("email"), Phone: str("phone")}
	if id == b.User.ID {
		up.Role, up.RegionCode = nil, nil // one's own role and region are changed by another admin
	} else {
		dis := r.PostFormValue("disabled") == "1"
		up.Disabled = &dis
	}
	if pw := r.PostFormValue("password"); pw != "" {
		up.Password = &pw
	}
	ags, err := s.userAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The agency follows the role: an opd_operator gets the chosen one,
	// any other role none. One's own binding is left alone, like one's role.
	agency, agencyOK := formAgency(r, role, ags)
	invalid := func(fields domain.FieldErrors) {
		cur, gerr := s.st.GetUser(r.Context(), b.Scope, id)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		b.Error = b.T("form.fix_fields")
		b.Fields = translateFields(b, fields)
		shown := cur.Agency
		if up.Role != nil {
			shown = agency
		}
		s.render(w, r, http.StatusUnprocessableEntity, "user", UserPage{Base: b, U: cur, CanManage: true, Self: id == b.User.ID,
			Agencies: ags, Agency: shown})
	}
	if !agencyOK && up.Role != nil {
		invalid(badAgency())
		return
	}
	u, err := s.st.UpdateUser(r.Context(), b.Scope, id, up)
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			invalid(e.Fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	if up.Role != nil && agency != u.Agency {
		if err := kla.SetUserAgency(r.Context(), s.st, b.Scope, id, agency); err != nil {
			if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
				invalid(e.Fields)
				return
			}
			s.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(u.ID)+"?ok=user_saved", http.StatusSeeOther)
}
