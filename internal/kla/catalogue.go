package kla

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// The indicator catalogue: versions (regimes) with their indicators, the
// shipped Permen PPPA 12/2011 catalogue, and the import of a new one.

// shipped2011 is the Permen PPPA 12/2011 catalogue (31 indicators), with
// the responsible agency (OPD) of each added by lindu.
//
//go:embed data/kla-indicators-2011.csv
var shipped2011 []byte

// Regime2011 is the id of the shipped catalogue.
const Regime2011 = "permen-pppa-12-2011"

// ShippedAgencies are the agencies (OPD) of the shipped catalogue, with
// the default parties to agreements. Reference data: anyone may call it.
func ShippedAgencies() []domain.KLAAgency {
	return []domain.KLAAgency{
		{Code: "dp3a", Name: "Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak", Kind: "opd"},
		{Code: "bappeda", Name: "Badan Perencanaan Pembangunan Daerah", Kind: "opd"},
		{Code: "setda_hukum", Name: "Bagian Hukum Sekretariat Daerah", Kind: "opd"},
		{Code: "disdukcapil", Name: "Dinas Kependudukan dan Pencatatan Sipil", Kind: "opd"},
		{Code: "diskominfo", Name: "Dinas Komunikasi dan Informatika", Kind: "opd"},
		{Code: "kemenag", Name: "Kantor Kementerian Agama (KUA)", Kind: "opd"},
		{Code: "dinsos", Name: "Dinas Sosial", Kind: "opd"},
		{Code: "dinkes", Name: "Dinas Kesehatan", Kind: "opd"},
		{Code: "dpupr", Name: "Dinas Pekerjaan Umum dan Penataan Ruang", Kind: "opd"},
		{Code: "disdik", Name: "Dinas Pendidikan dan Kebudayaan", Kind: "opd"},
		{Code: "dishub", Name: "Dinas Perhubungan", Kind: "opd"},
		{Code: "disporapar", Name: "Dinas Kepemudaan, Olahraga dan Pariwisata", Kind: "opd"},
		{Code: "bpbd", Name: "Badan Penanggulangan Bencana Daerah", Kind: "opd"},
		{Code: "disnaker", Name: "Dinas Tenaga Kerja", Kind: "opd"},
	}
}

// shippedComputed says which shipped indicators are computed from case
// records, and how.
func shippedComputed(id string) string {
	switch id {
	case "21":
		return domain.ComputedServices
	case "22":
		return domain.ComputedRestorative
	}
	return ""
}

// EnsureShipped loads the shipped 2011 catalogue and its agencies into an
// empty KLA catalogue; it leaves an existing one alone (administrators may
// have edited it). It reports whether it loaded anything. For start-up
// and the demo (it acts as the system).
func EnsureShipped(ctx context.Context, st *store.Store) (bool, error) {
	gs, err := Regimes(ctx, st)
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if g.ID == Regime2011 {
			return false, nil
		}
	}
	sc := access.System("kla")
	if err := UpsertAgencies(ctx, st, sc, ShippedAgencies()); err != nil {
		return false, err
	}
	g, inds, rerr := ParseCatalogue(ctx, shipped2011, "catalogue.csv")
	if rerr != nil {
		return false, rerr
	}
	if g != Regime2011 {
		return false, fmt.Errorf("kla: shipped catalogue is %q", g)
	}
	for i := range inds {
		inds[i].Computed = shippedComputed(inds[i].ID)
	}
	err = ImportRegime(ctx, st, sc, domain.KLARegime{ID: Regime2011, Name: "Permen PPPA No. 12 Tahun 2011", FromYear: 2011}, inds)
	return err == nil, err
}

// Regimes lists the catalogue versions, oldest first. Reference data:
// anyone may call it.
func Regimes(ctx context.Context, st *store.Store) ([]domain.KLARegime, error) {
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (domain.KLARegime, error) {
		var g domain.KLARegime
		return g, r.Scan(&g.ID, &g.Name, &g.FromYear, &g.Count)
	}, `SELECT g.id, g.name, g.from_year, (SELECT COUNT(*) FROM kla_indicators i WHERE i.regime = g.id)
		FROM kla_regimes g ORDER BY g.from_year, g.id`)
	if err != nil {
		return nil, fmt.Errorf("kla: regimes: %w", err)
	}
	return out, nil
}

// RegimeFor returns the regime that applies to year: the newest one
// starting at or before it, else the oldest. Reference data: anyone may
// call it.
func RegimeFor(ctx context.Context, st *store.Store, year int) (domain.KLARegime, error) {
	gs, err := Regimes(ctx, st)
	if err != nil {
		return domain.KLARegime{}, err
	}
	if len(gs) == 0 {
		return domain.KLARegime{}, &domain.Error{Code: domain.ENotFound, Message: "KLA catalogue not found", Key: keyNoCatalogue}
	}
	best := gs[0]
	for _, g := range gs {
		if g.FromYear <= year {
			best = g
		}
	}
	return best, nil
}

// keyNoCatalogue is the key of RegimeFor's not-found error before any
// catalogue is loaded.
const keyNoCatalogue = "kla.no_catalogue"

// NoCatalogue reports whether err says that no KLA catalogue is loaded
// yet (RegimeFor's not-found answer). Pure: anyone may call it.
func NoCatalogue(err error) bool {
	e, ok := domain.AsError(err)
	return ok && e.Key == keyNoCatalogue
}

const indicatorCols = `regime, id, position, cluster, name, unit, polarity, agency, definition, sub_items, source, computed`

func scanIndicator(r *sql.Rows) (domain.KLAIndicator, error) {
	var i domain.KLAIndicator
	err := r.Scan(&i.Regime, &i.ID, &i.Position, &i.Cluster, &i.Name, &i.Unit, &i.Polarity, &i.Agency, &i.Definition,
		&i.SubItems, &i.Source, &i.Computed)
	return i, err
}

// Indicators lists a regime's indicators in catalogue order. Reference
// data: anyone may call it.
func Indicators(ctx context.Context, st *store.Store, regime string) ([]domain.KLAIndicator, error) {
	out, err := store.Rows(ctx, st, scanIndicator,
		`SELECT `+indicatorCols+` FROM kla_indicators WHERE regime = $1 ORDER BY position, id`, regime)
	if err != nil {
		return nil, fmt.Errorf("kla: indicators: %w", err)
	}
	return out, nil
}

// ValidateIndicator returns what is wrong with an indicator, per field
// (empty when fine). Pure: anyone may call it.
func ValidateIndicator(i domain.KLAIndicator) domain.FieldErrors {
	f := domain.FieldErrors{}
	if strings.TrimSpace(i.ID) == "" || len(i.ID) > 20 {
		f["id"] = domain.M("kla.field.indicator_id", 20)
	}
	if strings.TrimSpace(i.Name) == "" || len(i.Name) > 500 {
		f["name"] = domain.M("kla.field.indicator_name", 500)
	}
	if strings.TrimSpace(i.Cluster) == "" || len(i.Cluster) > 40 {
		f["cluster"] = domain.M("kla.field.cluster", 40)
	}
	if !oneOf(i.Unit, domain.KLAUnits) {
		f["unit"] = domain.M("kla.field.unit")
	}
	if !i.Polarity.Valid() {
		f["polarity"] = domain.M("kla.field.polarity")
	}
	if i.Computed != "" && i.Computed != domain.ComputedServices && i.Computed != domain.ComputedRestorative {
		f["computed"] = domain.M("kla.field.computed")
	}
	if len(i.Definition) > 4000 || len(i.SubItems) > 4000 || len(i.Source) > 500 {
		f["definition"] = domain.M("kla.field.definition_too_long")
	}
	return f
}

// indicatorFieldOrder is the order ValidateIndicator's messages are listed
// in a row error.
func indicatorFieldOrder() []string {
	return []string{"id", "name", "cluster", "unit", "polarity", "computed", "definition"}
}

// ImportRegime creates or replaces a regime with its indicators, in one
// transaction: indicators not in the list are removed (their values stay,
// unscored). Authorization: PermManageKLA over the whole deployment; the
// system scope loads the shipped catalogue.
func ImportRegime(ctx context.Context, st *store.Store, sc domain.Scope, g domain.KLARegime, inds []domain.KLAIndicator) error {
	if err := mayManage(st, sc, "kla.err.manage_catalogue"); err != nil {
		return err
	}
	if strings.TrimSpace(g.ID) == "" || len(g.ID) > 60 || strings.TrimSpace(g.Name) == "" || g.FromYear < 2000 || g.FromYear > 2100 {
		return domain.InvalidFields(domain.FieldErrors{"regime": domain.M("kla.field.regime")})
	}
	if len(inds) == 0 {
		return domain.InvalidFields(domain.FieldErrors{"file": domain.M("kla.row.no_indicators")})
	}
	seen := map[string]bool{}
	fields := domain.FieldErrors{}
	for n, i := range inds {
		for k, v := range ValidateIndicator(i) {
			fields[fmt.Sprintf("indicators[%d].%s", n, k)] = v
		}
		if seen[i.ID] {
			fields[fmt.Sprintf("indicators[%d].id", n)] = domain.M("kla.field.duplicate_id", i.ID)
		}
		seen[i.ID] = true
	}
	if len(fields) > 0 {
		return domain.InvalidFields(fields)
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_regimes (id, name, from_year, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, from_year = excluded.from_year, updated_at = excluded.updated_at`,
			g.ID, g.Name, g.FromYear, tx.Now()); err != nil {
			return fmt.Errorf("kla: import regime: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kla_indicators WHERE regime = $1`, g.ID); err != nil {
			return fmt.Errorf("kla: import regime: %w", err)
		}
		for n, i := range inds {
			if err := ensureAgency(ctx, tx, i.Agency); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_indicators (`+indicatorCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				g.ID, i.ID, n+1, i.Cluster, i.Name, i.Unit, string(i.Polarity), i.Agency, i.Definition, i.SubItems, i.Source, i.Computed); err != nil {
				return fmt.Errorf("kla: import indicator %s: %w", i.ID, err)
			}
		}
		return tx.Audit(ctx, sc, "kla.catalogue.import", "kla_regime", g.ID, sc.RegionCode,
			fmt.Sprintf("%d indicators, from %d", len(inds), g.FromYear))
	})
}

// ensureAgency adds an agency named only by its code when it is new.
func ensureAgency(ctx context.Context, tx *store.Tx, code string) error {
	if code == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agencies (code, name, kind) VALUES ($1, $1, 'opd')
		ON CONFLICT (code) DO NOTHING`, code); err != nil {
		return fmt.Errorf("kla: add agency %s: %w", code, err)
	}
	return nil
}

// UpdateIndicator edits one indicator. Authorization: PermManageKLA over
// the whole deployment.
func UpdateIndicator(ctx context.Context, st *store.Store, sc domain.Scope, i domain.KLAIndicator) error {
	if err := mayManage(st, sc, "kla.err.manage_catalogue"); err != nil {
		return err
	}
	if f := ValidateIndicator(i); len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE kla_indicators SET cluster = $1, name = $2, unit = $3, polarity = $4, agency = $5,
			definition = $6, sub_items = $7, source = $8, computed = $9 WHERE regime = $10 AND id = $11`,
			i.Cluster, i.Name, i.Unit, string(i.Polarity), i.Agency, i.Definition, i.SubItems, i.Source, i.Computed, i.Regime, i.ID)
		if err != nil {
			return fmt.Errorf("kla: update indicator: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("kla: update indicator: %w", err)
		}
		if n == 0 {
			return domain.NotFound("indicator")
		}
		if err := ensureAgency(ctx, tx, i.Agency); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "kla.indicator.update", "kla_indicator", i.Regime+"/"+i.ID, sc.RegionCode, "")
	})
}

// ParseCatalogue reads a catalogue file: columns regime, id, cluster,
// name, unit, polarity and optionally source, agency, definition,
// sub_items (sub-items separated by "|"). All rows must name one regime.
// A file that breaks an upload limit answers its *spreadsheet.Error, a bad
// one its RowErrors. Pure: anyone may call it.
func ParseCatalogue(ctx context.Context, data []byte, name string) (string, []domain.KLAIndicator, error) {
	t, err := readUploaded(ctx, data, name)
	if err != nil {
		return "", nil, err
	}
	var missing []string
	for _, n := range []string{"regime", "id", "cluster", "name", "unit", "polarity"} {
		if t.col(n) < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return "", nil, RowErrors{rowError(1, "kla.row.missing_columns", strings.Join(missing, ", "))}
	}
	var errs RowErrors
	var inds []domain.KLAIndicator
	regime := ""
	seen := map[string]int{}
	for k, rec := range t.Rows {
		line := t.Lines[k]
		ind := catalogueRow(t, rec)
		if regime == "" {
			regime = ind.Regime
		}
		var reasons []domain.Msg
		if ind.Regime == "" {
			reasons = append(reasons, domain.M("kla.row.regime_empty"))
		} else if ind.Regime != regime {
			reasons = append(reasons, domain.M("kla.row.regime_differs", clip(ind.Regime), clip(regime)))
		}
		f := ValidateIndicator(ind)
		for _, k := range indicatorFieldOrder() {
			if m, ok := f[k]; ok {
				reasons = append(reasons, m)
			}
		}
		if prev, dup := seen[ind.ID]; dup && ind.ID != "" {
			reasons = append(reasons, domain.M("kla.row.duplicate_id", clip(ind.ID), prev))
		}
		seen[ind.ID] = line
		if len(reasons) > 0 {
			errs = append(errs, RowError{Line: line, Reasons: reasons})
			continue
		}
		inds = append(inds, ind)
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	if len(inds) == 0 {
		return "", nil, RowErrors{rowError(1, "kla.row.no_indicators")}
	}
	return regime, inds, nil
}

// catalogueRow reads one indicator from a row of a catalogue file.
func catalogueRow(t Table, rec []string) domain.KLAIndicator {
	unit := cell(rec, t.col("unit"))
	if unit == "rate" {
		unit = domain.UnitRate
	}
	return domain.KLAIndicator{
		Regime: cell(rec, t.col("regime")), ID: cell(rec, t.col("id")), Cluster: cell(rec, t.col("cluster")),
		Name: cell(rec, t.col("name")), Unit: unit, Polarity: domain.Polarity(cell(rec, t.col("polarity"))),
		Source: cell(rec, t.col("source")), Agency: strings.ToLower(cell(rec, t.col("agency", "opd"))),
		Definition: cell(rec, t.col("definition")),
		SubItems:   strings.ReplaceAll(cell(rec, t.col("sub_items")), "|", "\n"),
		Computed:   cell(rec, t.col("computed")),
	}
}
