package cases_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

var ctx = context.Background()

func sys() domain.Scope { return access.System("test") }

// area is the case area on st with default options.
func area(st *store.Store) *cases.Service { return cases.New(st, cases.Options{}) }

func mkUser(t *testing.T, st *store.Store, name string, role domain.Role, region string) domain.User {
	t.Helper()
	u, err := st.CreateUser(ctx, sys(), domain.NewUser{Username: name, Role: role, RegionCode: region,
		Password: "correct horse battery", FullName: "Nama " + name, Email: name + "@example.org", Phone: "0812 0000 " + pad(len(name))})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

var phoneSeq int
var phoneMu sync.Mutex

func pad(int) string {
	phoneMu.Lock()
	defer phoneMu.Unlock()
	phoneSeq++
	s := "0000" + strings.TrimLeft(time.Duration(phoneSeq).String(), "")
	s = strings.TrimSuffix(s, "ns")
	return s[len(s)-4:]
}

func rawDB(t *testing.T, d store.Dialect, u string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if d == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(u, "sqlite:")+"?_pragma=busy_timeout(5000)")
	} else {
		db, err = sql.Open("pgx", u)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
