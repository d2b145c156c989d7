package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
)

// KLA catalogue, rubric, agency binding, values with their history and
// evidence files. Authorization rules are stated on each method; every
// change is audited in its own transaction.

// subtreeClause restricts column to root and everything below it, as a
// range on the code so a B-tree index serves it on both engines (the
// PostgreSQL column uses the "C" collation). "/" is the byte after ".".
func subtreeClause(column, root string, n int) (string, []any) {
	if root == "" {
		return "1=1", nil
	}
	return fmt.Sprintf("(%s = $%d OR (%s >= $%d AND %s < $%d))", column, n, column, n+1, column, n+2),
		[]any{root, root + ".", root + "/"}
}

// below restricts column to strictly below root.
func below(column, root string, n int) (string, []any) {
	if root == "" {
		return "1=1", nil
	}
	return fmt.Sprintf("(%s >= $%d AND %s < $%d)", column, n, column, n+1), []any{root + ".", root + "/"}
}

func forbidden(what string) error { return domain.Errorf(domain.EForbidden, "%s", what) }

// KLAAgencies lists agencies and other parties, by name.
func (s *Store) KLAAgencies(ctx context.Context) ([]domain.KLAAgency, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT code, name, kind FROM kla_agencies ORDER BY kind, name`)
	if err != nil {
		return nil, fmt.Errorf("store: kla agencies: %w", err)
	}
	defer rows.Close()
	var out []domain.KLAAgency
	for rows.Next() {
		var a domain.KLAAgency
		if err := rows.Scan(&a.Code, &a.Name, &a.Kind); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpsertKLAAgencies adds or renames agencies. Authorization: PermManageKLA.
func (s *Store) UpsertKLAAgencies(ctx context.Context, sc domain.Scope, as []domain.KLAAgency) error {
	if !sc.Can(domain.PermManageKLA) || !s.deploymentWide(sc) {
		return forbidden("only an administrator manages agencies")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, a := range as {
			if a.Code == "" || a.Name == "" || !inStrings(a.Kind, domain.KLAPartyKinds) {
				return domain.Invalid("bad agency", map[string]string{"agency": "needs a code, a name and a kind"})
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agencies (code, name, kind) VALUES ($1, $2, $3)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind`, a.Code, a.Name, a.Kind); err != nil {
				return fmt.Errorf("store: upsert agency: %w", err)
			}
		}
		return s.audit(ctx, tx, sc, "kla.agencies", "kla_agency", "", sc.RegionCode, strconv.Itoa(len(as))+" agencies")
	})
}

func inStrings(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetUserAgency binds an opd_operator (or anyone) to an agency; "" unbinds.
// Authorization: PermManageUsers and the user inside the caller's region.
func (s *Store) SetUserAgency(ctx context.Context, sc domain.Scope, userID, agency string) error {
	if !sc.Can(domain.PermManageUsers) {
		return forbidden("only an administrator binds users to agencies")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1`, userID).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("store: user agency: %w", err)
		}
		if agency != "" {
			var n int
			tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_agencies WHERE code = $1`, agency).Scan(&n)
			if n == 0 {
				return domain.Invalid("unknown agency", map[string]string{"agency": "no agency with this code"})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET agency = $1, updated_at = $2 WHERE id = $3`, agency, s.utc(), userID); err != nil {
			return fmt.Errorf("store: user agency: %w", err)
		}
		return s.audit(ctx, tx, sc, "user.agency", "user", userID, region, "agency="+agency)
	})
}

// UserAgency returns the agency bound to a user ("" when none).
func (s *Store) UserAgency(ctx context.Context, userID string) (string, error) {
	var a string
	err := s.r.QueryRowContext(ctx, `SELECT agency FROM users WHERE id = $1`, userID).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: user agency: %w", err)
	}
	return a, nil
}

// KLARegimes lists the catalogue versions, oldest first.
func (s *Store) KLARegimes(ctx context.Context) ([]domain.KLARegime, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT g.id, g.name, g.from_year,
		(SELECT COUNT(*) FROM kla_indicators i WHERE i.regime = g.id) FROM kla_regimes g ORDER BY g.from_year, g.id`)
	if err != nil {
		return nil, fmt.Errorf("store: kla regimes: %w", err)
	}
	defer rows.Close()
	var out []domain.KLARegime
	for rows.Next() {
		var g domain.KLARegime
		if err := rows.Scan(&g.ID, &g.Name, &g.FromYear, &g.Count); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// KLARegimeFor returns the regime that applies to year: the newest one
// starting at or before it, else the oldest.
func (s *Store) KLARegimeFor(ctx context.Context, year int) (domain.KLARegime, error) {
	gs, err := s.KLARegimes(ctx)
	if err != nil {
		return domain.KLARegime{}, err
	}
	if len(gs) == 0 {
		return domain.KLARegime{}, domain.NotFound("KLA catalogue")
	}
	best := gs[0]
	for _, g := range gs {
		if g.FromYear <= year {
			best = g
		}
	}
	return best, nil
}

const klaIndicatorCols = `regime, id, position, cluster, name, unit, polarity, agency, definition, sub_items, source, computed`

func scanIndicator(r interface{ Scan(...any) error }) (domain.KLAIndicator, error) {
	var i domain.KLAIndicator
	err := r.Scan(&i.Regime, &i.ID, &i.Position, &i.Cluster, &i.Name, &i.Unit, &i.Polarity, &i.Agency, &i.Definition,
		&i.SubItems, &i.Source, &i.Computed)
	return i, err
}

// KLAIndicators lists a regime's indicators in catalogue order. Reference
// data: no authorization.
func (s *Store) KLAIndicators(ctx context.Context, regime string) ([]domain.KLAIndicator, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+klaIndicatorCols+` FROM kla_indicators WHERE regime = $1 ORDER BY position, id`, regime)
	if err != nil {
		return nil, fmt.Errorf("store: kla indicators: %w", err)
	}
	defer rows.Close()
	var out []domain.KLAIndicator
	for rows.Next() {
		i, err := scanIndicator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ValidateKLAIndicator returns per-field messages for an indicator.
func ValidateKLAIndicator(i domain.KLAIndicator) map[string]string {
	f := map[string]string{}
	if strings.TrimSpace(i.ID) == "" || len(i.ID) > 20 {
		f["id"] = "an id of 1-20 characters is required"
	}
	if strings.TrimSpace(i.Name) == "" || len(i.Name) > 500 {
		f["name"] = "a name of 1-500 characters is required"
	}
	if strings.TrimSpace(i.Cluster) == "" || len(i.Cluster) > 40 {
		f["cluster"] = "a cluster is required"
	}
	if !inStrings(i.Unit, domain.KLAUnits) {
		f["unit"] = "unit must be percent, count, rate_per_1000 or availability"
	}
	if !i.Polarity.Valid() {
		f["polarity"] = "polarity must be higher or lower"
	}
	if i.Computed != "" && i.Computed != domain.ComputedServices && i.Computed != domain.ComputedRestorative {
		f["computed"] = "unknown computation"
	}
	if len(i.Definition) > 4000 || len(i.SubItems) > 4000 || len(i.Source) > 500 {
		f["definition"] = "too long"
	}
	return f
}

// ImportKLARegime creates or replaces a regime with its indicators, in one
// transaction: indicators not in the list are removed (their values stay,
// unscored). Authorization: PermManageKLA; the system scope loads the
// shipped catalogue.
func (s *Store) ImportKLARegime(ctx context.Context, sc domain.Scope, g domain.KLARegime, inds []domain.KLAIndicator) error {
	if !sc.Can(domain.PermManageKLA) || !s.deploymentWide(sc) {
		return forbidden("only an administrator imports a KLA catalogue")
	}
	if strings.TrimSpace(g.ID) == "" || len(g.ID) > 60 || strings.TrimSpace(g.Name) == "" || g.FromYear < 2000 || g.FromYear > 2100 {
		return domain.Invalid("bad regime", map[string]string{"regime": "needs an id, a name and a first year (2000-2100)"})
	}
	if len(inds) == 0 {
		return domain.Invalid("empty catalogue", map[string]string{"file": "no indicators"})
	}
	seen := map[string]bool{}
	fields := map[string]string{}
	for n, i := range inds {
		for k, v := range ValidateKLAIndicator(i) {
			fields[fmt.Sprintf("indicators[%d].%s", n, k)] = v
		}
		if seen[i.ID] {
			fields[fmt.Sprintf("indicators[%d].id", n)] = "duplicate id " + i.ID
		}
		seen[i.ID] = true
	}
	if len(fields) > 0 {
		return domain.Invalid("the catalogue has errors", fields)
	}
	now := s.utc()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_regimes (id, name, from_year, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, from_year = excluded.from_year, updated_at = excluded.updated_at`,
			g.ID, g.Name, g.FromYear, now); err != nil {
			return fmt.Errorf("store: import regime: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kla_indicators WHERE regime = $1`, g.ID); err != nil {
			return fmt.Errorf("store: import regime: %w", err)
		}
		for n, i := range inds {
			if i.Agency != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agencies (code, name, kind) VALUES ($1, $1, 'opd')
					ON CONFLICT (code) DO NOTHING`, i.Agency); err != nil {
					return fmt.Errorf("store: import regime: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_indicators (`+klaIndicatorCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				g.ID, i.ID, n+1, i.Cluster, i.Name, i.Unit, string(i.Polarity), i.Agency, i.Definition, i.SubItems, i.Source, i.Computed); err != nil {
				return fmt.Errorf("store: import indicator %s: %w", i.ID, err)
			}
		}
		return s.audit(ctx, tx, sc, "kla.catalogue.import", "kla_regime", g.ID, sc.RegionCode,
			fmt.Sprintf("%d indicators, from %d", len(inds), g.FromYear))
	})
}

// UpdateKLAIndicator edits one indicator. Authorization: PermManageKLA.
func (s *Store) UpdateKLAIndicator(ctx context.Context, sc domain.Scope, i domain.KLAIndicator) error {
	if !sc.Can(domain.PermManageKLA) || !s.deploymentWide(sc) {
		return forbidden("only an administrator edits the KLA catalogue")
	}
	if f := ValidateKLAIndicator(i); len(f) > 0 {
		return domain.Invalid("the indicator has errors", f)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE kla_indicators SET cluster = $1, name = $2, unit = $3, polarity = $4, agency = $5,
			definition = $6, sub_items = $7, source = $8, computed = $9 WHERE regime = $10 AND id = $11`,
			i.Cluster, i.Name, i.Unit, string(i.Polarity), i.Agency, i.Definition, i.SubItems, i.Source, i.Computed, i.Regime, i.ID)
		if err != nil {
			return fmt.Errorf("store: update indicator: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.NotFound("indicator")
		}
		if i.Agency != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agencies (code, name, kind) VALUES ($1, $1, 'opd')
				ON CONFLICT (code) DO NOTHING`, i.Agency); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, sc, "kla.indicator.update", "kla_indicator", i.Regime+"/"+i.ID, sc.RegionCode, "")
	})
}

// KLARubric returns the rules in force for a regime in year: per
// indicator, the rule with the latest year at or before it. Indicators
// without a stored rule are absent (the caller supplies a default).
func (s *Store) KLARubric(ctx context.Context, regime string, year int) ([]domain.KLARule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.indicator_id, r.year, r.method, r.max_points, r.worst, r.best, r.steps
		FROM kla_rubric r WHERE r.regime = $1 AND r.year = (SELECT MAX(x.year) FROM kla_rubric x
		WHERE x.regime = r.regime AND x.indicator_id = r.indicator_id AND x.year <= $2) ORDER BY r.indicator_id`, regime, year)
	if err != nil {
		return nil, fmt.Errorf("store: kla rubric: %w", err)
	}
	defer rows.Close()
	var out []domain.KLARule
	for rows.Next() {
		var r domain.KLARule
		if err := rows.Scan(&r.IndicatorID, &r.Year, &r.Method, &r.MaxPoints, &r.Worst, &r.Best, &r.Steps); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetKLARubric stores the rules of a regime from year on (replacing the
// rules of that exact year). The caller validates the rules (package kla).
// Authorization: PermManageKLA.
func (s *Store) SetKLARubric(ctx context.Context, sc domain.Scope, regime string, year int, rules []domain.KLARule) error {
	if !sc.Can(domain.PermManageKLA) || !s.deploymentWide(sc) {
		return forbidden("only an administrator sets the KLA rubric")
	}
	if year < 2000 || year > 2100 {
		return domain.Invalid("bad year", map[string]string{"year": "2000-2100"})
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM kla_rubric WHERE regime = $1 AND year = $2`, regime, year); err != nil {
			return fmt.Errorf("store: set rubric: %w", err)
		}
		for _, r := range rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_rubric (regime, year, indicator_id, method, max_points, worst, best, steps)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, regime, year, r.IndicatorID, r.Method, r.MaxPoints, r.Worst, r.Best, r.Steps); err != nil {
				return fmt.Errorf("store: set rubric: %w", err)
			}
		}
		return s.audit(ctx, tx, sc, "kla.rubric.set", "kla_regime", regime, sc.RegionCode, fmt.Sprintf("year %d, %d rules", year, len(rules)))
	})
}

// KLAValuesError is the error of PutKLAValues when rows are bad: Rows maps
// the index of each bad input to the reason. Nothing was written.
type KLAValuesError struct{ Rows map[int]string }

func (e *KLAValuesError) Error() string { return fmt.Sprintf("%d KLA values rejected", len(e.Rows)) }

// Coded turns the row errors into a coded invalid error ("values[i]": reason).
func (e *KLAValuesError) Coded() *domain.Error {
	f := map[string]string{}
	for i, r := range e.Rows {
		f[fmt.Sprintf("values[%d]", i)] = r
	}
	return domain.Invalid(fmt.Sprintf("%d of the values were rejected; nothing was saved", len(e.Rows)), f)
}

// validLink accepts an empty link or an http(s) URL.
func validLink(l string) bool {
	if l == "" {
		return true
	}
	u, err := url.Parse(l)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(l) <= 500
}

// PutKLAValues enters self-assessed values: all of them or, when any is
// bad, none (a *KLAValuesError wrapped in a coded invalid error lists each
// bad row). A changed value goes back to "pending" verification; the
// verified value stays as it was, apart. Authorization: PermEnterKLA; each
// region inside the caller's; a caller without PermManageKLA only for the
// indicators of the agency bound to the account.
func (s *Store) PutKLAValues(ctx context.Context, sc domain.Scope, regime string, in []domain.KLAValueInput) error {
	return s.PutKLAValuesWithFiles(ctx, sc, regime, in, nil)
}

// NewKLAFile is an evidence file uploaded with the value it supports.
type NewKLAFile struct {
	Name, ContentType string
	Data              []byte
}

// PutKLAValuesWithFiles is PutKLAValues that also stores new evidence
// files in the same transaction: files[i], when not nil, becomes the file
// of in[i]. A refused value (or any other failure) stores no file, so no
// file is left without a value pointing to it. Authorization as
// PutKLAValues.
func (s *Store) PutKLAValuesWithFiles(ctx context.Context, sc domain.Scope, regime string, in []domain.KLAValueInput, files []*NewKLAFile) error {
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("your role does not enter KLA data")
	}
	if len(in) == 0 {
		return domain.Invalid("no values", map[string]string{"values": "send at least one value"})
	}
	if len(files) > len(in) {
		return fmt.Errorf("store: put kla values: %d files for %d values", len(files), len(in))
	}
	for i, f := range files {
		if f == nil {
			continue
		}
		if err := checkKLAFile(sc, in[i].RegionCode, f); err != nil {
			return err
		}
	}
	bad, err := s.CheckKLAValues(ctx, sc, regime, in)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		e := &KLAValuesError{Rows: bad}
		return fmt.Errorf("%w: %w", e.Coded(), e)
	}
	in = append([]domain.KLAValueInput(nil), in...)
	now := s.utc()
	return s.tx(ctx, func(tx *sql.Tx) error {
		for i, f := range files {
			if f == nil {
				continue
			}
			id, err := s.insertKLAFile(ctx, tx, sc, in[i].RegionCode, *f, now)
			if err != nil {
				return err
			}
			in[i].FileID = id
		}
		for _, v := range in {
			if v.FileID != "" {
				var region string
				err := tx.QueryRowContext(ctx, `SELECT region_code FROM kla_files WHERE id = $1`, v.FileID).Scan(&region)
				if err != nil || !sc.Contains(region) {
					return domain.Invalid("unknown evidence file", map[string]string{"file_id": "no such file"})
				}
			}
			evidence := 0
			if v.Note != "" || v.Link != "" || v.FileID != "" {
				evidence = 1
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_values (region_code, year, regime, indicator_id, self_value,
				verify_status, has_evidence, note, link, file_id, updated_at, updated_by)
				VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11)
				ON CONFLICT (region_code, year, regime, indicator_id) DO UPDATE SET self_value = excluded.self_value,
				verify_status = excluded.verify_status, has_evidence = excluded.has_evidence, note = excluded.note,
				link = excluded.link, file_id = excluded.file_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				v.RegionCode, v.Year, regime, v.IndicatorID, v.Value, evidence, v.Note, v.Link, v.FileID, now, sc.Actor()); err != nil {
				return fmt.Errorf("store: put kla value: %w", err)
			}
			if err := s.klaHistory(ctx, tx, sc, regime, v.RegionCode, v.Year, v.IndicatorID, "entered", &v.Value, v.Note, v.Link, v.FileID, now); err != nil {
				return err
			}
		}
		region := in[0].RegionCode
		detail := fmt.Sprintf("%d values, regime %s", len(in), regime)
		if len(in) == 1 {
			detail = fmt.Sprintf("indicator %s, year %d, value %g", in[0].IndicatorID, in[0].Year, in[0].Value)
		}
		return s.audit(ctx, tx, sc, "kla.values.put", "kla_value", regime, region, detail)
	})
}

// CheckKLAValues runs PutKLAValues' checks without writing and returns
// the reason for each bad input by index. Authorization as PutKLAValues.
func (s *Store) CheckKLAValues(ctx context.Context, sc domain.Scope, regime string, in []domain.KLAValueInput) (map[int]string, error) {
	if !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("your role does not enter KLA data")
	}
	inds, err := s.KLAIndicators(ctx, regime)
	if err != nil {
		return nil, err
	}
	byID := map[string]domain.KLAIndicator{}
	for _, i := range inds {
		byID[i.ID] = i
	}
	agency := ""
	if !sc.Can(domain.PermManageKLA) {
		if agency, err = s.UserAgency(ctx, sc.UserID); err != nil {
			return nil, err
		}
		if agency == "" {
			return nil, forbidden("your account is not bound to an agency (OPD); ask an administrator")
		}
	}
	maxYear := s.utc().Year() + 1
	bad := map[int]string{}
	regionOK := map[string]bool{}
	seen := map[string]int{}
	for n, v := range in {
		ind, ok := byID[v.IndicatorID]
		switch {
		case !ok:
			bad[n] = "unknown indicator " + v.IndicatorID
			continue
		case agency != "" && ind.Agency != agency:
			bad[n] = fmt.Sprintf("indicator %s belongs to agency %s, not yours (%s)", ind.ID, ind.Agency, agency)
			continue
		case !domain.ValidRegionCode(v.RegionCode) || !sc.Contains(v.RegionCode):
			bad[n] = "region " + v.RegionCode + " is outside your area"
			continue
		case v.Year < 2000 || v.Year > maxYear:
			bad[n] = fmt.Sprintf("year must be between 2000 and %d", maxYear)
			continue
		}
		if msg := ind.ValidKLAValue(v.Value); msg != "" {
			bad[n] = msg
			continue
		}
		if !validLink(v.Link) {
			bad[n] = "the evidence link must be an http(s) address"
			continue
		}
		if len(v.Note) > 2000 {
			bad[n] = "the evidence note is too long (2000 characters at most)"
			continue
		}
		key := fmt.Sprintf("%s|%d|%s", v.RegionCode, v.Year, v.IndicatorID)
		if first, dup := seen[key]; dup {
			bad[n] = fmt.Sprintf("same indicator, region and year as row %d", first+1)
			continue
		}
		seen[key] = n
		if _, checked := regionOK[v.RegionCode]; !checked {
			_, err := s.GetRegion(ctx, v.RegionCode)
			regionOK[v.RegionCode] = err == nil
		}
		if !regionOK[v.RegionCode] {
			bad[n] = "no region with code " + v.RegionCode
		}
	}
	return bad, nil
}

func (s *Store) klaHistory(ctx context.Context, tx *sql.Tx, sc domain.Scope, regime, region string, year int, ind, kind string,
	v *float64, note, link, file string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_value_history (id, region_code, year, regime, indicator_id, kind, value,
		note, link, file_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		newID(now), region, year, regime, ind, kind, v, note, link, file, sc.Actor(), now); err != nil {
		return fmt.Errorf("store: kla history: %w", err)
	}
	return nil
}

// VerifyKLAValue records the task force's verdict on a value: accepted
// with a verified value (the self-assessed one when nil), or rejected
// (no verified value). Authorization: PermVerifyKLA, region in scope.
func (s *Store) VerifyKLAValue(ctx context.Context, sc domain.Scope, regime, region string, year int, indicator string,
	accept bool, verified *float64, note string) error {
	if !sc.Can(domain.PermVerifyKLA) {
		return forbidden("only the KLA task force verifies values")
	}
	if !sc.Contains(region) {
		return domain.NotFound("KLA value")
	}
	if len(note) > 2000 {
		return domain.Invalid("note too long", map[string]string{"note": "2000 characters at most"})
	}
	inds, err := s.KLAIndicators(ctx, regime)
	if err != nil {
		return err
	}
	var ind *domain.KLAIndicator
	for i := range inds {
		if inds[i].ID == indicator {
			ind = &inds[i]
		}
	}
	if ind == nil {
		return domain.NotFound("KLA value")
	}
	if verified != nil {
		if msg := ind.ValidKLAValue(*verified); msg != "" {
			return domain.Invalid("bad verified value", map[string]string{"verified_value": msg})
		}
	}
	now := s.utc()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var self sql.NullFloat64
		err := tx.QueryRowContext(ctx, `SELECT self_value FROM kla_values WHERE region_code = $1 AND year = $2 AND regime = $3
			AND indicator_id = $4`, region, year, regime, indicator).Scan(&self)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("KLA value")
		}
		if err != nil {
			return fmt.Errorf("store: verify kla: %w", err)
		}
		status, kind := domain.KLAVerified, "verified"
		var v *float64
		if accept {
			v = verified
			if v == nil && self.Valid {
				x := self.Float64
				v = &x
			}
		} else {
			status, kind = domain.KLARejected, "rejected"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kla_values SET verified_value = $1, verify_status = $2, verified_at = $3,
			verified_by = $4 WHERE region_code = $5 AND year = $6 AND regime = $7 AND indicator_id = $8`,
			v, status, now, sc.Actor(), region, year, regime, indicator); err != nil {
			return fmt.Errorf("store: verify kla: %w", err)
		}
		if err := s.klaHistory(ctx, tx, sc, regime, region, year, indicator, kind, v, note, "", "", now); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "kla.value."+kind, "kla_value", regime+"/"+indicator, region, fmt.Sprintf("year %d", year))
	})
}

// KLAValueFilter selects values.
type KLAValueFilter struct {
	Regime     string
	RegionCode string // exact region; "" = the whole scope
	Year       int    // 0 = any
	Agency     string // only this agency's indicators
	Status     string // pending, verified, rejected
	Limit      int
}

// ListKLAValues lists current values inside the caller's region.
// Authorization: PermViewDashboard, PermEnterKLA or PermVerifyKLA.
func (s *Store) ListKLAValues(ctx context.Context, sc domain.Scope, f KLAValueFilter) ([]domain.KLAValue, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) && !sc.Can(domain.PermVerifyKLA) {
		return nil, forbidden("no access to KLA data")
	}
	where, args := subtreeClause("v.region_code", sc.RegionCode, 1)
	conds := []string{where, "v.regime = $" + strconv.Itoa(len(args)+1)}
	args = append(args, f.Regime)
	if f.RegionCode != "" {
		args = append(args, f.RegionCode)
		conds = append(conds, "v.region_code = $"+strconv.Itoa(len(args)))
	}
	if f.Year != 0 {
		args = append(args, f.Year)
		conds = append(conds, "v.year = $"+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, "v.verify_status = $"+strconv.Itoa(len(args)))
	}
	if f.Agency != "" {
		args = append(args, f.Agency)
		conds = append(conds, "i.agency = $"+strconv.Itoa(len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := s.r.QueryContext(ctx, `SELECT v.region_code, COALESCE(r.name, ''), v.year, v.regime, v.indicator_id, v.self_value,
		v.verified_value, v.verify_status, v.note, v.link, v.file_id, v.updated_at, v.updated_by, v.verified_at, v.verified_by
		FROM kla_values v JOIN kla_indicators i ON i.regime = v.regime AND i.id = v.indicator_id
		LEFT JOIN regions r ON r.code = v.region_code
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY v.region_code, v.year DESC, i.position LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list kla values: %w", err)
	}
	defer rows.Close()
	var out []domain.KLAValue
	for rows.Next() {
		var v domain.KLAValue
		var self, ver sql.NullFloat64
		var vat sql.NullTime
		if err := rows.Scan(&v.RegionCode, &v.RegionName, &v.Year, &v.Regime, &v.IndicatorID, &self, &ver, &v.Status, &v.Note,
			&v.Link, &v.FileID, &v.UpdatedAt, &v.UpdatedBy, &vat, &v.VerifiedBy); err != nil {
			return nil, err
		}
		if self.Valid {
			v.SelfValue = &self.Float64
		}
		if ver.Valid {
			v.VerifiedValue = &ver.Float64
		}
		if vat.Valid {
			t := vat.Time.UTC()
			v.VerifiedAt = &t
		}
		v.UpdatedAt = v.UpdatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// KLAValueHistory lists the changes of one value, oldest first.
// Authorization: as ListKLAValues, region in scope.
func (s *Store) KLAValueHistory(ctx context.Context, sc domain.Scope, regime, region string, year int, indicator string) ([]domain.KLAHistory, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) && !sc.Can(domain.PermVerifyKLA) {
		return nil, forbidden("no access to KLA data")
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("KLA value")
	}
	rows, err := s.r.QueryContext(ctx, `SELECT kind, value, note, link, file_id, actor, at FROM kla_value_history
		WHERE region_code = $1 AND year = $2 AND regime = $3 AND indicator_id = $4 ORDER BY at, id`, region, year, regime, indicator)
	if err != nil {
		return nil, fmt.Errorf("store: kla history: %w", err)
	}
	defer rows.Close()
	var out []domain.KLAHistory
	for rows.Next() {
		var h domain.KLAHistory
		var v sql.NullFloat64
		if err := rows.Scan(&h.Kind, &v, &h.Note, &h.Link, &h.FileID, &h.Actor, &h.At); err != nil {
			return nil, err
		}
		if v.Valid {
			h.Value = &v.Float64
		}
		h.At = h.At.UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}

// MaxKLAFile is the largest evidence file accepted.
const MaxKLAFile = 5 << 20

// KLAFile is an uploaded evidence file.
type KLAFile struct {
	ID, RegionCode, Name, ContentType string
	Data                              []byte
}

// SaveKLAFile stores an evidence file on its own. Authorization:
// PermEnterKLA, region in scope. A file that comes with a value is stored
// by PutKLAValuesWithFiles instead, in the value's transaction.
func (s *Store) SaveKLAFile(ctx context.Context, sc domain.Scope, region, name, contentType string, data []byte) (string, error) {
	f := NewKLAFile{Name: name, ContentType: contentType, Data: data}
	if err := checkKLAFile(sc, region, &f); err != nil {
		return "", err
	}
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertKLAFile(ctx, tx, sc, region, f, s.utc())
		return err
	})
	return id, err
}

// checkKLAFile checks who stores an evidence file, where, and its size.
func checkKLAFile(sc domain.Scope, region string, f *NewKLAFile) error {
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("your role does not enter KLA data")
	}
	if !sc.Contains(region) {
		return domain.NotFound("region")
	}
	if len(f.Data) == 0 || len(f.Data) > MaxKLAFile {
		return domain.Errorf(domain.ETooLarge, "an evidence file must be 1 byte to 5 MB")
	}
	return nil
}

// insertKLAFile writes a checked evidence file and its audit entry in tx.
func (s *Store) insertKLAFile(ctx context.Context, tx *sql.Tx, sc domain.Scope, region string, f NewKLAFile, now time.Time) (string, error) {
	name := f.Name
	if len(name) > 200 {
		name = name[:200]
	}
	id := newID(now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_files (id, region_code, name, content_type, size, data, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, region, name, f.ContentType, len(f.Data), f.Data, sc.Actor(), now); err != nil {
		return "", fmt.Errorf("store: save kla file: %w", err)
	}
	return id, s.audit(ctx, tx, sc, "kla.file.upload", "kla_file", id, region, fmt.Sprintf("%d bytes", len(f.Data)))
}

// CountKLAFiles counts the stored evidence files (operations and tests:
// a refused form must leave none behind).
func (s *Store) CountKLAFiles(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_files`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count kla files: %w", err)
	}
	return n, nil
}

// GetKLAFile returns an evidence file in the caller's region.
func (s *Store) GetKLAFile(ctx context.Context, sc domain.Scope, id string) (KLAFile, error) {
	// Evidence is for those who enter, verify or read the KLA figures.
	if !sc.Can(domain.PermEnterKLA) && !sc.Can(domain.PermVerifyKLA) && !sc.Can(domain.PermViewDashboard) {
		return KLAFile{}, domain.NotFound("file")
	}
	var f KLAFile
	err := s.r.QueryRowContext(ctx, `SELECT id, region_code, name, content_type, data FROM kla_files WHERE id = $1`, id).
		Scan(&f.ID, &f.RegionCode, &f.Name, &f.ContentType, &f.Data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(f.RegionCode)) {
		return KLAFile{}, domain.NotFound("file")
	}
	if err != nil {
		return KLAFile{}, fmt.Errorf("store: get kla file: %w", err)
	}
	if err := s.Audit(ctx, sc, "kla.file_download", "kla_file", f.ID, f.RegionCode, ""); err != nil {
		return KLAFile{}, err
	}
	return f, nil
}

// sortedKeys returns a map's keys in order (for stable output).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
