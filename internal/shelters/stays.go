package shelters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// DefaultHold is how long a held place waits for the child.
const DefaultHold = 24 * time.Hour

// regencyScope is sc widened to the regency of a case's region: a worker
// who handles the case may place its child in a house of another district
// of the same regency (the nearest one may lie across the border).
func regencyScope(sc domain.Scope, region string) domain.Scope {
	w := sc
	if len(region) >= 5 && w.RegionCode != "" {
		w.RegionCode = region[:5]
	}
	return w
}

// PlaceChild holds a place for a child of a case, or admits the child: in
// one transaction the place's free places are counted (active stays and
// holds not yet expired) and the stay is written, so the last free place
// is taken once and every other request gets "penuh". A child has at most
// one held or active stay (moving goes through MoveChild); a hold the
// child already has in that place is admitted. An LKSA or panti needs the
// gatekeeping decision: why family-based care was not possible. With Ask
// the host is asked by SMS first (AskHost). A stay
// with a limit starts the case's clock: a warning to the placing worker,
// then an alert to the supervisors. Authorization: PermWorkCases on a
// case the caller handles; the place in the case's regency.
func (s *Service) PlaceChild(ctx context.Context, sc domain.Scope, ns domain.NewStay) (domain.Stay, error) {
	if ns.Ask {
		return s.AskHost(ctx, sc, ns)
	}
	ns.Reason, ns.Gatekeeping = strings.TrimSpace(ns.Reason), strings.TrimSpace(ns.Gatekeeping)
	f := domain.FieldErrors{}
	if ns.Reason == "" || utf8.RuneCountInString(ns.Reason) > 2000 {
		f["reason"] = domain.M("stay.field.reason")
	}
	if utf8.RuneCountInString(ns.Gatekeeping) > 2000 {
		f["gatekeeping"] = domain.M("field.max_chars", 2000)
	}
	if len(f) > 0 {
		return domain.Stay{}, domain.InvalidFields(f)
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		region, code, err := s.cases.HandledVictim(ctx, tx, sc, ns.CaseID, ns.VictimID)
		if err != nil {
			return err
		}
		p, err := s.lockPlace(ctx, tx, regencyScope(sc, region), ns.PlaceID)
		if err != nil {
			return err
		}
		if err := Accepts(p, tx.Now()); err != nil {
			return err
		}
		if domain.Institution(p.Kind) && ns.Gatekeeping == "" {
			return domain.InvalidFields(domain.FieldErrors{"gatekeeping": domain.M("stay.field.gatekeeping")})
		}
		now := tx.Now()
		// A hold that ran out no longer counts, nor keeps the child.
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET status = 'expired', version = version + 1
			WHERE victim_id = $1 AND status = 'held' AND hold_expires_at <= $2`, ns.VictimID, now); err != nil {
			return fmt.Errorf("shelters: expire holds: %w", err)
		}
		var cur struct {
			id, status, place string
		}
		err = tx.QueryRowContext(ctx, `SELECT id, status, place_id FROM stays WHERE victim_id = $1 AND status IN ('held', 'active')`,
			ns.VictimID).Scan(&cur.id, &cur.status, &cur.place)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("shelters: child's stay: %w", err)
		case cur.status == domain.StayHeld && cur.place == p.ID && !ns.Hold:
			id = cur.id
			return s.admit(ctx, tx, sc, cur.id, ns.CaseID, p, now)
		default:
			return domain.E(domain.EConflict, "stay.err.child_placed")
		}
		if p.Free() <= 0 {
			return domain.E(domain.EConflict, "stay.err.full", p.Name)
		}
		var sealed [2]string
		for i, v := range []struct{ field, text string }{{store.FieldStayReason, ns.Reason}, {store.FieldGatekeeping, ns.Gatekeeping}} {
			if sealed[i], err = s.st.Seal(v.field, v.text); err != nil {
				return err
			}
		}
		gateBy := ""
		if ns.Gatekeeping != "" {
			gateBy = sc.Actor()
		}
		id = tx.NewID()
		status := domain.StayActive
		var holdUntil, from, until any
		if ns.Hold {
			status = domain.StayHeld
			hold := ns.HoldFor
			if hold <= 0 || hold > 7*24*time.Hour {
				hold = DefaultHold
			}
			holdUntil = now.Add(hold)
		} else {
			from = now
			if d := StayDays(p); d > 0 {
				until = now.AddDate(0, 0, d)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stays (id, place_id, case_id, victim_id, status, emergency, reason_enc, gatekeeping_enc,
			gatekeeping_by, hold_expires_at, from_at, stay_until, placed_by_id, placed_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`, id, p.ID, ns.CaseID, ns.VictimID, status, b2i(ns.Emergency),
			sealed[0], sealed[1], gateBy, holdUntil, from, until, sc.UserID, sc.Actor(), now); err != nil {
			if store.IsUniqueViolation(err) {
				return domain.E(domain.EConflict, "stay.err.child_placed")
			}
			return fmt.Errorf("shelters: stay: %w", err)
		}
		if until != nil {
			if err := cases.StartStayClock(ctx, tx, ns.CaseID, id, now, until.(time.Time)); err != nil {
				return err
			}
		}
		if !ns.Hold {
			if err := startReviews(ctx, tx, ns.CaseID, id, p.Kind, ns.Emergency, now); err != nil {
				return err
			}
		}
		kind := "stay_started"
		if ns.Hold {
			kind = "stay_held"
		}
		if err := s.cases.CaseEvent(ctx, tx, sc, ns.CaseID, kind, p.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stay."+status, "case", ns.CaseID, region, "stay="+id+" place="+p.ID+" code="+code)
	})
	if err != nil {
		return domain.Stay{}, err
	}
	return s.GetStay(ctx, sc, id)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// admit turns a hold into a stay inside tx (the place was counted when it
// was held).
func (s *Service) admit(ctx context.Context, tx *store.Tx, sc domain.Scope, stayID, caseID string, p domain.Place, now time.Time) error {
	var until any
	if d := StayDays(p); d > 0 {
		until = now.AddDate(0, 0, d)
	}
	res, err := tx.ExecContext(ctx, `UPDATE stays SET status = 'active', from_at = $1, stay_until = $2, hold_expires_at = NULL,
		version = version + 1 WHERE id = $3 AND status = 'held' AND hold_expires_at > $1`, now, until, stayID)
	if err != nil {
		return fmt.Errorf("shelters: admit: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("shelters: admit: %w", err)
	} else if n != 1 {
		return domain.E(domain.EConflict, "stay.err.hold_expired")
	}
	if until != nil {
		if err := cases.StartStayClock(ctx, tx, caseID, stayID, now, until.(time.Time)); err != nil {
			return err
		}
	}
	var emergency int
	if err := tx.QueryRowContext(ctx, `SELECT emergency FROM stays WHERE id = $1`, stayID).Scan(&emergency); err != nil {
		return fmt.Errorf("shelters: admit: %w", err)
	}
	if err := startReviews(ctx, tx, caseID, stayID, p.Kind, emergency == 1, now); err != nil {
		return err
	}
	if err := s.cases.CaseEvent(ctx, tx, sc, caseID, "stay_started", p.Name); err != nil {
		return err
	}
	return tx.Audit(ctx, sc, "stay.admit", "case", caseID, p.RegionCode, "stay="+stayID+" place="+p.ID)
}

// lockedStay is a stay read for a change.
type lockedStay struct {
	id, placeID, caseID, victimID, status string
	version                               int
	holdUntil, from, until                sql.NullTime
}

// lockStay reads a stay of a case the caller handles, inside tx.
func (s *Service) lockStay(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (lockedStay, string, error) {
	var ls lockedStay
	err := tx.QueryRowContext(ctx, `SELECT id, place_id, case_id, victim_id, status, version, hold_expires_at, from_at, stay_until
		FROM stays WHERE id = $1`, id).Scan(&ls.id, &ls.placeID, &ls.caseID, &ls.victimID, &ls.status, &ls.version, &ls.holdUntil,
		&ls.from, &ls.until)
	if errors.Is(err, sql.ErrNoRows) {
		return ls, "", domain.NotFound("stay")
	}
	if err != nil {
		return ls, "", fmt.Errorf("shelters: stay: %w", err)
	}
	region, _, err := s.cases.HandledVictim(ctx, tx, sc, ls.caseID, ls.victimID)
	if err != nil {
		if domain.IsNotFound(err) {
			return ls, "", domain.NotFound("stay")
		}
		return ls, "", err
	}
	return ls, region, nil
}

// AdmitHold admits the child a place was held for; a hold that ran out is
// refused (and marked expired). Authorization: as PlaceChild.
func (s *Service) AdmitHold(ctx context.Context, sc domain.Scope, stayID string) error {
	expired := false
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		if ls.status != domain.StayHeld {
			return domain.E(domain.EConflict, "stay.err.not_held")
		}
		p, err := s.lockPlace(ctx, tx, regencyScope(sc, region), ls.placeID)
		if err != nil {
			return err
		}
		if err := Accepts(p, tx.Now()); err != nil {
			return err
		}
		if now := tx.Now(); !ls.holdUntil.Valid || !ls.holdUntil.Time.After(now) {
			expired = true
			return domain.E(domain.EConflict, "stay.err.hold_expired")
		}
		return s.admit(ctx, tx, sc, stayID, ls.caseID, p, tx.Now())
	})
	if expired {
		if e := s.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE stays SET status = 'expired', version = version + 1 WHERE id = $1 AND status = 'held'`, stayID)
			return err
		}); e != nil {
			return fmt.Errorf("shelters: expire hold: %w", e)
		}
	}
	return err
}

// ReleaseHold gives a held place back. Authorization: as PlaceChild.
func (s *Service) ReleaseHold(ctx context.Context, sc domain.Scope, stayID string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		if ls.status != domain.StayHeld {
			return domain.E(domain.EConflict, "stay.err.not_held")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET status = 'released', version = version + 1 WHERE id = $1 AND status = 'held'`,
			stayID); err != nil {
			return fmt.Errorf("shelters: release: %w", err)
		}
		return tx.Audit(ctx, sc, "stay.release", "case", ls.caseID, region, "stay="+stayID)
	})
}

// EndStay records that the child left a place: why and where to (home,
// kin, foster family, an LKSA, another place, ran away...); the stay's
// clock stops. Authorization: as PlaceChild.
func (s *Service) EndStay(ctx context.Context, sc domain.Scope, stayID, reason, destination string) error {
	if !inList(destination, domain.ExitDestinations) {
		return domain.InvalidFields(domain.FieldErrors{"destination": domain.M("stay.field.destination")})
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return domain.InvalidFields(domain.FieldErrors{"exit_reason": domain.M("stay.field.exit_reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		return s.end(ctx, tx, sc, ls, region, reason, destination)
	})
}

func (s *Service) end(ctx context.Context, tx *store.Tx, sc domain.Scope, ls lockedStay, region, reason, destination string) error {
	if ls.status != domain.StayActive {
		return domain.E(domain.EConflict, "stay.err.not_active")
	}
	now := tx.Now()
	res, err := tx.ExecContext(ctx, `UPDATE stays SET status = 'ended', to_at = $1, exit_reason = $2, exit_destination = $3,
		version = version + 1 WHERE id = $4 AND status = 'active'`, now, reason, destination, ls.id)
	if err != nil {
		return fmt.Errorf("shelters: end stay: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("shelters: end stay: %w", err)
	} else if n != 1 {
		return domain.E(domain.EConflict, "stay.err.not_active")
	}
	if err := cases.StopStayClock(ctx, tx, ls.caseID, ls.id, now); err != nil {
		return err
	}
	if err := stopReviews(ctx, tx, ls.caseID, ls.id, now); err != nil {
		return err
	}
	if err := s.cases.CaseEvent(ctx, tx, sc, ls.caseID, "stay_ended", destination); err != nil {
		return err
	}
	return tx.Audit(ctx, sc, "stay.end", "case", ls.caseID, region, "stay="+ls.id+" destination="+destination)
}

// MoveChild moves a staying child to another place in one transaction:
// the current stay ends (destination "other_place") and a new one starts,
// linked to it, so the history has no gap and the child is never in two
// places or none. The new place's capacity and gatekeeping rules apply.
// Authorization: as PlaceChild.
func (s *Service) MoveChild(ctx context.Context, sc domain.Scope, stayID, toPlaceID, reason, gatekeeping string) (domain.Stay, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.Stay{}, domain.InvalidFields(domain.FieldErrors{"reason": domain.M("stay.field.reason")})
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		if ls.placeID == toPlaceID {
			return domain.E(domain.EConflict, "stay.err.same_place")
		}
		p, err := s.lockPlace(ctx, tx, regencyScope(sc, region), toPlaceID)
		if err != nil {
			return err
		}
		if err := Accepts(p, tx.Now()); err != nil {
			return err
		}
		if domain.Institution(p.Kind) && strings.TrimSpace(gatekeeping) == "" {
			return domain.InvalidFields(domain.FieldErrors{"gatekeeping": domain.M("stay.field.gatekeeping")})
		}
		if p.Free() <= 0 {
			return domain.E(domain.EConflict, "stay.err.full", p.Name)
		}
		if err := s.end(ctx, tx, sc, ls, region, reason, "other_place"); err != nil {
			return err
		}
		var sealed [2]string
		for i, v := range []struct{ field, text string }{{store.FieldStayReason, reason}, {store.FieldGatekeeping, strings.TrimSpace(gatekeeping)}} {
			if sealed[i], err = s.st.Seal(v.field, v.text); err != nil {
				return err
			}
		}
		gateBy := ""
		if strings.TrimSpace(gatekeeping) != "" {
			gateBy = sc.Actor()
		}
		now := tx.Now()
		var until any
		if d := StayDays(p); d > 0 {
			until = now.AddDate(0, 0, d)
		}
		id = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO stays (id, place_id, case_id, victim_id, status, reason_enc, gatekeeping_enc,
			gatekeeping_by, from_at, stay_until, previous_id, placed_by_id, placed_by, created_at)
			VALUES ($1,$2,$3,$4,'active',$5,$6,$7,$8,$9,$10,$11,$12,$8)`, id, p.ID, ls.caseID, ls.victimID, sealed[0], sealed[1], gateBy,
			now, until, ls.id, sc.UserID, sc.Actor()); err != nil {
			return fmt.Errorf("shelters: move: %w", err)
		}
		if until != nil {
			if err := cases.StartStayClock(ctx, tx, ls.caseID, id, now, until.(time.Time)); err != nil {
				return err
			}
		}
		if err := startReviews(ctx, tx, ls.caseID, id, p.Kind, false, now); err != nil {
			return err
		}
		if err := s.cases.CaseEvent(ctx, tx, sc, ls.caseID, "stay_moved", p.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stay.move", "case", ls.caseID, region, "from="+ls.id+" to="+id+" place="+p.ID)
	})
	if err != nil {
		return domain.Stay{}, err
	}
	return s.GetStay(ctx, sc, id)
}

// ExtendStay moves a stay's limit to until, with the reason; the caller
// approves it and is recorded as its approver. The stay's clock is
// planned again (steps already fired stay fired). Authorization:
// PermManageCases (a supervisor) on a case the caller handles.
func (s *Service) ExtendStay(ctx context.Context, sc domain.Scope, stayID string, until time.Time, reason string) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.E(domain.EForbidden, "stay.err.approver")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return domain.InvalidFields(domain.FieldErrors{"extension_reason": domain.M("stay.field.extension_reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		if ls.status != domain.StayActive || !ls.until.Valid {
			return domain.E(domain.EConflict, "stay.err.not_active")
		}
		if !until.After(ls.until.Time) {
			return domain.InvalidFields(domain.FieldErrors{"until": domain.M("stay.field.until")})
		}
		enc, err := s.st.Seal(store.FieldExtensionReason, reason)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET stay_until = $1, extension_reason_enc = $2, extension_approver = $3,
			version = version + 1 WHERE id = $4`, until.UTC(), enc, sc.Actor(), stayID); err != nil {
			return fmt.Errorf("shelters: extend: %w", err)
		}
		if err := cases.MoveStayClock(ctx, tx, ls.caseID, stayID, tx.Now(), until.UTC()); err != nil {
			return err
		}
		if err := s.cases.CaseEvent(ctx, tx, sc, ls.caseID, "stay_extended", until.UTC().Format("2006-01-02")); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stay.extend", "case", ls.caseID, region, "stay="+stayID+" until="+until.UTC().Format(time.RFC3339))
	})
}

const stayCols = `y.id, y.place_id, p.name, p.kind, y.case_id, y.victim_id, y.status, y.emergency, y.reason_enc, y.gatekeeping_enc,
	y.gatekeeping_by, y.hold_expires_at, y.from_at, y.to_at, y.stay_until, y.extension_reason_enc, y.extension_approver, y.exit_reason,
	y.exit_destination, y.previous_id, y.code, y.asked_until, y.next_review, y.placed_by, y.created_at, y.version`

func (s *Service) scanStay(personal bool, r interface{ Scan(...any) error }) (domain.Stay, error) {
	var y domain.Stay
	var em int
	var enc [3]string
	var hold, from, to, until, asked, review sql.NullTime
	err := r.Scan(&y.ID, &y.PlaceID, &y.PlaceName, &y.PlaceKind, &y.CaseID, &y.VictimID, &y.Status, &em, &enc[0], &enc[1], &y.GatekeepingBy,
		&hold, &from, &to, &until, &enc[2], &y.ExtensionApprover, &y.ExitReason, &y.ExitDestination, &y.PreviousID, &y.Code, &asked,
		&review, &y.PlacedBy, &y.CreatedAt, &y.Version)
	if err != nil {
		return y, err
	}
	y.Emergency, y.CreatedAt = em == 1, y.CreatedAt.UTC()
	for _, t := range []struct {
		src sql.NullTime
		dst **time.Time
	}{{hold, &y.HoldExpiresAt}, {from, &y.FromAt}, {to, &y.ToAt}, {until, &y.StayUntil}, {asked, &y.AskedUntil}, {review, &y.NextReview}} {
		if t.src.Valid {
			v := t.src.Time.UTC()
			*t.dst = &v
		}
	}
	if !personal {
		y.Masked = enc[0] != "" || enc[1] != "" || enc[2] != ""
		return y, nil
	}
	for i, dst := range []*string{&y.Reason, &y.Gatekeeping, &y.ExtensionReason} {
		field := []string{store.FieldStayReason, store.FieldGatekeeping, store.FieldExtensionReason}[i]
		if *dst, err = s.st.Open(field, enc[i]); err != nil {
			return y, err
		}
	}
	return y, nil
}

// GetStay returns a stay of a case the caller handles, with its reasons.
// Authorization: PermWorkCases on a case the caller handles.
func (s *Service) GetStay(ctx context.Context, sc domain.Scope, id string) (domain.Stay, error) {
	var y domain.Stay
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var caseID, victimID string
		err := tx.QueryRowContext(ctx, `SELECT case_id, victim_id FROM stays WHERE id = $1`, id).Scan(&caseID, &victimID)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("stay")
		}
		if err != nil {
			return fmt.Errorf("shelters: stay: %w", err)
		}
		if _, _, err := s.cases.HandledVictim(ctx, tx, sc, caseID, victimID); err != nil {
			if domain.IsNotFound(err) {
				return domain.NotFound("stay")
			}
			return err
		}
		y, err = s.scanStay(sc.Personal || sc.System, tx.QueryRowContext(ctx, `SELECT `+stayCols+` FROM stays y JOIN places p ON p.id = y.place_id
			WHERE y.id = $1`, id))
		return err
	})
	return y, err
}

// CaseStays lists the stays of a case's children, oldest first.
// Authorization: PermWorkCases on a case the caller handles.
func (s *Service) CaseStays(ctx context.Context, sc domain.Scope, caseID string) ([]domain.Stay, error) {
	var out []domain.Stay
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var victim string
		err := tx.QueryRowContext(ctx, `SELECT id FROM victims WHERE case_id = $1 ORDER BY id LIMIT 1`, caseID).Scan(&victim)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, _, err := s.cases.HandledVictim(ctx, tx, sc, caseID, victim); err != nil {
			return err
		}
		out, err = store.Rows(ctx, tx, func(r *sql.Rows) (domain.Stay, error) { return s.scanStay(sc.Personal || sc.System, r) },
			`SELECT `+stayCols+` FROM stays y JOIN places p ON p.id = y.place_id WHERE y.case_id = $1 ORDER BY y.created_at, y.id`, caseID)
		return err
	})
	return out, err
}

// Reviews of a placement (research D2.5): the first 72 hours after an
// emergency placement, then every 14 days in a safe house or shelter and
// every six months in an LKSA or panti. Each review is a clock of the case
// that warns the placing worker and then the supervisors.
const (
	EmergencyReview   = 72 * time.Hour
	SafeHouseReview   = 14 * 24 * time.Hour
	InstitutionReview = 182 * 24 * time.Hour
)

// reviewEvery is how often a stay in a place of kind is reviewed.
func reviewEvery(kind string) time.Duration {
	if domain.Institution(kind) {
		return InstitutionReview
	}
	return SafeHouseReview
}

// startReviews plans a new stay's first review inside tx.
func startReviews(ctx context.Context, tx *store.Tx, caseID, stayID, kind string, emergency bool, now time.Time) error {
	next := now.Add(reviewEvery(kind))
	if emergency {
		next = now.Add(EmergencyReview)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stays SET review_no = 1, next_review = $1 WHERE id = $2`, next, stayID); err != nil {
		return fmt.Errorf("shelters: review: %w", err)
	}
	return cases.StartReviewClock(ctx, tx, caseID, stayID, 1, now, next)
}

// stopReviews ends a stay's pending review clock inside tx.
func stopReviews(ctx context.Context, tx *store.Tx, caseID, stayID string, now time.Time) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT review_no FROM stays WHERE id = $1`, stayID).Scan(&n); err != nil {
		return fmt.Errorf("shelters: review: %w", err)
	}
	if n == 0 {
		return nil
	}
	return cases.StopReviewClock(ctx, tx, caseID, stayID, n, now)
}

// ReviewStay records a placement's review with its conclusion (on the
// case's timeline) and plans the next one. Authorization: as PlaceChild.
func (s *Service) ReviewStay(ctx context.Context, sc domain.Scope, stayID, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 2000 {
		return domain.InvalidFields(domain.FieldErrors{"review_note": domain.M("stay.field.review_note")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		ls, region, err := s.lockStay(ctx, tx, sc, stayID)
		if err != nil {
			return err
		}
		if ls.status != domain.StayActive {
			return domain.E(domain.EConflict, "stay.err.not_active")
		}
		var n int
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT y.review_no, p.kind FROM stays y JOIN places p ON p.id = y.place_id WHERE y.id = $1`, stayID).
			Scan(&n, &kind); err != nil {
			return fmt.Errorf("shelters: review: %w", err)
		}
		now := tx.Now()
		if n > 0 {
			if err := cases.StopReviewClock(ctx, tx, ls.caseID, stayID, n, now); err != nil {
				return err
			}
		}
		next := now.Add(reviewEvery(kind))
		if _, err := tx.ExecContext(ctx, `UPDATE stays SET review_no = $1, next_review = $2, version = version + 1 WHERE id = $3`, n+1, next, stayID); err != nil {
			return fmt.Errorf("shelters: review: %w", err)
		}
		if err := cases.StartReviewClock(ctx, tx, ls.caseID, stayID, n+1, now, next); err != nil {
			return err
		}
		if err := s.cases.CaseEvent(ctx, tx, sc, ls.caseID, "stay_reviewed", note); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stay.review", "case", ls.caseID, region, fmt.Sprintf("stay=%s review=%d", stayID, n))
	})
}
