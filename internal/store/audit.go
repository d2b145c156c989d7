package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
)

// lockAudit lets one sealer at a time extend the hash chain, across
// PostgreSQL connections and processes.
const lockAudit = 0x61756469

// genesisHash is the prev_hash of the first entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditHash is the chain hash of an entry: SHA-256 over its chain position,
// its fields and the previous entry's hash, separated by a byte that cannot
// occur in them. (Entries written before migration 0012 had pos = seq, so
// their hashes are unchanged.)
func AuditHash(e domain.AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Pos, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Actor, e.ActorRole,
		e.Action, e.ObjectType, e.ObjectID, e.RegionCode, e.IP, e.UserAgent, e.Detail, e.PrevHash,
	} {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends an entry for an action by scope sc, inside tx, so that it
// commits or rolls back with the change it records. The entry is pending:
// it takes no lock and no chain position here; SealAudit chains it once it
// has committed.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, sc domain.Scope, action, objType, objID, region, detail string) error {
	return s.auditAt(ctx, tx, s.utc(), sc, action, objType, objID, region, detail)
}

// auditAt is audit with the entry's time given.
func (s *Store) auditAt(ctx context.Context, tx *sql.Tx, at time.Time, sc domain.Scope, action, objType, objID, region, detail string) error {
	q, args := auditInsert(at, sc, action, objType, objID, region, detail)
	if _, err := s.txExec(ctx, tx, q, args...); err != nil {
		return fmt.Errorf("store: audit append: %w", err)
	}
	return nil
}

// auditInsert is the statement that appends an audit entry, pending: the
// sealer gives it its place in the chain once committed.
func auditInsert(at time.Time, sc domain.Scope, action, objType, objID, region, detail string) (string, []any) {
	ua := sc.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return `INSERT INTO audit_log (at, actor_id, actor, actor_role, action, object_type,
		object_id, region_code, ip, user_agent, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', '')`,
		[]any{at, sc.UserID, sc.Actor(), string(sc.Role), action, objType, objID, region, sc.IP, ua, detail}
}

// sealBatch is how many entries one sealing transaction chains.
const sealBatch = 500

// SealAudit gives committed pending entries their chain positions and
// hashes, oldest number first, and returns how many it sealed. lindu serve
// runs it every second; verify and checkpoints run it first.
//
// Why this keeps the chain's guarantees without a lock on every write:
// entries are inserted pending inside their business transaction, so an
// entry exists exactly when the change it records committed. On PostgreSQL
// seq comes from a sequence and transactions may commit out of number order
// (seq 101 may commit before 100). The sealer never reasons about ranges of
// seq: each run seals every entry that is pending and committed at that
// moment (pos IS NULL), in seq order, appending after the current head. An
// entry whose transaction commits late is simply pending at the next run and
// is chained then, after entries with higher numbers; none is skipped and
// none is chained twice (the advisory lock lets one sealer run at a time,
// and the UPDATE only touches rows still pending). Chain order is therefore
// sealing order, not seq order. Until it is sealed (about a second) an entry
// is protected only by the table's append-only trigger, as the newest
// entries always were until the next signed checkpoint.
func (s *Store) SealAudit(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.sealAudit(ctx)
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

func (s *Store) sealAudit(ctx context.Context) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockAudit); err != nil {
				return fmt.Errorf("store: audit seal lock: %w", err)
			}
		}
		var pos int64
		prev := genesisHash
		err := tx.QueryRowContext(ctx, `SELECT pos, hash FROM audit_log WHERE pos IS NOT NULL ORDER BY pos DESC LIMIT 1`).Scan(&pos, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: audit tail: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log WHERE pos IS NULL ORDER BY seq LIMIT `+strconv.Itoa(sealBatch))
		if err != nil {
			return fmt.Errorf("store: audit pending: %w", err)
		}
		var pending []domain.AuditEntry
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: audit pending: %w", err)
			}
			pending = append(pending, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: audit pending: %w", err)
		}
		// One UPDATE per chunk of entries (a statement per entry would cap
		// sealing near the database's round-trip rate).
		chunk := s.maxParams() / 4
		for len(pending) > 0 {
			part := pending[:min(chunk, len(pending))]
			pending = pending[len(part):]
			var vals []string
			var args []any
			for _, e := range part {
				pos++
				e.Pos, e.PrevHash = pos, prev
				e.Hash = AuditHash(e)
				prev = e.Hash
				k := len(args)
				vals = append(vals, fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS BIGINT), $%d, $%d)", k+1, k+2, k+3, k+4))
				args = append(args, e.Seq, e.Pos, e.PrevHash, e.Hash)
			}
			res, err := tx.ExecContext(ctx, `WITH v (seq, pos, prev_hash, hash) AS (VALUES `+strings.Join(vals, ", ")+`)
				UPDATE audit_log SET pos = v.pos, prev_hash = v.prev_hash, hash = v.hash
				FROM v WHERE audit_log.seq = v.seq AND audit_log.pos IS NULL`, args...)
			if err != nil {
				return fmt.Errorf("store: audit seal: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != int64(len(part)) {
				return fmt.Errorf("store: audit seal: %d of %d entries sealed (changed while sealing)", k, len(part))
			}
			n += len(part)
		}
		return nil
	})
	return n, err
}

// AuditHead seals what is pending and returns the chain's newest position
// and hash (0 and the genesis hash for an empty log): what a checkpoint
// signs.
func (s *Store) AuditHead(ctx context.Context) (int64, string, error) {
	if _, err := s.SealAudit(ctx); err != nil {
		return 0, "", err
	}
	var pos int64
	hash := genesisHash
	err := s.w.QueryRowContext(ctx, `SELECT pos, hash FROM audit_log WHERE pos IS NOT NULL ORDER BY pos DESC LIMIT 1`).Scan(&pos, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("store: audit head: %w", err)
	}
	return pos, hash, nil
}

// Audit records an event that changes nothing else (a login, a read of
// personal data) and returns once it has committed. Concurrent calls share
// commits (InSharedTx): every read of personal data writes one before the
// data is shown, and a commit each would cap reading at the database's
// commit rate.
func (s *Store) Audit(ctx context.Context, sc domain.Scope, action, objType, objID, region, detail string) error {
	at := s.utc()
	// One INSERT: alone in its batch, it commits by itself (write.one).
	return s.shared.doWrite(ctx, "", &write{st: s, one: true, fn: func(ctx context.Context, tx *Tx) error {
		return s.auditAt(ctx, tx.tx, at, sc, action, objType, objID, region, detail)
	}})
}

const auditCols = `seq, pos, at, actor_id, actor, actor_role, action, object_type, object_id, region_code, ip,
	user_agent, detail, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }) (domain.AuditEntry, error) {
	var e domain.AuditEntry
	var pos sql.NullInt64
	err := sc.Scan(&e.Seq, &pos, &e.At, &e.ActorID, &e.Actor, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.RegionCode, &e.IP, &e.UserAgent, &e.Detail, &e.PrevHash, &e.Hash)
	e.Pos = pos.Int64
	e.At = e.At.UTC()
	return e, err
}

// ListAudit returns audit entries visible to sc, newest first.
// Authorization: PermViewAudit; only entries about regions in sc.
func (s *Store) ListAudit(ctx context.Context, sc domain.Scope, f domain.AuditFilter) ([]domain.AuditEntry, error) {
	if !sc.Can(domain.PermViewAudit) {
		return nil, domain.Errorf(domain.EForbidden, "your role may not view the audit log")
	}
	where, args := scopeClause("region_code", sc.RegionCode, 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action LIKE ?", strings.ReplaceAll(strings.ReplaceAll(f.Action, "%", ""), "_", "\\_")+"%")
		conds[len(conds)-1] += ` ESCAPE '\'`
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT ` + auditCols + ` FROM audit_log WHERE ` + strings.Join(conds, " AND ") +
		` ORDER BY seq DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := s.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []domain.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditProblem describes the first place where the log is not intact.
type AuditProblem struct {
	Kind   string // AuditBroken, AuditTruncated or AuditRewritten
	Seq    int64  // the chain position concerned
	Reason string
}

// Kinds of AuditProblem.
const (
	// AuditBroken: the chain itself does not hold (an entry edited, or
	// removed or inserted without recomputing the hashes after it).
	AuditBroken = "broken"
	// AuditTruncated: a checkpoint saw a position the chain no longer
	// reaches, or that now holds an entry written after the checkpoint.
	AuditTruncated = "truncation"
	// AuditRewritten: the entry at a checkpoint's position is not the one
	// the checkpoint signed.
	AuditRewritten = "rewriting"
)

// AuditAnchor is what a signed checkpoint says: at time At the entry at
// chain position Pos had hash Hash.
type AuditAnchor struct {
	Pos  int64
	Hash string
	At   time.Time
}

// VerifyAudit seals what is pending, walks the whole chain in order and
// returns the number of entries checked and the first problem (nil when
// intact): an edited entry (its hash does not match its fields), a removed
// or inserted entry (its prev_hash does not match the previous hash, or a
// gap in positions); then, against each anchor (a signed checkpoint), a
// chain that ends before the anchor's position (truncation) or holds another
// entry there (rewriting). Without anchors the newest entries can be removed,
// or the chain recomputed after an edit, without a trace.
func (s *Store) VerifyAudit(ctx context.Context, anchors ...AuditAnchor) (int64, *AuditProblem, error) {
	if _, err := s.SealAudit(ctx); err != nil {
		return 0, nil, err
	}
	want := map[int64][]AuditAnchor{}
	var maxAnchor *AuditAnchor
	for i, a := range anchors {
		want[a.Pos] = append(want[a.Pos], a)
		if maxAnchor == nil || a.Pos > maxAnchor.Pos {
			maxAnchor = &anchors[i]
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log WHERE pos IS NOT NULL ORDER BY pos`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	var n, last int64
	prev := genesisHash
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, nil, fmt.Errorf("store: verify audit: %w", err)
		}
		n++
		broken := func(reason string) (int64, *AuditProblem, error) {
			return n, &AuditProblem{Kind: AuditBroken, Seq: e.Pos, Reason: reason}, nil
		}
		switch {
		case e.Pos != last+1:
			return broken(fmt.Sprintf("entries %d to %d are missing", last+1, e.Pos-1))
		case e.PrevHash != prev:
			return broken("its link to the previous entry is broken (an entry before it was changed or removed)")
		case AuditHash(e) != e.Hash:
			return broken("its content does not match its hash (the entry was edited)")
		}
		for _, a := range want[e.Pos] {
			if a.Hash == e.Hash {
				continue
			}
			if e.At.After(a.At) {
				return n, &AuditProblem{Kind: AuditTruncated, Seq: e.Pos, Reason: fmt.Sprintf(
					"the checkpoint of %s saw entry %d, but the entry there now was written later: entries up to it were removed and new ones took their place",
					a.At.UTC().Format(time.RFC3339), e.Pos)}, nil
			}
			return n, &AuditProblem{Kind: AuditRewritten, Seq: e.Pos, Reason: fmt.Sprintf(
				"entry %d is not the one the checkpoint of %s signed: the log was rewritten at or before it",
				e.Pos, a.At.UTC().Format(time.RFC3339))}, nil
		}
		prev, last = e.Hash, e.Pos
	}
	if err := rows.Err(); err != nil {
		return n, nil, fmt.Errorf("store: verify audit: %w", err)
	}
	if maxAnchor != nil && maxAnchor.Pos > last {
		return n, &AuditProblem{Kind: AuditTruncated, Seq: maxAnchor.Pos, Reason: fmt.Sprintf(
			"the chain ends at entry %d, but the checkpoint of %s saw entry %d: the newest entries were removed",
			last, maxAnchor.At.UTC().Format(time.RFC3339), maxAnchor.Pos)}, nil
	}
	return n, nil, nil
}
