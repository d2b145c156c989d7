package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Values: what agencies enter per indicator, region and year (self-
// assessed), with the history of every change. Verification is in
// verify.go, evidence files in evidence.go, the value form in entry.go.

// ValuesError is the error of PutValues when rows are bad: Rows maps the
// index of each bad input to what is wrong with it. Nothing was written.
type ValuesError struct{ Rows map[int]domain.Msg }

func (e *ValuesError) Error() string { return fmt.Sprintf("%d KLA values rejected", len(e.Rows)) }

// Coded turns the row errors into a coded invalid error with a field
// "values[i]" per bad input.
func (e *ValuesError) Coded() *domain.Error {
	f := domain.FieldErrors{}
	for i, m := range e.Rows {
		f[fmt.Sprintf("values[%d]", i)] = m
	}
	return &domain.Error{Code: domain.EInvalid, Message: e.Error() + "; nothing was saved", Key: "kla.err.values_rejected",
		Args: []any{len(e.Rows)}, Fields: f}
}

// validLink accepts an empty link or an http(s) URL.
func validLink(l string) bool {
	if l == "" {
		return true
	}
	u, err := url.Parse(l)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(l) <= 500
}

// PutValues enters self-assessed values: all of them or, when any is bad,
// none (a *ValuesError wrapped in a coded invalid error lists each bad
// row). A changed value goes back to "pending" verification; the verified
// value stays as it was, apart. Authorization: PermEnterKLA; each region
// inside the caller's; a caller without PermManageKLA only for the
// indicators of the agency bound to the account.
func PutValues(ctx context.Context, st *store.Store, sc domain.Scope, regime string, in []domain.KLAValueInput) error {
	return PutValuesWithFiles(ctx, st, sc, regime, in, nil)
}

// PutValuesWithFiles is PutValues that also stores new evidence files in
// the same transaction, after the values are checked: files[i], when not
// nil, becomes the file of in[i]. A refused value (or any other failure)
// stores no file, so no file is left without a value pointing to it.
// Authorization as PutValues.
func PutValuesWithFiles(ctx context.Context, st *store.Store, sc domain.Scope, regime string, in []domain.KLAValueInput, files []*NewFile) error {
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("kla.err.enter_forbidden")
	}
	if len(in) == 0 {
		return domain.InvalidFields(domain.FieldErrors{"values": domain.M("kla.field.no_values")})
	}
	if len(files) > len(in) {
		return fmt.Errorf("kla: put values: %d files for %d values", len(files), len(in))
	}
	for i, f := range files {
		if f == nil {
			continue
		}
		if err := checkFile(sc, in[i].RegionCode, f); err != nil {
			return err
		}
	}
	bad, err := CheckValues(ctx, st, sc, regime, in)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		e := &ValuesError{Rows: bad}
		return fmt.Errorf("%w: %w", e.Coded(), e)
	}
	in = append([]domain.KLAValueInput(nil), in...)
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i, f := range files {
			if f == nil {
				continue
			}
			id, err := insertFile(ctx, tx, sc, in[i].RegionCode, *f)
			if err != nil {
				return err
			}
			in[i].FileID = id
		}
		d := newRollupDelta()
		keys := make([]valueKey, len(in))
		for i, v := range in {
			keys[i] = valueKey{regime: regime, region: v.RegionCode, year: v.Year, indicator: v.IndicatorID}
		}
		if err := d.watchAll(ctx, tx, keys); err != nil {
			return err
		}
		for _, v := range in {
			if err := putValue(ctx, tx, sc, regime, v, d); err != nil {
				return err
			}
		}
		if err := d.settle(ctx, tx); err != nil {
			return err
		}
		region := in[0].RegionCode
		detail := fmt.Sprintf("%d values, regime %s", len(in), regime)
		if len(in) == 1 {
			detail = fmt.Sprintf("indicator %s, year %d, value %g", in[0].IndicatorID, in[0].Year, in[0].Value)
		}
		return tx.Audit(ctx, sc, "kla.values.put", "kla_value", regime, region, detail)
	})
}

// putValue writes one checked value and its history entry in tx, watched
// by d for the roll-ups.
func putValue(ctx context.Context, tx *store.Tx, sc domain.Scope, regime string, v domain.KLAValueInput, d *rollupDelta) error {
	if v.FileID != "" {
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM kla_files WHERE id = $1`, v.FileID).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.InvalidFields(domain.FieldErrors{"file_id": domain.M("kla.field.unknown_file")})
		}
		if err != nil {
			return fmt.Errorf("kla: evidence file of a value: %w", err)
		}
	}
	evidence := 0
	if v.Note != "" || v.Link != "" || v.FileID != "" {
		evidence = 1
	}
	if err := d.watch(ctx, tx, regime, v.RegionCode, v.Year, v.IndicatorID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_values (region_code, year, regime, indicator_id, self_value,
		verify_status, has_evidence, note, link, file_id, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11)
		ON CONFLICT (region_code, year, regime, indicator_id) DO UPDATE SET self_value = excluded.self_value,
		verify_status = excluded.verify_status, has_evidence = excluded.has_evidence, note = excluded.note,
		link = excluded.link, file_id = excluded.file_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		v.RegionCode, v.Year, regime, v.IndicatorID, v.Value, evidence, v.Note, v.Link, v.FileID, tx.Now(), sc.Actor()); err != nil {
		return fmt.Errorf("kla: put value: %w", err)
	}
	return addHistory(ctx, tx, sc, regime, v.RegionCode, v.Year, v.IndicatorID, historyEntry{kind: "entered", value: &v.Value,
		note: v.Note, link: v.Link, file: v.FileID})
}

// CheckValues runs PutValues' checks without writing and returns what is
// wrong with each bad input by index. Authorization as PutValues.
func CheckValues(ctx context.Context, st *store.Store, sc domain.Scope, regime string, in []domain.KLAValueInput) (map[int]domain.Msg, error) {
	if !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("kla.err.enter_forbidden")
	}
	inds, err := Indicators(ctx, st, regime)
	if err != nil {
		return nil, err
	}
	byID := map[string]domain.KLAIndicator{}
	for _, i := range inds {
		byID[i.ID] = i
	}
	agency := ""
	if !sc.Can(domain.PermManageKLA) {
		if agency, err = UserAgency(ctx, st, sc.UserID); err != nil {
			return nil, err
		}
		if agency == "" {
			return nil, forbidden("kla.no_agency")
		}
	}
	maxYear := st.Now().Year() + 1
	bad := map[int]domain.Msg{}
	regionOK := map[string]bool{}
	seen := map[string]int{}
	for n, v := range in {
		ind, ok := byID[v.IndicatorID]
		if m := checkValue(sc, ind, ok, agency, maxYear, v); m.Key != "" {
			bad[n] = m
			continue
		}
		key := fmt.Sprintf("%s|%d|%s", v.RegionCode, v.Year, v.IndicatorID)
		if first, dup := seen[key]; dup {
			bad[n] = domain.M("kla.row.duplicate", first+1)
			continue
		}
		seen[key] = n
		if _, checked := regionOK[v.RegionCode]; !checked {
			_, err := st.GetRegion(ctx, v.RegionCode)
			if err != nil && !domain.IsNotFound(err) {
				return nil, err
			}
			regionOK[v.RegionCode] = err == nil
		}
		if !regionOK[v.RegionCode] {
			bad[n] = domain.M("kla.row.no_region", v.RegionCode)
		}
	}
	return bad, nil
}

// checkValue checks one input on its own (a zero Msg when fine): known
// indicator (known), of the caller's agency ("" for a manager), region in
// scope, year, value for the unit, evidence link and note.
func checkValue(sc domain.Scope, ind domain.KLAIndicator, known bool, agency string, maxYear int, v domain.KLAValueInput) domain.Msg {
	switch {
	case !known:
		return domain.M("kla.row.unknown_indicator", clip(v.IndicatorID))
	case agency != "" && ind.Agency != agency:
		return domain.M("kla.row.other_agency", ind.ID, ind.Agency, agency)
	case !domain.ValidRegionCode(v.RegionCode) || !sc.Contains(v.RegionCode):
		return domain.M("kla.row.outside_region", clip(v.RegionCode))
	case v.Year < 2000 || v.Year > maxYear:
		return domain.M("kla.row.year", maxYear)
	}
	if m := ind.ValidKLAValue(v.Value); m.Key != "" {
		return m
	}
	if !validLink(v.Link) {
		return domain.M("kla.row.link")
	}
	if len(v.Note) > 2000 {
		return domain.M("kla.row.note_too_long", 2000)
	}
	return domain.Msg{}
}

// historyEntry is one change of a value: entered, verified or rejected.
type historyEntry struct {
	kind             string
	value            *float64
	note, link, file string
}

func addHistory(ctx context.Context, tx *store.Tx, sc domain.Scope, regime, region string, year int, ind string, h historyEntry) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_value_history (id, region_code, year, regime, indicator_id, kind, value,
		note, link, file_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		tx.NewID(), region, year, regime, ind, h.kind, h.value, h.note, h.link, h.file, sc.Actor(), tx.Now()); err != nil {
		return fmt.Errorf("kla: value history: %w", err)
	}
	return nil
}

// ValueFilter selects values.
type ValueFilter struct {
	Regime     string
	RegionCode string // exact region; "" = the whole scope
	Within     string // this region and below (inside the scope); "" = the whole scope
	Year       int    // 0 = any
	Agency     string // only this agency's indicators
	Cluster    string // only this cluster's indicators
	Indicator  string // only this indicator
	Status     string // pending, verified, rejected
	Order      string // "" by region and catalogue; OrderOldest, OrderNewest by the last entry
	Limit      int
	Offset     int
}

// ListValues lists current values inside the caller's region.
// Authorization: PermViewDashboard, PermEnterKLA or PermVerifyKLA.
func ListValues(ctx context.Context, st *store.Store, sc domain.Scope, f ValueFilter) ([]domain.KLAValue, error) {
	if err := mayRead(sc); err != nil {
		return nil, err
	}
	conds, args := valueConds(sc, f)
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	offset := max(f.Offset, 0)
	out, err := store.Rows(ctx, st, scanValue, `SELECT v.region_code, COALESCE(r.name, ''), v.year, v.regime, v.indicator_id,
		v.self_value, v.verified_value, v.verify_status, v.note, v.link, v.file_id, v.updated_at, v.updated_by, v.verified_at, v.verified_by
		FROM kla_values v JOIN kla_indicators i ON i.regime = v.regime AND i.id = v.indicator_id
		LEFT JOIN regions r ON r.code = v.region_code
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY `+valueOrder(f.Order)+` LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), args...)
	if err != nil {
		return nil, fmt.Errorf("kla: list values: %w", err)
	}
	return out, nil
}

// The orders of a value list by age (the time of the last entry).
const (
	OrderOldest = "oldest"
	OrderNewest = "newest"
)

// valueOrder is the ORDER BY of a value list; every order ends on the
// value's key so pages never overlap.
func valueOrder(o string) string {
	key := "v.region_code, v.year DESC, i.position, v.indicator_id"
	switch o {
	case OrderOldest:
		return "v.updated_at, " + key
	case OrderNewest:
		return "v.updated_at DESC, " + key
	}
	return key
}

// valueConds is the WHERE of a value filter inside sc's region.
func valueConds(sc domain.Scope, f ValueFilter) ([]string, []any) {
	where, args := subtreeClause("v.region_code", sc.RegionCode, 1)
	conds := []string{where, "v.regime = $" + strconv.Itoa(len(args)+1)}
	args = append(args, f.Regime)
	if f.Within != "" {
		w, a := subtreeClause("v.region_code", f.Within, len(args)+1)
		conds, args = append(conds, w), append(args, a...)
	}
	for _, c := range []struct {
		set  bool
		cond string
		arg  any
	}{
		{f.RegionCode != "", "v.region_code", f.RegionCode},
		{f.Year != 0, "v.year", f.Year},
		{f.Status != "", "v.verify_status", f.Status},
		{f.Agency != "", "i.agency", f.Agency},
		{f.Cluster != "", "i.cluster", f.Cluster},
		{f.Indicator != "", "v.indicator_id", f.Indicator},
	} {
		if c.set {
			args = append(args, c.arg)
			conds = append(conds, c.cond+" = $"+strconv.Itoa(len(args)))
		}
	}
	return conds, args
}

// CountValues counts the values a filter selects (Limit and Offset
// aside), from the roll-ups when it can (fromRollups). Authorization: as
// ListValues.
func CountValues(ctx context.Context, st *store.Store, sc domain.Scope, f ValueFilter) (int, error) {
	if err := mayRead(sc); err != nil {
		return 0, err
	}
	if r, ok, err := fromRollups(ctx, st, sc, f); err != nil || ok {
		return r.n, err
	}
	conds, args := valueConds(sc, f)
	var n int
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_values v JOIN kla_indicators i ON i.regime = v.regime AND i.id = v.indicator_id
		WHERE `+strings.Join(conds, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("kla: count values: %w", err)
	}
	return n, nil
}

func scanValue(rows *sql.Rows) (domain.KLAValue, error) {
	var v domain.KLAValue
	var self, ver sql.NullFloat64
	var vat sql.NullTime
	if err := rows.Scan(&v.RegionCode, &v.RegionName, &v.Year, &v.Regime, &v.IndicatorID, &self, &ver, &v.Status, &v.Note,
		&v.Link, &v.FileID, &v.UpdatedAt, &v.UpdatedBy, &vat, &v.VerifiedBy); err != nil {
		return v, err
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
	return v, nil
}

// ValueHistory lists the changes of one value, oldest first.
// Authorization: as ListValues, region inside the caller's.
func ValueHistory(ctx context.Context, st *store.Store, sc domain.Scope, regime, region string, year int, indicator string) ([]domain.KLAHistory, error) {
	if err := mayRead(sc); err != nil {
		return nil, err
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("KLA value")
	}
	out, err := store.Rows(ctx, st, func(rows *sql.Rows) (domain.KLAHistory, error) {
		var h domain.KLAHistory
		var v sql.NullFloat64
		if err := rows.Scan(&h.Kind, &v, &h.Note, &h.Link, &h.FileID, &h.Actor, &h.At); err != nil {
			return h, err
		}
		if v.Valid {
			h.Value = &v.Float64
		}
		h.At = h.At.UTC()
		return h, nil
	}, `SELECT kind, value, note, link, file_id, actor, at FROM kla_value_history
		WHERE region_code = $1 AND year = $2 AND regime = $3 AND indicator_id = $4 ORDER BY at, id`, region, year, regime, indicator)
	if err != nil {
		return nil, fmt.Errorf("kla: value history: %w", err)
	}
	return out, nil
}
