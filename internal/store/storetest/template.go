package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
// SQLite (the file, kept in memory) and 0.6-0.9 s on PostgreSQL
// (CREATE DATABASE … TEMPLATE, about a second of PostgreSQL's CPU), so a
// PostgreSQL copy is reset and reused once its test ends (pgreuse.go,
// 60-150 ms a test). Each test process builds its own templates
// once, with the migrations and region loader of its own build, so a
// template is never older than the code under test. Open still runs
// Migrate on the copy (a no-op that proves the copy current).
//
// On PostgreSQL the copies are databases of their own instead of schemas;
// that needs the CREATEDB privilege (the test command's role has it).
// Without it, or when building a template fails, Open falls back to a
// migrated schema as before. A process's template database is dropped by
// a later process once its own is gone (the test command drops all of its
// role's databases on exit anyway).

// template is one built template: SQLite's files in memory, or a
// PostgreSQL template database's name.
type template struct {
	db, wal []byte
	pgName  string
	err     error
	// PostgreSQL: the template's state, to reset a used copy to (nil when
	// it could not be read: snapErr says why, and copies are dropped), and
	// the copies ready for another test (see pgreuse.go).
	snap    *pgSnapshot
	snapErr error
	copies  *pgCopies
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
		base := os.Getenv("LINDU_TEST_POSTGRES")
		name, ok := o.t.copies.take()
		if !ok {
			// Named like the template, so that a later process drops it
			// once this one has ended.
			name = o.t.pgName + "_c" + randHex(4)
			pgExec(t, base, `CREATE DATABASE `+name+` TEMPLATE `+o.t.pgName, t.Fatalf)
		}
		u, err := withDatabase(base, name)
		if err != nil {
			pgExec(t, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, t.Logf)
			t.Fatal(err)
		}
		t.Cleanup(func() { o.t.release(t, base, name, u) })
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
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return template{err: err}
		}
		defer func() { _ = admin.Close() }()
		dropStaleTemplates(ctx, admin)
		name := fmt.Sprintf("lindu_tmpl_%d_%s", os.Getpid(), randHex(4))
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			return template{err: err}
		}
		u, err := withDatabase(base, name)
		if err == nil {
			err = fill(u)
		}
		if err != nil {
			_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			return template{err: err}
		}
		snap, err := snapshotPG(ctx, u)
		return template{pgName: name, snap: snap, snapErr: err, copies: &pgCopies{}}
	}
	return template{err: fmt.Errorf("unknown dialect %q", d)}
}

// dropStaleTemplates drops the template databases of test processes of this
// machine that have ended (best effort: one still in use is left).
func dropStaleTemplates(ctx context.Context, admin *sql.DB) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'lindu\_tmpl\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			break
		}
		pid, err := strconv.Atoi(strings.Split(strings.TrimPrefix(name, "lindu_tmpl_"), "_")[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name)
	}
}

// release resets the copy name (at url u) a test used to the template's
// state and keeps it for the next test, or drops it when it cannot.
func (tm template) release(t testing.TB, base, name, u string) {
	err := tm.snapErr
	if tm.snap != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err = tm.snap.reset(ctx, u)
		cancel()
	}
	if err == nil {
		tm.copies.give(name)
		return
	}
	t.Logf("storetest: copy %s of the template not reused: %v", name, err)
	pgExec(t, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, t.Logf)
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
