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

// lockAudit serialises appends to the hash chain across PostgreSQL
// connections and processes.
const lockAudit = 0x61756469

// genesisHash is the prev_hash of the first entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHash is the chain hash of an entry: SHA-256 over its fields and the
// previous entry's hash, separated by a byte that cannot occur in them.
func auditHash(e domain.AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Actor, e.ActorRole,
		e.Action, e.ObjectType, e.ObjectID, e.RegionCode, e.IP, e.UserAgent, e.Detail, e.PrevHash,
	} {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends an entry for an action by scope sc, inside tx.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, sc domain.Scope, action, objType, objID, region, detail string) error {
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockAudit); err != nil {
			return fmt.Errorf("store: audit lock: %w", err)
		}
	}
	var prevSeq int64
	prev := genesisHash
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&prevSeq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit tail: %w", err)
	}
	ua := sc.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	e := domain.AuditEntry{
		Seq: prevSeq + 1, At: s.utc(), ActorID: sc.UserID, Actor: sc.Actor(), ActorRole: string(sc.Role),
		Action: action, ObjectType: objType, ObjectID: objID, RegionCode: region, IP: sc.IP, UserAgent: ua,
		Detail: detail, PrevHash: prev,
	}
	e.Hash = auditHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor, actor_role, action, object_type,
		object_id, region_code, ip, user_agent, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.Seq, e.At, e.ActorID, e.Actor, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.RegionCode, e.IP,
		e.UserAgent, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("store: audit append: %w", err)
	}
	return nil
}

// Audit records an event that changes nothing else (a login, a read of
// personal data) in its own transaction.
func (s *Store) Audit(ctx context.Context, sc domain.Scope, action, objType, objID, region, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, sc, action, objType, objID, region, detail)
	})
}

const auditCols = `seq, at, actor_id, actor, actor_role, action, object_type, object_id, region_code, ip,
	user_agent, detail, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }) (domain.AuditEntry, error) {
	var e domain.AuditEntry
	err := sc.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.RegionCode, &e.IP, &e.UserAgent, &e.Detail, &e.PrevHash, &e.Hash)
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
	rows, err := s.r.QueryContext(ctx, q, args...)
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

// AuditProblem describes the first entry where the chain breaks.
type AuditProblem struct {
	Seq    int64
	Reason string
}

// VerifyAudit walks the whole chain in order and returns the number of
// entries checked and the first problem (nil when intact): an edited entry
// (its hash does not match its fields), a removed or inserted entry (its
// prev_hash does not match the previous hash, or a gap in seq).
func (s *Store) VerifyAudit(ctx context.Context) (int64, *AuditProblem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	var n, lastSeq int64
	prev := genesisHash
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, nil, fmt.Errorf("store: verify audit: %w", err)
		}
		n++
		switch {
		case e.Seq != lastSeq+1:
			return n, &AuditProblem{Seq: e.Seq, Reason: fmt.Sprintf("entries %d to %d are missing", lastSeq+1, e.Seq-1)}, nil
		case e.PrevHash != prev:
			return n, &AuditProblem{Seq: e.Seq, Reason: "its link to the previous entry is broken (an entry before it was changed or removed)"}, nil
		case auditHash(e) != e.Hash:
			return n, &AuditProblem{Seq: e.Seq, Reason: "its content does not match its hash (the entry was edited)"}, nil
		}
		prev, lastSeq = e.Hash, e.Seq
	}
	return n, nil, rows.Err()
}
