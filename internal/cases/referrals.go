package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Referrals to registered providers (rujukan): the worker who handles the
// case sends one with the service asked, urgency, due time, the reason
// shared with the provider and consent; the provider accepts, declines
// (with a reason) or marks it done, in lindu with a provider account or
// by replying to the SMS/WhatsApp (YA / TIDAK / SELESAI with the
// referral's code); the sender is told; an unanswered referral escalates
// at its due time (followups.go); the sender may revoke it. The provider
// sees the case's code and village, the service, urgency and due time and
// the reason written for it: nothing else of the case.

// Refer sends a referral of an open case to a provider. It needs an
// active consent or legal basis on the case (or the one named). The
// provider is texted the code and how to answer. Authorization:
// PermWorkCases on a case sc handles (beginWork).
func (s *Service) Refer(ctx context.Context, sc domain.Scope, caseID string, r domain.NewReferral) (domain.Referral, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	var out domain.Referral
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		now := tx.Now()
		fe := r.Validate(now)
		var p domain.Provider
		if r.ProviderID != "" {
			p, err = s.providerIn(ctx, tx, withoutPersonal(sc), r.ProviderID)
			if err != nil || !p.Active || !(domain.RegionWithin(lc.region, p.RegionCode) || sc.Contains(p.RegionCode)) {
				fe["provider_id"] = domain.M("referral.field.provider")
			} else if r.Service != "" && len(p.Services) > 0 && !p.Offers(r.Service) {
				fe["service"] = domain.M("referral.field.service_offered")
			}
		}
		if len(fe) > 0 {
			return domain.InvalidFields(fe)
		}
		consent, err := activeConsent(ctx, tx, caseID, r.ConsentID)
		if err != nil {
			return err
		}
		if consent == "" {
			return domain.E(domain.EConflict, "referral.err.consent")
		}
		due := now.Add(domain.DefaultAnswerWindow(r.Urgency))
		if r.DueAt != nil {
			due = r.DueAt.UTC()
		}
		reason, err := s.st.Seal(store.FieldReferralReason, r.Reason)
		if err != nil {
			return err
		}
		agency, err := s.st.Seal(store.FieldReferralAgency, p.Name)
		if err != nil {
			return err
		}
		out = domain.Referral{ID: tx.NewID(), Agency: p.Name, Reason: r.Reason, ReferredOn: localDay(now, lc.region), ProviderID: p.ID,
			Service: r.Service, Urgency: r.Urgency, Status: domain.ReferralSent, Code: domain.NewPublicCode(), DueAt: &due, ConsentID: consent,
			SentBy: sc.Actor()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, case_id, agency, agency_enc, reason_enc, referred_on, created_by, created_at,
			provider_id, service, urgency, status, code, due_at, consent_id, sender_id) VALUES ($1,$2,'',$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
			out.ID, caseID, agency, reason, out.ReferredOn, sc.Actor(), now, p.ID, r.Service, r.Urgency, string(out.Status), out.Code, due,
			consent, sc.UserID); err != nil {
			return fmt.Errorf("cases: refer: %w", err)
		}
		if err := addItemDeadline(ctx, tx, caseID, subjectReferral, out.ID, domain.DeadlineReferral, now, due); err != nil {
			return err
		}
		if r.Service == "law_enforcement" || p.Kind == "police" {
			if err := meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, now); err != nil {
				return err
			}
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "referral_sent", lc.status, lc.status, p.Name); err != nil {
			return err
		}
		if err := s.textProvider(ctx, tx, p.ID, lc, out, "sms.referral.new"); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.referral.send", "case", caseID, lc.region, "referral="+out.ID+" provider="+p.ID+" service="+r.Service)
	})
	return out, err
}

// textProvider texts the provider's registered phone (if any) about a
// referral: code, village, service, urgency and due time; no name.
func (s *Service) textProvider(ctx context.Context, tx *store.Tx, providerID string, lc lockedCase, rf domain.Referral, key string) error {
	var enc string
	if err := tx.QueryRowContext(ctx, `SELECT phone_enc FROM providers WHERE id = $1`, providerID).Scan(&enc); err != nil {
		return fmt.Errorf("cases: provider phone: %w", err)
	}
	phone, err := s.st.Open(store.FieldProviderPhone, enc)
	if err != nil || phone == "" {
		return err
	}
	village, err := regionName(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	due := ""
	if rf.DueAt != nil {
		due = rf.DueAt.In(domain.ZoneFor(lc.region)).Format("02-01 15:04 MST")
	}
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", key, rf.Code, v, i18n.T("id", "svc."+rf.Service), i18n.T("id", "urgency."+rf.Urgency), due)
	})
	_, err = tx.EnqueueTo(ctx, store.PhoneMessage{Key: "referral:" + rf.ID + ":" + key, Channel: "sms", To: phone, Region: lc.region,
		Body: body, CaseID: ""})
	return err
}

// lockedReferral is a referral read inside a change.
type lockedReferral struct {
	id, caseID, providerID, code, sender string
	status                               domain.ReferralStatus
	service                              string
}

// lockReferral reads a structured referral by id (not found otherwise).
func lockReferral(ctx context.Context, tx *store.Tx, where string, arg any) (lockedReferral, error) {
	var r lockedReferral
	var provider sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, case_id, provider_id, code, sender_id, status, service FROM referrals WHERE `+where+
		` AND status <> ''`, arg).Scan(&r.id, &r.caseID, &provider, &r.code, &r.sender, &r.status, &r.service)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("referral")
	}
	if err != nil {
		return r, fmt.Errorf("cases: referral: %w", err)
	}
	r.providerID = provider.String
	return r, nil
}

// ReferralAnswer is a provider's answer: accept, decline (with a reason)
// or done. Via says how it came: ui (a provider account), sms, whatsapp,
// or worker (the sender recording what the provider said by phone).
type ReferralAnswer struct {
	To     domain.ReferralStatus
	Reason string
	Via    string
}

// AnswerReferral records a provider's answer. Authorization: a provider
// account (PermAnswerReferrals) of the referral's provider, or a worker
// who handles the case recording the provider's answer (Via "worker");
// anyone else: not found.
func (s *Service) AnswerReferral(ctx context.Context, sc domain.Scope, referralID string, a ReferralAnswer) (domain.ReferralStatus, error) {
	var status domain.ReferralStatus
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		r, err := lockReferral(ctx, tx, "id = $1", referralID)
		if err != nil {
			return err
		}
		switch {
		case sc.Can(domain.PermAnswerReferrals):
			pid, err := providerOfUser(ctx, tx, sc.UserID)
			if err != nil {
				return err
			}
			if pid == "" || pid != r.providerID {
				return domain.NotFound("referral")
			}
			a.Via = "ui"
		case sc.Can(domain.PermWorkCases):
			if _, err := s.lockHandled(ctx, tx, sc, r.caseID); err != nil {
				return domain.NotFound("referral")
			}
			a.Via = "worker"
		default:
			return domain.NotFound("referral")
		}
		var e error
		status, e = s.answer(ctx, tx, sc, r, a)
		return e
	})
	return status, err
}

// answer applies an answer to a locked referral inside tx.
func (s *Service) answer(ctx context.Context, tx *store.Tx, sc domain.Scope, r lockedReferral, a ReferralAnswer) (domain.ReferralStatus, error) {
	a.Reason = strings.TrimSpace(a.Reason)
	switch a.To {
	case domain.ReferralAccepted, domain.ReferralDone:
	case domain.ReferralDeclined:
		if a.Reason == "" || len(a.Reason) > 2000 {
			return r.status, domain.InvalidFields(domain.FieldErrors{"reason": domain.M("referral.field.decline_reason")})
		}
	default:
		return r.status, domain.E(domain.EConflict, "referral.err.step")
	}
	if r.status == a.To {
		return r.status, nil // the same answer twice: nothing to do
	}
	if err := domain.CheckReferralStep(r.status, a.To); err != nil {
		return r.status, err
	}
	now := tx.Now()
	sets := []string{"status = $1", "answered_via = $2", "answered_by = $3"}
	args := []any{string(a.To), a.Via, sc.Actor()}
	switch a.To {
	case domain.ReferralDone:
		sets = append(sets, "done_at = $4")
		args = append(args, now)
	case domain.ReferralDeclined:
		enc, err := s.st.Seal(store.FieldReferralDecline, a.Reason)
		if err != nil {
			return r.status, err
		}
		sets = append(sets, "answered_at = $4", "decline_enc = $5")
		args = append(args, now, enc)
	default:
		sets = append(sets, "answered_at = $4")
		args = append(args, now)
	}
	args = append(args, r.id, string(r.status))
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET `+strings.Join(sets, ", ")+fmt.Sprintf(` WHERE id = $%d AND status = $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return r.status, fmt.Errorf("cases: referral answer: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return r.status, domain.E(domain.EConflict, "case.err.changed")
	}
	if err := meetItemDeadline(ctx, tx, r.caseID, subjectReferral, r.id, domain.DeadlineReferral, now); err != nil {
		return r.status, err
	}
	var region, code string
	var status domain.CaseStatus
	if err := tx.QueryRowContext(ctx, `SELECT region_code, code, status FROM cases WHERE id = $1`, r.caseID).Scan(&region, &code, &status); err != nil {
		return r.status, fmt.Errorf("cases: referral answer: %w", err)
	}
	if err := touchCase(ctx, tx, r.caseID); err != nil {
		return r.status, err
	}
	if err := s.caseEvent(ctx, tx, sc, r.caseID, "referral_"+string(a.To), status, status, a.Reason); err != nil {
		return r.status, err
	}
	if r.sender != "" {
		village, err := regionName(ctx, tx, region)
		if err != nil {
			return r.status, err
		}
		body := domain.FitSMS(village, func(v string) string {
			return i18n.T("id", "sms.referral."+string(a.To), domain.FormatPublicCode(code), v, i18n.T("id", "svc."+r.service))
		})
		if _, err := tx.Enqueue(ctx, store.Message{Key: "referral:" + r.id + ":" + string(a.To), UserID: r.sender, Region: region,
			Body: body, CaseID: r.caseID}); err != nil {
			return r.status, err
		}
	}
	return a.To, tx.Audit(ctx, sc, "case.referral.answer", "case", r.caseID, region, "referral="+r.id+" "+string(r.status)+"->"+string(a.To)+" via="+a.Via)
}

// RevokeReferral takes back an open referral, with a reason; the provider
// is texted. Authorization: PermWorkCases on a case sc handles.
func (s *Service) RevokeReferral(ctx context.Context, sc domain.Scope, caseID, referralID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("referral.field.revoke_reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockHandled(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		r, err := lockReferral(ctx, tx, "id = $1", referralID)
		if err != nil || r.caseID != caseID {
			return domain.NotFound("referral")
		}
		if err := domain.CheckReferralStep(r.status, domain.ReferralRevoked); err != nil {
			return err
		}
		enc, err := s.st.Seal(store.FieldReferralRevoke, reason)
		if err != nil {
			return err
		}
		now := tx.Now()
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, revoked_at = $2, revoke_enc = $3 WHERE id = $4 AND status = $5`,
			string(domain.ReferralRevoked), now, enc, r.id, string(r.status))
		if err != nil {
			return fmt.Errorf("cases: revoke referral: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.E(domain.EConflict, "case.err.changed")
		}
		if err := meetItemDeadline(ctx, tx, caseID, subjectReferral, r.id, domain.DeadlineReferral, now); err != nil {
			return err
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "referral_revoked", lc.status, lc.status, reason); err != nil {
			return err
		}
		if r.providerID != "" {
			if err := s.textProvider(ctx, tx, r.providerID, lc, domain.Referral{ID: r.id, Code: r.code, Service: r.service}, "sms.referral.revoked_provider"); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, sc, "case.referral.revoke", "case", caseID, lc.region, "referral="+r.id)
	})
}

// SMS answers of a provider without an account.
const (
	ReplyAnswered = "answered" // the answer was recorded (or was the same as before)
	ReplyUnknown  = "unknown"  // no referral of this phone's provider has the code
	ReplyRefused  = "refused"  // the state machine does not allow it
	ReplyDenied   = "denied"   // the phone is no provider's
)

// AnswerBySMS records a provider's SMS or WhatsApp answer inside the
// message's transaction: the phone's lookup hash must be an active
// provider's, and code one of that provider's referrals (another
// provider's code is unknown, as if it did not exist). It returns what
// happened, the referral's status afterwards and its case. Authorization:
// the intake area, for a message whose gateway it checked.
func (s *Service) AnswerBySMS(ctx context.Context, tx *store.Tx, phoneHash, code string, a ReferralAnswer) (outcome string, st domain.ReferralStatus, caseID string, err error) {
	pids, err := store.Rows(ctx, tx, scanString, `SELECT id FROM providers WHERE phone_hash = $1 AND active = $2 ORDER BY id`, phoneHash, true)
	if err != nil {
		return "", "", "", fmt.Errorf("cases: provider by phone: %w", err)
	}
	if len(pids) == 0 {
		return ReplyDenied, "", "", nil
	}
	r, err := lockReferral(ctx, tx, "code = $1", code)
	if domain.IsNotFound(err) {
		return ReplyUnknown, "", "", nil
	}
	if err != nil {
		return "", "", "", err
	}
	mine := false
	for _, id := range pids {
		mine = mine || id == r.providerID
	}
	if !mine {
		return ReplyUnknown, "", "", nil
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM providers WHERE id = $1`, r.providerID).Scan(&name); err != nil {
		return "", "", "", fmt.Errorf("cases: provider: %w", err)
	}
	sc := domain.Scope{Username: "provider:" + name, RegionCode: "-"}
	st, err = s.answer(ctx, tx, sc, r, a)
	if domain.CodeOf(err) == domain.EConflict {
		return ReplyRefused, r.status, r.caseID, nil
	}
	if err != nil {
		return "", r.status, r.caseID, err
	}
	return ReplyAnswered, st, r.caseID, nil
}

// ProviderReferrals lists the referrals sent to the caller's provider,
// open ones first: the case's code and village, service, urgency, due
// time, status and the reason written for the provider. Authorization:
// PermAnswerReferrals (a provider account bound to a provider; else none).
func (s *Service) ProviderReferrals(ctx context.Context, sc domain.Scope) ([]domain.Referral, error) {
	if !sc.Can(domain.PermAnswerReferrals) {
		return nil, nil
	}
	pid, err := providerOfUser(ctx, s.st, sc.UserID)
	if err != nil || pid == "" {
		return nil, err
	}
	// What the referral shares is the provider's to read: the reason
	// written for it (and its own answers).
	psc := sc
	psc.Personal = true
	out, err := s.readReferrals(ctx, psc, `r.provider_id = $1 AND r.status <> ''`, []any{pid},
		`CASE WHEN r.status IN ('sent', 'accepted') THEN 0 ELSE 1 END, r.due_at, r.created_at`)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := s.st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, sc, "provider.referrals.view", "provider", pid, "", fmt.Sprintf("referrals=%d", len(out)))
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readReferrals reads referrals (alias r, joined with their case c)
// matching where; personal fields through sc.
func (s *Service) readReferrals(ctx context.Context, sc domain.Scope, where string, args []any, order string) ([]domain.Referral, error) {
	type row struct {
		r                            domain.Referral
		agency, reason, decl, revoke string
		provider, code, via          sql.NullString
		due, answered, done, revoked sql.NullTime
		sentBy                       string
	}
	rows, err := store.Rows(ctx, s.st, func(x *sql.Rows) (row, error) {
		var w row
		err := x.Scan(&w.r.ID, &w.r.CaseID, &w.r.CaseCode, &w.r.RegionName, &w.agency, &w.reason, &w.r.ReferredOn, &w.provider, &w.r.Service,
			&w.r.Urgency, &w.r.Status, &w.code, &w.due, &w.r.ConsentID, &w.answered, &w.via, &w.r.AnsweredBy, &w.decl, &w.done, &w.revoked,
			&w.revoke, &w.sentBy)
		return w, err
	}, `SELECT r.id, r.case_id, c.code, COALESCE(g.name, ''), r.agency_enc, r.reason_enc, r.referred_on, r.provider_id, r.service, r.urgency,
		r.status, r.code, r.due_at, r.consent_id, r.answered_at, r.answered_via, r.answered_by, r.decline_enc, r.done_at, r.revoked_at,
		r.revoke_enc, r.created_by
		FROM referrals r JOIN cases c ON c.id = r.case_id LEFT JOIN regions g ON g.code = c.region_code
		WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: referrals: %w", err)
	}
	now := s.st.Now()
	out := make([]domain.Referral, 0, len(rows))
	var masked bool
	for _, w := range rows {
		r := w.r
		r.ProviderID, r.Code, r.AnsweredVia, r.SentBy = w.provider.String, w.code.String, w.via.String, w.sentBy
		r.DueAt, r.AnsweredAt, r.DoneAt, r.RevokedAt = ptrTime(w.due), ptrTime(w.answered), ptrTime(w.done), ptrTime(w.revoked)
		for _, f := range []struct {
			field, enc string
			dst        *string
		}{{store.FieldReferralAgency, w.agency, &r.Agency}, {store.FieldReferralReason, w.reason, &r.Reason},
			{store.FieldReferralDecline, w.decl, &r.DeclineReason}, {store.FieldReferralRevoke, w.revoke, &r.RevokeReason}} {
			if *f.dst, err = s.st.Reveal(sc, f.field, f.enc, &masked); err != nil {
				return nil, err
			}
		}
		r.Overdue = r.Status == domain.ReferralSent && r.DueAt != nil && r.DueAt.Before(now)
		out = append(out, r)
	}
	return out, nil
}
