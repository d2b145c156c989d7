package main

// lindu backup and lindu restore. The database only: the encryption key
// file is never written into a backup (README, "Backup and restore").

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lindu/internal/config"
	"lindu/internal/secret"
	"lindu/internal/store"
)

// Backups are recognised by their first bytes.
var (
	sqliteMagic = []byte("SQLite format 3\x00")
	pgdumpMagic = []byte("PGDMP")
)

func cmdBackup(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var out string
	cfg, err := config.Load("backup", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write the backup to (required; replaced atomically if it exists)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return &config.UsageError{Msg: "need --out FILE"}
	}
	if abs, err := filepath.Abs(out); err == nil {
		if k, err := filepath.Abs(cfg.SecretKeyFile); err == nil && abs == k {
			return &config.UsageError{Msg: "--out names the key file; write the backup elsewhere"}
		}
	}
	d, err := store.ParseURL(cfg.DB)
	if err != nil {
		return &config.UsageError{Msg: err.Error()}
	}
	t0 := time.Now()
	tmp := out + ".partial"
	if err := removeIfExists(tmp); err != nil {
		return fmt.Errorf("old partial backup: %w", err)
	}
	switch d {
	case store.SQLite:
		err = backupSQLite(ctx, cfg, tmp)
	case store.Postgres:
		err = backupPostgres(ctx, cfg, tmp)
	}
	if err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return discard(err, tmp)
	}
	if err := os.Rename(tmp, out); err != nil {
		return discard(err, tmp)
	}
	fi, _ := os.Stat(out)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "backup written to %s (%s, %d bytes, %.1f s); the key file is NOT in it: keep %s (and older key files) separately\n",
		out, d, size, time.Since(t0).Seconds(), cfg.SecretKeyFile)
	return nil
}

// backupSQLite writes a consistent copy of the SQLite database to tmp; on
// failure nothing is left at tmp.
func backupSQLite(ctx context.Context, cfg config.Config, tmp string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(cfg.DB, "sqlite:"), "//")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to back up at %s: %w", path, err)
	}
	// Open without migrating: a backup never changes the live database.
	keys, err := secret.Load(cfg.SecretKeyFile)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	box, err := secret.NewBox(keys)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{Box: box})
	if err != nil {
		return err
	}
	err = st.BackupSQLite(ctx, tmp)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	if err != nil {
		return discard(err, tmp)
	}
	return nil
}

// backupPostgres writes a pg_dump (custom format) of lindu's database, or
// only of its schema when the URL names a search_path, to tmp; on failure
// nothing is left at tmp.
func backupPostgres(ctx context.Context, cfg config.Config, tmp string) error {
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	conn, schema, penv, err := libpqURL(cfg.DB)
	if err != nil {
		return &config.UsageError{Msg: err.Error()}
	}
	argv := []string{"--format=custom", "--no-owner", "--no-acl", "--file=" + tmp}
	if schema != "" {
		argv = append(argv, "--schema="+schema)
	}
	if err := runTool(ctx, bin, append(argv, "--dbname="+conn), penv); err != nil {
		return discard(fmt.Errorf("pg_dump: %w", err), tmp)
	}
	return nil
}

func cmdRestore(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var in string
	cfg, err := config.Load("restore", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&in, "in", "", "backup file written by lindu backup (required)")
	})
	if err != nil {
		return err
	}
	if in == "" {
		return &config.UsageError{Msg: "need --in FILE"}
	}
	d, err := store.ParseURL(cfg.DB)
	if err != nil {
		return &config.UsageError{Msg: err.Error()}
	}
	if err := checkBackupKind(in, d); err != nil {
		return err
	}
	empty, err := store.IsEmptyDatabase(ctx, cfg.DB)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the target database is not empty; restore only into a new, empty database (a fresh data directory or an empty PostgreSQL database)")
	}
	if _, err := os.Stat(cfg.SecretKeyFile); err != nil {
		return fmt.Errorf("no key file at %s: copy the key file kept with your backups there first (without it nothing personal can be read): %w", cfg.SecretKeyFile, err)
	}
	t0 := time.Now()
	switch d {
	case store.SQLite:
		err = restoreSQLite(cfg, in)
	case store.Postgres:
		err = restorePostgres(ctx, cfg, in)
	}
	if err != nil {
		return err
	}
	restored := time.Since(t0)
	// Bring an older backup up to this version's schema, and check it reads.
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return fmt.Errorf("restored, but opening it failed: %w", err)
	}
	defer closeStore(st, &err)
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s in %.1f s; schema version %d; now run lindu audit verify\n", in, d, restored.Seconds(), v)
	return nil
}

// checkBackupKind refuses a file that is not a backup for the target
// database d, recognised by its first bytes.
func checkBackupKind(in string, d store.Dialect) error {
	head := make([]byte, 16)
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	n, _ := io.ReadFull(f, head)
	_ = f.Close() // only read
	head = head[:n]
	switch {
	case d == store.SQLite && !bytes.HasPrefix(head, sqliteMagic):
		return fmt.Errorf("%s is not a SQLite backup (a PostgreSQL backup restores only into PostgreSQL)", in)
	case d == store.Postgres && !bytes.HasPrefix(head, pgdumpMagic):
		return fmt.Errorf("%s is not a PostgreSQL backup (pg_dump custom format)", in)
	}
	return nil
}

// restoreSQLite copies the backup in beside the database file and renames
// it into place, so a failed copy leaves no half database behind.
func restoreSQLite(cfg config.Config, in string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(cfg.DB, "sqlite:"), "//")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".restoring"
	if err := copyFile(in, tmp); err != nil {
		return discard(err, tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		return discard(err, tmp)
	}
	return nil
}

// restorePostgres restores the pg_dump in into the database in one
// transaction: all of it or nothing.
func restorePostgres(ctx context.Context, cfg config.Config, in string) error {
	bin, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	conn, _, penv, err := libpqURL(cfg.DB)
	if err != nil {
		return &config.UsageError{Msg: err.Error()}
	}
	if err := runTool(ctx, bin, []string{"--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
		"--dbname=" + conn, in}, penv); err != nil {
		return fmt.Errorf("pg_restore: %w", err)
	}
	return nil
}

// pgTool finds a PostgreSQL client program in PATH or Debian's
// /usr/lib/postgresql/<version>/bin (the newest version).
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Slice(ms, func(i, j int) bool { return pgVersion(ms[i]) > pgVersion(ms[j]) })
	if len(ms) > 0 {
		return ms[0], nil
	}
	return "", fmt.Errorf("%s not found in PATH or /usr/lib/postgresql/*/bin: install the PostgreSQL client (Debian: apt-get install postgresql-client), the same major version as the server or newer", name)
}

func pgVersion(path string) int {
	var v int
	if _, err := fmt.Sscanf(filepath.Base(filepath.Dir(filepath.Dir(path))), "%d", &v); err != nil {
		return 0 // not a versioned directory: tried last
	}
	return v
}

// libpqURL turns lindu's PostgreSQL URL into one the PostgreSQL tools
// accept: the password moves to PGPASSWORD (not visible in the process
// list), a search_path becomes the schema to dump and a server option.
func libpqURL(raw string) (conn, schema string, env []string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", nil, errors.New("bad PostgreSQL URL")
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+p)
		}
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		schema = sp
		q.Del("search_path")
		q.Set("options", "-csearch_path="+sp)
	}
	u.RawQuery = q.Encode()
	return u.String(), schema, env, nil
}

// runTool runs a PostgreSQL client program; its own messages become the
// error (they name the database, never its contents).
func runTool(ctx context.Context, bin string, args, env []string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		return fmt.Errorf("%w: %s", err, msg)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // only read
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	if err := out.Sync(); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

// removeIfExists removes path; that it is not there is fine.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// discard removes the partial file a failed step left at path and returns
// the step's error, with the removal's if that failed too.
func discard(err error, path string) error {
	if rerr := removeIfExists(path); rerr != nil {
		return errors.Join(err, fmt.Errorf("remove partial file: %w", rerr))
	}
	return err
}
