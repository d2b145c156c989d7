package web

import (
	"net/http"
	"strings"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/kla"
)

// Adding a user (/users/new): the form, and creating the account with a
// password chosen by the admin or generated and shown once.

// UserFormPage creates a user.
type UserFormPage struct {
	Base
	Form        domain.NewUser
	Agency      string // the agency (OPD) chosen for an opd_operator
	Agencies    []domain.KLAAgency
	NewPassword string
	Created     *domain.User
}

// userNewForm shows the empty form. Authorization: PermManageUsers.
func (s *Server) userNewForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.new_title")
	if !b.Scope.Can(domain.PermManageUsers) {
		s.fail(w, r, domain.E(domain.EForbidden, "user.err.manage_forbidden"))
		return
	}
	ags, err := s.userAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user_new", UserFormPage{Base: b, Form: domain.NewUser{RegionCode: b.User.RegionCode}, Agencies: ags})
}

// userCreate creates the user of the posted form. Authorization:
// PermManageUsers for a region inside the caller's (store.CreateUser).
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.new_title")
	nu := domain.NewUser{
		Username:   r.PostFormValue("username"),
		Role:       domain.Role(r.PostFormValue("role")),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")),
		FullName:   r.PostFormValue("full_name"),
		Email:      r.PostFormValue("email"),
		Phone:      r.PostFormValue("phone"),
		Password:   r.PostFormValue("password"),
	}
	ags, err := s.userAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agency, agencyOK := formAgency(r, nu.Role, ags)
	invalid := func(fields domain.FieldErrors) {
		nu.Password = ""
		b.Error = b.T("form.fix_fields")
		b.Fields = translateFields(b, fields)
		s.render(w, r, http.StatusUnprocessableEntity, "user_new", UserFormPage{Base: b, Form: nu, Agency: agency, Agencies: ags})
	}
	if !agencyOK {
		invalid(badAgency())
		return
	}
	generated := ""
	if nu.Password == "" {
		generated = auth.GeneratePassword()
		nu.Password = generated
	}
	u, err := s.st.CreateUser(r.Context(), b.Scope, nu)
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			invalid(e.Fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	if agency != "" {
		// Checked above against the same list; the binding is audited.
		if err := kla.SetUserAgency(r.Context(), s.st, b.Scope, u.ID, agency); err != nil {
			s.fail(w, r, err)
			return
		}
		u.Agency = agency
	}
	b.Flash = b.T("flash.user_created")
	s.render(w, r, http.StatusCreated, "user_new", UserFormPage{Base: b, Created: &u, NewPassword: generated})
}
