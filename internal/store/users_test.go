package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// wantField checks that err is EInvalid with field marked by key and args.
func wantField(t *testing.T, what string, err error, field, key string, args ...any) {
	t.Helper()
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		t.Errorf("%s: got %v, want invalid %s", what, err, field)
		return
	}
	m, ok := e.Fields[field]
	want := fmt.Sprintf("%v", []any(args))
	if !ok || m.Key != key || fmt.Sprintf("%v", m.Args) != want {
		t.Errorf("%s: field %s = %+v (all: %v), want %s %v", what, field, m, e.Fields, key, args)
	}
}

// wantKey checks that err is a coded error with code and key.
func wantKey(t *testing.T, what string, err error, code domain.ErrorCode, key string) {
	t.Helper()
	if e, ok := domain.AsError(err); !ok || e.Code != code || e.Key != key {
		t.Errorf("%s: got %v, want %s %s", what, err, code, key)
	}
}

// Every refusal of a user's fields names the field with a message key and
// its arguments, never an English sentence.
func TestUserFieldKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		bg := context.Background()
		sys := access.System("test")
		st := storetest.Open(t, d, storetest.Options{})
		good := domain.NewUser{Username: "taken", Role: domain.RoleAdmin, RegionCode: "61.07.01", Password: "correct horse battery",
			Phone: "0812 7777 0001"}
		admin, err := st.CreateUser(bg, sys, good)
		if err != nil {
			t.Fatal(err)
		}
		with := func(f func(*domain.NewUser)) domain.NewUser {
			nu := domain.NewUser{Username: "budi", Role: domain.RoleViewer, RegionCode: "61.07", Password: "correct horse battery"}
			f(&nu)
			return nu
		}
		for _, c := range []struct {
			name  string
			nu    domain.NewUser
			field string
			key   string
			args  []any
		}{
			{"username shape", with(func(u *domain.NewUser) { u.Username = "Bad Name" }), "username", "field.username_format", nil},
			{"role", with(func(u *domain.NewUser) { u.Role = "king" }), "role", "field.role_unknown", nil},
			{"region shape", with(func(u *domain.NewUser) { u.RegionCode = "61.7" }), "region_code", "field.region_code_format", nil},
			{"no such region", with(func(u *domain.NewUser) { u.RegionCode = "99.99" }), "region_code", "field.region_unknown", nil},
			{"short password", with(func(u *domain.NewUser) { u.Password = "short" }), "password", "field.min_chars", []any{10}},
			{"9 runes in 18 bytes", with(func(u *domain.NewUser) { u.Password = strings.Repeat("é", 9) }), "password", "field.min_chars", []any{10}},
			{"long password", with(func(u *domain.NewUser) { u.Password = strings.Repeat("ab", 129) }), "password", "field.max_chars", []any{256}},
			{"common password", with(func(u *domain.NewUser) { u.Password = "Password2026!" }), "password", "field.too_common", nil},
			{"password with username", with(func(u *domain.NewUser) { u.Password = "BUDI sayang kucing" }), "password", "field.contains_username", nil},
			{"e-mail", with(func(u *domain.NewUser) { u.Email = "nope" }), "email", "field.email_format", nil},
			{"phone", with(func(u *domain.NewUser) { u.Phone = "12ab" }), "phone", "field.phone_format", nil},
			{"long name", with(func(u *domain.NewUser) { u.FullName = strings.Repeat("a", 201) }), "full_name", "field.max_chars", []any{200}},
			{"username taken", with(func(u *domain.NewUser) { u.Username = " TAKEN " }), "username", "field.username_taken", nil},
			{"phone taken", with(func(u *domain.NewUser) { u.Phone = "+62 812-7777-0001" }), "phone", "field.phone_taken", nil},
		} {
			_, err := st.CreateUser(bg, sys, c.nu)
			wantField(t, c.name, err, c.field, c.key, c.args...)
		}
		// A name of 200 characters in more than 200 bytes is accepted.
		if _, err := st.CreateUser(bg, sys, with(func(u *domain.NewUser) { u.FullName = strings.Repeat("é", 200) })); err != nil {
			t.Fatalf("200-character name: %v", err)
		}
		// A district admin may not create a user in the next district.
		asAdmin := access.ForUser(admin, "", "")
		_, err = st.CreateUser(bg, asAdmin, with(func(u *domain.NewUser) { u.Username, u.RegionCode = "siti", "61.07.02" }))
		wantField(t, "outside the region", err, "region_code", "field.region_outside")
		cw, err := st.CreateUser(bg, sys, with(func(u *domain.NewUser) { u.Username, u.Role, u.RegionCode = "cw-a", domain.RoleResponder, "61.07.01" }))
		if err != nil {
			t.Fatal(err)
		}
		asCW := access.ForUser(cw, "", "")
		_, err = st.CreateUser(bg, asCW, with(func(u *domain.NewUser) { u.Username = "rudi" }))
		wantKey(t, "caseworker creates a user", err, domain.EForbidden, "user.err.manage_forbidden")
		viewer, err := st.CreateUser(bg, sys, with(func(u *domain.NewUser) { u.Username = "bupati" }))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = st.ListUsers(bg, access.ForUser(viewer, "", ""), domain.UserFilter{})
		wantKey(t, "viewer lists users", err, domain.EForbidden, "user.err.view_forbidden")

		// Updates.
		outside := "61.07.02"
		_, err = st.UpdateUser(bg, asAdmin, cw.ID, domain.UserUpdate{RegionCode: &outside})
		wantField(t, "move outside the region", err, "region_code", "field.region_outside")
		bad := "61.7"
		_, err = st.UpdateUser(bg, asAdmin, cw.ID, domain.UserUpdate{RegionCode: &bad})
		wantField(t, "bad region code", err, "region_code", "field.region_code_format")
		king := domain.Role("king")
		_, err = st.UpdateUser(bg, asAdmin, cw.ID, domain.UserUpdate{Role: &king})
		wantField(t, "unknown role", err, "role", "field.role_unknown")
		yes := true
		_, err = st.UpdateUser(bg, asAdmin, admin.ID, domain.UserUpdate{Disabled: &yes})
		wantField(t, "disable oneself", err, "disabled", "field.disable_self")
		taken := "0812-7777-0001"
		_, err = st.UpdateUser(bg, asAdmin, cw.ID, domain.UserUpdate{Phone: &taken})
		wantField(t, "phone of another user", err, "phone", "field.phone_taken")
		long := strings.Repeat("x", 201)
		_, err = st.UpdateUser(bg, asCW, cw.ID, domain.UserUpdate{FullName: &long})
		wantField(t, "own long name", err, "full_name", "field.max_chars", 200)
		common := "Password2026!"
		_, err = st.UpdateUser(bg, asAdmin, cw.ID, domain.UserUpdate{Password: &common})
		wantField(t, "common password", err, "password", "field.too_common")
		_, err = st.UpdateUser(bg, asCW, cw.ID, domain.UserUpdate{Disabled: &yes})
		wantKey(t, "caseworker disables themself", err, domain.EForbidden, "user.err.admin_fields")
		pw := "another long passphrase"
		_, err = st.UpdateUser(bg, asCW, cw.ID, domain.UserUpdate{Password: &pw})
		wantKey(t, "own password outside the account page", err, domain.EForbidden, "user.err.own_password")
		wantKey(t, "own password without a user", st.SetOwnPassword(bg, domain.Scope{}, pw), domain.EForbidden, "user.err.not_a_user")

		// A normalised update does not write through the caller's pointers.
		phone := " 0812 7777 0002 "
		u, err := st.UpdateUser(bg, asCW, cw.ID, domain.UserUpdate{Phone: &phone})
		if err != nil || phone != " 0812 7777 0002 " {
			t.Fatalf("update phone: %v, caller's value now %q", err, phone)
		}
		if found, err := st.UserByPhone(bg, "081277770002"); err != nil || found.ID != u.ID {
			t.Fatalf("phone lookup after update: %v", err)
		}
		if err := st.SetTOTP(bg, sys, "no-such-user", "", 0); !domain.IsNotFound(err) {
			t.Fatalf("second factor of an unknown user: %v", err)
		}
	})
}

// API tokens: a too-long name, a disabled owner and a bad token answer
// with keys.
func TestTokenKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		bg := context.Background()
		sys := access.System("test")
		st := storetest.Open(t, d, storetest.Options{})
		u, err := st.CreateUser(bg, sys, domain.NewUser{Username: "tok", Role: domain.RoleAdmin, RegionCode: "61.07",
			Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = st.CreateToken(bg, sys, u.ID, strings.Repeat("n", 101))
		wantField(t, "101-character name", err, "name", "field.max_chars", 100)
		if _, _, err := st.CreateToken(bg, sys, u.ID, strings.Repeat("é", 100)); err != nil {
			t.Fatalf("100-character name in 200 bytes: %v", err)
		}
		_, err = st.UserByToken(bg, "not a token")
		wantKey(t, "malformed token", err, domain.EUnauthorized, "token.err.invalid")
		tok, _, err := st.CreateToken(bg, sys, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := st.UserByToken(bg, tok); err != nil || got.ID != u.ID {
			t.Fatalf("token owner: %v", err)
		}
		yes := true
		if _, err := st.UpdateUser(bg, sys, u.ID, domain.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		_, err = st.UserByToken(bg, tok)
		wantKey(t, "token of a disabled user", err, domain.EUnauthorized, "token.err.invalid")
		_, _, err = st.CreateToken(bg, sys, u.ID, "again")
		wantKey(t, "token for a disabled user", err, domain.EConflict, "token.err.user_disabled")
		toks, err := st.ListTokens(bg, sys, u.ID)
		if err != nil || len(toks) != 2 || toks[0].RevokedAt == nil {
			t.Fatalf("tokens after disabling: %+v %v", toks, err)
		}
		if err := st.RevokeToken(bg, sys, u.ID, toks[0].ID); !domain.IsNotFound(err) {
			t.Fatalf("revoking a revoked token: %v", err)
		}
	})
}

// SerializeUserByPhone finds the active user of a number inside a
// transaction and serializes the transactions of one key: on PostgreSQL a
// second transaction with the key waits for the first to end, whether or
// not the number is a user's.
func TestSerializeUserByPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		bg := context.Background()
		sys := access.System("test")
		st := storetest.Open(t, d, storetest.Options{})
		phone := "0812 7777 0042"
		u, err := st.CreateUser(bg, sys, domain.NewUser{Username: "tim", Role: domain.RoleResponder, RegionCode: "61.07",
			Password: "correct horse battery", Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		lookup := func(number string) (domain.User, error) {
			var got domain.User
			err := st.InTx(bg, func(tx *store.Tx) error {
				var err error
				got, err = tx.SerializeUserByPhone(bg, "k", number)
				return err
			})
			return got, err
		}
		if got, err := lookup("+6281277770042"); err != nil || got.ID != u.ID || got.Role != domain.RoleResponder {
			t.Fatalf("user's number: %+v, %v", got, err)
		}
		for _, n := range []string{"+6281277770043", "not a number"} {
			if _, err := lookup(n); !domain.IsNotFound(err) {
				t.Fatalf("%q: %v, want not found", n, err)
			}
		}
		yes := true
		if _, err := st.UpdateUser(bg, sys, u.ID, domain.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := lookup("+6281277770042"); !domain.IsNotFound(err) {
			t.Fatalf("disabled user's number: %v, want not found", err)
		}
		if d != store.Postgres {
			return // SQLite runs one write transaction at a time anyway
		}
		for _, number := range []string{"+6281277770042", "+6281277770099"} {
			held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- st.InTx(bg, func(tx *store.Tx) error {
					if _, err := tx.SerializeUserByPhone(bg, "key:"+number, number); err != nil && !domain.IsNotFound(err) {
						return err
					}
					close(held)
					<-release
					return nil
				})
			}()
			<-held
			second := make(chan error, 1)
			go func() {
				second <- st.InTx(bg, func(tx *store.Tx) error {
					_, err := tx.SerializeUserByPhone(bg, "key:"+number, number)
					if domain.IsNotFound(err) {
						err = nil
					}
					return err
				})
			}()
			select {
			case err := <-second:
				t.Fatalf("%s: the second transaction did not wait for the first: %v", number, err)
			case <-time.After(300 * time.Millisecond):
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if err := <-second; err != nil {
				t.Fatal(err)
			}
		}
	})
}
