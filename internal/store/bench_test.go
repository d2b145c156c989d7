package store_test

import (
	"context"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// The case area's benchmarks (report intake, the inbox) moved with it to
// internal/cases; this file keeps what the store's benchmarks share.

func mkUserB(b *testing.B, st *store.Store, name string, role domain.Role, region string) domain.User {
	u, err := st.CreateUser(context.Background(), access.System("bench"), domain.NewUser{Username: name, Role: role,
		RegionCode: region, Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	return u
}
