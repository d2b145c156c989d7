// Command bench measures lindu as its users feel it: through HTTP, with
// realistic volumes, each workload against a baseline that does the
// least the same job needs, in the same run, alternating A B A B, on
// SQLite and PostgreSQL. It prints one line per workload and database:
// lindu's figure, the baseline's, and the ratio (lindu / baseline for
// times, so 1.0 is as fast as the baseline and 2.0 twice as slow).
//
//	go run ./scripts/bench                    # every workload, both databases
//	go run ./scripts/bench -db sqlite -only inbox,intake
//	go run ./scripts/bench -cases 1000000     # the inbox at a million cases
//
// Data sets are generated once (lindu migrate, lindu demo generate) under
// -work and reused by later runs; PostgreSQL gets a database of its own
// per data set and work directory (lindu_bench_<cases>_<work>) on -pg. The lindu binary is built
// from this checkout. Nothing here is part of the test command.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// workload is one measured job. run measures it on e's database and
// returns its lines.
type workload struct {
	name string
	doc  string
	run  func(ctx context.Context, e *env) ([]line, error)
}

var workloads []workload

// register adds a workload; files of this package call it from init.
func register(w workload) { workloads = append(workloads, w) }

// line is one printed result.
type line struct {
	Workload string  // e.g. "inbox api regency 8c"
	Lindu    string  // lindu's figure, e.g. "p50 12.1 ms p95 20.3 ms 410 req/s"
	Base     string  // the baseline's figure
	Ratio    float64 // lindu / baseline (times) or baseline / lindu (rates): >1 is slower
	Note     string
}

// flags
var (
	flagDB     = flag.String("db", "both", "sqlite, postgres or both")
	flagOnly   = flag.String("only", "", "comma-separated workloads to run (default all)")
	flagCases  = flag.Int("cases", 200000, "cases in the inbox data set")
	flagWork   = flag.String("work", filepath.Join(os.TempDir(), "lindu-bench"), "work directory (data sets are kept here)")
	flagPG     = flag.String("pg", "postgres://postgres@127.0.0.1:5432/", "PostgreSQL server URL (databases lindu_bench_* are created on it)")
	flagDur    = flag.Duration("d", 5*time.Second, "duration of one measured round")
	flagRounds = flag.Int("rounds", 2, "rounds of A B")
	flagList   = flag.Bool("list", false, "list the workloads and exit")
	flagBin    = flag.String("bin", "", "a lindu binary to measure instead of building this checkout (an earlier build, for before and after on the same data sets)")
)

func main() {
	flag.Parse()
	sort.SliceStable(workloads, func(i, j int) bool { return order(workloads[i].name) < order(workloads[j].name) })
	if *flagList {
		for _, w := range workloads {
			fmt.Printf("%-12s %s\n", w.name, w.doc)
		}
		return
	}
	ctx := context.Background()
	if err := os.MkdirAll(*flagWork, 0o755); err != nil {
		fatal(err)
	}
	bin := *flagBin
	if bin == "" {
		bin = filepath.Join(*flagWork, "lindu")
		fmt.Fprintln(os.Stderr, "building lindu ...")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/lindu").CombinedOutput(); err != nil {
			fatal(fmt.Errorf("go build: %v\n%s", err, out))
		}
	}
	var dbs []string
	switch *flagDB {
	case "both":
		dbs = []string{"sqlite", "postgres"}
	case "sqlite", "postgres":
		dbs = []string{*flagDB}
	default:
		fatal(fmt.Errorf("-db: sqlite, postgres or both"))
	}
	only := map[string]bool{}
	for _, s := range strings.Split(*flagOnly, ",") {
		if s = strings.TrimSpace(s); s != "" {
			only[s] = true
		}
	}
	fmt.Printf("lindu bench  %s  cases=%d  round=%s  rounds=%d  cpus=%d\n", time.Now().UTC().Format(time.RFC3339), *flagCases, *flagDur, *flagRounds, numCPU())
	fmt.Printf("%-9s %-34s %-56s %-56s %s\n", "db", "workload", "lindu", "baseline", "ratio")
	failed := false
	for _, d := range dbs {
		e := &env{dialect: d, bin: bin, work: *flagWork, cases: *flagCases, dur: *flagDur, rounds: *flagRounds}
		for _, w := range workloads {
			if len(only) > 0 && !only[w.name] {
				continue
			}
			fmt.Fprintf(os.Stderr, "== %s %s\n", d, w.name)
			if d == "postgres" && w.name != "kla" {
				// The workloads before this one left dead rows (every audit
				// entry is updated once when sealed, and the bench's
				// reports are deleted): reclaimed, as autovacuum does in a
				// database in service, they do not slow this one. On a
				// server running with autovacuum off, 84,000 dead audit rows
				// from earlier runs cut audited reads at one client from 494
				// to 398 a second.
				if err := vacuumDataset(ctx, e); err != nil {
					fatal(err)
				}
			}
			lines, err := w.run(ctx, e)
			for _, l := range lines {
				r := fmt.Sprintf("%.2f", l.Ratio)
				if l.Ratio == 0 {
					r = "-"
				}
				fmt.Printf("%-9s %-34s %-56s %-56s %s", d, l.Workload, l.Lindu, l.Base, r)
				if l.Note != "" {
					fmt.Printf("  (%s)", l.Note)
				}
				fmt.Println()
			}
			if err != nil {
				failed = true
				fmt.Printf("%-9s %-34s FAILED: %v\n", d, w.name, err)
			}
		}
		e.close()
	}
	if failed {
		os.Exit(1)
	}
}

// order keeps the printed workloads in the order.
func order(name string) int {
	i := slices.Index([]string{"inbox", "triage", "sms", "whatsapp", "intake", "read", "kla", "export", "backup", "footprint"}, name)
	if i < 0 {
		return 100
	}
	return i
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(b), "processor\t"))
}

// env is one database's data set and the lindu serving it.
type env struct {
	dialect string
	bin     string
	work    string
	cases   int
	dur     time.Duration
	rounds  int

	mu      sync.Mutex
	writer  sync.Mutex // the baselines' one writer on SQLite (insertOne)
	ds      *dataset
	srv     *server
	db      *sql.DB
	cleanup []func()
}

// datasetVersion changes when lindu demo generate makes other data: a
// data set of another version is made again. 2: each case with the report
// it came from, and reports waiting for triage (December 2026).
const datasetVersion = 2

// dataset is a prepared database: its URL, data directory (key file) and
// the accounts the workloads use.
type dataset struct {
	Version int               `json:"version"` // datasetVersion when it was made
	Name    string            `json:"name"`
	DBURL   string            `json:"db_url"`
	DataDir string            `json:"data_dir"`
	Users   map[string]string `json:"users"`  // username → password
	Tokens  map[string]string `json:"tokens"` // username → API token
}

// The accounts of a data set: a regency supervisor (sees all 200,000
// cases) and a caseworker of one district.
const (
	regency  = "61.07"
	district = "61.07.08"
	userSup  = "bench-sup"
	userCW   = "bench-cw"
)

// dataset prepares (once) and returns the inbox data set of e's database.
func (e *env) dataset(ctx context.Context) (*dataset, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ds != nil {
		return e.ds, nil
	}
	name := fmt.Sprintf("%s-%d", e.dialect, e.cases)
	dir := filepath.Join(e.work, name)
	marker := filepath.Join(dir, "ready.json")
	if b, err := os.ReadFile(marker); err == nil {
		var ds dataset
		if err := json.Unmarshal(b, &ds); err == nil && ds.Version == datasetVersion {
			e.ds = &ds
			return e.ds, nil
		}
	}
	ds := &dataset{Version: datasetVersion, Name: name, DataDir: dir, Users: map[string]string{}, Tokens: map[string]string{}}
	// One PostgreSQL database per data set and work directory, so two
	// checkouts (before and after a change) can be measured side by side.
	u, err := e.freshDatabase(ctx, dir, fmt.Sprintf("lindu_bench_%d_%s", e.cases, dbSafe(filepath.Base(e.work))))
	if err != nil {
		return nil, err
	}
	ds.DBURL = u
	e.ds = ds
	fmt.Fprintf(os.Stderr, "preparing %s: migrate, %d cases (once; kept in %s)\n", name, e.cases, dir)
	if _, err := e.lindu(ctx, "", "migrate"); err != nil {
		return nil, err
	}
	if _, err := e.lindu(ctx, "", "demo", "generate", "--cases", fmt.Sprint(e.cases), "--region", regency); err != nil {
		return nil, err
	}
	for _, u := range []struct{ name, role, region string }{{userSup, "supervisor", regency}, {userCW, "caseworker", district}} {
		pw := "Bench-" + randHex(12)
		if _, err := e.lindu(ctx, pw+"\n", "user", "add", "--username", u.name, "--role", u.role, "--region", u.region, "--password-stdin", "--full-name", "Bench "+u.role); err != nil {
			return nil, err
		}
		tok, err := e.lindu(ctx, "", "token", "create", "--username", u.name, "--name", "bench")
		if err != nil {
			return nil, err
		}
		ds.Users[u.name], ds.Tokens[u.name] = pw, strings.TrimSpace(tok)
	}
	if e.dialect == "postgres" {
		// What autovacuum does within minutes of a bulk load (some
		// machines run PostgreSQL with it off): the generated set is
		// measured as a database in service would be, dead rows of the
		// load reclaimed and statistics current.
		if err := vacuumPG(ctx, ds.DBURL); err != nil {
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(ds, "", "  ")
	if err := os.WriteFile(marker, b, 0o600); err != nil {
		return nil, err
	}
	return ds, nil
}

// vacuumDataset prepares e's data set if needed and vacuums it.
func vacuumDataset(ctx context.Context, e *env) error {
	ds, err := e.dataset(ctx)
	if err != nil {
		return err
	}
	return vacuumPG(ctx, ds.DBURL)
}

// vacuumPG runs VACUUM (ANALYZE) on the PostgreSQL database at url.
func vacuumPG(ctx context.Context, url string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("vacuum the data set: %w", err)
	}
	return nil
}

// dbSafe keeps letters and digits of s, lower-cased, for a database name.
func dbSafe(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// freshDatabase empties dir and returns the URL of a new, empty database
// for e's dialect: a SQLite file in dir, or PostgreSQL database pgName.
func (e *env) freshDatabase(ctx context.Context, dir, pgName string) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if e.dialect == "sqlite" {
		return "sqlite:" + filepath.Join(dir, "lindu.db"), nil
	}
	if err := recreatePG(ctx, pgName); err != nil {
		return "", err
	}
	return pgURL(pgName), nil
}

func pgURL(dbname string) string {
	u := strings.TrimSuffix(*flagPG, "/") + "/" + dbname
	if !strings.Contains(u, "sslmode=") {
		u += "?sslmode=disable"
	}
	return u
}

// recreatePG drops and creates database dbname.
func recreatePG(ctx context.Context, dbname string) error {
	db, err := sql.Open("pgx", pgURL("postgres"))
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+dbname+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("postgres at %s: %w", *flagPG, err)
	}
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+dbname)
	return err
}

// lindu runs a lindu command on e's data set and returns its stdout.
func (e *env) lindu(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "LINDU_DB="+e.ds.DBURL, "LINDU_DATA_DIR="+e.ds.DataDir, "LINDU_ROOT_REGION="+regency, "LINDU_LOG_LEVEL=warn")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("lindu %s: %v: %s", strings.Join(args, " "), err, tail(errb.String(), 600))
	}
	return out.String(), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// server is a running lindu serve.
type server struct {
	url   string
	cmd   *exec.Cmd
	start time.Duration // from exec to the first 200 of /readyz
	log   string
}

// serve starts (once) lindu serve on e's data set.
func (e *env) serve(ctx context.Context) (*server, error) {
	if _, err := e.dataset(ctx); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return e.srv, nil
	}
	s, err := e.startServer(ctx, nil)
	if err != nil {
		return nil, err
	}
	e.srv = s
	e.cleanup = append(e.cleanup, func() { s.stop() })
	return s, nil
}

// startServer starts a lindu serve with extra environment.
func (e *env) startServer(ctx context.Context, extra []string) (*server, error) {
	addr := freeAddr()
	logf := filepath.Join(e.work, e.ds.Name+"-serve.log")
	f, err := os.Create(logf)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.bin, "serve")
	cmd.Env = append(os.Environ(), "LINDU_DB="+e.ds.DBURL, "LINDU_DATA_DIR="+e.ds.DataDir, "LINDU_ROOT_REGION="+regency,
		"LINDU_ADDR="+addr, "LINDU_LOG_LEVEL=warn", "LINDU_TRUST_PROXY=1")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = f, f
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, err
	}
	s := &server{url: "http://" + addr, cmd: cmd, log: logf}
	go func() { _ = cmd.Wait(); _ = f.Close() }()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			s.stop()
			b, _ := os.ReadFile(logf)
			return nil, fmt.Errorf("lindu serve did not become ready: %s", tail(string(b), 800))
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.start = time.Since(t0)
	return s, nil
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() {
			for s.cmd.ProcessState == nil {
				time.Sleep(20 * time.Millisecond)
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
}

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// sqlDB opens (once) e's database directly, for the baselines.
func (e *env) sqlDB(ctx context.Context) (*sql.DB, error) {
	if _, err := e.dataset(ctx); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.db != nil {
		return e.db, nil
	}
	var db *sql.DB
	var err error
	switch e.dialect {
	case "sqlite":
		// As lindu's own write connection: WAL, synchronous=FULL; its writes
		// take turns (env.insertOne), its reads run side by side.
		db, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(e.ds.DBURL, "sqlite:")+
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=mmap_size(1073741824)&_pragma=cache_size(-16384)&_time_format=sqlite")
		if err == nil {
			db.SetMaxOpenConns(8)
		}
	case "postgres":
		db, err = sql.Open("pgx", e.ds.DBURL)
		if err == nil {
			db.SetMaxOpenConns(16)
		}
	}
	if err != nil {
		return nil, err
	}
	e.db = db
	e.cleanup = append(e.cleanup, func() { _ = db.Close() })
	return db, nil
}

// ph is the n-th placeholder on e's database.
func (e *env) ph(n int) string {
	if e.dialect == "sqlite" {
		return "?" + fmt.Sprint(n)
	}
	return "$" + fmt.Sprint(n)
}

func (e *env) close() {
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		e.cleanup[i]()
	}
	e.cleanup, e.srv, e.db = nil, nil, nil
}

// baseline serves h on a loopback address for the run of a workload.
func baseline(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	hs := &http.Server{Handler: h}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = hs.Close() }
}

// --- load --------------------------------------------------------------

// stats are one round's latencies.
type stats struct {
	n        int
	errs     int
	firstErr string
	lat      []time.Duration
	elapsed  time.Duration
}

func (s *stats) add(o stats) {
	s.n += o.n
	s.errs += o.errs
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
	s.lat = append(s.lat, o.lat...)
	s.elapsed += o.elapsed
}

// mean is the mean time of a request, 0 without any.
func (s stats) mean() time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range s.lat {
		sum += d
	}
	return sum / time.Duration(len(s.lat))
}

func (s stats) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := slices.Clone(s.lat)
	slices.Sort(l)
	return l[min(len(l)-1, int(float64(len(l))*p))]
}

func (s stats) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.n) / s.elapsed.Seconds()
}

func (s stats) String() string {
	out := fmt.Sprintf("mean %s p50 %s p95 %s %.0f/s", ms(s.mean()), ms(s.pct(0.50)), ms(s.pct(0.95)), s.rate())
	if s.errs > 0 {
		out += fmt.Sprintf(" ERR %d", s.errs)
	}
	return out
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
}

// load runs clients closed-loop clients calling fn for d and returns
// their latencies. fn gets the client's number and the request's.
func load(clients int, d time.Duration, fn func(client, i int) error) stats {
	var mu sync.Mutex
	var out stats
	var seq atomic.Int64
	t0 := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine stats
			for time.Since(t0) < d {
				s := time.Now()
				err := fn(c, int(seq.Add(1)))
				mine.lat = append(mine.lat, time.Since(s))
				mine.n++
				if err != nil {
					mine.errs++
					if mine.firstErr == "" {
						mine.firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			out.n += mine.n
			out.errs += mine.errs
			if out.firstErr == "" {
				out.firstErr = mine.firstErr
			}
			out.lat = append(out.lat, mine.lat...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	out.elapsed = time.Since(t0)
	return out
}

// abab measures a and b alternately for e.rounds rounds (a warm-up call of
// each first) and returns both totals. settle, when given, runs before
// each measurement (lindu finishing the work a phase left, such as
// replies to send, so that it does not run into the next phase).
func (e *env) abab(clients int, a, b func(client, i int) error, settle ...func()) (stats, stats) {
	calm := func() {
		for _, f := range settle {
			f()
		}
	}
	_ = a(0, -1)
	_ = b(0, -1)
	var sa, sb stats
	for r := 0; r < e.rounds; r++ {
		calm()
		sa.add(load(clients, e.dur, a))
		calm()
		sb.add(load(clients, e.dur, b))
	}
	return sa, sb
}

// timeRatio is the line of a latency comparison: the mean time of a
// request over the baseline's, with the ratio of the medians in the note.
// The mean, because it is what a request costs: with a fixed number of
// clients it is their number over the rate. The median alone rewarded
// unfair queueing: at 8 clients on 2 cores a baseline (a bare handler
// with an unbounded pool of database connections) answered half its
// requests in 1.2 ms and a twentieth after 23 ms or more, at the same
// rate as lindu with a median of 4.2 ms and a p95 of 10 ms (triage list,
// PostgreSQL), and the medians made that a ratio of 3.5.
func timeRatio(name string, a, b stats) line {
	l := line{Workload: name, Lindu: a.String(), Base: b.String()}
	if b.mean() > 0 {
		l.Ratio = float64(a.mean()) / float64(b.mean())
	}
	var notes []string
	if b.pct(0.5) > 0 {
		notes = append(notes, fmt.Sprintf("p50 ratio %.2f", float64(a.pct(0.5))/float64(b.pct(0.5))))
	}
	if a.errs > 0 {
		notes = append(notes, "lindu: "+tail(a.firstErr, 160))
	}
	if b.errs > 0 {
		notes = append(notes, "baseline: "+tail(b.firstErr, 160))
	}
	l.Note = strings.Join(notes, "; ")
	return l
}

// --- HTTP clients --------------------------------------------------------

var transport = &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, IdleConnTimeout: time.Minute}

// client is an HTTP client with an optional API token or session.
type client struct {
	hc    *http.Client
	token string
}

func newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{hc: &http.Client{Jar: jar, Transport: transport, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and reads the whole answer; want is the status
// expected (0: any 2xx).
func (c *client) do(method, u string, body io.Reader, hdr map[string]string, want int) ([]byte, error) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if (want != 0 && resp.StatusCode != want) || (want == 0 && resp.StatusCode/100 != 2) {
		return b, fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, tail(string(b), 200))
	}
	return b, nil
}

func (c *client) get(u string) error {
	_, err := c.do("GET", u, nil, nil, 200)
	return err
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in to the web UI as user.
func login(base, user, pass string) (*client, error) {
	c := newClient()
	b, err := c.do("GET", base+"/login", nil, nil, 200)
	if err != nil {
		return nil, err
	}
	m := csrfRe.FindSubmatch(b)
	if m == nil {
		return nil, errors.New("login page without a CSRF token")
	}
	f := url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {pass}}
	if _, err := c.do("POST", base+"/login", strings.NewReader(f.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": base}, 303); err != nil {
		return nil, fmt.Errorf("login as %s: %w", user, err)
	}
	return c, nil
}

// apiClient is a client with user's API token.
func (e *env) apiClient(user string) *client {
	c := newClient()
	c.token = e.ds.Tokens[user]
	return c
}
