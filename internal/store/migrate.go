package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations of a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: bad migration file name %s", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("store: bad migration file name %s", name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// advisory lock key for migrations and one-time imports ("lindu" in ASCII).
const lockMigrate = 0x6c696e6475

// Migrate brings the schema to the newest version. Several processes may
// call it at once: on PostgreSQL an advisory lock serialises them, on SQLite
// the immediate write transaction does. It returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	applied, err := s.migrateTo(ctx, 0)
	if err != nil {
		return applied, err
	}
	// Names written before the blind index existed (or by an older
	// version sharing the database) are indexed now.
	if _, err := s.IndexMissingNames(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// migrateTo applies the migrations up to version upTo (0: all). Tests use
// it to build a database as an older version left it.
func (s *Store) migrateTo(ctx context.Context, upTo int) ([]int, error) {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	var applied []int
	err = s.withLock(ctx, lockMigrate, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
			return fmt.Errorf("store: create schema_migrations: %w", err)
		}
		versions, err := Rows(ctx, conn, func(rs *sql.Rows) (int, error) {
			var v int
			return v, rs.Scan(&v)
		}, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("store: read schema_migrations: %w", err)
		}
		have := map[int]bool{}
		for _, v := range versions {
			have[v] = true
		}
		for _, m := range ms {
			if have[m.Version] || (upTo > 0 && m.Version > upTo) {
				continue
			}
			done, err := s.applyMigration(ctx, conn, m)
			if err != nil {
				return fmt.Errorf("store: migrate %s: %w", m.Name, err)
			}
			if done {
				applied = append(applied, m.Version)
				have[m.Version] = true
			}
		}
		if have[sealedCaseFieldsVersion] {
			// A process of an older version sharing the database may have
			// written plaintext since: seal it too (finds nothing usually).
			return s.sealSince(ctx, conn)
		}
		return nil
	})
	return applied, err
}

// applyMigration applies m and records it in one transaction; false when
// another process applied it while this one waited for the lock.
func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, m Migration) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() // after Commit: sql.ErrTxDone
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if m.Version == sealedCaseFieldsVersion {
		// The new columns and the sealing of what was stored in
		// plaintext commit together or not at all.
		if _, err := s.sealLegacyPlaintext(ctx, tx); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, s.utc()); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

// sealSince seals the case fields a process of an older version wrote in
// plaintext after the sealing migration.
func (s *Store) sealSince(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: seal plaintext: %w", err)
	}
	defer tx.Rollback() // after Commit: sql.ErrTxDone
	if _, err := s.sealLegacyPlaintext(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: seal plaintext: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest applied migration (0 if none).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return int(v.Int64), nil
}

// withLock runs fn on one connection while holding a cross-process lock:
// a PostgreSQL session advisory lock, or nothing extra on SQLite (where the
// single writer connection and immediate transactions serialise writers,
// and a second process waits on the busy timeout).
func (s *Store) withLock(ctx context.Context, key int64, fn func(conn *sql.Conn) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connect: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return fmt.Errorf("store: advisory lock: %w", err)
		}
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
				// The session may still hold the lock: it must not go back
				// to the pool (where it would block every other instance's
				// migration). Closing the connection ends the session and
				// its locks; Raw closes it when told the connection is bad.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	return fn(conn)
}
