package domain_test

import (
	"strings"
	"testing"

	"lindu/internal/domain"
)

// NewUser.Check normalises the fields and names what is wrong with a key.
func TestNewUserCheck(t *testing.T) {
	ok := func() domain.NewUser {
		return domain.NewUser{Username: " Budi.S ", Role: domain.RoleViewer, RegionCode: "61.07", FullName: " Budi ",
			Email: " budi@example.org ", Phone: "0812-3456-7890"}
	}
	nu := ok()
	if f := nu.Check(); len(f) != 0 {
		t.Fatalf("good user refused: %v", f)
	}
	if nu.Username != "budi.s" || nu.FullName != "Budi" || nu.Email != "budi@example.org" || nu.Phone != "+6281234567890" {
		t.Fatalf("not normalised: %+v", nu)
	}
	for _, c := range []struct {
		name, field, key string
		mod              func(*domain.NewUser)
	}{
		{"short username", "username", "field.username_format", func(u *domain.NewUser) { u.Username = "ab" }},
		{"username with a space", "username", "field.username_format", func(u *domain.NewUser) { u.Username = "budi s" }},
		{"41-character username", "username", "field.username_format", func(u *domain.NewUser) { u.Username = strings.Repeat("a", 41) }},
		{"role", "role", "field.role_unknown", func(u *domain.NewUser) { u.Role = "raja" }},
		{"region", "region_code", "field.region_code_format", func(u *domain.NewUser) { u.RegionCode = "61.7" }},
		{"name", "full_name", "field.max_chars", func(u *domain.NewUser) { u.FullName = strings.Repeat("é", 201) }},
		{"e-mail with a name", "email", "field.email_format", func(u *domain.NewUser) { u.Email = "Budi <budi@example.org>" }},
		{"e-mail too long", "email", "field.email_format", func(u *domain.NewUser) { u.Email = strings.Repeat("a", 190) + "@example.org" }},
		{"phone", "phone", "field.phone_format", func(u *domain.NewUser) { u.Phone = "12ab" }},
	} {
		nu := ok()
		c.mod(&nu)
		f := nu.Check()
		if len(f) != 1 || f[c.field].Key != c.key {
			t.Errorf("%s: %v, want %s: %s", c.name, f, c.field, c.key)
		}
	}
}

// UserUpdate.Check leaves the caller's values alone.
func TestUserUpdateCheck(t *testing.T) {
	name, phone := " Siti ", "0812 3456 7890"
	up := domain.UserUpdate{FullName: &name, Phone: &phone}
	if f := up.Check(); len(f) != 0 {
		t.Fatalf("good update refused: %v", f)
	}
	if *up.FullName != "Siti" || *up.Phone != "+6281234567890" || name != " Siti " || phone != "0812 3456 7890" {
		t.Fatalf("update %q %q, caller's %q %q", *up.FullName, *up.Phone, name, phone)
	}
	bad := "nope"
	up = domain.UserUpdate{Email: &bad}
	if f := up.Check(); f["email"].Key != "field.email_format" || up.Phone != nil {
		t.Fatalf("bad e-mail: %v (phone %v)", f, up.Phone)
	}
}
