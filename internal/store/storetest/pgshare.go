package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// PostgreSQL templates and their copies are shared by the test processes
// of one run. The test command names its run (LINDU_TEST_RUN); every test
// binary of the run is built from the same code, so one template per
// region filter serves them all: the first process that needs it builds
// it, the others wait for it. A copy a test is done with is reset
// (pgreuse.go) and renamed free; any process of the run takes it by
// renaming it as its own (a rename succeeds once). So a run creates
// copies only up to the number of tests that hold one at the same time,
// and drops none until the test command drops its databases at the end.
// Dropping a database forces a checkpoint: 47 drops in one run took
// 0.3-7.5 s each, while other tests waited on the template they were
// dropped for.
//
// Names: lindu_r<run>_<filters> is the template, with "_b" while it is
// built; its copies add "_f<random>" when free and "_u<pid>_<random>"
// when a process uses them. A copy in use by a process that has ended
// (killed in a test) is reset before another process uses it. Without
// LINDU_TEST_RUN (go test by hand) the run is the process (p<pid>), and a
// later process drops what an ended one left.

// pgTemplate is one shared template.
type pgTemplate struct {
	base   string // LINDU_TEST_POSTGRES
	name   string
	prefix string // of its copies' names
	lock   int64  // advisory lock: exclusive to build and read it, shared to copy it
	snap   *pgSnapshot
}

var runRe = regexp.MustCompile(`^[a-z0-9]{1,12}$`)

// runID is the run that shares templates: the test command's, or this
// process.
func runID() string {
	if r := os.Getenv("LINDU_TEST_RUN"); runRe.MatchString(r) {
		return r
	}
	return "p" + strconv.Itoa(os.Getpid())
}

// openPGTemplate returns the run's template for filters, building it with
// fill when no process of the run has yet.
func openPGTemplate(ctx context.Context, base string, filters []string, fill func(url string) error) (*pgTemplate, error) {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(filters, ",")))
	run := runID()
	name := fmt.Sprintf("lindu_r%s_%08x", run, h.Sum32())
	p := &pgTemplate{base: base, name: name, prefix: name + "_"}
	h.Write([]byte(name))
	p.lock = int64(h.Sum32()) | 0x4c54<<32 // "LT"

	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, err
	}
	defer func() { _ = admin.Close() }()
	if strings.HasPrefix(run, "p") {
		dropEnded(ctx, admin)
	}
	conn, err := admin.Conn(ctx) // the advisory lock is the session's
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, p.lock); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, p.lock) }()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		building := name + "_b" // left behind by a builder that died: dropped
		if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
			return nil, err
		}
		u, err := withDatabase(base, building)
		if err == nil {
			err = fill(u)
		}
		if err == nil {
			_, err = conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name)
		}
		if err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
			return nil, err
		}
	}
	// Read under the exclusive lock: nobody copies the template while
	// this connection to it is open (CREATE DATABASE would refuse).
	u, err := withDatabase(base, name)
	if err != nil {
		return nil, err
	}
	if p.snap, err = snapshotPG(ctx, u); err != nil {
		return nil, fmt.Errorf("read the template: %w", err)
	}
	return p, nil
}

// acquire returns a copy of the template for this process's use: a free
// one, one an ended process left (reset first), or a new one.
func (p *pgTemplate) acquire(ctx context.Context, logf func(string, ...any)) (string, error) {
	admin, err := sql.Open("pgx", p.base)
	if err != nil {
		return "", err
	}
	defer func() { _ = admin.Close() }()
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname`, p.prefix)
	if err != nil {
		return "", err
	}
	var free, orphans []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		rest := strings.TrimPrefix(name, p.prefix)
		if strings.HasPrefix(rest, "f") {
			free = append(free, name)
		} else if pid, _, ok := strings.Cut(strings.TrimPrefix(rest, "u"), "_"); ok && strings.HasPrefix(rest, "u") && ended(pid) {
			orphans = append(orphans, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	mine := func() string { return fmt.Sprintf("%su%d_%s", p.prefix, os.Getpid(), randHex(4)) }
	for _, name := range free {
		to := mine()
		if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` RENAME TO `+to); err == nil {
			return to, nil
		} // another process took it first
	}
	for _, name := range orphans {
		to := mine()
		if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` RENAME TO `+to); err != nil {
			continue
		}
		u, err := withDatabase(p.base, to)
		if err == nil {
			err = p.snap.reset(ctx, u)
		}
		if err == nil {
			return to, nil
		}
		logf("storetest: copy %s of an ended process not reused: %v", name, err)
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+to+` WITH (FORCE)`)
	}
	to := mine()
	return to, p.copyTo(ctx, admin, to)
}

// copyTo creates database name as a copy of the template.
func (p *pgTemplate) copyTo(ctx context.Context, admin *sql.DB, name string) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock_shared($1)`, p.lock); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+p.name)
	_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock_shared($1)`, p.lock)
	return err
}

// release resets the copy name a test is done with and frees it, or drops
// it when it cannot be reset.
func (p *pgTemplate) release(ctx context.Context, name string) error {
	u, err := withDatabase(p.base, name)
	if err == nil {
		err = p.snap.reset(ctx, u)
	}
	admin, aerr := sql.Open("pgx", p.base)
	if aerr != nil {
		return errors.Join(err, aerr)
	}
	defer func() { _ = admin.Close() }()
	if err == nil {
		_, err = admin.ExecContext(ctx, `ALTER DATABASE `+name+` RENAME TO `+p.prefix+"f"+randHex(4))
	}
	if err != nil {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
	return err
}

// ended reports whether process pid has ended.
func ended(pid string) bool {
	n, err := strconv.Atoi(pid)
	return err == nil && n > 0 && n != os.Getpid() && syscall.Kill(n, 0) == syscall.ESRCH
}

var endedRe = regexp.MustCompile(`^lindu_(?:rp|tmpl_)(\d+)_`)

// dropEnded drops the databases of test processes run by hand that have
// ended (a run of the test command drops its own at its end).
func dropEnded(ctx context.Context, admin *sql.DB) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname ~ '^lindu_(rp|tmpl_)[0-9]+_'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			break
		}
		if m := endedRe.FindStringSubmatch(name); m != nil && ended(m[1]) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
}
