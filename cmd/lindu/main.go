// Command lindu is the whole of lindu in one binary: the web server, its
// migrations, and the administration commands. This file only wires the
// parts together; everything else lives under internal/.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/cases"
	"lindu/internal/config"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/intake"
	"lindu/internal/jobs"
	"lindu/internal/kla"
	"lindu/internal/metrics"
	"lindu/internal/musrenbang"
	"lindu/internal/regiondata"
	"lindu/internal/secret"
	"lindu/internal/server"
	"lindu/internal/shelters"
	"lindu/internal/store"
)

// version is set at build time with -ldflags "-X main.version=..."; else
// the module build info is used.
var version = ""

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// gcPercent and memoryLimit are the garbage collector's settings unless
// GOGC and GOMEMLIMIT say otherwise. lindu's live heap is small (13 MB
// serving the 200,000-case bench) and an inbox view allocates about
// 360 KB, so with Go's default (GOGC=100: collect when the heap has
// doubled) the collector ran every 30-odd views. Collecting when it has
// grown fivefold, on the SQLite bench with eight clients, took lindu's CPU
// per inbox view from 4.7-4.8 ms to 3.9-4.3 ms (A B A B; 373-381 → 417-461
// views a second), for a peak RSS of 144 MB instead of 107 MB. The limit
// keeps a large live heap (a big export or statistics run) from growing
// five times over: near it the collector runs more often.
const (
	gcPercent   = 400
	memoryLimit = 1 << 30
)

// tuneGC applies gcPercent and memoryLimit where the environment does
// not set GOGC or GOMEMLIMIT (the runtime reads those itself).
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

const usageText = `lindu — integrated child protection (Perlindungan Terpadu Anak)

Usage:
  lindu serve [--demo] [flags]     run the web server (loads regions on first start)
  lindu migrate [flags]            apply database migrations and load regions, then exit
  lindu user add --username U --role R --region CODE --password-stdin [--full-name N] [--email E] [--phone P]
  lindu token create --username U [--name N]   print a new API token for U
  lindu audit verify [--checkpoint FILE] [--public-key K]   check the audit log's hash chain and signed checkpoints
  lindu audit checkpoint [flags]   sign the audit log's head into the checkpoint file and print the line
  lindu key rotate [flags]         add a new encryption key and re-encrypt every personal field
  lindu demo generate [--cases N] [--region CODE] [--seed S] [--kla-years 2023,2024,2025]   bulk synthetic cases and national KLA values for benchmarks
  lindu kannel config [flags]      print the smsbox sms-service and sendsms-user groups for this lindu
  lindu backup --out FILE          consistent backup of the database while lindu runs (never the key file)
  lindu restore --in FILE          restore a backup into an empty database, then migrate it
  lindu version                    print the version

Every command takes the common flags (see "lindu serve -h"); settings can also
come from LINDU_* environment variables. Roles: admin, supervisor, caseworker,
responder, opd_operator, facilitator, viewer.
`

// run executes one command and returns the exit status: 0 ok, 1 failure,
// 2 bad usage.
func run(ctx context.Context, args []string, env config.Env, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "user", "token", "audit", "key", "demo", "kannel":
		if len(rest) == 0 {
			fmt.Fprintf(stderr, "lindu %s: missing subcommand (see lindu help)\n", cmd)
			return 2
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, env, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, env, stdout, stderr)
	case "user add":
		err = cmdUserAdd(ctx, rest, env, stdin, stdout, stderr)
	case "token create":
		err = cmdTokenCreate(ctx, rest, env, stdout, stderr)
	case "audit verify":
		err = cmdAuditVerify(ctx, rest, env, stdout, stderr)
	case "audit checkpoint":
		err = cmdAuditCheckpoint(ctx, rest, env, stdout, stderr)
	case "key rotate":
		err = cmdKeyRotate(ctx, rest, env, stdout, stderr)
	case "demo generate":
		err = cmdDemoGenerate(ctx, rest, env, stdout, stderr)
	case "kannel config":
		err = cmdKannelConfig(ctx, rest, env, stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, rest, env, stdout, stderr)
	case "restore":
		err = cmdRestore(ctx, rest, env, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "lindu", buildVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprintf(stderr, "lindu: unknown command %q (see lindu help)\n", strings.Join(args[:1], " "))
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *config.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "lindu %s: %s\n", cmd, oneLine(ue.Msg))
		return 2
	}
	fmt.Fprintf(stderr, "lindu %s: %s\n", cmd, oneLine(err.Error()))
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
		if v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// newLogger builds the structured logger of the configuration.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo // config.Load accepts only the four level names
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open loads the key, opens and migrates the store and makes sure the
// region reference data is loaded.
func open(ctx context.Context, cfg config.Config, log *slog.Logger, progress io.Writer) (*store.Store, error) {
	keys, created, err := secret.LoadOrCreate(cfg.SecretKeyFile, time.Now())
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created a new encryption key file; back it up: without it personal data cannot be read",
			"path", cfg.SecretKeyFile)
	}
	box, err := secret.NewBox(keys)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{Box: box, RootRegion: cfg.RootRegion,
		SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax})
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		return nil, abandon(st, err)
	}
	if len(applied) > 0 {
		log.Info("applied migrations", "versions", applied, "dialect", string(st.Dialect()))
	}
	if err := ensureRegions(ctx, st, log, progress); err != nil {
		return nil, abandon(st, err)
	}
	if loaded, err := kla.EnsureShipped(ctx, st); err != nil {
		return nil, abandon(st, fmt.Errorf("KLA catalogue: %w", err))
	} else if loaded {
		log.Info("loaded the KLA indicator catalogue", "regime", kla.Regime2011)
	}
	if err := st.Optimize(ctx); err != nil {
		log.Warn("could not refresh planner statistics", "err", err.Error())
	}
	return st, nil
}

// abandon closes a store that open could not finish preparing and returns
// the failure, with the close's error added if that failed too.
func abandon(st *store.Store, err error) error {
	if cerr := st.Close(); cerr != nil {
		return errors.Join(err, fmt.Errorf("close database: %w", cerr))
	}
	return err
}

// closeStore closes the store at the end of a subcommand, deferred as
// closeStore(st, &err) with err its named result: a failed close (the
// last writes may not have reached the disk) fails a subcommand that
// otherwise succeeded.
func closeStore(st *store.Store, err *error) {
	if cerr := st.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close database: %w", cerr)
	}
}

const regionsSetting = "regions.dataset"
const regionsDataset = "idn-area-data@3.1.2"

// ensureRegions loads the embedded regions on first start (once, even with
// several processes starting together), with a progress bar on a terminal.
func ensureRegions(ctx context.Context, st *store.Store, log *slog.Logger, progress io.Writer) error {
	if v, err := st.GetSetting(ctx, regionsSetting); err != nil || v == regionsDataset {
		return err
	}
	return st.WithImportLock(ctx, func() error {
		if v, err := st.GetSetting(ctx, regionsSetting); err != nil || v == regionsDataset {
			return err
		}
		start := time.Now()
		bar := newProgressBar(progress, "Memuat data wilayah / loading regions")
		n, err := regiondata.Load(ctx, st, "", bar.update)
		bar.done()
		if err != nil {
			return fmt.Errorf("load regions: %w", err)
		}
		if err := st.SetSetting(ctx, regionsSetting, regionsDataset); err != nil {
			return err
		}
		log.Info("loaded regions", "count", n, "dataset", regionsDataset, "seconds", time.Since(start).Seconds())
		return nil
	})
}

// progressBar draws "label [#####.....] 45% 41000/91592" on a terminal, or
// writes a line every quarter elsewhere.
type progressBar struct {
	w     io.Writer
	label string
	tty   bool
	lastQ int
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	pb := &progressBar{w: w, label: label}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			pb.tty = true
		}
	}
	return pb
}

func (p *progressBar) update(done, total int) {
	if p.w == nil || total <= 0 {
		return
	}
	pct := done * 100 / total
	if p.tty {
		const width = 30
		n := done * width / total
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total)
		p.drawn = true
		return
	}
	if q := pct / 25; q > p.lastQ || done == total {
		p.lastQ = q
		fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", p.label, pct, done, total)
	}
}

func (p *progressBar) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

func cmdServe(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var demoFlag bool
	cfg, err := config.Load("serve", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&demoFlag, "demo", false, "load the synthetic demo data set (Kabupaten Bengkayang) into an empty database")
	})
	if err != nil {
		return err
	}
	if demoFlag && cfg.RootRegion == "" {
		cfg.RootRegion = demo.Region
	}
	log := newLogger(cfg, stderr)
	started := time.Now()
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	if off, err := st.AutovacuumOff(ctx); err != nil {
		log.Warn("could not read PostgreSQL's autovacuum setting", "err", err.Error())
	} else if off {
		// lindu vacuums its tallies at start only (Store.Optimize).
		log.Warn("PostgreSQL's autovacuum is off: tables lindu updates often keep their dead rows and grow slower to read; turn it on (autovacuum = on) or run VACUUM (ANALYZE) regularly")
	}
	if cfg.RootRegion != "" {
		if _, err := st.GetRegion(ctx, cfg.RootRegion); err != nil {
			return &config.UsageError{Msg: fmt.Sprintf("root region %s does not exist", cfg.RootRegion)}
		}
	}
	if demoFlag {
		if err := loadDemo(ctx, st, log, stdout); err != nil {
			return err
		}
	}
	area := cases.New(st, cases.Options{EmergencyAccess: cfg.EmergencyAccess})
	chans, err := channels(cfg, st, area, log)
	if err != nil {
		return err
	}
	keeper, err := newKeeper(cfg, st, log)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{Store: st, Log: log, RootRegion: cfg.RootRegion, Require2FA: cfg.Require2FA,
		SecureCookies: cfg.SecureCookies, HSTS: strings.HasPrefix(cfg.PublicURL, "https://"), TrustProxy: cfg.TrustProxy,
		Version: buildVersion(), Channels: chans.routes, Checkpoints: keeper, Cases: area})
	if err != nil {
		return err
	}
	if chans.intake != nil {
		intake.DeclareMetrics(srv.Metrics)
		chans.intake.Metrics = srv.Metrics
	}
	defer runKeeper(ctx, keeper, cfg, log)() // after the jobs stop: seals and signs their last entries
	defer runSender(ctx, chans.sender, srv.Metrics)()
	defer runJobs(ctx, chans.jobs)()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer runEscalator(ctx, st, area, log, srv.Metrics)()
	log.Info("lindu is ready", "url", "http://"+ln.Addr().String(), "dialect", string(st.Dialect()),
		"root_region", cfg.RootRegion, "startup_ms", time.Since(started).Milliseconds(), "version", buildVersion())
	return serveHTTP(ctx, ln, srv, cfg, log)
}

// loadDemo loads the demo accounts, cases and KLA data into an empty
// database and prints the accounts (or says the database had users).
func loadDemo(ctx context.Context, st *store.Store, log *slog.Logger, stdout io.Writer) error {
	accounts, err := demo.Load(ctx, st)
	if err != nil {
		return err
	}
	if len(accounts) > 0 {
		t0 := time.Now()
		res, err := demo.LoadCases(ctx, st, 200, 1)
		if err != nil {
			return fmt.Errorf("demo cases: %w", err)
		}
		log.Info("demo data loaded", "reports", res.Reports, "cases", res.Cases, "closed", res.Closed, "rejected", res.Rejected,
			"merged", res.Merged, "teams", res.Teams, "responders", res.Responders,
			"assessments", res.Assessments, "plans_approved", res.PlansApproved, "visits", res.Visits,
			"referrals", res.Referrals, "seconds", time.Since(t0).Seconds())
		sres, err := demo.LoadShelters(ctx, st)
		if err != nil {
			return fmt.Errorf("demo safe places: %w", err)
		}
		log.Info("demo safe places loaded", "places", sres.Places, "stays", sres.Stays)
		n, err := demo.LoadMessages(ctx, st)
		if err != nil {
			return fmt.Errorf("demo messages: %w", err)
		}
		log.Info("demo WhatsApp messages loaded", "messages", n)
		kres, err := demo.LoadKLA(ctx, st, kla.CurrentYear(time.Now()))
		if err != nil {
			return fmt.Errorf("demo KLA: %w", err)
		}
		log.Info("demo KLA data loaded", "values", kres.Values, "agreements", kres.Agreements, "budget_lines", kres.BudgetLines)
		na, err := demo.LoadAudits(ctx, st)
		if err != nil {
			return fmt.Errorf("demo audits: %w", err)
		}
		log.Info("demo children's audits loaded", "audits", na)
		mres, err := demo.LoadMusrenbang(ctx, st)
		if err != nil {
			return fmt.Errorf("demo musrenbang: %w", err)
		}
		log.Info("demo Musrenbang Anak loaded", "children", mres.Children, "proposals", mres.Proposals, "tickets", mres.Tickets)
		stres, err := demo.LoadStats(ctx, st, st.RootRegion())
		if err != nil {
			return fmt.Errorf("demo statistics: %w", err)
		}
		log.Info("demo statistics loaded", "release", stres.Release, "historical_mismatches", stres.Mismatches)
		printChildCodes(stdout, mres.Codes)
	}
	printDemoAccounts(stdout, accounts)
	return nil
}

// printChildCodes shows the demo children's login codes (for /anak).
func printChildCodes(w io.Writer, codes map[string]string) {
	names := make([]string, 0, len(codes))
	for n := range codes {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Demo children's login codes for /anak (Musrenbang Anak):")
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, codes[n])
	}
}

// runEscalator runs the escalation job until the returned function is
// called; that function stops it and waits.
func runEscalator(ctx context.Context, st *store.Store, area *cases.Service, log *slog.Logger, m *metrics.Registry) func() {
	jobsCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		sh := shelters.New(st, area)
		(&jobs.Escalator{Cases: area, Log: log, Metrics: m, Reminders: []func(context.Context) (int, error){sh.RemindVisitsDue,
			audits.New(st).RemindActions, musrenbang.New(st).RemindUndecided}}).Run(jobsCtx)
	}()
	return func() { stop(); <-done }
}

// serveHTTP answers on ln until ctx is done, then lets the requests in
// flight finish within cfg.ShutdownGrace.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, cfg config.Config, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func printDemoAccounts(w io.Writer, accounts []demo.Account) {
	if len(accounts) == 0 {
		fmt.Fprintln(w, "Demo: the database already has users; no demo accounts were added (their passwords were printed at the first start).")
		return
	}
	fmt.Fprintln(w, "Demo accounts for Kabupaten Bengkayang (61.07). Passwords are shown only this once:")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-16s %-13s %-14s %s\n", a.Username, a.Role, a.Region, a.Password)
	}
}

func cmdMigrate(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	cfg, err := config.Load("migrate", args, env, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (%s)\n", v, st.Dialect())
	return nil
}

func cmdUserAdd(ctx context.Context, args []string, env config.Env, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	var nu domain.NewUser
	var role string
	var pwStdin bool
	var agency string
	cfg, err := config.Load("user add", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&nu.Username, "username", "", "username (required)")
		fs.StringVar(&role, "role", "", "role: admin, supervisor, caseworker, responder, opd_operator, facilitator, viewer (required)")
		fs.StringVar(&nu.RegionCode, "region", "", "region code the user works in, e.g. 61.07 (required)")
		fs.StringVar(&nu.FullName, "full-name", "", "full name (stored encrypted)")
		fs.StringVar(&nu.Email, "email", "", "e-mail (stored encrypted)")
		fs.StringVar(&nu.Phone, "phone", "", "mobile number for SMS, e.g. +6281234567890 (stored encrypted)")
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
		fs.StringVar(&agency, "agency", "", "agency (OPD) code an opd_operator enters KLA data for, e.g. dinkes")
	})
	if err != nil {
		return err
	}
	if nu.Username == "" || role == "" || nu.RegionCode == "" || !pwStdin {
		return &config.UsageError{Msg: "need --username, --role, --region and --password-stdin"}
	}
	nu.Role = domain.Role(role)
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	nu.Password = strings.TrimRight(line, "\r\n")
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	u, err := st.CreateUser(ctx, access.System("cli"), nu)
	if err != nil {
		return describe(err)
	}
	if agency != "" {
		if err := kla.SetUserAgency(ctx, st, access.System("cli"), u.ID, agency); err != nil {
			return describe(err)
		}
	}
	fmt.Fprintf(stdout, "created user %s (%s, %s) id %s\n", u.Username, u.Role, u.RegionCode, u.ID)
	return nil
}

// describe turns a coded error into one readable line.
func describe(err error) error {
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var parts []string
	for k, v := range e.Fields {
		parts = append(parts, k+": "+httpx.Text("en", v))
	}
	sort.Strings(parts)
	return errors.New(httpx.ErrorText("en", e) + " (" + strings.Join(parts, "; ") + ")")
}

func cmdTokenCreate(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var username, name string
	cfg, err := config.Load("token create", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "user the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	if username == "" {
		return &config.UsageError{Msg: "need --username"}
	}
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	cred, err := st.CredentialsByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("no user %q", username)
	}
	tok, _, err := st.CreateToken(ctx, access.System("cli"), cred.User.ID, name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func cmdDemoGenerate(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var n int
	var region, klaYears string
	var seed int64
	cfg, err := config.Load("demo generate", args, env, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&n, "cases", 0, "number of synthetic cases to add")
		fs.StringVar(&region, "region", "", "spread them over the villages below this region (default: the root region, else 61.07)")
		fs.Int64Var(&seed, "seed", 1, "random seed")
		fs.StringVar(&klaYears, "kla-years", "", "also fill in a self-assessed KLA value of every indicator for every village of the country in these years (comma-separated, e.g. 2023,2024,2025; existing values are kept)")
	})
	if err != nil {
		return err
	}
	var years []int
	for _, f := range strings.Split(klaYears, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		var y int
		if _, err := fmt.Sscan(f, &y); err != nil || y < 2000 || y > 2100 || fmt.Sprint(y) != f {
			return &config.UsageError{Msg: fmt.Sprintf("bad --kla-years year %q", f)}
		}
		years = append(years, y)
	}
	if (n <= 0 && len(years) == 0) || n < 0 || n > 50_000_000 {
		return &config.UsageError{Msg: "need --cases N (1 to 50000000) or --kla-years Y1,Y2,..."}
	}
	if region == "" {
		region = cfg.RootRegion
	}
	if region == "" {
		region = demo.Region
	}
	if !domain.ValidRegionCode(region) {
		return &config.UsageError{Msg: fmt.Sprintf("bad region %q", region)}
	}
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	if n > 0 {
		t0 := time.Now()
		bar := newProgressBar(stderr, "Membuat kasus sintetis / generating cases")
		m, err := demo.Generate(ctx, st, n, region, seed, bar.update)
		bar.done()
		if err != nil {
			return err
		}
		d := time.Since(t0)
		fmt.Fprintf(stdout, "added %d synthetic cases below %s in %.1f s (%.0f cases/s)\n", m, region, d.Seconds(), float64(m)/d.Seconds())
	}
	// One call per catalogue: the values of all its years, then the
	// planner's statistics once.
	var regimes []string
	byRegime := map[string][]int{}
	for _, y := range years {
		g, err := kla.RegimeFor(ctx, st, y)
		if err != nil {
			return err
		}
		if byRegime[g.ID] == nil {
			regimes = append(regimes, g.ID)
		}
		byRegime[g.ID] = append(byRegime[g.ID], y)
	}
	for _, g := range regimes {
		t0 := time.Now()
		bar := newProgressBar(stderr, "Membuat nilai KLA sintetis / generating KLA values")
		m, err := kla.GenerateValues(ctx, st, g, byRegime[g], bar.update)
		bar.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %d synthetic KLA values for %v (every village, catalogue %s) in %.1f s\n", m, byRegime[g], g, time.Since(t0).Seconds())
	}
	return nil
}
