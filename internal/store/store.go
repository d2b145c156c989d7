// Package store is lindu's shared storage core. It opens SQLite or
// PostgreSQL and runs one code path on both; it owns the migrations, the
// regions, users, sessions and API tokens, the sealed-column registry and
// key rotation, the audit hash chain and backups. Areas (cases, kla, login,
// intake, outbox) own their rules and their SQL and reach the database
// through core.go: InTx with a Tx that appends audit entries and enqueues
// outbox messages in the same transaction, sealing and lookup hashes,
// region-scope SQL, IDs, the clock and Rows[T]. The store holds no
// business rules and no user-facing texts, and imports no area.
package store

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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"lindu/internal/domain"
	"lindu/internal/secret"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is lindu's storage. It is safe for concurrent use.
type Store struct {
	dialect     Dialect
	w           *sql.DB // writes (SQLite: one connection)
	r           *sql.DB // reads (SQLite: a pool; PostgreSQL: same as w)
	rb          *sql.DB // long reads, Bulk (SQLite: a pool that maps the file; PostgreSQL: same as w)
	box         *secret.Box
	now         func() time.Time
	dsn         string
	root        string // the deployment's region; "" = all of Indonesia
	sessionIdle time.Duration
	sessionMax  time.Duration
	lastPurge   *atomic.Int64 // store-clock UnixNano of the last rate-limit purge (shared by WithClock copies)
	keptCommits *atomic.Int64 // writes of InSharedTx committed as one statement (Committer.commitKept)
	stmts       *stmtCache    // prepared reads (SQLite only; shared by WithClock copies)
	bstmts      *stmtCache    // prepared reads on rb (SQLite only)
	wstmts      *stmtCache    // prepared writes (SQLite only; shared by WithClock copies)
	shared      *Committer    // InSharedTx's group commits (shared by WithClock copies)
	regions     *regionCache  // regions read by GetRegion (shared by WithClock copies)
}

// Options configure Open.
type Options struct {
	// Box encrypts personal fields. Required.
	Box *secret.Box
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxOpenConns bounds the PostgreSQL pool (default 20).
	MaxOpenConns int
	// RootRegion is the region the deployment serves ("" = all of
	// Indonesia). Settings that apply to the whole deployment may be
	// changed only by users whose region covers it.
	RootRegion string
	// SessionIdle ends a web session after this long without a request,
	// SessionMax this long after login (defaults DefaultSessionIdle and
	// DefaultSessionMax).
	SessionIdle, SessionMax time.Duration
}

// ParseURL checks a database URL and returns its dialect. Accepted forms:
// "sqlite:/path/lindu.db", "sqlite:relative.db", "sqlite::memory:",
// "postgres://user:pass@host:port/db?sslmode=disable", "postgresql://...".
func ParseURL(raw string) (Dialect, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		p := strings.TrimPrefix(raw, "sqlite:")
		p = strings.TrimPrefix(p, "//")
		if p == "" {
			return "", errors.New("sqlite URL needs a file path, e.g. sqlite:/var/lib/lindu/lindu.db")
		}
		if strings.ContainsAny(p, "\x00") {
			return "", errors.New("sqlite path contains a NUL byte")
		}
		return SQLite, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Errorf("bad PostgreSQL URL: %v", redactURLError(err))
		}
		if u.Host == "" {
			return "", errors.New("PostgreSQL URL needs a host, e.g. postgres://user@127.0.0.1:5432/lindu")
		}
		if strings.Trim(u.Path, "/") == "" {
			return "", errors.New("PostgreSQL URL needs a database name, e.g. postgres://user@127.0.0.1:5432/lindu")
		}
		return Postgres, nil
	}
	return "", errors.New(`database URL must start with "sqlite:" or "postgres://"`)
}

// redactURLError drops the URL (which may hold a password) from a parse error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Open connects to the database at url. It does not migrate.
func Open(ctx context.Context, rawURL string, opt Options) (*Store, error) {
	d, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opt.Box == nil {
		return nil, errors.New("store: no encryption box")
	}
	s := &Store{lastPurge: new(atomic.Int64), keptCommits: new(atomic.Int64), dialect: d, box: opt.Box, now: opt.Now, dsn: rawURL, root: opt.RootRegion,
		sessionIdle: opt.SessionIdle, sessionMax: opt.SessionMax}
	if d == SQLite {
		s.stmts, s.wstmts, s.bstmts = newStmtCache(), newStmtCache(), newStmtCache()
	}
	s.shared = &Committer{Store: s}
	s.regions = &regionCache{}
	if s.sessionIdle <= 0 {
		s.sessionIdle = DefaultSessionIdle
	}
	if s.sessionMax <= 0 {
		s.sessionMax = DefaultSessionMax
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch d {
	case SQLite:
		s.w, s.r, s.rb, err = openSQLite(rawURL)
	case Postgres:
		s.w, err = openPostgres(rawURL, opt.MaxOpenConns)
		s.r, s.rb = s.w, s.w
	}
	if err != nil {
		return nil, err
	}
	// A brand-new SQLite file switching to WAL can answer "busy" to a second
	// process opening it at the same moment; the first ping retries that.
	for attempt := 0; ; attempt++ {
		err := s.Ping(ctx)
		if err == nil {
			break
		}
		if !isBusy(err) || attempt >= 20 {
			return nil, errors.Join(err, s.Close())
		}
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
	return s, nil
}

// The SQLite read pools' sizes: point reads, and long reads (Bulk).
const (
	sqliteReaders     = 8
	sqliteBulkReaders = 4
)

// openSQLite opens the SQLite file of rawURL (creating its directory):
// one write connection, a read-only pool and a read-only pool for long
// reads (Bulk).
func openSQLite(rawURL string) (w, r, rb *sql.DB, err error) {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, nil, fmt.Errorf("store: %w", err)
		}
	}
	// synchronous=FULL: a commit is on disk before it is acknowledged
	// (NORMAL in WAL mode may lose the last commits on power loss);
	// it costs about a third of intake throughput (README, Tests).
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)&_time_format=sqlite"
	w, err = sql.Open("sqlite", "file:"+path+"?"+q+"&_txlock=immediate")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers keep a 16 MB page cache, and idle readers stay open. SQLite
	// empties a reader's cache whenever another connection has committed
	// since its last read, and a reader that maps the file unmaps it
	// then: with the map, each request's first read after a write paid an
	// munmap and a page fault per page it touched (an audited read of a
	// case 2.6 ms instead of 1.9 ms, 651 instead of 1,355 reads per
	// second with 8 clients, on the 200,000-case bench).
	reader := "file:" + path + "?" + q + "&_pragma=query_only(1)&_pragma=cache_size(-16384)"
	r, err = sql.Open("sqlite", reader)
	if err != nil {
		return nil, nil, nil, errors.Join(fmt.Errorf("store: open sqlite: %w", err), w.Close())
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	// Long reads (statistics, exports) map the file instead: pages come
	// from the OS cache without a read call each. A regency's statistics
	// on the 200,000-case bench took 2.9 s this way and 7.4 s with read
	// calls (and 6.5 s with SQLite's defaults on a smaller set).
	rb, err = sql.Open("sqlite", reader+"&_pragma=mmap_size(1073741824)")
	if err != nil {
		return nil, nil, nil, errors.Join(fmt.Errorf("store: open sqlite: %w", err), w.Close(), r.Close())
	}
	rb.SetMaxOpenConns(sqliteBulkReaders)
	rb.SetMaxIdleConns(sqliteBulkReaders)
	return w, r, rb, nil
}

// openPostgres opens a pool of up to maxConns (default 20) connections to
// the PostgreSQL database of rawURL.
func openPostgres(rawURL string, maxConns int) (*sql.DB, error) {
	// A database host that does not answer at all must fail a request
	// (503) within seconds, not hold it until the write timeout.
	pgURL := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Query().Get("connect_timeout") == "" {
		q := u.Query()
		q.Set("connect_timeout", "5")
		u.RawQuery = q.Encode()
		pgURL = u.String()
	}
	db, err := sql.Open("pgx", pgURL)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if maxConns <= 0 {
		maxConns = 20
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// Dialect returns the engine in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Box returns the encryption box (for key rotation).
func (s *Store) Box() *secret.Box { return s.box }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: database unreachable: %w", err)
	}
	return nil
}

// Stats returns pool statistics of the write pool (for /metrics).
func (s *Store) Stats() sql.DBStats { return s.w.Stats() }

// Close closes the pools.
func (s *Store) Close() error {
	var err error
	s.stmts.close()
	s.wstmts.close()
	s.bstmts.close()
	if s.r != nil && s.r != s.w {
		err = s.r.Close()
	}
	if s.rb != nil && s.rb != s.w {
		if e := s.rb.Close(); e != nil {
			err = e
		}
	}
	if s.w != nil {
		if e := s.w.Close(); e != nil {
			err = e
		}
	}
	return err
}

// tx runs fn in a write transaction, committing if it returns nil. A
// SQLite "busy" error (another process holds the write lock past the busy
// timeout) is retried a few times.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.tx1(ctx, fn)
		if err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return err
}

// The transaction itself runs under a context that is never cancelled:
// fn's statements use ctx and stop when it ends (fn fails, the
// transaction rolls back), but a COMMIT once sent is not cut off. Under
// ctx, pgx cancelled a COMMIT in flight when ctx ended and reported an
// error for a transaction the server had committed (an escalation step
// that was sent was then not counted as fired). Waiting for the writer
// connection still ends with ctx.
func (s *Store) tx1(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() { _ = conn.Close() }()
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	ended := false
	defer func() {
		if !ended { // fn panicked: nothing else would end the transaction
			_ = tx.Rollback()
		}
	}()
	err = fn(tx)
	ended = true
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// isUniqueViolation reports a unique-constraint failure on either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value")
}

// idClock keeps UUIDv7s made in the same millisecond in order (RFC 9562
// method 1: a counter in rand_a), so rows sorted by (time, id) keep the
// order they were written in. It keeps the counter of each recent
// millisecond, not only of the last one: stores whose clocks differ
// (tests running side by side, each with its own clock) interleave their
// milliseconds, and each must still count on where it left off.
var idClock struct {
	sync.Mutex
	seq map[uint64]uint16 // millisecond -> last counter used in it
}

// idClockKeep is how many milliseconds idClock remembers before it starts
// again from the current one.
const idClockKeep = 4096

// newID returns a UUIDv7 (time-ordered) string.
func newID(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	ms := uint64(now.UnixMilli())
	idClock.Lock()
	seq, ok := idClock.seq[ms]
	if len(idClock.seq) >= idClockKeep || idClock.seq == nil {
		idClock.seq = map[uint64]uint16{}
		if ok {
			idClock.seq[ms] = seq
		}
	}
	if ok && seq < 0x0fff {
		seq++
	} else {
		seq = uint16(b[6]&0x03)<<8 | uint16(b[7]) // random start, room to count
	}
	idClock.seq[ms] = seq
	idClock.Unlock()
	b[6], b[7] = byte(seq>>8), byte(seq)
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = (b[6] & 0x0f) | 0x70
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// utc returns the store's current time in UTC, truncated to microseconds
// (PostgreSQL's precision) so values read back compare equal.
func (s *Store) utc() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// scopeClause returns a SQL condition restricting column to the scope's
// region, with its arguments numbered from n. The empty region ("all of
// Indonesia") adds no condition. On SQLite the store runs it as a range
// (see sqliteSQL); the text marks it for that.
func scopeClause(column, region string, n int) (string, []any) {
	if region == "" {
		return "1=1", nil
	}
	return fmt.Sprintf("(%s = $%d OR %s LIKE $%d "+withinMark+")", column, n, column, n+1), []any{region, region + ".%"}
}

// ScopeLiteral is ScopeClause's condition with the region written into
// the SQL as a constant instead of passed as arguments, on PostgreSQL,
// for the statements a page runs on every view (the inbox). With the
// pattern a parameter, PostgreSQL either plans the statement again at
// every run (0.2-0.35 ms of an inbox's statements) or keeps a generic
// plan that cannot narrow by region; with the constant it derives the
// index range from the prefix and keeps one plan per region, made for
// that region's size. ok is false on SQLite, whose range form needs no
// such help (sqliteSQL), and for anything that is not a region code
// (only digits and dots go into the SQL): use ScopeClause then.
func (s *Store) ScopeLiteral(column, region string) (string, bool) {
	if s.dialect != Postgres {
		return "", false
	}
	if region == "" {
		return "1=1", true
	}
	if !domain.ValidRegionCode(region) {
		return "", false
	}
	return "(" + column + " = '" + region + "' OR " + column + " LIKE '" + region + ".%')", true
}

// GetSetting returns a setting's value, or "" when unset.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: get setting: %w", err)
	}
	return v, nil
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return setSetting(ctx, tx, key, value, s.utc())
	})
}

func setSetting(ctx context.Context, tx *sql.Tx, key, value string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now)
	if err != nil {
		return fmt.Errorf("store: set setting: %w", err)
	}
	return nil
}

// Bulk is s with its reads on the pool for long reads (on SQLite, the
// connections that map the file): for the statistics, exports and other
// reads of many rows, which would otherwise read every page with a call
// of its own. Writes are s's. PostgreSQL has one pool: s itself.
func (s *Store) Bulk() *Store {
	if s.rb == s.r {
		return s
	}
	c := *s
	c.r, c.stmts = s.rb, s.bstmts
	c.rb, c.bstmts = s.rb, s.bstmts
	return &c
}

// WithClock returns a store that shares this one's connections but reads
// time from now: demo data and tests use it to write history.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// AutovacuumOff reports whether the PostgreSQL server runs without
// autovacuum (always false on SQLite): tables that are updated often
// (tallies, the outbox, rate limits) then keep every dead row until a
// manual VACUUM, and grow slower to read. lindu serve warns about it.
func (s *Store) AutovacuumOff(ctx context.Context) (bool, error) {
	if s.dialect != Postgres {
		return false, nil
	}
	var v string
	if err := s.QueryRowContext(ctx, `SELECT current_setting('autovacuum')`).Scan(&v); err != nil {
		return false, fmt.Errorf("store: autovacuum setting: %w", err)
	}
	return v == "off", nil
}

// compactTallies rewrites the case tallies on PostgreSQL (VACUUM FULL), or
// vacuums them when the table stays locked by others for 2 s: a VACUUM
// FULL waiting for a lock would hold up every case write and inbox view
// queued behind it.
func compactTallies(ctx context.Context, conn *sql.Conn) (err error) {
	if _, err := conn.ExecContext(ctx, `SET lock_timeout = '2s'`); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `RESET lock_timeout`); rerr != nil && err == nil {
			err = fmt.Errorf("store: optimize: %w", rerr)
		}
	}()
	_, err = conn.ExecContext(ctx, `VACUUM (FULL, ANALYZE) case_tallies`)
	if err != nil && strings.Contains(err.Error(), "SQLSTATE 55P03") { // lock_not_available
		_, err = conn.ExecContext(ctx, `VACUUM (ANALYZE) case_tallies`)
	}
	if err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}

// maxParams is how many parameters one multi-row statement should carry:
// modernc's SQLite binds "$N" parameters by name with a linear search, so
// big statements cost quadratic time there; PostgreSQL allows 65535.
func (s *Store) maxParams() int {
	if s.dialect == SQLite {
		return 400
	}
	return 30000
}

// Optimize refreshes the query planner's statistics: on SQLite a sampled
// ANALYZE (PRAGMA optimize), on PostgreSQL ANALYZE of the big tables and
// a compaction of the case tallies. Run at start and after bulk loads;
// cheap when nothing changed.
//
// The tallies are a few hundred rows, and every case insert or status
// change updates one: 200,000 generated cases left 61,607 dead rows in
// them, which each inbox view read until a vacuum. autovacuum would
// reclaim them within a minute, but it may be off (it is on some
// machines this runs on: AutovacuumOff), and a bulk load should not wait
// for it. A VACUUM reclaims dead rows but moves no live one: the 374 tally
// rows of the benchmark's regency stayed spread over 195 of 815 pages,
// and reading them took 0.48 ms of every inbox view. VACUUM FULL writes
// them into 6 pages (0.2 ms), and with the table's fillfactor at 50
// (migration 0036) later updates stay on their page (24,000 updates left
// it at 6 pages). VACUUM FULL locks the table, for milliseconds at this
// size; if another instance holds it longer (lock_timeout, 2 s), a plain
// VACUUM runs instead. The outbox is analyzed too: the badge of every
// staff page counts its pending messages up to 100, which took 0.09 ms
// with current statistics and 3.4 ms with statistics that still counted
// 77 rows of 21,555 (PostgreSQL then built a bitmap of every pending
// message instead of stopping at 100).
func (s *Store) Optimize(ctx context.Context) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	defer conn.Close()
	var stmts []string
	if s.dialect == SQLite {
		stmts = []string{`PRAGMA analysis_limit = 1000`, `PRAGMA optimize = 0x10002`}
	} else {
		if err := compactTallies(ctx, conn); err != nil {
			return err
		}
		stmts = []string{`ANALYZE cases`, `ANALYZE case_types`, `ANALYZE reports`, `ANALYZE outbox`}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: optimize: %w", err)
		}
	}
	if s.dialect == SQLite {
		// A SQLite connection reads the statistics when it opens (ANALYZE
		// reloads them only on its own connection): readers opened before,
		// by the migrations for instance, would plan with the old ones, or
		// none for an index a migration just built (the inbox took 66 ms
		// instead of 2.5 ms on such a connection). Close them; the pool
		// opens fresh ones.
		s.r.SetMaxIdleConns(0)
		s.r.SetMaxIdleConns(sqliteReaders)
		s.rb.SetMaxIdleConns(0)
		s.rb.SetMaxIdleConns(sqliteBulkReaders)
	}
	return nil
}
