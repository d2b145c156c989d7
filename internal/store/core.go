package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"lindu/internal/domain"
)

// This file is the store's API for the area packages (cases, kla, intake
// and those to come): a write transaction carrying the primitives every
// area uses, reads on the read pool, sealing and lookup hashes, region
// scope SQL, IDs and the clock. Areas own their rules and their SQL; the
// store owns how SQL reaches the database.

// Tx is a write transaction. Areas get one from InTx and must not keep it
// after fn returns.
type Tx struct {
	tx  *sql.Tx
	st  *Store
	now time.Time
	// newWindow: Allow started a rate-limit window (old ones are purged
	// after the commit).
	newWindow bool
	// pending are the inserts ExecLater keeps for the next statement;
	// failed is the error of the statement that sent them, when it failed
	// (the transaction's error from then on).
	pending []pending
	failed  error
	// single: the Tx of a write tried as one statement without a
	// transaction (Committer, write.kept): its kept statements go as one
	// statement that commits by itself; any other statement is refused
	// and sets needTx, and the write runs again in a transaction.
	single, needTx bool
}

// errNeedsTx is what a statement of a write tried as one statement gets
// (Tx.single): the write runs again in a transaction, where it goes.
var errNeedsTx = errors.New("store: this write needs a transaction")

// wantsTx reports whether t is a one-statement try (single), marking it to
// run again in a transaction: the caller must then run nothing.
func (t *Tx) wantsTx() bool {
	if t.single {
		t.needTx = true
	}
	return t.single
}

// refusedRow is the row a one-statement try gets for a read (wantsTx): a
// read on a context that has ended, which never reaches the database and
// whose Scan fails.
func (s *Store) refusedRow() *sql.Row {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return s.w.QueryRowContext(ctx, "SELECT 1")
}

// InTx runs fn in a write transaction and commits when fn returns nil; any
// error (or panic) rolls everything back, audit entries and outbox
// messages included. On SQLite a "database is locked" answer is retried,
// so fn may run more than once and must not have effects outside tx.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	purge := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t := &Tx{tx: tx, st: s, now: s.utc()}
		err := t.finish(ctx, fn(t))
		purge = t.newWindow
		return err
	})
	if err == nil && purge {
		s.purgeSometimes(ctx)
	}
	return err
}

// Autocommit runs fn on a Tx without a transaction: each statement fn
// runs commits by itself, which on PostgreSQL saves the BEGIN and the
// COMMIT (two round trips) of a write that is one statement, or of
// statements that need not commit together. ExecLater runs at once there,
// and Serialize holds its lock for its own statement only: fn must need
// no transaction.
func (s *Store) Autocommit(ctx context.Context, fn func(*Tx) error) error {
	return fn(&Tx{st: s, now: s.utc()})
}

// InSharedTx is InTx for a small write that may share its transaction
// with other callers' (group commit, Committer): it returns once the
// shared transaction committed, with fn's own error or the commit's. Use
// it on paths many clients take at once (a public report, the audit entry
// of a read): one commit serves them all. fn's Tx reads s's clock. fn may
// run more than once (when another write of its batch fails, each runs
// again in a transaction of its own), so it must not have effects outside
// tx; its error, when it fails alone, is returned as it is. fn must use
// the context it is given, the shared transaction's: ctx ending does not
// cancel a write once queued, which would fail the others' with it. On
// PostgreSQL, a write alone in its commit is first tried as one statement
// that commits by itself: its kept statements (Tx.ExecLater, Tx.Allow)
// sent together, one round trip instead of a BEGIN, each statement and a
// COMMIT; a write that needs more (a read, a statement run at once) runs
// again in a transaction, and so does one whose statement failed.
func (s *Store) InSharedTx(ctx context.Context, fn func(context.Context, *Tx) error) error {
	return s.shared.doWrite(ctx, "", &write{fn: fn, st: s, kept: true})
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.wantsTx() {
		return nil, errNeedsTx
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.st.txExec(ctx, t.tx, q, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.wantsTx() {
		return nil, errNeedsTx
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.st.txQuery(ctx, t.tx, q, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if t.wantsTx() {
		return t.st.refusedRow()
	}
	// When the kept inserts fail, the query runs in the aborted
	// transaction and fails too; InTx returns the inserts' error.
	_ = t.flush(ctx)
	return t.st.txQueryRow(ctx, t.tx, q, args...)
}

// Now is the transaction's time: the store clock read once at its start,
// in UTC to the microsecond, so every row it writes carries the same time.
func (t *Tx) Now() time.Time { return t.now }

// Store is the store the transaction belongs to.
func (t *Tx) Store() *Store { return t.st }

// Audit appends an audit entry for an action by sc; it commits or rolls
// back with the change it records.
func (t *Tx) Audit(ctx context.Context, sc domain.Scope, action, objType, objID, region, detail string) error {
	q, args := auditInsert(t.st.utc(), sc, action, objType, objID, region, detail)
	if err := t.ExecLater(ctx, q, args...); err != nil {
		return fmt.Errorf("store: audit append: %w", err)
	}
	return nil
}

// Message is a message to a user written to the outbox in the same
// transaction as the change that causes it.
type Message struct {
	Key      string // idempotency key: a message with the same key is written once
	UserID   string
	Region   string
	Body     string
	CaseID   string
	ReportID string
}

// Enqueue writes m to the outbox: by SMS when the user has a phone number,
// else as an in-app notification. It returns false when a message with the
// same key exists.
func (t *Tx) Enqueue(ctx context.Context, m Message) (bool, error) {
	if t.wantsTx() {
		return false, errNeedsTx
	}
	if err := t.flush(ctx); err != nil {
		return false, err
	}
	return t.st.enqueue(ctx, t.tx, outboxItem{key: m.Key, userID: m.UserID, region: m.Region, body: m.Body,
		caseID: m.CaseID, reportID: m.ReportID})
}

// PhoneMessage is a message to a phone number rather than to a user: the
// reply to someone who wrote in by SMS or WhatsApp. The number is sealed on
// the outbox row and used for nothing but sending it.
type PhoneMessage struct {
	Key      string // idempotency key; unique: a second message with the same key fails
	Channel  string // "sms" or "whatsapp"
	To       string // the number, E.164
	UserID   string // the sender's account, when the number is a user's
	Region   string
	Body     string
	CaseID   string
	ReportID string
	// ClaimedBy, when set, writes the message already claimed by that
	// sender instance for its first attempt (as outbox.Claim would, at the
	// transaction's time), for the sender to get in memory once committed
	// instead of claiming it in a transaction of its own. Should the
	// sender not send it, the claim goes stale and the message is sent as
	// any other whose sender died.
	ClaimedBy string
}

// EnqueueTo writes m to the outbox, its number sealed, and returns the new
// message's id. A message with the same key makes the transaction fail with
// a unique violation (IsUniqueViolation).
func (t *Tx) EnqueueTo(ctx context.Context, m PhoneMessage) (string, error) {
	to, err := t.st.Seal(FieldOutboxPhone, m.To)
	if err != nil {
		return "", err
	}
	id := newID(t.now)
	status, attempts, claimedAt := "pending", 0, any(nil)
	if m.ClaimedBy != "" {
		status, attempts, claimedAt = "sending", 1, t.now
	}
	err = t.ExecLater(ctx, `INSERT INTO outbox (id, idempotency_key, created_at, channel, recipient_user_id, to_phone_enc,
		region_code, body, case_id, report_id, status, next_attempt_at, claimed_by, claimed_at, attempts)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		id, m.Key, t.now, m.Channel, m.UserID, to, m.Region, m.Body, m.CaseID, m.ReportID, status, t.now, m.ClaimedBy, claimedAt, attempts)
	if err != nil {
		return "", fmt.Errorf("store: enqueue to a number: %w", err)
	}
	return id, nil
}

// Serialize makes the transactions that pass the same key run one at a
// time from here to their end: on PostgreSQL a transaction-level advisory
// lock on a number derived from key; SQLite's single writer runs every
// write transaction alone already.
func (t *Tx) Serialize(ctx context.Context, key string) error {
	if t.st.dialect != Postgres {
		return nil
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, serialLock(key)); err != nil {
		return fmt.Errorf("store: serialize: %w", err)
	}
	return nil
}

// serialLock is the advisory lock number of a Serialize key.
func serialLock(key string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key)) // a hash's Write never fails
	// The top bits set keep the number clear of the fixed lock keys
	// (lockAudit, lockMigrate).
	return int64(h.Sum64()&(1<<60-1)) | 0x7<<60
}

// SetSetting stores a deployment setting in the transaction.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	if t.wantsTx() {
		return errNeedsTx
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	return setSetting(ctx, t.tx, key, value, t.now)
}

// Now is the store's current time in UTC, to the microsecond.
func (s *Store) Now() time.Time { return s.utc() }

// NewID returns a new time-ordered ID (UUIDv7).
func (s *Store) NewID() string { return newID(s.utc()) }

// NewID returns a new time-ordered ID (UUIDv7).
func (t *Tx) NewID() string { return newID(t.now) }

// RootRegion is the region the deployment serves ("" = all of Indonesia).
func (s *Store) RootRegion() string { return s.root }

// QueryContext runs a read on the read pool.
func (s *Store) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmts.stmt(ctx, s.r, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.r.QueryContext(ctx, s.sql(q), args...)
}

// QueryRowContext runs a one-row read on the read pool.
func (s *Store) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.stmts.stmt(ctx, s.r, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, s.sql(q), args...)
}

// Seal encrypts a personal value for field (one of the Field constants,
// registered in sealedColumns). The empty value seals to "".
func (s *Store) Seal(field, plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	ct, err := s.box.Encrypt(field, plaintext)
	if err != nil {
		return "", fmt.Errorf("store: seal %s: %w", field, err)
	}
	return ct, nil
}

// Open decrypts a value sealed for field.
func (s *Store) Open(field, ciphertext string) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	pt, err := s.box.Decrypt(field, ciphertext)
	if err != nil {
		return "", fmt.Errorf("store: open %s: %w", field, err)
	}
	return pt, nil
}

// LookupHash is the keyed hash of value under field (HashPhone...), for
// finding a sealed value by equality.
func (s *Store) LookupHash(field, value string) string { return s.box.Hash(field, value) }

// Reveal opens a personal value for a scope that may see personal data,
// or returns "" and sets *masked when there was something to hide.
func (s *Store) Reveal(sc domain.Scope, field, ciphertext string, masked *bool) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	if !sc.Personal {
		*masked = true
		return "", nil
	}
	return s.box.Decrypt(field, ciphertext)
}

// DeploymentWide reports whether sc may change settings that apply to the
// whole deployment (deadline rules, routing, the KLA catalogue and
// rubric): lindu itself, or a user whose region covers the deployment's
// root region (for a nationwide deployment: a province-level user).
func (s *Store) DeploymentWide(sc domain.Scope) bool { return s.deploymentWide(sc) }

func (s *Store) deploymentWide(sc domain.Scope) bool {
	if sc.System || sc.RegionCode == "" {
		return true
	}
	if s.root == "" {
		return domain.RegionLevelOf(sc.RegionCode) == domain.LevelProvince
	}
	return domain.RegionWithin(s.root, sc.RegionCode)
}

// ScopeClause is the SQL condition restricting column to region and the
// regions below it, with arguments numbered from $n ("" adds none).
func ScopeClause(column, region string, n int) (string, []any) {
	return scopeClause(column, region, n)
}

// IsUniqueViolation reports a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// MaxParams is how many parameters one multi-row statement should carry
// on this engine.
func (s *Store) MaxParams() int { return s.maxParams() }

// Querier is what reads go through: the read pool (*Store) or a
// transaction (*Tx).
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Rows runs a query and reads every row with scan, closing the rows and
// reporting the query's, a scan's or the iteration's error.
func Rows[T any](ctx context.Context, q Querier, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	return AppendRows(ctx, q, nil, scan, query, args...)
}

// AppendRows is Rows appending to out: a caller that knows how many rows
// may come gives room for them, and large rows are not copied as the
// slice grows.
func AppendRows[T any](ctx context.Context, q Querier, out []T, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rows: %w", err)
	}
	return out, nil
}
