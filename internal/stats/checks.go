package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Validation rules (DHIS2's left side, operator, right side, importance):
// built-in ones every table must meet, rules an admin adds, and a
// year-on-year jump check. A violated rule of high importance, or a jump,
// blocks publishing until it is fixed or explained; the explanation is kept
// with the release.

// Importances of a rule.
var Importances = []string{"high", "medium", "low"}

// Operators of a rule.
var Operators = []string{"<=", "<", "=", ">=", ">", "!="}

// Jump: a change of at least JumpPercent and JumpMin cases between two
// years is flagged.
const (
	JumpPercent = 50
	JumpMin     = 10
)

// RuleDef is a validation rule. Left and Right are measures ("victims_A")
// or, on the right, a whole number.
type RuleDef struct {
	ID         string `json:"id"`
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
	Left       string `json:"left"`
	Op         string `json:"op"`
	Right      string `json:"right"`
	Importance string `json:"importance"`
	BuiltIn    bool   `json:"built_in,omitempty"`
}

// BuiltInRules hold for every region: SIMFONI's cases ≤ victims ≤ type
// counts (a case has at least one victim, a victim at least one type) and
// child victims ≤ victims.
var BuiltInRules = []RuleDef{
	{ID: "builtin-cases-victims", Name: "stats.rule.cases_victims", Left: "cases", Op: "<=", Right: "victims", Importance: "medium", BuiltIn: true},
	{ID: "builtin-victims-types", Name: "stats.rule.victims_types", Left: "victims", Op: "<=", Right: "type_counts", Importance: "medium", BuiltIn: true},
	{ID: "builtin-children-victims", Name: "stats.rule.children_victims", Left: "victims_A", Op: "<=", Right: "victims", Importance: "high", BuiltIn: true},
}

// measureName: cases, victims, victims_A, victims_P, type_counts,
// type:<type>, type_A:<type>, type_P:<type>.
var measureName = regexp.MustCompile(`^(cases|victims|victims_A|victims_P|type_counts|(type|type_A|type_P):[a-z_]+)$`)

// Measures lists the measure names a rule may use.
func Measures() []string {
	m := []string{"cases", "victims", "victims_A", "victims_P", "type_counts"}
	for _, t := range domain.ViolenceTypes {
		m = append(m, "type:"+string(t), "type_A:"+string(t), "type_P:"+string(t))
	}
	return m
}

// measure reads a measure of year index yi from a set's tables (raw values).
func measure(set *Set, name string, yi int) (int64, bool) {
	if n, err := strconv.ParseInt(name, 10, 64); err == nil {
		return n, true
	}
	sum, types := set.Table("summary"), set.Table("types")
	if sum == nil || types == nil {
		return 0, false
	}
	row := func(t *Table, key string) int {
		for i, r := range t.Rows {
			if r.Key == key {
				return i
			}
		}
		return -1
	}
	groupAt := func(t *Table, key string) int {
		for i, g := range t.Groups {
			if g.Key == key {
				return i
			}
		}
		return -1
	}
	switch name {
	case "cases", "victims", "type_counts":
		return sum.At(row(sum, name), yi, 0).V, true
	case "victims_A", "victims_P":
		if yi >= len(set.groupVictims) {
			return 0, false
		}
		return set.groupVictims[yi][name[len(name)-1:]], true
	}
	kind, typ, ok := strings.Cut(name, ":")
	if !ok {
		return 0, false
	}
	r := row(types, typ)
	if r < 0 {
		return 0, false
	}
	g := "all"
	if kind == "type_A" {
		g = "A"
	} else if kind == "type_P" {
		g = "P"
	}
	return types.At(r, yi, groupAt(types, g)).V, true
}

// Check is one validation result of a region's year.
type Check struct {
	Key         string  `json:"key"`
	Kind        string  `json:"kind"` // rule, jump
	Name        string  `json:"name"` // i18n key (built-in) or the admin's text
	BuiltIn     bool    `json:"built_in,omitempty"`
	Importance  string  `json:"importance"`
	Left        string  `json:"left"`
	Op          string  `json:"op"`
	Right       string  `json:"right"`
	LeftValue   int64   `json:"left_value"`
	RightValue  int64   `json:"right_value"`
	ChangePct   float64 `json:"change_pct,omitempty"`
	Blocking    bool    `json:"blocking"`
	Explanation string  `json:"explanation,omitempty"`
	ExplainedBy string  `json:"explained_by,omitempty"`
}

func holds(a int64, op string, b int64) bool {
	switch op {
	case "<=":
		return a <= b
	case "<":
		return a < b
	case "=":
		return a == b
	case ">=":
		return a >= b
	case ">":
		return a > b
	case "!=":
		return a != b
	}
	return false
}

// evaluate returns the violations of set's last year: rules that do not
// hold and jumps in the summary and district tables.
func evaluate(set *Set, rules []RuleDef) []Check {
	var out []Check
	last := len(set.Table("summary").Years) - 1
	for _, r := range rules {
		a, okA := measure(set, r.Left, last)
		b, okB := measure(set, r.Right, last)
		if !okA || !okB || holds(a, r.Op, b) {
			continue
		}
		out = append(out, Check{Key: "rule:" + r.ID, Kind: "rule", Name: r.Name, BuiltIn: r.BuiltIn, Importance: r.Importance,
			Left: r.Left, Op: r.Op, Right: r.Right, LeftValue: a, RightValue: b, Blocking: r.Importance == "high"})
	}
	for _, id := range []string{"summary", "districts"} {
		t := set.Table(id)
		for ri, row := range t.Rows {
			c := t.ChangeOf(ri, 0)
			if !c.Shown {
				continue
			}
			a := t.At(ri, 0, 0).V
			big := math.Abs(float64(c.Abs)) >= JumpMin && (c.FromNil || math.Abs(c.Pct) >= JumpPercent)
			if !big {
				continue
			}
			name := row.Label
			if name == "" {
				name = row.LabelKey
			}
			out = append(out, Check{Key: "jump:" + id + ":" + row.Key, Kind: "jump", Name: name, Importance: "high",
				LeftValue: a, RightValue: a + c.Abs, ChangePct: c.Pct, Blocking: true})
		}
	}
	return out
}

// Rules lists the built-in rules and the region's own (and those of the
// regions above it). Authorization: PermViewDashboard.
func (s *Service) Rules(ctx context.Context, sc domain.Scope, region string) ([]RuleDef, error) {
	if !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	return s.rules(ctx, s.st, region)
}

func (s *Service) rules(ctx context.Context, q store.Querier, region string) ([]RuleDef, error) {
	own, err := store.Rows(ctx, q, func(r *sql.Rows) (RuleDef, error) {
		var d RuleDef
		return d, r.Scan(&d.ID, &d.RegionCode, &d.Name, &d.Left, &d.Op, &d.Right, &d.Importance)
	}, `SELECT id, region_code, name, left_side, op, right_side, importance FROM stat_rules ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("stats: rules: %w", err)
	}
	out := append([]RuleDef(nil), BuiltInRules...)
	for _, d := range own {
		if domain.RegionWithin(d.RegionCode, region) {
			out = append(out, d)
		}
	}
	return out, nil
}

// AddRule adds a rule for region. Authorization: PermPublishStats within
// the region.
func (s *Service) AddRule(ctx context.Context, sc domain.Scope, d RuleDef) (RuleDef, error) {
	if !sc.Can(domain.PermPublishStats) {
		return RuleDef{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	if d.RegionCode == "" {
		d.RegionCode = sc.RegionCode
	}
	if d.RegionCode == "" {
		d.RegionCode = s.st.RootRegion()
	}
	if !sc.Contains(d.RegionCode) {
		return RuleDef{}, domain.NotFound("region")
	}
	d.Name, d.Left, d.Right = strings.TrimSpace(d.Name), strings.TrimSpace(d.Left), strings.TrimSpace(d.Right)
	fe := domain.FieldErrors{}
	if d.Name == "" || len(d.Name) > 200 {
		fe["name"] = domain.M("stats.err.rule_name")
	}
	if !measureName.MatchString(d.Left) || !validMeasure(d.Left) {
		fe["left"] = domain.M("stats.err.measure")
	}
	if _, err := strconv.ParseInt(d.Right, 10, 64); err != nil && (!measureName.MatchString(d.Right) || !validMeasure(d.Right)) {
		fe["right"] = domain.M("stats.err.measure")
	}
	if !oneOf(d.Op, Operators) {
		fe["op"] = domain.M("stats.err.op")
	}
	if !oneOf(d.Importance, Importances) {
		fe["importance"] = domain.M("stats.err.importance")
	}
	if len(fe) > 0 {
		return RuleDef{}, domain.InvalidFields(fe)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		d.ID = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_rules (id, region_code, name, left_side, op, right_side, importance, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, d.ID, d.RegionCode, d.Name, d.Left, d.Op, d.Right, d.Importance, sc.UserID, tx.Now()); err != nil {
			return fmt.Errorf("stats: add rule: %w", err)
		}
		return tx.Audit(ctx, sc, "stats.rule_add", "stat_rule", d.ID, d.RegionCode, d.Left+" "+d.Op+" "+d.Right)
	})
	return d, err
}

// DeleteRule removes a region's rule. Authorization: PermPublishStats
// within the rule's region.
func (s *Service) DeleteRule(ctx context.Context, sc domain.Scope, id string) error {
	if !sc.Can(domain.PermPublishStats) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM stat_rules WHERE id = $1`, id).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("rule")
		}
		if err != nil {
			return fmt.Errorf("stats: rule: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM stat_rules WHERE id = $1`, id); err != nil {
			return fmt.Errorf("stats: delete rule: %w", err)
		}
		return tx.Audit(ctx, sc, "stats.rule_delete", "stat_rule", id, region, "")
	})
}

func validMeasure(m string) bool {
	for _, x := range Measures() {
		if x == m {
			return true
		}
	}
	return false
}

func oneOf(x string, xs []string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Checks evaluates the rules and the jump check on the region's live
// figures for year, with the explanations given. Authorization:
// PermPublishStats within the region.
func (s *Service) Checks(ctx context.Context, sc domain.Scope, region string, year int) ([]Check, error) {
	if !sc.Can(domain.PermPublishStats) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	set, err := s.computeCached(ctx, region, year)
	if err != nil {
		return nil, err
	}
	return s.checks(ctx, s.st, &set)
}

func (s *Service) checks(ctx context.Context, q store.Querier, set *Set) ([]Check, error) {
	rules, err := s.rules(ctx, q, set.RegionCode)
	if err != nil {
		return nil, err
	}
	out := evaluate(set, rules)
	notes, err := store.Rows(ctx, q, func(r *sql.Rows) ([3]string, error) {
		var n [3]string
		return n, r.Scan(&n[0], &n[1], &n[2])
	}, `SELECT e.check_key, e.comment, COALESCE(u.username, e.by_user) FROM stat_explanations e LEFT JOIN users u ON u.id = e.by_user
		WHERE e.region_code = $1 AND e.year = $2`, set.RegionCode, set.Year)
	if err != nil {
		return nil, fmt.Errorf("stats: explanations: %w", err)
	}
	for i := range out {
		for _, n := range notes {
			if n[0] == out[i].Key {
				out[i].Explanation, out[i].ExplainedBy = n[1], n[2]
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Blocking && !out[j].Blocking })
	return out, nil
}

// Explain keeps a value despite a check: the comment is stored for the
// region's year and goes into the next release. Authorization:
// PermPublishStats within the region.
func (s *Service) Explain(ctx context.Context, sc domain.Scope, region string, year int, key, comment string) error {
	if !sc.Can(domain.PermPublishStats) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	if !sc.Contains(region) {
		return domain.NotFound("region")
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) < 10 || len(comment) > 2000 {
		return domain.InvalidFields(domain.FieldErrors{"comment": domain.M("stats.err.comment")})
	}
	if !strings.HasPrefix(key, "rule:") && !strings.HasPrefix(key, "jump:") || len(key) > 200 {
		return domain.NotFound("check")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_explanations (region_code, year, check_key, comment, by_user, at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_code, year, check_key) DO UPDATE SET comment = excluded.comment,
			by_user = excluded.by_user, at = excluded.at`, region, year, key, comment, sc.UserID, tx.Now()); err != nil {
			return fmt.Errorf("stats: explain: %w", err)
		}
		return tx.Audit(ctx, sc, "stats.explain", "stat_check", key, region, strconv.Itoa(year))
	})
}

// unexplained are the blocking checks without an explanation.
func unexplained(cs []Check) []Check {
	var out []Check
	for _, c := range cs {
		if c.Blocking && c.Explanation == "" {
			out = append(out, c)
		}
	}
	return out
}
