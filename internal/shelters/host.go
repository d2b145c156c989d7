package shelters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// A host asked by SMS or WhatsApp: the duty worker picks a verified house
// with room; lindu texts its host "can you take a child tonight? answer YA
// <code> or TIDAK <code>" — nothing about the child, and the address never
// leaves the host's record. YA holds the place in the answer's transaction
// (when there still is room) and tells the worker; TIDAK, a full house or
// no answer in time lets the worker ask the next one.

// AskWindow is how long a host may answer.
const AskWindow = 2 * time.Hour

// AskHost texts the host of a place with room and records the request
// (status asked, with its code). One open request per child.
// Authorization: as PlaceChild.
func (s *Service) AskHost(ctx context.Context, sc domain.Scope, ns domain.NewStay) (domain.Stay, error) {
	ns.Reason = strings.TrimSpace(ns.Reason)
	if ns.Reason == "" || utf8.RuneCountInString(ns.Reason) > 2000 {
		return domain.Stay{}, domain.InvalidFields(domain.FieldErrors{"reason": domain.M("stay.field.reason")})
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		region, _, err := s.cases.HandledVictim(ctx, tx, sc, ns.CaseID, ns.VictimID)
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
		if p.Free() <= 0 {
			return domain.E(domain.EConflict, "stay.err.full", p.Name)
		}
		var phoneEnc string
		if err := tx.QueryRowContext(ctx, `SELECT host_phone_enc FROM places WHERE id = $1`, p.ID).Scan(&phoneEnc); err != nil {
			return fmt.Errorf("shelters: host phone: %w", err)
		}
		phone, err := s.st.Open(store.FieldHostPhone, phoneEnc)
		if err != nil {
			return err
		}
		if phone == "" {
			return domain.E(domain.EConflict, "stay.err.no_host_phone")
		}
		now := tx.Now()
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stays WHERE victim_id = $1 AND (status IN ('held', 'active')
			OR status = 'asked' AND asked_until > $2)`, ns.VictimID, now).Scan(&open); err != nil {
			return fmt.Errorf("shelters: open requests: %w", err)
		}
		if open > 0 {
			return domain.E(domain.EConflict, "stay.err.child_placed")
		}
		reason, err := s.st.Seal(store.FieldStayReason, ns.Reason)
		if err != nil {
			return err
		}
		id = tx.NewID()
		code := domain.NewPublicCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO stays (id, place_id, case_id, victim_id, status, emergency, reason_enc, code, asked_until,
			placed_by_id, placed_by, created_at) VALUES ($1,$2,$3,$4,'asked',$5,$6,$7,$8,$9,$10,$11)`, id, p.ID, ns.CaseID, ns.VictimID,
			b2i(ns.Emergency), reason, code, now.Add(AskWindow), sc.UserID, sc.Actor(), now); err != nil {
			return fmt.Errorf("shelters: ask host: %w", err)
		}
		body := i18n.T("id", "sms.host.ask", domain.FormatPublicCode(code), "", "", code)
		if _, err := tx.EnqueueTo(ctx, store.PhoneMessage{Key: "host-ask:" + id, Channel: "sms", To: phone, Region: p.RegionCode,
			Body: body, CaseID: ""}); err != nil {
			return err
		}
		if err := s.cases.CaseEvent(ctx, tx, sc, ns.CaseID, "stay_asked", p.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stay.ask", "case", ns.CaseID, region, "stay="+id+" place="+p.ID)
	})
	if err != nil {
		return domain.Stay{}, err
	}
	return s.GetStay(ctx, sc, id)
}

// Outcomes of a host's answer by SMS.
const (
	HostNotMine  = ""         // no request of this phone has the code: not a host's answer
	HostHeld     = "held"     // YA: the place is held
	HostDeclined = "declined" // TIDAK
	HostFull     = "full"     // YA, but the house has no room left
	HostExpired  = "expired"  // the request ran out before the answer
	HostDone     = "done"     // the request was answered before
)

// AnswerHost records a host's YA (yes) or TIDAK to a request with code
// from the phone whose lookup hash is phoneHash, inside the message's
// transaction, and tells the worker who asked. It returns the outcome and
// the reply to the host; HostNotMine when the phone has no request with
// that code (the caller tries other meanings of YA/TIDAK).
// Authorization: intake, for a message from the host's registered phone.
func (s *Service) AnswerHost(ctx context.Context, tx *store.Tx, phoneHash, code string, yes bool) (outcome, reply string, err error) {
	var y struct {
		id, placeID, caseID, victimID, status, worker, place, region string
		until                                                        sql.NullTime
	}
	err = tx.QueryRowContext(ctx, `SELECT y.id, y.place_id, y.case_id, y.victim_id, y.status, y.placed_by_id, p.name, p.region_code, y.asked_until
		FROM stays y JOIN places p ON p.id = y.place_id WHERE y.code = $1 AND p.host_phone_hash = $2 AND y.asked_until IS NOT NULL`, code, phoneHash).
		Scan(&y.id, &y.placeID, &y.caseID, &y.victimID, &y.status, &y.worker, &y.place, &y.region, &y.until)
	if errors.Is(err, sql.ErrNoRows) {
		return HostNotMine, "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("shelters: host answer: %w", err)
	}
	if err := tx.Serialize(ctx, "place:"+y.placeID); err != nil {
		return "", "", err
	}
	now := tx.Now()
	t := func(key string, args ...any) string { return i18n.T("id", key, args...) }
	pub := domain.FormatPublicCode(code)
	if y.status != domain.StayAsked {
		return HostDone, t("sms.host.reply_done", pub), nil
	}
	set := func(status string, hold any) error {
		_, err := tx.ExecContext(ctx, `UPDATE stays SET status = $1, hold_expires_at = $2, version = version + 1 WHERE id = $3 AND status = 'asked'`,
			status, hold, y.id)
		if err != nil {
			return fmt.Errorf("shelters: host answer: %w", err)
		}
		return nil
	}
	tell := func(key string) error {
		if y.worker == "" {
			return nil
		}
		var caseCode string
		if err := tx.QueryRowContext(ctx, `SELECT code FROM cases WHERE id = $1`, y.caseID).Scan(&caseCode); err != nil {
			return fmt.Errorf("shelters: case code: %w", err)
		}
		body := domain.FitSMS(y.place, func(name string) string { return t(key, domain.FormatPublicCode(caseCode), name) })
		_, err := tx.Enqueue(ctx, store.Message{Key: "host-answer:" + y.id, UserID: y.worker, Region: y.region, Body: body, CaseID: y.caseID})
		return err
	}
	actor := domain.Scope{Username: "host:" + y.placeID, RegionCode: "-"}
	if !y.until.Valid || !y.until.Time.After(now) {
		if err := set(domain.StayExpired, nil); err != nil {
			return "", "", err
		}
		return HostExpired, t("sms.host.reply_expired", pub), nil
	}
	if !yes {
		if err := set(domain.StayDeclined, nil); err != nil {
			return "", "", err
		}
		if err := tell("sms.host.worker_no"); err != nil {
			return "", "", err
		}
		return HostDeclined, t("sms.host.reply_no", pub), tx.Audit(ctx, actor, "stay.host_no", "case", y.caseID, y.region, "stay="+y.id)
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stays WHERE place_id = $1 AND (status = 'active' OR status = 'held' AND hold_expires_at > $2)`,
		y.placeID, now).Scan(&taken); err != nil {
		return "", "", fmt.Errorf("shelters: host answer: %w", err)
	}
	var capacity int
	if err := tx.QueryRowContext(ctx, `SELECT capacity FROM places WHERE id = $1`, y.placeID).Scan(&capacity); err != nil {
		return "", "", fmt.Errorf("shelters: host answer: %w", err)
	}
	var placed int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stays WHERE victim_id = $1 AND status IN ('held', 'active')`, y.victimID).Scan(&placed); err != nil {
		return "", "", fmt.Errorf("shelters: host answer: %w", err)
	}
	if taken >= capacity || placed > 0 {
		if err := set(domain.StayDeclined, nil); err != nil {
			return "", "", err
		}
		if err := tell("sms.host.worker_full"); err != nil {
			return "", "", err
		}
		return HostFull, t("sms.host.reply_full", pub), tx.Audit(ctx, actor, "stay.host_full", "case", y.caseID, y.region, "stay="+y.id)
	}
	if err := set(domain.StayHeld, now.Add(DefaultHold)); err != nil {
		return "", "", err
	}
	if err := tell("sms.host.worker_yes"); err != nil {
		return "", "", err
	}
	return HostHeld, t("sms.host.reply_yes", pub), tx.Audit(ctx, actor, "stay.host_yes", "case", y.caseID, y.region, "stay="+y.id)
}
