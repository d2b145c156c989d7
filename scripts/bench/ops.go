package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Export, backup and restore against the database's own tools, and
// lindu's footprint.
func init() {
	register(workload{name: "export", doc: "case export of 100,000 rows (CSV) vs the database's own CSV export of the same rows", run: runExport})
	register(workload{name: "backup", doc: "lindu backup and restore vs sqlite3 .backup / pg_dump and a copy / pg_restore", run: runBackup})
	register(workload{name: "footprint", doc: "binary size, cold start to ready, idle RSS", run: runFootprint})
}

// timedABAB runs a and b alternately e.rounds times and returns the
// medians.
func (e *env) timedABAB(name string, a, b func() error) line {
	var ta, tb []time.Duration
	var errA, errB error
	for r := 0; r < e.rounds; r++ {
		t0 := time.Now()
		if err := a(); err != nil && errA == nil {
			errA = err
		}
		ta = append(ta, time.Since(t0))
		t0 = time.Now()
		if err := b(); err != nil && errB == nil {
			errB = err
		}
		tb = append(tb, time.Since(t0))
	}
	sa, sb := stats{lat: ta}, stats{lat: tb}
	l := line{Workload: name, Lindu: "median " + ms(sa.pct(0.5)), Base: "median " + ms(sb.pct(0.5))}
	if sb.pct(0.5) > 0 {
		l.Ratio = float64(sa.pct(0.5)) / float64(sb.pct(0.5))
	}
	var notes []string
	if errA != nil {
		notes = append(notes, "lindu: "+tail(errA.Error(), 200))
	}
	if errB != nil {
		notes = append(notes, "baseline: "+tail(errB.Error(), 200))
	}
	l.Note = strings.Join(notes, "; ")
	return l
}

func runExport(ctx context.Context, e *env) ([]line, error) {
	srv, err := e.serve(ctx)
	if err != nil {
		return nil, err
	}
	web, err := login(srv.url, userSup, e.ds.Users[userSup])
	if err != nil {
		return nil, err
	}
	var rows int
	lindu := func() error {
		b, err := web.do("GET", srv.url+"/kasus/ekspor.csv?f=1", nil, nil, 200)
		rows = strings.Count(string(b), "\n")
		return err
	}
	q := `SELECT c.code, r.name, c.region_code, c.type_set, c.priority, c.status, c.assignee_id, c.reported_at, c.next_due_kind, c.next_due_at
		FROM cases c JOIN regions r ON r.code = c.region_code ORDER BY c.next_due_at IS NULL, c.next_due_at, c.reported_at DESC LIMIT 100000`
	out := filepath.Join(e.work, "export-baseline.csv")
	var base func() error
	switch e.dialect {
	case "sqlite":
		base = func() error {
			return runTool(ctx, "sqlite3", "-csv", "-header", "-readonly", strings.TrimPrefix(e.ds.DBURL, "sqlite:"), ".output "+out, q)
		}
	default:
		base = func() error {
			return runTool(ctx, "psql", "-q", "-d", e.ds.DBURL, "-c", `\copy (`+strings.Join(strings.Fields(q), " ")+`) TO '`+out+`' CSV HEADER`)
		}
	}
	l := e.timedABAB("export 100k cases csv", lindu, base)
	l.Note = strings.TrimPrefix(l.Note+fmt.Sprintf("; lindu wrote %d lines", rows), "; ")
	return []line{l}, nil
}

func runBackup(ctx context.Context, e *env) ([]line, error) {
	if _, err := e.dataset(ctx); err != nil {
		return nil, err
	}
	// lindu backup runs beside a serving lindu, as an operator would.
	if _, err := e.serve(ctx); err != nil {
		return nil, err
	}
	dir := filepath.Join(e.work, "backup-"+e.dialect)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lout, bout := filepath.Join(dir, "lindu.backup"), filepath.Join(dir, "baseline.backup")
	lindu := func() error {
		_ = os.Remove(lout)
		_, err := e.lindu(ctx, "", "backup", "--out", lout)
		return err
	}
	var base func() error
	switch e.dialect {
	case "sqlite":
		base = func() error {
			_ = os.Remove(bout)
			return runTool(ctx, "sqlite3", strings.TrimPrefix(e.ds.DBURL, "sqlite:"), ".backup "+bout)
		}
	default:
		base = func() error { return runTool(ctx, "pg_dump", "-Fc", "-f", bout, e.ds.DBURL) }
	}
	lines := []line{e.timedABAB("backup", lindu, base)}
	if fi, err := os.Stat(lout); err == nil {
		lines[0].Note = strings.TrimPrefix(lines[0].Note+fmt.Sprintf("; %.0f MB", float64(fi.Size())/1e6), "; ")
	}

	// Restore into an empty database, then migrate (lindu), against the
	// database's own restore.
	target := func(i string) (string, func(), error) {
		switch e.dialect {
		case "sqlite":
			p := filepath.Join(dir, "restored-"+i+".db")
			_ = os.Remove(p)
			return "sqlite:" + p, func() { _ = os.Remove(p) }, nil
		default:
			name := "lindu_bench_restore_" + i
			if err := recreatePG(ctx, name); err != nil {
				return "", nil, err
			}
			return pgURL(name), func() {}, nil
		}
	}
	lrestore := func() error {
		u, _, err := target("lindu")
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, e.bin, "restore", "--in", lout)
		cmd.Env = append(os.Environ(), "LINDU_DB="+u, "LINDU_DATA_DIR="+e.ds.DataDir, "LINDU_ROOT_REGION="+regency, "LINDU_LOG_LEVEL=warn")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("lindu restore: %v: %s", err, tail(string(out), 400))
		}
		return nil
	}
	brestore := func() error {
		u, _, err := target("baseline")
		if err != nil {
			return err
		}
		if e.dialect == "sqlite" {
			return runTool(ctx, "sqlite3", strings.TrimPrefix(u, "sqlite:"), ".restore "+bout)
		}
		return runTool(ctx, "pg_restore", "-d", u, bout)
	}
	lines = append(lines, e.timedABAB("restore", lrestore, brestore))
	return lines, nil
}

func runTool(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, tail(string(out), 300))
	}
	return nil
}

func runFootprint(ctx context.Context, e *env) ([]line, error) {
	if _, err := e.dataset(ctx); err != nil {
		return nil, err
	}
	fi, err := os.Stat(e.bin)
	if err != nil {
		return nil, err
	}
	var starts []time.Duration
	var rss string
	for i := 0; i < 3; i++ {
		s, err := e.startServer(ctx, nil)
		if err != nil {
			return nil, err
		}
		starts = append(starts, s.start)
		time.Sleep(2 * time.Second)
		rss = procStatus(s.pid(), "VmRSS")
		s.stop()
	}
	st := stats{lat: starts}
	return []line{{Workload: "footprint", Lindu: fmt.Sprintf("binary %.1f MB, ready in %s, idle RSS %s", float64(fi.Size())/1e6, ms(st.pct(0.5)), rss),
		Note: "start on the migrated " + fmt.Sprint(e.cases) + "-case database"}}, nil
}

func procStatus(pid int, key string) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			return strings.Join(strings.Fields(strings.TrimPrefix(l, key+":")), " ")
		}
	}
	return "?"
}
