package main

// Tests of the command line: run is called directly with its own
// environment, standard streams and context, against SQLite data
// directories in temporary folders. The first open of a data directory
// loads every region of Indonesia (a few seconds), so the commands share
// one data directory where they can.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"lindu/internal/secret"
	"lindu/internal/store"
)

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// envOf makes a config.Env from a map; variables not in it are empty, so
// the tests never see the LINDU_* variables of the shell.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// dataEnv is the environment of a data directory: SQLite there, plain
// logs, nothing else set.
func dataEnv(dir string) map[string]string {
	return map[string]string{"LINDU_DATA_DIR": dir}
}

// runCmd runs one command to completion.
func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	// The deadline only stops a hung command: beside the rest of the test
	// command, both cores busy, work of seconds took ten times as long.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, envOf(env), strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	env := dataEnv(t.TempDir()) // none of these should get as far as opening it

	cases := []struct {
		name     string
		args     []string
		want     int
		oneLine  bool   // stderr must be exactly one line
		contains string // stderr must contain this
	}{
		{name: "no args", args: nil, want: 2, contains: "Usage"},
		{name: "unknown command", args: []string{"frobnicate"}, want: 2, oneLine: true, contains: "frobnicate"},
		{name: "missing subcommand", args: []string{"user"}, want: 2, oneLine: true, contains: "subcommand"},
		{name: "unknown flag", args: []string{"serve", "--bogus-flag"}, want: 2, oneLine: true, contains: "bogus"},
		{name: "bad database URL", args: []string{"migrate", "--db", "mysql://x"}, want: 2, oneLine: true, contains: "database URL"},
		{name: "bad listen address", args: []string{"migrate", "--addr", "nonsense"}, want: 2, oneLine: true, contains: "nonsense"},
		{name: "bad root region", args: []string{"serve", "--root-region", "61.x"}, want: 2, oneLine: true, contains: "root region"},
		{name: "stray argument", args: []string{"migrate", "extra"}, want: 2, oneLine: true, contains: "extra"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCmd(t, env, "", c.args...)
			if r.code != c.want {
				t.Fatalf("lindu %s: got %v, want exit %d", strings.Join(c.args, " "), r, c.want)
			}
			if c.oneLine {
				if n := len(lines(r.stderr)); n != 1 {
					t.Errorf("lindu %s: %d lines on stderr, want exactly one:\n%s", strings.Join(c.args, " "), n, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, c.contains) {
				t.Errorf("lindu %s: stderr does not mention %q:\n%s", strings.Join(c.args, " "), c.contains, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("lindu %s: wrote to stdout on a usage error:\n%s", strings.Join(c.args, " "), r.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(env["LINDU_DATA_DIR"], "lindu.db")); err == nil {
		t.Errorf("a usage error created the database")
	}

	t.Run("version", func(t *testing.T) {
		r := runCmd(t, env, "", "version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "lindu ") || len(lines(r.stdout)) != 1 {
			t.Fatalf("lindu version: got %v, want exit 0 and one line starting with \"lindu \"", r)
		}
	})
	t.Run("help", func(t *testing.T) {
		r := runCmd(t, env, "", "help")
		if r.code != 0 || !strings.Contains(r.stdout, "lindu serve") {
			t.Fatalf("lindu help: got %v, want exit 0 and the usage on stdout", r)
		}
	})
}

// TestRunCommands runs the commands in order against one data directory:
// "serve --demo" on the fresh directory (creates the key, loads the
// regions, adds the demo accounts), then migrate, user add, token create,
// audit verify (intact, then tampered with) and key rotate, and finally
// serve again on a port chosen from LINDU_ADDR=127.0.0.1:0.
func TestRunCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := dataEnv(dir)
	keyFile := filepath.Join(dir, "secret.key")
	dbFile := filepath.Join(dir, "lindu.db")
	// Every step depends on the ones before it: stop at the first failure.
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}

	step("serve demo on a fresh data directory", func(t *testing.T) { testServeDemo(t, env) })

	step("migrate", func(t *testing.T) {
		start := time.Now()
		r := runCmd(t, env, "", "migrate")
		if r.code != 0 || !strings.Contains(r.stdout, "schema version") {
			t.Fatalf("lindu migrate: got %v, want exit 0 and \"schema version\"", r)
		}
		if len(lines(r.stdout)) != 1 {
			t.Errorf("lindu migrate: stdout has %d lines, want one:\n%s", len(lines(r.stdout)), r.stdout)
		}
		// The regions were loaded by serve: migrate has nothing to load.
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("migrate on an initialised data directory took %v; the regions should load only once", d)
		}
		fi, err := os.Stat(keyFile)
		if err != nil {
			t.Fatalf("key file: %v", err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("key file mode %o, want 600", m)
		}
		if _, err := os.Stat(dbFile); err != nil {
			t.Errorf("database file: %v", err)
		}
	})

	addSiti := []string{"user", "add", "--username", "siti", "--role", "caseworker", "--region", "61.07.01",
		"--password-stdin", "--phone", "0812-1111-2222"}
	step("user add", func(t *testing.T) {
		r := runCmd(t, env, "a long password here\n", addSiti...)
		if r.code != 0 || !strings.Contains(r.stdout, "siti") {
			t.Fatalf("lindu user add: got %v, want exit 0", r)
		}
		if strings.Contains(r.stdout+r.stderr, "a long password here") {
			t.Errorf("lindu user add echoed the password:\n%v", r)
		}
	})
	t.Run("user add taken", func(t *testing.T) {
		r := runCmd(t, env, "a long password here\n", addSiti...)
		if r.code != 1 {
			t.Errorf("lindu user add with a taken username: got %v, want exit 1", r)
		}
		if n := len(lines(r.stderr)); n != 1 {
			t.Errorf("lindu user add with a taken username: %d lines on stderr, want one", n)
		}
	})
	t.Run("user add bad role", func(t *testing.T) {
		r := runCmd(t, env, "a long password here\n", "user", "add", "--username", "raja", "--role", "king",
			"--region", "61.07", "--password-stdin")
		if r.code == 0 {
			t.Errorf("lindu user add --role king: got %v, want a failure", r)
		}
		if !strings.Contains(r.stderr, "role") {
			t.Errorf("lindu user add --role king: stderr does not mention the role:\n%s", r.stderr)
		}
	})
	t.Run("user add unknown region", func(t *testing.T) {
		r := runCmd(t, env, "a long password here\n", "user", "add", "--username", "budi", "--role", "caseworker",
			"--region", "99.99", "--password-stdin")
		if r.code == 0 {
			t.Errorf("lindu user add --region 99.99: got %v, want a failure", r)
		}
	})
	t.Run("user add without password-stdin", func(t *testing.T) {
		r := runCmd(t, env, "", "user", "add", "--username", "budi", "--role", "caseworker", "--region", "61.07")
		if r.code != 2 {
			t.Errorf("lindu user add without --password-stdin: got %v, want exit 2", r)
		}
	})

	step("token create", func(t *testing.T) {
		r := runCmd(t, env, "", "token", "create", "--username", "siti")
		if r.code != 0 {
			t.Fatalf("lindu token create: got %v, want exit 0", r)
		}
		if !regexp.MustCompile(`\Alindu_\S+\n\z`).MatchString(r.stdout) {
			t.Errorf("lindu token create: stdout is %q, want exactly one line with the token (lindu_...)", r.stdout)
		}
		r = runCmd(t, env, "", "token", "create", "--username", "nobody")
		if r.code != 1 || r.stdout != "" {
			t.Errorf("lindu token create for an unknown user: got %v, want exit 1 and nothing on stdout", r)
		}
	})

	step("audit verify", func(t *testing.T) {
		r := runCmd(t, env, "", "audit", "verify")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "ok:") {
			t.Fatalf("lindu audit verify: got %v, want exit 0 and \"ok:\"", r)
		}
	})

	step("audit verify after tampering", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+dbFile+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`DROP TRIGGER audit_log_no_update`,
			`UPDATE audit_log SET detail = 'x' WHERE seq = 1`,
		} {
			if _, err := db.Exec(q); err != nil {
				db.Close()
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, env, "", "audit", "verify")
		if r.code != 1 || !strings.Contains(r.stdout, "TAMPERED: audit entry 1") {
			t.Fatalf("lindu audit verify after editing entry 1: got %v, want exit 1 and \"TAMPERED: audit entry 1\"", r)
		}
	})

	step("key rotate", func(t *testing.T) {
		before, err := secret.Load(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, env, "", "key", "rotate")
		if r.code != 0 {
			t.Fatalf("lindu key rotate: got %v, want exit 0", r)
		}
		keys, err := secret.Load(keyFile)
		if err != nil {
			t.Fatalf("key file after rotation: %v", err)
		}
		if len(keys) != 1 {
			t.Fatalf("key file holds %d keys after rotation, want 1", len(keys))
		}
		if keys[0].ID == before[0].ID {
			t.Errorf("key rotate kept the old key %s", keys[0].ID)
		}
		if fi, err := os.Stat(keyFile); err != nil {
			t.Errorf("key file after rotation: %v", err)
		} else if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("key file mode %o after rotation, want 600", m)
		}
		box, err := secret.NewBox(keys)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		st, err := store.Open(ctx, "sqlite:"+dbFile, store.Options{Box: box})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		u, err := st.UserByPhone(ctx, "081211112222")
		if err != nil {
			t.Fatalf("after key rotation the phone number no longer finds siti: %v", err)
		}
		if u.Username != "siti" {
			t.Errorf("phone lookup found %q, want siti", u.Username)
		}
		if d, err := st.KeyDependents(ctx); err != nil || d.Total() != 0 {
			t.Errorf("after rotation still depending on old keys (err %v):\n%s", err, d)
		}
	})

	// serve with LINDU_ADDR=127.0.0.1:0 picks a free port and says which
	// in its "ready" log line.
	t.Run("serve on a port from the environment", func(t *testing.T) {
		senv := dataEnv(dir)
		senv["LINDU_ADDR"] = "127.0.0.1:0"
		s := startServe(t, senv)
		base := s.readyURL(t, 20*time.Second)
		if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
			t.Fatalf("ready log line names %q, want http://127.0.0.1:<port>", base)
		}
		waitHealthy(t, s, base, 10*time.Second)
		s.stop(t, 10*time.Second)
	})
}

// serveRun is "lindu serve" running in a goroutine.
type serveRun struct {
	cancel         context.CancelFunc
	done           chan int
	stdout, stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServe(t *testing.T, env map[string]string, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serveRun{cancel: cancel, done: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), envOf(env), strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			t.Errorf("lindu serve did not stop")
		}
	})
	return s
}

// readyURL waits for the "lindu is ready" log line and returns its URL.
func (s *serveRun) readyURL(t *testing.T, timeout time.Duration) string {
	t.Helper()
	re := regexp.MustCompile(`lindu is ready.* url=(\S+)`)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("lindu serve exited with %d before it was ready:\n%s", code, s.stderr)
		default:
		}
		if m := re.FindStringSubmatch(s.stderr.String()); m != nil {
			return strings.Trim(m[1], `"`)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("lindu serve did not log that it is ready within %v:\n%s", timeout, s.stderr)
	return ""
}

// stop cancels the context (as SIGTERM does) and expects exit 0 in time.
func (s *serveRun) stop(t *testing.T, within time.Duration) {
	t.Helper()
	start := time.Now()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		if code != 0 {
			t.Errorf("lindu serve exited with %d after cancellation, want 0:\n%s", code, s.stderr)
		}
		t.Logf("lindu serve stopped %v after cancellation", time.Since(start).Round(time.Millisecond))
	case <-time.After(within):
		t.Fatalf("lindu serve did not stop within %v of cancellation", within)
	}
}

// httpGet returns the status and body of a GET.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// waitHealthy polls /healthz until it answers 200.
func waitHealthy(t *testing.T, s *serveRun, base string, timeout time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("lindu serve exited with %d before /healthz answered:\n%s", code, s.stderr)
		default:
		}
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/healthz did not answer 200 within %v (last error %v):\n%s", base, timeout, err, s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	// Below Linux's ephemeral range (32768-60999): lindu binds the port
	// only after loading its demo data (half a minute), and a port from
	// that range may meanwhile become the local port of some outgoing
	// connection of the tests running alongside ("address already in
	// use"). Only listeners take ports below it.
	for range 200 {
		port := 20000 + mrand.IntN(12000)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		if err := ln.Close(); err != nil {
			t.Fatal(err)
		}
		return port
	}
	t.Fatal("no free port in 20000-31999")
	return 0
}

// testServeDemo starts "lindu serve --demo" on a fresh data directory,
// checks the health, readiness and metrics endpoints and the printed demo
// accounts, then stops it the way SIGTERM does.
func testServeDemo(t *testing.T, env map[string]string) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := "http://" + addr

	start := time.Now()
	s := startServe(t, env, "--demo", "--addr", addr)
	// The first start loads 91,592 regions: ~6 s, but ~2 min under -race.
	waitHealthy(t, s, base, 5*time.Minute)
	t.Logf("lindu serve --demo on a fresh data directory (loads every region) answered /healthz after %v",
		time.Since(start).Round(time.Millisecond))

	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz: %d %q, want 200", code, body)
	}
	if code, body := httpGet(t, base+"/"); code != http.StatusOK || !strings.Contains(body, "Bengkayang") {
		t.Errorf("GET /: status %d; want 200 and a page naming the demo regency Bengkayang", code)
	}
	code, body := httpGet(t, base+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, "lindu_http_requests_total") {
		t.Errorf("GET /metrics: %d, want 200 with lindu_http_requests_total:\n%s", code, body)
	}

	// The demo accounts are printed once, on stdout, with their passwords.
	var admin []string
	sc := bufio.NewScanner(strings.NewReader(s.stdout.String()))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "admin" {
			admin = f
		}
	}
	if admin == nil {
		t.Errorf("lindu serve --demo: no line for the admin account on stdout:\n%s", s.stdout)
	} else if admin[1] != "admin" || admin[2] != "61.07" || len(admin[3]) < 12 {
		t.Errorf("lindu serve --demo: admin line %q, want role admin, region 61.07 and a password", admin)
	}
	if strings.Contains(s.stdout.String(), "level=") {
		t.Errorf("lindu serve --demo: log lines on stdout:\n%s", s.stdout)
	}

	s.stop(t, 5*time.Second)
	if !strings.Contains(s.stderr.String(), "stopped") {
		t.Errorf("lindu serve: no \"stopped\" log line after shutdown:\n%s", s.stderr)
	}
}
