package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/regiondata"
	"lindu/internal/secret"
	"lindu/internal/store"
)

// Templates: most tests open a store that is migrated and holds the same
// regions. Migrating (30 migrations) and loading a province's regions take
// about 0.25 s on SQLite and 0.8 s on PostgreSQL, hundreds of times a run;
// copying a database that already holds them takes a few milliseconds on
// SQLite (the file, kept in memory). On PostgreSQL a copy
// (CREATE DATABASE … TEMPLATE) took 0.6-0.9 s and about a second of the
// server's CPU, and dropping it forces a checkpoint, so there a copy is
// reset and reused once its test ends (pgreuse.go, 60-150 ms a test), and
// templates and copies are shared by the test processes of a run
// (pgshare.go). A template is built with the migrations and region loader
// of the run's code, so it is never older than the code under test; Open
// still runs Migrate on the copy (a no-op that proves the copy current).
//
// On PostgreSQL the copies are databases of their own instead of schemas;
// that needs the CREATEDB privilege (the test command's role has it).
// Without it, or when building a template fails, Open falls back to a
// migrated schema as before.

// template is one built template: SQLite's files in memory, or a
// PostgreSQL template database.
type template struct {
	db, wal []byte
	pg      *pgTemplate // PostgreSQL: the run's template (pgshare.go)
	err     error
}

var templates struct {
	sync.Mutex
	built map[string]*templateOnce
}

type templateOnce struct {
	once sync.Once
	t    template
}

// fromTemplate returns the URL of a fresh copy of the template for d and
// the regions filters, registering its cleanup, or ok false when no
// template can be had (Open then migrates an empty database).
func fromTemplate(t testing.TB, d store.Dialect, filters []string) (string, bool) {
	t.Helper()
	key := string(d) + "|" + strings.Join(filters, ",")
	templates.Lock()
	if templates.built == nil {
		templates.built = map[string]*templateOnce{}
	}
	o := templates.built[key]
	if o == nil {
		o = &templateOnce{}
		templates.built[key] = o
	}
	templates.Unlock()
	o.once.Do(func() { o.t = buildTemplate(d, filters) })
	if o.t.err != nil {
		t.Logf("storetest: no template (%v): migrating an empty database", o.t.err)
		return "", false
	}
	switch d {
	case store.SQLite:
		dir := t.TempDir()
		path := filepath.Join(dir, "lindu.db")
		if err := os.WriteFile(path, o.t.db, 0o600); err != nil {
			t.Fatalf("storetest: copy the template: %v", err)
		}
		if o.t.wal != nil {
			if err := os.WriteFile(path+"-wal", o.t.wal, 0o600); err != nil {
				t.Fatalf("storetest: copy the template: %v", err)
			}
		}
		return "sqlite:" + path, true
	case store.Postgres:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		name, err := o.t.pg.acquire(ctx, t.Logf)
		if err != nil {
			t.Fatalf("storetest: a copy of the template: %v", err)
		}
		u, err := withDatabase(o.t.pg.base, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := o.t.pg.release(ctx, name); err != nil {
				t.Logf("storetest: copy %s of the template not reused: %v", name, err)
			}
		})
		return u, true
	}
	return "", false
}

// buildTemplate migrates a new database and loads the regions of filters.
func buildTemplate(d store.Dialect, filters []string) template {
	ctx := context.Background()
	box, err := secret.NewBox([]secret.Key{secret.NewKey(time.Now())})
	if err != nil {
		return template{err: err}
	}
	fill := func(u string) error {
		st, err := store.Open(ctx, u, store.Options{Box: box})
		if err != nil {
			return err
		}
		if _, err := st.Migrate(ctx); err != nil {
			return errors.Join(err, st.Close())
		}
		for _, f := range filters {
			if _, err := regiondata.Load(ctx, st, f, nil); err != nil {
				return errors.Join(err, st.Close())
			}
		}
		return st.Close()
	}
	switch d {
	case store.SQLite:
		dir, err := os.MkdirTemp("", "lindu-storetest-")
		if err != nil {
			return template{err: err}
		}
		defer func() { _ = os.RemoveAll(dir) }()
		path := filepath.Join(dir, "lindu.db")
		if err := fill("sqlite:" + path); err != nil {
			return template{err: err}
		}
		db, err := os.ReadFile(path)
		if err != nil {
			return template{err: err}
		}
		wal, err := os.ReadFile(path + "-wal")
		if errors.Is(err, os.ErrNotExist) {
			wal, err = nil, nil
		}
		return template{db: db, wal: wal, err: err}
	case store.Postgres:
		base := os.Getenv("LINDU_TEST_POSTGRES")
		if base == "" {
			return template{err: errors.New("LINDU_TEST_POSTGRES not set")}
		}
		pg, err := openPGTemplate(ctx, base, filters, fill)
		return template{pg: pg, err: err}
	}
	return template{err: fmt.Errorf("unknown dialect %q", d)}
}

// withDatabase is the PostgreSQL URL base naming database name instead.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
