package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/auth"
	"lindu/internal/domain"
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
		Pages: (total + usersPerPage - 1) / usersPerPage, CanManage: b.Scope.Can(domain.PermManageUsers)}
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
	NewPassword string
	Created     *domain.User
}

func (s *Server) userNewForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.new_title")
	if !b.Scope.Can(domain.PermManageUsers) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "forbidden"))
		return
	}
	s.render(w, r, http.StatusOK, "user_new", UserFormPage{Base: b, Form: domain.NewUser{RegionCode: b.User.RegionCode}})
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
	generated := ""
	if nu.Password == "" {
		generated = auth.GeneratePassword()
		nu.Password = generated
	}
	u, err := s.st.CreateUser(r.Context(), b.Scope, nu)
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			nu.Password = ""
			b.Error = b.T("form.fix_fields")
			b.Fields = translateFields(b, e.Fields)
			s.render(w, r, http.StatusUnprocessableEntity, "user_new", UserFormPage{Base: b, Form: nu})
			return
		}
		s.fail(w, r, err)
		return
	}
	b.Flash = b.T("flash.user_created")
	s.render(w, r, http.StatusCreated, "user_new", UserFormPage{Base: b, Created: &u, NewPassword: generated})
}

// translateFields keeps field messages (English from the store) but
// prefers a translation when the catalogue has one.
func translateFields(b Base, fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		key := "field." + v
		if t := b.T(key); t != key {
			v = t
		}
		out[k] = v
	}
	return out
}

// UserPage shows (and for admins edits) one user.
type UserPage struct {
	Base
	U         domain.User
	CanManage bool
	Self      bool
}

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
	u, err := s.st.GetUser(r.Context(), b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user", UserPage{Base: b, U: u, CanManage: b.Scope.Can(domain.PermManageUsers), Self: u.ID == b.User.ID})
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
	u, err := s.st.UpdateUser(r.Context(), b.Scope, id, up)
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			cur, gerr := s.st.GetUser(r.Context(), b.Scope, id)
			if gerr != nil {
				s.fail(w, r, gerr)
				return
			}
			b.Error = b.T("form.fix_fields")
			b.Fields = translateFields(b, e.Fields)
			s.render(w, r, http.StatusUnprocessableEntity, "user", UserPage{Base: b, U: cur, CanManage: true, Self: id == b.User.ID})
			return
		}
		s.fail(w, r, err)
		return
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
