package shelters

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// A house's upkeep: the trainings its host attended, the incentives given
// (a ledger per host and year, per-night incentives computed from a
// stay's nights), and supervision visits with their findings and the next
// visit due.

// AddTraining records a training the host of a place attended.
// Authorization: PermManageCases in the place's region.
func (s *Service) AddTraining(ctx context.Context, sc domain.Scope, placeID, topic, heldOn string) (domain.Training, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Training{}, domain.NotFound("place")
	}
	topic = strings.TrimSpace(topic)
	f := domain.FieldErrors{}
	if topic == "" || utf8.RuneCountInString(topic) > 200 {
		f["topic"] = domain.M("place.field.topic")
	}
	if !validDate(heldOn) {
		f["held_on"] = domain.M("field.date")
	}
	if len(f) > 0 {
		return domain.Training{}, domain.InvalidFields(f)
	}
	tr := domain.Training{PlaceID: placeID, Topic: topic, HeldOn: heldOn, CreatedBy: sc.Actor()}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, placeID)
		if err != nil {
			return err
		}
		tr.ID = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO place_trainings (id, place_id, topic, held_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			tr.ID, placeID, topic, heldOn, tr.CreatedBy, tx.Now()); err != nil {
			return fmt.Errorf("shelters: training: %w", err)
		}
		return tx.Audit(ctx, sc, "place.training", "place", placeID, p.RegionCode, "held_on="+heldOn)
	})
	return tr, err
}

// Trainings lists a place's trainings, latest first. Authorization: as
// GetPlace.
func (s *Service) Trainings(ctx context.Context, sc domain.Scope, placeID string) ([]domain.Training, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.NotFound("place")
	}
	return store.Rows(ctx, s.st, func(r *sql.Rows) (domain.Training, error) {
		var t domain.Training
		return t, r.Scan(&t.ID, &t.PlaceID, &t.Topic, &t.HeldOn, &t.CreatedBy)
	}, `SELECT id, place_id, topic, held_on, created_by FROM place_trainings WHERE place_id = $1 ORDER BY held_on DESC, id`, placeID)
}

// AddIncentive records an incentive given to a place's host.
// Authorization: PermManageCases in the place's region.
func (s *Service) AddIncentive(ctx context.Context, sc domain.Scope, in domain.Incentive) (domain.Incentive, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Incentive{}, domain.NotFound("place")
	}
	in.Basis = strings.TrimSpace(in.Basis)
	f := domain.FieldErrors{}
	if !inList(in.Kind, domain.IncentiveKinds) {
		f["kind"] = domain.M("place.field.incentive_kind")
	}
	if in.Amount <= 0 || in.Amount > 1_000_000_000 {
		f["amount"] = domain.M("place.field.amount")
	}
	if !validDate(in.GivenOn) {
		f["given_on"] = domain.M("field.date")
	}
	if utf8.RuneCountInString(in.Basis) > 300 {
		f["basis"] = domain.M("field.max_chars", 300)
	}
	if len(f) > 0 {
		return domain.Incentive{}, domain.InvalidFields(f)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, in.PlaceID)
		if err != nil {
			return err
		}
		in.ID, in.CreatedBy, in.StayID, in.Nights, in.Rate = tx.NewID(), sc.Actor(), "", 0, 0
		return s.insertIncentive(ctx, tx, sc, p, in)
	})
	return in, err
}

func (s *Service) insertIncentive(ctx context.Context, tx *store.Tx, sc domain.Scope, p domain.Place, in domain.Incentive) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO place_incentives (id, place_id, kind, amount, given_on, basis, stay_id, nights, rate, created_by,
		created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, in.ID, p.ID, in.Kind, in.Amount, in.GivenOn, in.Basis, in.StayID, in.Nights,
		in.Rate, in.CreatedBy, tx.Now()); err != nil {
		if store.IsUniqueViolation(err) {
			return domain.E(domain.EConflict, "place.err.incentive_paid")
		}
		return fmt.Errorf("shelters: incentive: %w", err)
	}
	return tx.Audit(ctx, sc, "place.incentive", "place", p.ID, p.RegionCode, fmt.Sprintf("kind=%s amount=%d", in.Kind, in.Amount))
}

// Nights is how many nights a stay lasted: calendar days from its start to
// its end (or now, for a stay still running) in the place's time zone.
func Nights(from, to time.Time, zone *time.Location) int {
	a := time.Date(from.In(zone).Year(), from.In(zone).Month(), from.In(zone).Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(to.In(zone).Year(), to.In(zone).Month(), to.In(zone).Day(), 0, 0, 0, 0, time.UTC)
	return max(int(b.Sub(a).Hours()/24), 0)
}

// IncentiveForStay records the per-night incentive of an ended stay in a
// community safe house: its nights × rate, once per stay. Authorization:
// PermManageCases in the place's region.
func (s *Service) IncentiveForStay(ctx context.Context, sc domain.Scope, stayID string, rate int64, givenOn string) (domain.Incentive, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Incentive{}, domain.NotFound("stay")
	}
	if rate <= 0 || rate > 10_000_000 {
		return domain.Incentive{}, domain.InvalidFields(domain.FieldErrors{"rate": domain.M("place.field.amount")})
	}
	if !validDate(givenOn) {
		return domain.Incentive{}, domain.InvalidFields(domain.FieldErrors{"given_on": domain.M("field.date")})
	}
	if !sc.Can(domain.PermManageCases) {
		return domain.Incentive{}, domain.NotFound("stay")
	}
	var in domain.Incentive
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var placeID, status string
		var from, to sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT place_id, status, from_at, to_at FROM stays WHERE id = $1`, stayID).Scan(&placeID, &status, &from, &to)
		if err == sql.ErrNoRows {
			return domain.NotFound("stay")
		}
		if err != nil {
			return fmt.Errorf("shelters: stay: %w", err)
		}
		p, err := s.lockPlace(ctx, tx, sc, placeID)
		if err != nil {
			return err
		}
		if p.Kind != domain.PlaceSafeHouse {
			return domain.E(domain.EConflict, "place.err.not_safe_house")
		}
		if status != domain.StayEnded || !from.Valid || !to.Valid {
			return domain.E(domain.EConflict, "stay.err.not_ended")
		}
		n := Nights(from.Time, to.Time, domain.ZoneFor(p.RegionCode))
		in = domain.Incentive{ID: tx.NewID(), PlaceID: placeID, Kind: domain.IncentivePerNight, Amount: int64(n) * rate, GivenOn: givenOn,
			Basis: fmt.Sprintf("%d × %d", n, rate), StayID: stayID, Nights: n, Rate: rate, CreatedBy: sc.Actor()}
		if n == 0 {
			return domain.E(domain.EConflict, "stay.err.no_nights")
		}
		return s.insertIncentive(ctx, tx, sc, p, in)
	})
	return in, err
}

// Ledger lists the incentives of the caller's region's places given in
// year (YYYY), oldest first, with the total. Authorization: PermViewCases.
func (s *Service) Ledger(ctx context.Context, sc domain.Scope, year int, placeID string) ([]domain.Incentive, int64, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, 0, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 3)
	args = append([]any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}, args...)
	cond := ""
	if placeID != "" {
		args = append(args, placeID)
		cond = fmt.Sprintf(" AND i.place_id = $%d", len(args))
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.Incentive, error) {
		var i domain.Incentive
		return i, r.Scan(&i.ID, &i.PlaceID, &i.PlaceName, &i.Kind, &i.Amount, &i.GivenOn, &i.Basis, &i.StayID, &i.Nights, &i.Rate, &i.CreatedBy)
	}, `SELECT i.id, i.place_id, p.name, i.kind, i.amount, i.given_on, i.basis, i.stay_id, i.nights, i.rate, i.created_by
		FROM place_incentives i JOIN places p ON p.id = i.place_id WHERE i.given_on >= $1 AND i.given_on <= $2 AND `+where+cond+`
		ORDER BY i.given_on, p.name, i.id`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("shelters: ledger: %w", err)
	}
	var total int64
	for _, r := range rows {
		total += r.Amount
	}
	return rows, total, nil
}

// AddVisit records a supervision visit to a place: its findings (sealed)
// and when the next one is due. Authorization: PermManageCases in the
// place's region.
func (s *Service) AddVisit(ctx context.Context, sc domain.Scope, v domain.SupervisionVisit) (domain.SupervisionVisit, error) {
	if !sc.Can(domain.PermManageCases) {
		return v, domain.NotFound("place")
	}
	v.Findings = strings.TrimSpace(v.Findings)
	f := domain.FieldErrors{}
	if !validDate(v.VisitedOn) {
		f["visited_on"] = domain.M("field.date")
	}
	if v.NextDue != "" && (!validDate(v.NextDue) || v.NextDue <= v.VisitedOn) {
		f["next_due"] = domain.M("place.field.next_due")
	}
	if v.Findings == "" || utf8.RuneCountInString(v.Findings) > 4000 {
		f["findings"] = domain.M("place.field.findings")
	}
	if len(f) > 0 {
		return v, domain.InvalidFields(f)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, v.PlaceID)
		if err != nil {
			return err
		}
		enc, err := s.st.Seal(store.FieldVisitFindings, v.Findings)
		if err != nil {
			return err
		}
		v.ID, v.Visitor = tx.NewID(), sc.Actor()
		if _, err := tx.ExecContext(ctx, `INSERT INTO place_visits (id, place_id, visited_on, visitor, findings_enc, next_due, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, v.ID, v.PlaceID, v.VisitedOn, v.Visitor, enc, v.NextDue, tx.Now()); err != nil {
			return fmt.Errorf("shelters: visit: %w", err)
		}
		return tx.Audit(ctx, sc, "place.visit", "place", v.PlaceID, p.RegionCode, "visited_on="+v.VisitedOn)
	})
	return v, err
}

// Visits lists a place's supervision visits, latest first; findings for
// those who manage places. Authorization: as GetPlace.
func (s *Service) Visits(ctx context.Context, sc domain.Scope, placeID string) ([]domain.SupervisionVisit, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.NotFound("place")
	}
	open := sc.System || sc.Personal && sc.Can(domain.PermManageCases)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (domain.SupervisionVisit, error) {
		var v domain.SupervisionVisit
		var enc string
		if err := r.Scan(&v.ID, &v.PlaceID, &v.VisitedOn, &v.Visitor, &enc, &v.NextDue); err != nil {
			return v, err
		}
		var err error
		if open {
			v.Findings, err = s.st.Open(store.FieldVisitFindings, enc)
		}
		return v, err
	}, `SELECT id, place_id, visited_on, visitor, findings_enc, next_due FROM place_visits WHERE place_id = $1 ORDER BY visited_on DESC, id`, placeID)
}

// VisitsDue lists the active places of the caller's region whose next
// supervision visit is due by day (YYYY-MM-DD), or that were never
// visited: the supervisors' list. Authorization: PermViewCases.
func (s *Service) VisitsDue(ctx context.Context, sc domain.Scope, day string) ([]domain.SupervisionVisit, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 2)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (domain.SupervisionVisit, error) {
		var v domain.SupervisionVisit
		return v, r.Scan(&v.PlaceID, &v.PlaceName, &v.VisitedOn, &v.NextDue)
	}, `SELECT p.id, p.name, COALESCE(lv.visited_on, ''), COALESCE(lv.next_due, '') FROM places p
		LEFT JOIN place_visits lv ON lv.id = (SELECT v.id FROM place_visits v WHERE v.place_id = p.id ORDER BY v.visited_on DESC, v.id DESC LIMIT 1)
		WHERE p.status IN ('active', 'suspended', 'revocation_proposed') AND (lv.id IS NULL OR lv.next_due <> '' AND lv.next_due <= $1) AND `+where+`
		ORDER BY COALESCE(lv.next_due, ''), p.name`, append([]any{day}, args...)...)
}

// UnpaidStay is an ended stay in a safe house whose per-night incentive
// was not recorded yet.
type UnpaidStay struct {
	ID       string
	From, To time.Time
	Nights   int
}

// UnpaidStays lists the ended stays of a safe house without a per-night
// incentive, oldest first (no child's data). Authorization: PermManageCases
// in the place's region.
func (s *Service) UnpaidStays(ctx context.Context, sc domain.Scope, placeID string) ([]UnpaidStay, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, nil
	}
	p, err := s.GetPlace(ctx, sc, placeID)
	if err != nil || p.Kind != domain.PlaceSafeHouse {
		return nil, err
	}
	zone := domain.ZoneFor(p.RegionCode)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (UnpaidStay, error) {
		var u UnpaidStay
		if err := r.Scan(&u.ID, &u.From, &u.To); err != nil {
			return u, err
		}
		u.From, u.To = u.From.UTC(), u.To.UTC()
		u.Nights = Nights(u.From, u.To, zone)
		return u, nil
	}, `SELECT y.id, y.from_at, y.to_at FROM stays y WHERE y.place_id = $1 AND y.status = 'ended' AND y.from_at IS NOT NULL AND y.to_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM place_incentives i WHERE i.stay_id = y.id) ORDER BY y.from_at, y.id`, placeID)
}

// RemindVisitsDue tells the supervisors of each place whose next
// supervision visit is due (today or earlier, in UTC days) through the
// outbox, once per visit however often it runs or on how many instances.
// It returns how many messages it wrote. Authorization: lindu itself (the
// escalator job).
func (s *Service) RemindVisitsDue(ctx context.Context) (int, error) {
	today := s.st.Now().Format("2006-01-02")
	type due struct{ visitID, name, region, nextDue string }
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.visitID, &d.name, &d.region, &d.nextDue)
	}, `SELECT v.id, p.name, p.region_code, v.next_due FROM places p JOIN place_visits v ON v.id = (SELECT x.id FROM place_visits x
		WHERE x.place_id = p.id ORDER BY x.visited_on DESC, x.id DESC LIMIT 1)
		WHERE p.status IN ('active', 'suspended', 'revocation_proposed') AND v.next_due <> '' AND v.next_due <= $1
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key LIKE 'visit-due:' || v.id || ':%')`, today)
	if err != nil {
		return 0, fmt.Errorf("shelters: visits due: %w", err)
	}
	n := 0
	for _, d := range rows {
		err := s.st.InTx(ctx, func(tx *store.Tx) error {
			sups, err := cases.SupervisorsOf(ctx, tx, d.region)
			if err != nil {
				return err
			}
			day, _ := time.Parse("2006-01-02", d.nextDue)
			body := domain.FitSMS(d.name, func(name string) string {
				return i18n.T("id", "sms.place.visit_due", name, day.Format("02-01-2006"))
			})
			for _, uid := range sups {
				ok, err := tx.Enqueue(ctx, store.Message{Key: "visit-due:" + d.visitID + ":" + uid, UserID: uid, Region: d.region, Body: body})
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
