package cases_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

func sys() domain.Scope { return access.System("test") }

// area is the case area on st with default options.
func area(st *store.Store) *cases.Service { return cases.New(st, cases.Options{}) }

func mkUser(t *testing.T, st *store.Store, name string, role domain.Role, region string) domain.User {
	t.Helper()
	return storetest.User(t, st, name, role, region)
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

// casesDetailNote is a note to add to a case.
func casesDetailNote(s string) cases.CaseDetail { return cases.CaseDetail{Note: s} }

// casesTransferIn selects incoming transfers.
func casesTransferIn() cases.TransferFilter { return cases.TransferFilter{Incoming: true} }
