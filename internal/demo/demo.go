// Package demo loads lindu's synthetic demo data set for Kabupaten
// Bengkayang (61.07): people here are invented; names, phone numbers and
// e-mail addresses belong to nobody. Later modules add cases, KLA values
// and more to it.
package demo

import (
	"context"
	"fmt"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Region is the demo's regency: Kabupaten Bengkayang, Kalimantan Barat.
const Region = "61.07"

// Account is a demo login, printed once at start.
type Account struct {
	Username string
	Password string
	Role     domain.Role
	Region   string
}

// people are invented; the +62 812 0000 ... numbers are not in service.
var people = []struct {
	username string
	role     domain.Role
	region   string // relative to Region: "" = the regency itself
	name     string
}{
	{"admin", domain.RoleAdmin, "", "Yohana Sinta (demo)"},
	{"supervisor", domain.RoleSupervisor, "", "Markus Lumban (demo)"},
	{"peksos", domain.RoleCaseworker, "", "Dewi Anjani (demo)"},
	{"satgas", domain.RoleResponder, ".01.2001", "Paulus Atet (demo)"},
	{"operator", domain.RoleOPDOperator, "", "Rina Maharani (demo)"},
	{"fasilitator", domain.RoleFacilitator, "", "Agnes Selvi (demo)"},
	{"perencana", domain.RoleOPDOperator, "", "Lukas Bappeda (demo)"},
	{"bupati", domain.RoleViewer, "", "Pemantau Daerah (demo)"},
	{"admin-kecamatan", domain.RoleAdmin, ".01", "Stefanus Jaga (demo)"},
	{"puskesmas", domain.RoleProvider, "", "Maria Goreti (demo)"},
}

// Load creates the demo accounts on an empty database and returns them with
// their fresh random passwords. On a database that already has users it
// does nothing and returns nil.
func Load(ctx context.Context, st *store.Store) ([]Account, error) {
	n, err := st.UserCount(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	sc := access.System("demo")
	var out []Account
	for i, p := range people {
		region := Region + p.region
		pw := auth.GeneratePassword()
		_, err := st.CreateUser(ctx, sc, domain.NewUser{
			Username: p.username, Role: p.role, RegionCode: region, FullName: p.name,
			Email: p.username + "@demo.lindu.invalid", Phone: fmt.Sprintf("+6281200000%03d", i+1), Password: pw,
		})
		if err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", p.username, err)
		}
		out = append(out, Account{Username: p.username, Password: pw, Role: p.role, Region: region})
	}
	return out, nil
}
