package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
)

var phoneSeq atomic.Int64

// User creates a user with a full name, an e-mail address and a phone
// number unique in this test process, or fails the test.
func User(t testing.TB, st *store.Store, name string, role domain.Role, region string) domain.User {
	t.Helper()
	phone := fmt.Sprintf("0812 0000 %04d", phoneSeq.Add(1)%10000)
	u, err := st.CreateUser(context.Background(), access.System("test"), domain.NewUser{Username: name, Role: role,
		RegionCode: region, Password: "correct horse battery", FullName: "Nama " + name, Email: name + "@example.org", Phone: phone})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}
