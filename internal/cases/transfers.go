package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Transfers (pemindahan kasus): a referral to another unit of lindu, when
// the child moves to another regency or city. The sending side asks with
// a reason; a supervisor (or admin) of the receiving region accepts it,
// choosing where in their region the case belongs, or rejects it with a
// reason; the sender may cancel while it waits. On acceptance the case
// moves with its whole history in one transaction: the receiving region
// sees and works it like its own, the case is routed to its teams there,
// and its child must be reached again (new acknowledgement and response
// clocks from the acceptance). The sending region keeps read-only access
// to the case as it was when it left (readScope, getCase).

// TransferWindow is how long the receiving side has to answer.
const TransferWindow = 72 * time.Hour

// RequestTransfer asks to move an open case to toRegion, another regency
// or city (kabupaten/kota), outside sc's region. Authorization: PermWorkCases on a case sc
// handles (beginWork).
func (s *Service) RequestTransfer(ctx context.Context, sc domain.Scope, caseID, toRegion, reason string) (domain.CaseTransfer, error) {
	reason = strings.TrimSpace(reason)
	var out domain.CaseTransfer
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		fe := domain.FieldErrors{}
		if reason == "" || len(reason) > 4000 {
			fe["reason"] = domain.M("transfer.field.reason")
		}
		name, err := regionName(ctx, tx, toRegion)
		if err != nil {
			return err
		}
		// Another regency or city: the case's own regency is one unit.
		regency := lc.region
		for domain.RegionLevelOf(regency) > domain.LevelRegency {
			regency = domain.ParentRegionCode(regency)
		}
		if name == "" || domain.RegionLevelOf(toRegion) != domain.LevelRegency || toRegion == regency || sc.Contains(toRegion) {
			fe["to_region"] = domain.M("transfer.field.to_region")
		}
		if len(fe) > 0 {
			return domain.InvalidFields(fe)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_transfers WHERE case_id = $1 AND status = $2`, caseID,
			string(domain.TransferRequested)).Scan(&n); err != nil {
			return fmt.Errorf("cases: transfer: %w", err)
		}
		if n > 0 {
			return domain.E(domain.EConflict, "transfer.err.pending")
		}
		enc, err := s.st.Seal(store.FieldTransferReason, reason)
		if err != nil {
			return err
		}
		now := tx.Now()
		out = domain.CaseTransfer{ID: tx.NewID(), CaseID: caseID, CaseCode: lc.code, FromRegion: lc.region, ToRegion: toRegion, ToName: name,
			Reason: reason, Status: domain.TransferRequested, RequestedBy: sc.Actor(), RequestedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_transfers (id, case_id, from_region, to_region, reason_enc, status, requested_by,
			requester, requested_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, out.ID, caseID, lc.region, toRegion, enc, string(out.Status),
			sc.UserID, sc.Actor(), now); err != nil {
			return fmt.Errorf("cases: transfer: %w", err)
		}
		if err := addItemDeadline(ctx, tx, caseID, subjectTransfer, out.ID, domain.DeadlineTransfer, now, now.Add(TransferWindow)); err != nil {
			return err
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "transfer_requested", lc.status, lc.status, name); err != nil {
			return err
		}
		if err := s.tellSupervisors(ctx, tx, toRegion, lc, "transfer:"+out.ID+":asked", "sms.transfer.asked", caseID); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.transfer.request", "case", caseID, lc.region, "transfer="+out.ID+" to="+toRegion)
	})
	return out, err
}

// tellSupervisors texts the supervisors of region about a case (code and
// the sending village; no personal data).
func (s *Service) tellSupervisors(ctx context.Context, tx *store.Tx, region string, lc lockedCase, key, text, caseID string) error {
	sups, err := supervisorsOf(ctx, tx, region)
	if err != nil {
		return err
	}
	village, err := regionName(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	body := domain.FitSMS(village, func(v string) string { return i18n.T("id", text, domain.FormatPublicCode(lc.code), v) })
	for _, uid := range sups {
		if _, err := tx.Enqueue(ctx, store.Message{Key: key + ":" + uid, UserID: uid, Region: region, Body: body, CaseID: caseID}); err != nil {
			return err
		}
	}
	return nil
}

// lockedTransfer is a transfer read inside a decision.
type lockedTransfer struct {
	id, caseID, from, to, status, requestedBy string
}

func lockTransfer(ctx context.Context, tx *store.Tx, id string) (lockedTransfer, error) {
	var t lockedTransfer
	err := tx.QueryRowContext(ctx, `SELECT id, case_id, from_region, to_region, status, requested_by FROM case_transfers WHERE id = $1`, id).
		Scan(&t.id, &t.caseID, &t.from, &t.to, &t.status, &t.requestedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return t, domain.NotFound("transfer")
	}
	if err != nil {
		return t, fmt.Errorf("cases: transfer: %w", err)
	}
	return t, nil
}

// DecideTransfer accepts (into newRegion, inside the transfer's target
// region; "" for the target itself) or rejects (with a comment) a pending
// transfer. Authorization: PermManageCases over the target region (else
// not found).
func (s *Service) DecideTransfer(ctx context.Context, sc domain.Scope, transferID string, accept bool, newRegion, comment string) error {
	comment = strings.TrimSpace(comment)
	if !accept && comment == "" {
		return domain.InvalidFields(domain.FieldErrors{"comment": domain.M("transfer.field.comment")})
	}
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("transfer")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		t, err := lockTransfer(ctx, tx, transferID)
		if err != nil {
			return err
		}
		if !sc.Contains(t.to) {
			return domain.NotFound("transfer")
		}
		if t.status != string(domain.TransferRequested) {
			return domain.E(domain.EConflict, "transfer.err.decided")
		}
		lc, err := s.lockCase(ctx, tx, domain.Scope{System: true, Personal: true}, t.caseID)
		if err != nil {
			return err
		}
		if lc.region != t.from {
			return domain.E(domain.EConflict, "case.err.changed")
		}
		if newRegion == "" {
			newRegion = t.to
		}
		if accept {
			name, err := regionName(ctx, tx, newRegion)
			if err != nil {
				return err
			}
			if name == "" || !domain.RegionWithin(newRegion, t.to) {
				return domain.InvalidFields(domain.FieldErrors{"new_region": domain.M("transfer.field.new_region")})
			}
			if !lc.status.Open() {
				return domain.E(domain.EConflict, "case.err.closed")
			}
		}
		status := domain.TransferRejected
		if accept {
			status = domain.TransferAccepted
		}
		enc, err := s.st.Seal(store.FieldTransferComment, comment)
		if err != nil {
			return err
		}
		now := tx.Now()
		res, err := tx.ExecContext(ctx, `UPDATE case_transfers SET status = $1, decided_by = $2, decider = $3, decided_at = $4, comment_enc = $5,
			new_region = $6 WHERE id = $7 AND status = $8`, string(status), sc.UserID, sc.Actor(), now, enc, newRegion, t.id, t.status)
		if err != nil {
			return fmt.Errorf("cases: decide transfer: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.E(domain.EConflict, "transfer.err.decided")
		}
		if err := meetItemDeadline(ctx, tx, t.caseID, subjectTransfer, t.id, domain.DeadlineTransfer, now); err != nil {
			return err
		}
		if !accept {
			if err := touchCase(ctx, tx, t.caseID); err != nil {
				return err
			}
			if err := s.caseEvent(ctx, tx, sc, t.caseID, "transfer_rejected", lc.status, lc.status, comment); err != nil {
				return err
			}
			if err := s.tellSupervisors(ctx, tx, t.from, lc, "transfer:"+t.id+":rejected", "sms.transfer.rejected", t.caseID); err != nil {
				return err
			}
			return tx.Audit(ctx, sc, "case.transfer.reject", "case", t.caseID, t.from, "transfer="+t.id)
		}
		return s.moveCase(ctx, tx, sc, t, lc, newRegion, comment)
	})
}

// moveCase moves an accepted transfer's case into newRegion inside tx.
func (s *Service) moveCase(ctx context.Context, tx *store.Tx, sc domain.Scope, t lockedTransfer, lc lockedCase, newRegion, comment string) error {
	now := tx.Now()
	to := domain.StatusVerified
	if lc.status == domain.StatusNew {
		to = domain.StatusNew
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET region_code = $1, status = $2, team_id = NULL, support_team_id = NULL, assignee_id = NULL,
		acknowledged_at = NULL, responded_at = NULL, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
		newRegion, string(to), now, t.caseID, lc.version)
	if err != nil {
		return fmt.Errorf("cases: move case: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.E(domain.EConflict, "case.err.changed")
	}
	// The child must be reached by the receiving side: new clocks from now.
	if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind IN ('ack', 'response')`,
		t.caseID); err != nil {
		return fmt.Errorf("cases: move case: %w", err)
	}
	var prio string
	if err := tx.QueryRowContext(ctx, `SELECT priority FROM cases WHERE id = $1`, t.caseID).Scan(&prio); err != nil {
		return fmt.Errorf("cases: move case: %w", err)
	}
	types, err := caseTypes(ctx, tx, t.caseID)
	if err != nil {
		return err
	}
	if err := addCaseDeadlines(ctx, tx, t.caseID, now, domain.Priority(prio), types); err != nil {
		return err
	}
	if err := s.caseEvent(ctx, tx, sc, t.caseID, "transfer_accepted", lc.status, to, comment); err != nil {
		return err
	}
	if err := tx.Audit(ctx, sc, "case.transfer.accept", "case", t.caseID, newRegion, "transfer="+t.id+" from="+t.from); err != nil {
		return err
	}
	if err := tx.Audit(ctx, sc, "case.transfer.out", "case", t.caseID, t.from, "transfer="+t.id+" to="+newRegion); err != nil {
		return err
	}
	moved := lc
	moved.region = t.from
	if err := s.tellSupervisors(ctx, tx, t.from, moved, "transfer:"+t.id+":accepted", "sms.transfer.accepted", t.caseID); err != nil {
		return err
	}
	if to == domain.StatusVerified {
		return s.routeCase(ctx, tx, t.caseID, newRegion)
	}
	return nil
}

// CancelTransfer takes back a pending transfer. Authorization:
// PermWorkCases on a case sc handles.
func (s *Service) CancelTransfer(ctx context.Context, sc domain.Scope, transferID string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		t, err := lockTransfer(ctx, tx, transferID)
		if err != nil {
			return err
		}
		lc, err := s.lockHandled(ctx, tx, sc, t.caseID)
		if err != nil {
			return domain.NotFound("transfer")
		}
		if t.status != string(domain.TransferRequested) {
			return domain.E(domain.EConflict, "transfer.err.decided")
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE case_transfers SET status = $1, decided_by = $2, decider = $3, decided_at = $4 WHERE id = $5`,
			string(domain.TransferCancelled), sc.UserID, sc.Actor(), now, t.id); err != nil {
			return fmt.Errorf("cases: cancel transfer: %w", err)
		}
		if err := meetItemDeadline(ctx, tx, t.caseID, subjectTransfer, t.id, domain.DeadlineTransfer, now); err != nil {
			return err
		}
		if err := touchCase(ctx, tx, t.caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, t.caseID, "transfer_cancelled", lc.status, lc.status, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.transfer.cancel", "case", t.caseID, lc.region, "transfer="+t.id)
	})
}

// TransferFilter selects transfers: incoming (to sc's region) or outgoing
// (from it), and a status ("" any).
type TransferFilter struct {
	Incoming bool
	Status   domain.TransferStatus
}

// ListTransfers lists transfers into or out of sc's region, newest first.
// Reasons and comments for scopes that see personal data. Authorization:
// PermWorkCases (else none).
func (s *Service) ListTransfers(ctx context.Context, sc domain.Scope, f TransferFilter) ([]domain.CaseTransfer, error) {
	if !sc.Can(domain.PermWorkCases) {
		return nil, nil
	}
	col := "t.from_region"
	if f.Incoming {
		col = "t.to_region"
	}
	where, args := store.ScopeClause(col, sc.RegionCode, 1)
	if f.Status != "" {
		args = append(args, string(f.Status))
		where += fmt.Sprintf(" AND t.status = $%d", len(args))
	}
	return s.readTransfers(ctx, sc, where, args)
}

// readTransfers reads transfers matching where (alias t, case c).
func (s *Service) readTransfers(ctx context.Context, sc domain.Scope, where string, args []any) ([]domain.CaseTransfer, error) {
	type row struct {
		t               domain.CaseTransfer
		reason, comment string
		decided         sql.NullTime
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.t.ID, &x.t.CaseID, &x.t.CaseCode, &x.t.FromRegion, &x.t.FromName, &x.t.ToRegion, &x.t.ToName, &x.reason, &x.t.Status,
			&x.t.RequestedBy, &x.t.RequestedAt, &x.t.DecidedBy, &x.decided, &x.comment, &x.t.NewRegion)
		return x, err
	}, `SELECT t.id, t.case_id, c.code, t.from_region, COALESCE(f.name, ''), t.to_region, COALESCE(g.name, ''), t.reason_enc, t.status,
		t.requester, t.requested_at, t.decider, t.decided_at, t.comment_enc, t.new_region
		FROM case_transfers t JOIN cases c ON c.id = t.case_id LEFT JOIN regions f ON f.code = t.from_region LEFT JOIN regions g ON g.code = t.to_region
		WHERE `+where+` ORDER BY t.requested_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: transfers: %w", err)
	}
	out := make([]domain.CaseTransfer, 0, len(rows))
	var masked bool
	for _, x := range rows {
		t := x.t
		t.RequestedAt, t.DecidedAt = t.RequestedAt.UTC(), ptrTime(x.decided)
		if t.Reason, err = s.st.Reveal(sc, store.FieldTransferReason, x.reason, &masked); err != nil {
			return nil, err
		}
		if t.Comment, err = s.st.Reveal(sc, store.FieldTransferComment, x.comment, &masked); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// readScope is caseScope for reading one case: also the cases that left
// sc's region by an accepted transfer (read-only: lockCase keeps
// caseScope, so no change reaches them).
func readScope(sc domain.Scope, a string, n int) (string, []any) {
	cond, args := caseScope(sc, a, n)
	if sc.System || sc.RegionCode == "" || !sc.Can(domain.PermViewCases) {
		return cond, args
	}
	from, fargs := store.ScopeClause("from_region", sc.RegionCode, n+len(args))
	cond = fmt.Sprintf(`((%s) OR %s.id IN (SELECT case_id FROM case_transfers WHERE status = 'accepted' AND %s))`, cond, a, from)
	return cond, append(args, fargs...)
}

// loadTransfer fills a case's latest transfer and, for a reader of the
// sending region after the move, marks it read-only and keeps the timeline
// as it was when it left.
func (s *Service) loadTransfer(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	ts, err := s.readTransfers(ctx, sc, `t.case_id = $1`, []any{c.ID})
	if err != nil || len(ts) == 0 {
		return err
	}
	c.Transfer = &ts[0]
	if sc.System || sc.Contains(c.RegionCode) {
		return nil
	}
	for _, t := range ts {
		if t.Status == domain.TransferAccepted && sc.Contains(t.FromRegion) && t.DecidedAt != nil {
			c.ReadOnly = true
			kept := c.Events[:0]
			for _, e := range c.Events {
				if !e.At.After(*t.DecidedAt) {
					kept = append(kept, e)
				}
			}
			c.Events = kept
			return s.cutAfter(ctx, c, *t.DecidedAt)
		}
	}
	return nil
}

// cutAfter drops from a read-only case what the receiving side added after
// the move: people, services, referrals, placements and documents created
// later. (Entries the sending side recorded show their current values.)
func (s *Service) cutAfter(ctx context.Context, c *domain.Case, at time.Time) error {
	later := func(table string) (map[string]bool, error) {
		ids, err := store.Rows(ctx, s.st, scanString, `SELECT id FROM `+table+` WHERE case_id = $1 AND created_at > $2`, c.ID, at)
		if err != nil {
			return nil, fmt.Errorf("cases: read-only cut: %w", err)
		}
		out := map[string]bool{}
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	drop := func(table string, n int, id func(int) string, keep func([]int)) error {
		l, err := later(table)
		if err != nil || len(l) == 0 {
			return err
		}
		var idx []int
		for i := 0; i < n; i++ {
			if !l[id(i)] {
				idx = append(idx, i)
			}
		}
		keep(idx)
		return nil
	}
	steps := []error{
		drop("victims", len(c.Victims), func(i int) string { return c.Victims[i].ID }, func(ix []int) { c.Victims = pick(c.Victims, ix) }),
		drop("perpetrators", len(c.Perpetrators), func(i int) string { return c.Perpetrators[i].ID },
			func(ix []int) { c.Perpetrators = pick(c.Perpetrators, ix) }),
		drop("services", len(c.Services), func(i int) string { return c.Services[i].ID }, func(ix []int) { c.Services = pick(c.Services, ix) }),
		drop("referrals", len(c.Referrals), func(i int) string { return c.Referrals[i].ID }, func(ix []int) { c.Referrals = pick(c.Referrals, ix) }),
		drop("placements", len(c.Placements), func(i int) string { return c.Placements[i].ID }, func(ix []int) { c.Placements = pick(c.Placements, ix) }),
		drop("case_documents", len(c.Documents), func(i int) string { return c.Documents[i].ID }, func(ix []int) { c.Documents = pick(c.Documents, ix) }),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

// pick keeps the elements of xs at the indexes ix.
func pick[T any](xs []T, ix []int) []T {
	out := make([]T, 0, len(ix))
	for _, i := range ix {
		out = append(out, xs[i])
	}
	return out
}
