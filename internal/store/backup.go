package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Durability names the setting that makes a commit durable before lindu
// acknowledges it: "synchronous=FULL" on SQLite (checked on the write
// connection), "synchronous_commit=on" on PostgreSQL.
func (s *Store) Durability(ctx context.Context) (string, error) {
	if s.dialect == SQLite {
		var n int
		if err := s.w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
			return "", fmt.Errorf("store: durability: %w", err)
		}
		names := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
		return "synchronous=" + names[n], nil
	}
	var v string
	if err := s.w.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil {
		return "", fmt.Errorf("store: durability: %w", err)
	}
	return "synchronous_commit=" + v, nil
}

// BackupSQLite writes a consistent copy of the SQLite database to path
// (which must not exist) with VACUUM INTO: one read transaction, so the
// copy holds exactly the commits made before it started, while writers go
// on (WAL mode). The encryption key file is not part of the database.
func (s *Store) BackupSQLite(ctx context.Context, path string) (err error) {
	if s.dialect != SQLite {
		return errors.New("store: BackupSQLite on a PostgreSQL store")
	}
	if strings.ContainsAny(path, "\x00") {
		return errors.New("store: backup path contains a NUL byte")
	}
	// A connection of its own: the read pool is query_only, and the write
	// connection would hold up every writer for the duration.
	db, err := sql.Open("sqlite", "file:"+s.sqlitePath()+"?_pragma=busy_timeout(10000)&_time_format=sqlite")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer closeDB(db, &err)
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// closeDB closes a database handle opened for one task; its error becomes
// the task's if the task itself succeeded.
func closeDB(db *sql.DB, err *error) {
	if cerr := db.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("store: close: %w", cerr)
	}
}

func (s *Store) sqlitePath() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.dsn, "sqlite:"), "//")
}

// TableCounts returns the number of rows of every lindu table (for restore
// drills: compare the counts of a backup's copy with the original's).
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: table counts: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: table counts: %w", err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: table counts: %w", err)
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}

// IsEmptyDatabase reports whether the database at rawURL holds no tables
// (PostgreSQL: in its current schema; SQLite: the file is absent or has no
// tables). Restore writes only into an empty database.
func IsEmptyDatabase(ctx context.Context, rawURL string) (empty bool, err error) {
	d, err := ParseURL(rawURL)
	if err != nil {
		return false, err
	}
	if d == SQLite {
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
		for _, p := range []string{path, path + "-wal"} {
			fi, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return false, err
			}
			if fi.Size() > 0 {
				return false, nil
			}
		}
		return true, nil
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return false, fmt.Errorf("store: open postgres: %w", err)
	}
	defer closeDB(db, &err)
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: database unreachable: %w", err)
	}
	return n == 0, nil
}
