package musrenbang

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Golden tickets: a proposal the committee sends to the year's official
// Musrenbang, followed through the regional plan (RKPD), the budget
// (APBD) and the work, each stage with its evidence and visible to the
// children.

// Ticket stages.
const (
	StageSelected    = "selected"    // the committee gave it a golden ticket
	StageDiscussed   = "discussed"   // discussed at a Musrenbang (level, date)
	StageRKPD        = "rkpd"        // in the regional plan (year, agency, sub-activity)
	StageNotRKPD     = "not_rkpd"    // not in the plan (reason)
	StagePostponed   = "postponed"   // to next year (reason), at the RKPD or APBD step
	StageAPBD        = "apbd"        // in the budget (year, lines with code and amount)
	StageNotAPBD     = "not_apbd"    // not in the budget (reason)
	StageImplemented = "implemented" // being done (realisation)
	StageDone        = "done"        // finished (evidence)
)

// next says which stages may follow each.
var next = map[string][]string{
	StageSelected:    {StageDiscussed},
	StageDiscussed:   {StageRKPD, StageNotRKPD, StagePostponed},
	StagePostponed:   {StageDiscussed},
	StageRKPD:        {StageAPBD, StageNotAPBD, StagePostponed},
	StageAPBD:        {StageImplemented},
	StageImplemented: {StageDone},
}

// Next lists the stages that may follow stage.
func Next(stage string) []string { return next[stage] }

// Levels are the Musrenbang levels.
var Levels = []string{"desa", "kecamatan", "forum_pd", "kabupaten"}

// Line is an APBD line a ticket reached. When the KLA area's budget
// (module E) has the sub-activity of that code and year, the line names
// it and shows its budget and realisation.
type Line struct {
	Code     string `json:"code"` // programme/activity/sub-activity code
	Name     string `json:"name"`
	Amount   int64  `json:"amount"`   // rupiah
	Realised int64  `json:"realised"` // rupiah
	// InKLA says the KLA budget has this sub-activity; KLABudget and
	// KLARealised are its figures there.
	InKLA       bool  `json:"in_kla_budget"`
	KLABudget   int64 `json:"kla_budget,omitempty"`
	KLARealised int64 `json:"kla_realised,omitempty"`
}

// StepInput is a stage with its evidence.
type StepInput struct {
	Stage       string `json:"stage"`
	Level       string `json:"level,omitempty"`        // discussed
	Date        string `json:"date,omitempty"`         // discussed: YYYY-MM-DD
	Year        int    `json:"year,omitempty"`         // rkpd, apbd: the plan/budget year
	Agency      string `json:"agency,omitempty"`       // rkpd
	SubActivity string `json:"sub_activity,omitempty"` // rkpd: the sub-activity (nomenclature)
	Lines       []Line `json:"lines,omitempty"`        // apbd (code, amount); implemented (realised)
	Evidence    string `json:"evidence,omitempty"`     // implemented, done: what shows it (document, link, photo reference)
	Reason      string `json:"reason,omitempty"`       // not_rkpd, not_apbd, postponed
}

// Step is a recorded stage.
type Step struct {
	Stage  string    `json:"stage"`
	Detail string    `json:"detail"`
	Reason string    `json:"reason,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// Ticket is a golden ticket with its proposal and stages.
type Ticket struct {
	ID          string   `json:"id"`
	ProposalID  string   `json:"proposal_id"`
	Code        string   `json:"code"` // the proposal's tracking code
	Title       string   `json:"title"`
	Year        int      `json:"year"` // the Musrenbang year
	Stage       string   `json:"stage"`
	Agency      string   `json:"agency,omitempty"`
	SubActivity string   `json:"sub_activity,omitempty"`
	RKPDYear    int      `json:"rkpd_year,omitempty"`
	APBDYear    int      `json:"apbd_year,omitempty"`
	Lines       []Line   `json:"lines"`
	Steps       []Step   `json:"steps"`
	Supports    int      `json:"supports"`
	RegionCode  string   `json:"region_code"`
	Next        []string `json:"next"`
	Version     int      `json:"version"`
}

// SelectTicket gives an approved proposal a golden ticket to year's
// Musrenbang. Authorization: PermPlanTickets (admins, the planning
// agency's operators) in the proposal's region.
func (s *Service) SelectTicket(ctx context.Context, sc domain.Scope, proposalID string, year int) (Ticket, error) {
	if err := s.mayPlan(ctx, sc); err != nil {
		return Ticket{}, err
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		ps, err := s.proposals(ctx, tx, "p.id = $1", "p.id", proposalID)
		if err != nil {
			return err
		}
		if len(ps) != 1 || !sc.Contains(ps[0].VillageCode) {
			return domain.NotFound("proposal")
		}
		p := ps[0]
		if year < 2000 || year > 2100 {
			return domain.InvalidFields(domain.FieldErrors{"year": domain.M("mr.field.year")})
		}
		if p.Status != StatusApproved {
			return domain.E(domain.EConflict, "mr.err.ticket_approved")
		}
		if p.Ticket != "" {
			return domain.E(domain.EConflict, "mr.err.has_ticket")
		}
		id = tx.NewID()
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, proposal_id, year, stage, selected_by, created_at, updated_at)
			VALUES ($1,$2,$3,'selected',$4,$5,$5)`, id, p.ID, year, sc.Actor(), now); err != nil {
			return fmt.Errorf("musrenbang: ticket: %w", err)
		}
		detail := i18n.T("id", "mr.step.selected", year)
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_steps (id, ticket_id, stage, detail, actor, at) VALUES ($1,$2,'selected',$3,$4,$5)`,
			tx.NewID(), id, detail, sc.Actor(), now); err != nil {
			return fmt.Errorf("musrenbang: ticket: %w", err)
		}
		if err := s.tell(ctx, tx, p, "ticket:selected", i18n.T("id", "mr.msg.ticket", p.Title, detail), "ticket"); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "ticket.select", "ticket", id, p.VillageCode, fmt.Sprintf("year=%d", year))
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, sc, id)
}

// checkStep checks a stage's evidence and writes its timeline sentence.
func checkStep(in StepInput, lang string) (string, domain.FieldErrors) {
	f := domain.FieldErrors{}
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	in.Reason, in.Evidence, in.Agency, in.SubActivity = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Evidence),
		strings.TrimSpace(in.Agency), strings.TrimSpace(in.SubActivity)
	year := func() {
		if in.Year < 2000 || in.Year > 2100 {
			f["year"] = domain.M("mr.field.year")
		}
	}
	switch in.Stage {
	case StageDiscussed:
		if !oneOf(in.Level, Levels) {
			f["level"] = domain.M("mr.field.level")
		}
		if _, err := time.Parse("2006-01-02", in.Date); err != nil {
			f["date"] = domain.M("mr.field.date")
		}
		return t("mr.step.discussed", t("mr.level."+in.Level), in.Date), f
	case StageRKPD:
		year()
		if in.Agency == "" {
			f["agency"] = domain.M("mr.field.agency")
		}
		if in.SubActivity == "" || utf8.RuneCountInString(in.SubActivity) > 300 {
			f["sub_activity"] = domain.M("mr.field.sub_activity")
		}
		return t("mr.step.rkpd", in.Year, in.Agency, in.SubActivity), f
	case StageNotRKPD, StageNotAPBD, StagePostponed:
		if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 1000 {
			f["reason"] = domain.M("mr.field.reason")
		}
		return t("mr.step." + in.Stage), f
	case StageAPBD:
		year()
		if len(in.Lines) == 0 {
			f["lines"] = domain.M("mr.field.lines")
		}
		var parts []string
		for _, l := range in.Lines {
			if strings.TrimSpace(l.Code) == "" || l.Amount <= 0 {
				f["lines"] = domain.M("mr.field.lines")
			}
			parts = append(parts, strings.TrimSpace(l.Code)+" Rp "+strconv.FormatInt(l.Amount, 10))
		}
		return t("mr.step.apbd", in.Year, strings.Join(parts, "; ")), f
	case StageImplemented:
		if in.Evidence == "" {
			f["evidence"] = domain.M("mr.field.evidence")
		}
		return t("mr.step.implemented", in.Evidence), f
	case StageDone:
		if in.Evidence == "" {
			f["evidence"] = domain.M("mr.field.evidence")
		}
		return t("mr.step.done", in.Evidence), f
	}
	f["stage"] = domain.M("mr.field.stage")
	return "", f
}

// RecordStep moves a ticket to its next stage with that stage's evidence
// (refused without it, or when the stage may not follow); the children
// who proposed and supported it are told. version guards against a
// concurrent change. Authorization: as SelectTicket.
func (s *Service) RecordStep(ctx context.Context, sc domain.Scope, ticketID string, in StepInput, version int) error {
	if err := s.mayPlan(ctx, sc); err != nil {
		return err
	}
	// An APBD line without an amount takes it (and its name) from the KLA
	// budget's sub-activity of that code and year, where there is one.
	if in.Stage == StageAPBD {
		for i, l := range in.Lines {
			if l.Amount != 0 || strings.TrimSpace(l.Code) == "" {
				continue
			}
			where, args := store.ScopeClause("region_code", sc.RegionCode, 3)
			var name string
			var budget int64
			err := s.st.QueryRowContext(ctx, `SELECT name, budget FROM kla_budget_items WHERE code = $1 AND year = $2 AND level = 'sub_activity' AND `+where+`
				ORDER BY budget DESC LIMIT 1`, append([]any{strings.TrimSpace(l.Code), in.Year}, args...)...).Scan(&name, &budget)
			if err == nil {
				in.Lines[i].Amount = budget
				if strings.TrimSpace(l.Name) == "" {
					in.Lines[i].Name = name
				}
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("musrenbang: KLA budget: %w", err)
			}
		}
	}
	detail, f := checkStep(in, "id")
	if len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var stage, proposalID string
		var v, year int
		err := tx.QueryRowContext(ctx, `SELECT stage, proposal_id, version, year FROM tickets WHERE id = $1`, ticketID).Scan(&stage, &proposalID, &v, &year)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("ticket")
		}
		if err != nil {
			return fmt.Errorf("musrenbang: step: %w", err)
		}
		ps, err := s.proposals(ctx, tx, "p.id = $1", "p.id", proposalID)
		if err != nil || len(ps) != 1 || !sc.Contains(ps[0].VillageCode) {
			return domain.NotFound("ticket")
		}
		if err := tx.Serialize(ctx, "ticket:"+ticketID); err != nil {
			return err
		}
		if version != 0 && version != v {
			return domain.E(domain.EConflict, "mr.err.changed")
		}
		if !oneOf(in.Stage, next[stage]) {
			return domain.E(domain.EConflict, "mr.err.bad_stage")
		}
		now := tx.Now()
		set := `stage = $1, updated_at = $2, version = version + 1`
		args := []any{in.Stage, now}
		switch in.Stage {
		case StageRKPD:
			args = append(args, strings.TrimSpace(in.Agency), strings.TrimSpace(in.SubActivity), in.Year)
			set += `, agency = $3, sub_activity = $4, rkpd_year = $5`
		case StageAPBD:
			args = append(args, in.Year)
			set += `, apbd_year = $3`
			for _, l := range in.Lines {
				if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_lines (ticket_id, apbd_year, code, name, amount) VALUES ($1,$2,$3,$4,$5)
					ON CONFLICT (ticket_id, code) DO UPDATE SET apbd_year = excluded.apbd_year, name = excluded.name, amount = excluded.amount`,
					ticketID, in.Year, strings.TrimSpace(l.Code), strings.TrimSpace(l.Name), l.Amount); err != nil {
					return fmt.Errorf("musrenbang: step: %w", err)
				}
			}
		case StageImplemented:
			for _, l := range in.Lines {
				if _, err := tx.ExecContext(ctx, `UPDATE ticket_lines SET realised = $1 WHERE ticket_id = $2 AND code = $3`,
					l.Realised, ticketID, strings.TrimSpace(l.Code)); err != nil {
					return fmt.Errorf("musrenbang: step: %w", err)
				}
			}
		case StagePostponed:
			// Postponed to next year's Musrenbang.
			args = append(args, year+1)
			set += `, year = $3`
		}
		args = append(args, ticketID)
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET `+set+fmt.Sprintf(` WHERE id = $%d`, len(args)), args...); err != nil {
			return fmt.Errorf("musrenbang: step: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_steps (id, ticket_id, stage, detail, reason, actor, at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
			tx.NewID(), ticketID, in.Stage, detail, strings.TrimSpace(in.Reason), sc.Actor(), now); err != nil {
			return fmt.Errorf("musrenbang: step: %w", err)
		}
		text := i18n.T("id", "mr.msg.ticket", ps[0].Title, detail)
		if r := strings.TrimSpace(in.Reason); r != "" {
			text += " — " + r
		}
		if err := s.tell(ctx, tx, ps[0], "ticket:"+in.Stage+":"+now.Format("20060102150405"), text, "ticket_"+in.Stage); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "ticket.step", "ticket", ticketID, ps[0].VillageCode, "stage="+in.Stage)
	})
}

const ticketCols = `t.id, t.proposal_id, p.code, p.title_enc, t.year, t.stage, t.agency, t.sub_activity, t.rkpd_year, t.apbd_year, p.supports,
	p.village_code, t.version`

func (s *Service) tickets(ctx context.Context, where string, args ...any) ([]Ticket, error) {
	ts, err := store.Rows(ctx, s.st, func(r *sql.Rows) (Ticket, error) {
		var t Ticket
		var title string
		if err := r.Scan(&t.ID, &t.ProposalID, &t.Code, &title, &t.Year, &t.Stage, &t.Agency, &t.SubActivity, &t.RKPDYear, &t.APBDYear,
			&t.Supports, &t.RegionCode, &t.Version); err != nil {
			return t, err
		}
		var err error
		t.Title, err = s.st.Open(store.FieldProposalTitle, title)
		t.Next = next[t.Stage]
		return t, err
	}, `SELECT `+ticketCols+` FROM tickets t JOIN proposals p ON p.id = t.proposal_id WHERE `+where+` ORDER BY t.year DESC, p.supports DESC, t.created_at`, args...)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if ts[i].Lines, err = store.Rows(ctx, s.st, func(r *sql.Rows) (Line, error) {
			var l Line
			var kb, kr sql.NullInt64
			err := r.Scan(&l.Code, &l.Name, &l.Amount, &l.Realised, &kb, &kr)
			l.InKLA, l.KLABudget, l.KLARealised = kb.Valid, kb.Int64, kr.Int64
			return l, err
		}, `SELECT l.code, l.name, l.amount, l.realised,
			(SELECT MAX(k.budget) FROM kla_budget_items k WHERE k.code = l.code AND k.year = l.apbd_year AND k.level = 'sub_activity'
				AND ($2 = k.region_code OR $2 LIKE k.region_code || '.%')),
			(SELECT MAX(k.realised) FROM kla_budget_items k WHERE k.code = l.code AND k.year = l.apbd_year AND k.level = 'sub_activity'
				AND ($2 = k.region_code OR $2 LIKE k.region_code || '.%'))
			FROM ticket_lines l WHERE l.ticket_id = $1 ORDER BY l.code`, ts[i].ID, ts[i].RegionCode); err != nil {
			return nil, err
		}
		if ts[i].Steps, err = store.Rows(ctx, s.st, func(r *sql.Rows) (Step, error) {
			var x Step
			return x, r.Scan(&x.Stage, &x.Detail, &x.Reason, &x.Actor, &x.At)
		}, `SELECT stage, detail, reason, actor, at FROM ticket_steps WHERE ticket_id = $1 ORDER BY at, id`, ts[i].ID); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// Tickets lists the tickets of the caller's region (year 0: every year).
// Authorization: PermPlanTickets, PermModerateProposals or
// PermViewDashboard.
func (s *Service) Tickets(ctx context.Context, sc domain.Scope, year int) ([]Ticket, error) {
	if !sc.Can(domain.PermPlanTickets) && !sc.Can(domain.PermModerateProposals) && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.village_code", sc.RegionCode, 1)
	if year != 0 {
		args = append(args, year)
		where += fmt.Sprintf(" AND t.year = $%d", len(args))
	}
	return s.tickets(ctx, where, args...)
}

// Ticket returns one ticket of the caller's region. Authorization: as
// Tickets; else not found.
func (s *Service) Ticket(ctx context.Context, sc domain.Scope, id string) (Ticket, error) {
	ts, err := s.Tickets(ctx, sc, 0)
	if err != nil {
		return Ticket{}, domain.NotFound("ticket")
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Ticket{}, domain.NotFound("ticket")
}

// Funnel counts one year's way from proposals to the budget in a region:
// proposals made that year (approved, merged ones counted in what they
// became), golden tickets of that year's Musrenbang, tickets that reached
// the RKPD and the APBD; and the seed's target figure, the APBD lines
// (programmes/activities) that come from children's proposals, each line
// counted once however many tickets reach it.
type Funnel struct {
	Year      int `json:"year"`
	Proposals int `json:"proposals"`
	Tickets   int `json:"tickets"`
	RKPD      int `json:"rkpd"`
	APBD      int `json:"apbd"`
	// APBDLines is the number of distinct APBD lines of budget year
	// Year+1 reached by tickets (the target: at least 1-2 per year).
	APBDLines int   `json:"apbd_lines"`
	Amount    int64 `json:"amount"` // rupiah on those lines
}

// Rate is part over whole as a percentage (0 when whole is 0).
func Rate(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(int(float64(part)/float64(whole)*10000+0.5)) / 100
}

// FunnelFor computes a year's funnel for a region inside the caller's.
// Authorization: as Tickets.
func (s *Service) FunnelFor(ctx context.Context, sc domain.Scope, region string, year int) (Funnel, error) {
	if !sc.Can(domain.PermPlanTickets) && !sc.Can(domain.PermModerateProposals) && !sc.Can(domain.PermViewDashboard) {
		return Funnel{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return Funnel{}, domain.NotFound("region")
	}
	f := Funnel{Year: year}
	where, args := store.ScopeClause("p.village_code", region, 1)
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	a := append(append([]any{}, args...), from, to)
	n := len(args)
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposals p WHERE `+where+fmt.Sprintf(` AND p.status = 'approved' AND p.created_at >= $%d AND p.created_at < $%d`, n+1, n+2),
		a...).Scan(&f.Proposals); err != nil {
		return f, fmt.Errorf("musrenbang: funnel: %w", err)
	}
	a = append(append([]any{}, args...), year)
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.rkpd_year > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN t.apbd_year > 0 THEN 1 ELSE 0 END), 0)
		FROM tickets t JOIN proposals p ON p.id = t.proposal_id WHERE `+where+fmt.Sprintf(` AND t.year = $%d`, n+1), a...).Scan(&f.Tickets, &f.RKPD, &f.APBD); err != nil {
		return f, fmt.Errorf("musrenbang: funnel: %w", err)
	}
	a = append(append([]any{}, args...), year+1)
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM (SELECT l.code, MAX(l.amount) AS amount
		FROM ticket_lines l JOIN tickets t ON t.id = l.ticket_id JOIN proposals p ON p.id = t.proposal_id
		WHERE `+where+fmt.Sprintf(` AND l.apbd_year = $%d AND t.stage IN ('apbd', 'implemented', 'done') GROUP BY l.code) x`, n+1), a...).Scan(&f.APBDLines, &f.Amount); err != nil {
		return f, fmt.Errorf("musrenbang: funnel: %w", err)
	}
	return f, nil
}

// APBDLinesByYear is the target figure for each budget year with tickets:
// distinct APBD lines reached by children's proposals. Authorization: as
// Tickets.
func (s *Service) APBDLinesByYear(ctx context.Context, sc domain.Scope) (map[int]int, error) {
	if !sc.Can(domain.PermPlanTickets) && !sc.Can(domain.PermModerateProposals) && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.village_code", sc.RegionCode, 1)
	type row struct{ year, n int }
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.year, &x.n)
	}, `SELECT l.apbd_year, COUNT(DISTINCT l.code) FROM ticket_lines l JOIN tickets t ON t.id = l.ticket_id JOIN proposals p ON p.id = t.proposal_id
		WHERE `+where+` AND t.stage IN ('apbd', 'implemented', 'done') GROUP BY l.apbd_year`, args...)
	out := map[int]int{}
	for _, x := range rows {
		out[x.year] = x.n
	}
	return out, err
}

// Calendar steps, in order.
var CalendarSteps = []string{"desa", "kecamatan", "forum_pd", "kabupaten", "rkpd", "kua_ppas", "apbd"}

// DefaultCalendar is the usual planning calendar of a year (village
// January, district February, agency forum February-March, regency
// Musrenbang, RKPD, KUA-PPAS, APBD approved by 30 November): editable.
func DefaultCalendar(year int) map[string]string {
	y := strconv.Itoa(year)
	return map[string]string{"desa": y + "-01-31", "kecamatan": y + "-02-28", "forum_pd": y + "-03-31", "kabupaten": y + "-04-15",
		"rkpd": y + "-05-31", "kua_ppas": y + "-08-07", "apbd": y + "-11-30"}
}

// Calendar returns a region's planning calendar of year (the defaults
// where none is set). Anyone may call it.
func (s *Service) Calendar(ctx context.Context, region string, year int) (map[string]string, error) {
	out := DefaultCalendar(year)
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) ([2]string, error) {
		var x [2]string
		return x, r.Scan(&x[0], &x[1])
	}, `SELECT step, day FROM planning_calendar WHERE region_code = $1 AND year = $2`, region, year)
	for _, x := range rows {
		out[x[0]] = x[1]
	}
	return out, err
}

// SetCalendar sets a region's planning dates of year (in step order).
// Authorization: as SelectTicket, in the region.
func (s *Service) SetCalendar(ctx context.Context, sc domain.Scope, region string, year int, days map[string]string) error {
	if err := s.mayPlan(ctx, sc); err != nil {
		return err
	}
	if region == "" || !sc.Contains(region) {
		return domain.NotFound("region")
	}
	f := domain.FieldErrors{}
	prev := ""
	for _, step := range CalendarSteps {
		d := days[step]
		t, err := time.Parse("2006-01-02", d)
		if err != nil || t.Year() != year || d < prev {
			f[step] = domain.M("mr.field.calendar")
		}
		prev = d
	}
	if len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		for _, step := range CalendarSteps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO planning_calendar (region_code, year, step, day) VALUES ($1,$2,$3,$4)
				ON CONFLICT (region_code, year, step) DO UPDATE SET day = excluded.day`, region, year, step, days[step]); err != nil {
				return fmt.Errorf("musrenbang: calendar: %w", err)
			}
		}
		return tx.Audit(ctx, sc, "musrenbang.calendar", "calendar", strconv.Itoa(year), region, "")
	})
}

// RemindUndecided tells the planners (admins and planning-agency
// operators of the region) about each golden ticket still undecided
// (selected or discussed, no RKPD decision) from seven days before the
// regency Musrenbang of its year until that day, once per ticket and
// year, however often it runs (catching up a missed day). It returns how
// many messages it queued. For the scheduler (it acts as the system).
func (s *Service) RemindUndecided(ctx context.Context) (int, error) {
	type tk struct {
		id, code, region string
		year             int
	}
	ts, err := store.Rows(ctx, s.st, func(r *sql.Rows) (tk, error) {
		var x tk
		return x, r.Scan(&x.id, &x.code, &x.region, &x.year)
	}, `SELECT t.id, p.code, p.village_code, t.year FROM tickets t JOIN proposals p ON p.id = t.proposal_id WHERE t.stage IN ('selected', 'discussed')`)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, t := range ts {
		regency := t.region
		if len(regency) >= 5 {
			regency = regency[:5]
		}
		cal, err := s.Calendar(ctx, regency, t.year)
		if err != nil {
			return sent, err
		}
		day, err := time.ParseInLocation("2006-01-02", cal["kabupaten"], domain.ZoneFor(t.region))
		if err != nil {
			continue
		}
		now := s.st.Now()
		if now.Before(day.AddDate(0, 0, -7)) || !now.Before(day.AddDate(0, 0, 1)) {
			continue
		}
		users, err := store.Rows(ctx, s.st, func(r *sql.Rows) (string, error) {
			var u string
			return u, r.Scan(&u)
		}, `SELECT id FROM users WHERE NOT disabled AND (role = 'admin' OR (role = 'opd_operator' AND agency = 'bappeda'))
			AND ($1 = region_code OR $1 LIKE region_code || '.%')`, t.region)
		if err != nil {
			return sent, err
		}
		err = s.st.InTx(ctx, func(tx *store.Tx) error {
			for _, u := range users {
				ok, err := tx.Enqueue(ctx, store.Message{Key: fmt.Sprintf("ticket-undecided:%s:%d:%s", t.id, t.year, u), UserID: u, Region: t.region,
					Body: i18n.T("id", "sms.mr.undecided", domain.FormatPublicCode(t.code), cal["kabupaten"])})
				if err != nil {
					return err
				}
				if ok {
					sent++
				}
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// OpenData writes the public proposals as rows for the open-data CSV: no
// child identifiers (no names, no accounts, no phone), only the village,
// age group, cluster, supports, status and ticket stage. Anyone may call
// it.
func (s *Service) OpenData(ctx context.Context, region string) ([][]string, error) {
	ps, err := s.Public(ctx, PublicFilter{Region: region, Sort: "date"})
	if err != nil {
		return nil, err
	}
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, []string{domain.FormatPublicCode(p.Code), p.Title, p.Body, p.Cluster, p.DistrictName, p.VillageName, p.AgeGroup,
			strconv.Itoa(p.Supports), p.Ticket, p.CreatedAt.UTC().Format("2006-01-02")})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][9] > rows[j][9] })
	return rows, nil
}
