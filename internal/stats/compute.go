package stats

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"

	"golang.org/x/sync/errgroup"
)

// Service is the area on a store.
type Service struct {
	st    *store.Store
	cache *Cache // nil: every call reads the records
}

// New returns the area. Its reads are long ones (every case of a region
// and year): they go to the store's pool for those (store.Bulk).
func New(st *store.Store) *Service { return &Service{st: st.Bulk()} }

// caseFact is what the tables need of one case: no name, no narrative.
type caseFact struct {
	id        string
	region    string
	year      int
	status    string
	kdrt      bool
	reported  time.Time
	responded *time.Time
	types     []string
	victims   []victimFact
	perps     []perpFact
}

type victimFact struct {
	sex      string
	age      *int
	place    string
	disabled bool
	types    []string
}

type perpFact struct{ sex, relation string }

// load reads the cases of region reported in the years from..to (inclusive,
// in the region's time zone) with their victims, types and perpetrators:
// four reads run side by side (the read pool has several connections),
// merged by case id afterwards. Sealed fields are not opened: a victim has
// a disability when one is recorded (the sealed value is not empty).
func (s *Service) load(ctx context.Context, region string, from, to int) ([]*caseFact, error) {
	zone := domain.ZoneFor(region)
	start := time.Date(from, 1, 1, 0, 0, 0, 0, zone).UTC()
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, zone).UTC()
	where, args := store.ScopeClause("c.region_code", region, 3)
	args = append([]any{start, end}, args...)
	cond := `c.reported_at >= $1 AND c.reported_at < $2 AND ` + where

	type caseRow struct {
		c     caseFact
		place string
	}
	type idType struct{ id, typ string }
	type victimRow struct {
		id, caseID string
		v          victimFact
		typ        sql.NullString
	}
	type perpRow struct {
		caseID string
		p      perpFact
	}
	var cs []caseRow
	var cts []idType
	var vs []victimRow
	var ps []perpRow
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return eachRow(gctx, s.st, `SELECT c.id, c.region_code, c.status, c.kdrt, c.reported_at, c.responded_at, c.place
			FROM cases c WHERE `+cond+` ORDER BY c.reported_at, c.id`, args, func(r *sql.Rows) error {
			var x caseRow
			var resp sql.NullTime
			if err := r.Scan(&x.c.id, &x.c.region, &x.c.status, &x.c.kdrt, &x.c.reported, &resp, &x.place); err != nil {
				return err
			}
			x.c.reported = x.c.reported.UTC()
			x.c.year = x.c.reported.In(zone).Year()
			if resp.Valid {
				t := resp.Time.UTC()
				x.c.responded = &t
			}
			cs = append(cs, x)
			return nil
		})
	})
	g.Go(func() error {
		return eachRow(gctx, s.st, `SELECT t.case_id, t.type FROM case_types t JOIN cases c ON c.id = t.case_id WHERE `+cond, args,
			func(r *sql.Rows) error {
				var x idType
				if err := r.Scan(&x.id, &x.typ); err != nil {
					return err
				}
				cts = append(cts, x)
				return nil
			})
	})
	// Victims with their own types (a victim without types of their own
	// comes once, with type NULL).
	g.Go(func() error {
		return eachRow(gctx, s.st, `SELECT v.id, v.case_id, v.sex, v.age, v.place,
				(v.disability <> '' OR v.disability_enc <> '' OR v.disabilities_enc <> ''), t.type
			FROM cases c JOIN victims v ON v.case_id = c.id LEFT JOIN victim_types t ON t.victim_id = v.id WHERE `+cond+`
			ORDER BY v.case_id, v.created_at, v.id`, args,
			func(r *sql.Rows) error {
				var x victimRow
				var age sql.NullInt64
				if err := r.Scan(&x.id, &x.caseID, &x.v.sex, &age, &x.v.place, &x.v.disabled, &x.typ); err != nil {
					return err
				}
				if age.Valid {
					a := int(age.Int64)
					x.v.age = &a
				}
				vs = append(vs, x)
				return nil
			})
	})
	g.Go(func() error {
		return eachRow(gctx, s.st, `SELECT p.case_id, p.sex, p.relation FROM perpetrators p JOIN cases c ON c.id = p.case_id WHERE `+cond, args,
			func(r *sql.Rows) error {
				var x perpRow
				if err := r.Scan(&x.caseID, &x.p.sex, &x.p.relation); err != nil {
					return err
				}
				ps = append(ps, x)
				return nil
			})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, nil
	}
	cases := make([]*caseFact, len(cs))
	byID := make(map[string]*caseFact, len(cs))
	for i := range cs {
		cases[i] = &cs[i].c
		byID[cs[i].c.id] = cases[i]
	}
	for _, x := range cts {
		if c := byID[x.id]; c != nil {
			c.types = append(c.types, x.typ)
		}
	}
	for _, x := range ps {
		if c := byID[x.caseID]; c != nil {
			c.perps = append(c.perps, x.p)
		}
	}
	place := make(map[string]string, len(cs))
	for _, x := range cs {
		place[x.c.id] = x.place
	}
	lastID := ""
	for _, x := range vs {
		c := byID[x.caseID]
		if c == nil {
			continue
		}
		if x.id == lastID {
			if x.typ.Valid {
				v := &c.victims[len(c.victims)-1]
				v.types = append(v.types, x.typ.String)
			}
			continue
		}
		lastID = x.id
		v := x.v
		if v.place == "" {
			v.place = place[x.caseID]
		}
		if x.typ.Valid {
			v.types = []string{x.typ.String}
		}
		c.victims = append(c.victims, v)
	}
	// A victim without types of their own suffered the case's types.
	for _, c := range cases {
		sort.Strings(c.types)
		for i := range c.victims {
			if len(c.victims[i].types) == 0 {
				c.victims[i].types = c.types
			}
		}
	}
	return cases, nil
}

func eachRow(ctx context.Context, st *store.Store, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := st.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("stats: query: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("stats: scan: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stats: rows: %w", err)
	}
	return nil
}

// group is SIMFONI's P/A split of a victim, "other" for an adult man or a
// victim of unknown age.
func group(v victimFact) string {
	if g := domain.VictimGroup(v.age, domain.Sex(v.sex)); g != "" {
		return g
	}
	return "other"
}

// SLA is the 24-hour response measure of a year: a case counts when its
// child was reached (first contact, responded_at) or its 24 hours have
// passed. Within: reached within 24 hours of the report (exactly 24 hours
// counts as within). Breached: reached later, or not reached and past the
// 24 hours. Pending: not reached, still inside the 24 hours (not counted).
// Median: of the time to first contact over the cases reached (Reached of
// them). Hidden: fewer evaluated cases than the disclosure threshold.
type SLA struct {
	Year        int     `json:"year"`
	N           int     `json:"n"`
	Within      int     `json:"within"`
	Breached    int     `json:"breached"`
	Pending     int     `json:"pending"`
	Reached     int     `json:"reached"`
	Share       float64 `json:"share"`        // percent within of N
	MedianHours float64 `json:"median_hours"` // over Reached
	Hidden      bool    `json:"hidden,omitempty"`
}

// SLALimit is the response deadline the share is measured against.
const SLALimit = 24 * time.Hour

func slaOf(cases []*caseFact, year int, now time.Time) SLA {
	s := SLA{Year: year}
	var times []time.Duration
	for _, c := range cases {
		if c.year != year {
			continue
		}
		switch {
		case c.responded != nil:
			d := c.responded.Sub(c.reported)
			if d < 0 {
				d = 0
			}
			times = append(times, d)
			if d <= SLALimit {
				s.Within++
			} else {
				s.Breached++
			}
		case now.Sub(c.reported) > SLALimit:
			s.Breached++
		default:
			s.Pending++
		}
	}
	s.N = s.Within + s.Breached
	s.Reached = len(times)
	if s.N > 0 {
		s.Share = float64(s.Within) * 100 / float64(s.N)
	}
	if len(times) > 0 {
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		m := len(times) / 2
		med := times[m]
		if len(times)%2 == 0 {
			med = (times[m-1] + times[m]) / 2
		}
		s.MedianHours = med.Hours()
	}
	return s
}

// Set is the statistics of a region for a year: the tables, the 24-hour
// measure of each year shown, and what is needed to check rules.
type Set struct {
	RegionCode string  `json:"region_code"`
	RegionName string  `json:"region_name"`
	Year       int     `json:"year"`
	Threshold  int     `json:"threshold"`
	Suppressed bool    `json:"suppressed"`
	Tables     []Table `json:"tables"`
	SLA        []SLA   `json:"sla"`
	ComputedAt string  `json:"computed_at"`

	// groupVictims are the victims of each year by P/A group (rules).
	groupVictims []map[string]int64
}

// Table returns the table with id, or nil.
func (s *Set) Table(id string) *Table {
	for i := range s.Tables {
		if s.Tables[i].ID == id {
			return &s.Tables[i]
		}
	}
	return nil
}

var (
	gN     = []Group{{Key: "n", LabelKey: "stats.g.n"}}
	gPA    = []Group{{Key: "P", LabelKey: "stats.g.P"}, {Key: "A", LabelKey: "stats.g.A"}, {Key: "other", LabelKey: "stats.g.other"}, {Key: "all", LabelKey: "stats.g.all", Total: true}}
	gPAloc = []Group{{Key: "P", LabelKey: "stats.g.P"}, {Key: "A", LabelKey: "stats.g.A"}, {Key: "all", LabelKey: "stats.g.PA", Total: true}}
	gSex   = []Group{{Key: "L", LabelKey: "sex.L"}, {Key: "P", LabelKey: "sex.P"}, {Key: "unknown", LabelKey: "sex.unknown"}, {Key: "all", LabelKey: "stats.g.all", Total: true}}
)

func sexKey(s string) string {
	if s == "L" || s == "P" {
		return s
	}
	return "unknown"
}

func total(key string) Row { return Row{Key: "total", LabelKey: key, Total: true} }

// compute builds the tables of region for year (and the year before)
// from cases.
func compute(cases []*caseFact, region domain.Region, children []domain.Region, year int, now time.Time, cw Crosswalk) Set {
	years := []int{year - 1, year}
	set := Set{RegionCode: region.Code, RegionName: region.Name, Year: year}
	for range years {
		set.groupVictims = append(set.groupVictims, map[string]int64{})
	}

	// Three measures, never summed into each other.
	sum := newTable("summary", years, gN, []Row{{Key: "cases", LabelKey: "stats.r.cases"},
		{Key: "victims", LabelKey: "stats.r.victims"}, {Key: "type_counts", LabelKey: "stats.r.type_counts"}})
	sum.Change = true
	for yi, y := range years {
		sum.Rows[0].Cells[yi].Ref = "cases:" + strconv.Itoa(y)
		sum.Rows[1].Cells[yi].Ref = "victims:" + strconv.Itoa(y)
		sum.Rows[2].Cells[yi].Ref = "typecounts:" + strconv.Itoa(y)
	}

	var typeRows []Row
	for _, t := range domain.ViolenceTypes {
		typeRows = append(typeRows, Row{Key: string(t), LabelKey: "vtype." + string(t)})
	}
	typeRows = append(typeRows, total("stats.r.type_total"))
	byType := newTable("types", years, gPA, typeRows)
	byType.Change = true
	byType.NoteKey = "stats.n.types"
	for yi, y := range years {
		byType.Rows[len(byType.Rows)-1].Cells[byType.cellIndex(yi, 3)].Ref = "typecounts:" + strconv.Itoa(y)
	}

	var distRows []Row
	for _, c := range children {
		distRows = append(distRows, Row{Key: c.Code, Label: c.Name})
	}
	distRows = append(distRows, total("stats.r.victims"))
	byDist := newTable("districts", years, gN, distRows)
	byDist.Change = true
	for yi, y := range years {
		byDist.Rows[len(byDist.Rows)-1].Cells[yi].Ref = "victims:" + strconv.Itoa(y)
	}
	childOf := func(code string) string {
		for _, c := range children {
			if len(code) >= len(c.Code) && code[:len(c.Code)] == c.Code && (len(code) == len(c.Code) || code[len(c.Code)] == '.') {
				return c.Code
			}
		}
		return ""
	}

	one := []int{year}
	yRef := "victims:" + strconv.Itoa(year)
	var ageRows []Row
	for _, b := range []string{"0-5", "6-12", "13-17", "18-24", "25-44", "45-59", "60+"} {
		ageRows = append(ageRows, Row{Key: b, Label: b})
	}
	ageRows = append(ageRows, Row{Key: "unknown", LabelKey: "stats.r.age_unknown"}, total("stats.r.victims"))
	byAge := newTable("age_sex", one, gSex, ageRows)
	byAge.Rows[len(byAge.Rows)-1].Cells[3].Ref = yRef

	var placeRows []Row
	for _, p := range domain.Places {
		placeRows = append(placeRows, Row{Key: p, LabelKey: "place." + p})
	}
	placeRows = append(placeRows, Row{Key: "unknown", LabelKey: "stats.r.unknown"}, total("stats.r.victims"))
	byPlace := newTable("places", one, gN, placeRows)
	byPlace.Rows[len(byPlace.Rows)-1].Cells[0].Ref = yRef

	byDis := newTable("disability", one, gN, []Row{{Key: "yes", LabelKey: "stats.r.disability_yes"},
		{Key: "no", LabelKey: "stats.r.disability_no"}, total("stats.r.victims")})
	byDis.Rows[2].Cells[0].Ref = yRef

	var relRows []Row
	for _, r := range domain.Relations {
		relRows = append(relRows, Row{Key: r, LabelKey: "rel." + r})
	}
	relRows = append(relRows, total("stats.r.perpetrators"))
	byRel := newTable("perpetrators", one, gSex, relRows)

	var statusRows []Row
	for _, st := range []domain.CaseStatus{domain.StatusNew, domain.StatusVerified, domain.StatusAssigned, domain.StatusAcknowledged,
		domain.StatusResponded, domain.StatusInService, domain.StatusReferred, domain.StatusClosed} {
		statusRows = append(statusRows, Row{Key: string(st), LabelKey: "cstatus." + string(st)})
	}
	statusRows = append(statusRows, total("stats.r.cases"))
	byStatus := newTable("status", one, gN, statusRows)
	byStatus.Rows[len(byStatus.Rows)-1].Cells[0].Ref = "cases:" + strconv.Itoa(year)
	byStatus.NoteKey = "stats.n.status"

	local := cw.table(years)

	for _, c := range cases {
		sum.add("cases", c.year, "n")
		if c.year == year {
			byStatus.add(c.status, c.year, "n")
			for _, p := range c.perps {
				byRel.add(p.relation, c.year, sexKey(p.sex))
			}
		}
		for _, v := range c.victims {
			g := group(v)
			if yi := c.year - years[0]; yi >= 0 && yi < len(years) {
				set.groupVictims[yi][g]++
			}
			sum.add("victims", c.year, "n")
			if d := childOf(c.region); d != "" {
				byDist.add(d, c.year, "n")
			}
			for _, t := range v.types {
				sum.add("type_counts", c.year, "n")
				byType.add(t, c.year, g)
			}
			local.addVictim(cw, v, c.kdrt, c.year, g)
			if c.year != year {
				continue
			}
			band := domain.AgeBand(v.age)
			if band == "" {
				band = "unknown"
			}
			byAge.add(band, c.year, sexKey(v.sex))
			pl := v.place
			if !domain.ValidPlace(pl) || pl == "" {
				pl = "unknown"
			}
			byPlace.add(pl, c.year, "n")
			if v.disabled {
				byDis.add("yes", c.year, "n")
			} else {
				byDis.add("no", c.year, "n")
			}
		}
	}
	// Victims recorded at the region itself (not in one of its districts)
	// still count in the total: they get a row of their own.
	last := len(byDist.Rows) - 1
	rest, some := make([]Cell, len(years)), false
	for yi := range years {
		rest[yi].V = byDist.Rows[last].Cells[yi].V
		for _, r := range byDist.Rows[:last] {
			rest[yi].V -= r.Cells[yi].V
		}
		some = some || rest[yi].V > 0
	}
	if some {
		tot := byDist.Rows[last]
		byDist.Rows = append(byDist.Rows[:last:last], Row{Key: "region", LabelKey: "stats.r.region_itself", Cells: rest}, tot)
	}
	set.Tables = []Table{sum, byType, local.Table, byDist, byAge, byPlace, byDis, byRel, byStatus}
	for _, y := range years {
		set.SLA = append(set.SLA, slaOf(cases, y, now))
	}
	for i := range set.Tables {
		t := &set.Tables[i]
		t.Meta = Meta{ConceptKey: "stats.t." + t.ID + ".concept", DefinitionKey: "stats.t." + t.ID + ".definition",
			UnitKey: unitOf(t.ID), RegionCode: region.Code, RegionName: region.Name, Period: periodOf(t.Years)}
	}
	return set
}

func unitOf(id string) string {
	switch id {
	case "summary", "status":
		return "stats.u.mixed"
	case "perpetrators":
		return "stats.u.perpetrators"
	case "types", "local":
		return "stats.u.type_counts"
	}
	return "stats.u.victims"
}

func periodOf(years []int) string {
	if len(years) == 1 {
		return strconv.Itoa(years[0])
	}
	return strconv.Itoa(years[0]) + "–" + strconv.Itoa(years[len(years)-1])
}

// Compute builds the live statistics of region (within the caller's) for
// year from the case records, with disclosure control applied unless the
// caller manages the region's cases (they see every case anyway).
// Authorization: PermViewDashboard within the region.
func (s *Service) Compute(ctx context.Context, sc domain.Scope, regionCode string, year int) (Set, error) {
	if !sc.Can(domain.PermViewDashboard) {
		return Set{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	if regionCode == "" {
		regionCode = sc.RegionCode
	}
	if regionCode == "" {
		regionCode = s.st.RootRegion()
	}
	if !sc.Contains(regionCode) {
		return Set{}, domain.NotFound("region")
	}
	set, err := s.computeCached(ctx, regionCode, year)
	if err != nil {
		return Set{}, err
	}
	rule, err := s.Rule(ctx)
	if err != nil {
		return Set{}, err
	}
	set.Threshold = rule.Threshold
	if !sc.Can(domain.PermManageCases) {
		Apply(&set, rule)
	}
	return set, nil
}

// compute is Compute without the caller's checks and without disclosure
// control.
func (s *Service) compute(ctx context.Context, regionCode string, year int) (Set, error) {
	if year < 1990 || year > 2100 {
		return Set{}, domain.E(domain.EInvalid, "stats.err.year")
	}
	region, err := s.st.GetRegion(ctx, regionCode)
	if err != nil {
		return Set{}, err
	}
	children, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: regionCode, Limit: 200})
	if err != nil {
		return Set{}, err
	}
	cases, err := s.load(ctx, regionCode, year-1, year)
	if err != nil {
		return Set{}, err
	}
	now := s.st.Now()
	set := compute(cases, region, children, year, now, Pessel)
	set.ComputedAt = now.Format(time.RFC3339)
	return set, nil
}
