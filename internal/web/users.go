package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

const usersPerPage = 50

// UsersPage lists users in the caller's region.
type UsersPage struct {
	Base
	Users     []domain.User
	Total     int
	Filter    domain.UserFilter
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	CanManage bool
	CanLocks  bool // may see and lift login delays (admins of the whole deployment)
}

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
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * usersPerPage
	users, total, err := s.st.ListUsers(r.Context(), b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := UsersPage{Base: b, Users: users, Total: total, Filter: f, Page: page,
		Pages: (total + usersPerPage - 1) / usersPerPage, CanManage: b.Scope.Can(domain.PermManageUsers),
		CanLocks: b.Scope.Can(domain.PermManageUsers) && b.Scope.Contains(s.opt.RootRegion)}
	link := func(n int) string {
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
		v.Set("page", strconv.Itoa(n))
		return "/users?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	s.render(w, r, http.StatusOK, "users", p)
}

// UserFormPage creates a user.
type UserFormPage struct {
	Base
	Form        domain.NewUser
	Agency      string // the agency (OPD) chosen for an opd_operator
	Agencies    []domain.KLAAgency
	NewPassword string
	Created     *domain.User
}

// badAgency is the field message for an agency code not in the list.
const badAgency = "no agency with this code"

// userAgencies lists the agencies (perangkat daerah, kind "opd") an
// opd_operator account may be bound to, from the KLA store.
func (s *Server) userAgencies(ctx context.Context) ([]domain.KLAAgency, error) {
	all, err := kla.Agencies(ctx, s.st)
	if err != nil {
		return nil, err
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
// bound to an agency (any other role is unbound). The message is non-empty
// when the code is not one of ags.
func formAgency(r *http.Request, role domain.Role, ags []domain.KLAAgency) (string, string) {
	if role != domain.RoleOPDOperator {
		return "", ""
	}
	code := strings.TrimSpace(r.PostFormValue("agency"))
	if code == "" {
		return "", ""
	}
	for _, a := range ags {
		if a.Code == code {
			return code, ""
		}
	}
	return code, badAgency
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

func (s *Server) userNewForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.new_title")
	if !b.Scope.Can(domain.PermManageUsers) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "forbidden"))
		return
	}
	ags, err := s.userAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user_new", UserFormPage{Base: b, Form: domain.NewUser{RegionCode: b.User.RegionCode}, Agencies: ags})
}

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
	agency, agencyErr := formAgency(r, nu.Role, ags)
	invalid := func(fields domain.FieldErrors) {
		nu.Password = ""
		b.Error = b.T("form.fix_fields")
		b.Fields = translateFields(b, fields)
		s.render(w, r, http.StatusUnprocessableEntity, "user_new", UserFormPage{Base: b, Form: nu, Agency: agency, Agencies: ags})
	}
	if agencyErr != "" {
		invalid(sentences(map[string]string{"agency": agencyErr}))
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

// translateFields renders field messages in the page's language.
func translateFields(b Base, fields domain.FieldErrors) map[string]string {
	return httpx.FieldTexts(b.Lang, fields)
}

// sentences turns field messages written as English sentences (the older
// "field.<sentence>" catalogue keys) into field errors.
func sentences(m map[string]string) domain.FieldErrors {
	return domain.Invalid("", m).Fields
}

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

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
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
	agency, agencyErr := formAgency(r, role, ags)
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
	if agencyErr != "" && up.Role != nil {
		invalid(sentences(map[string]string{"agency": agencyErr}))
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

func (s *Server) userTOTPReset(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
	id := r.PathValue("id")
	if err := s.st.SetTOTP(r.Context(), b.Scope, id, "", 0); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(id)+"?ok=totp_reset", http.StatusSeeOther)
}
