package kla

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
	"lindu/internal/store"
)

// shipped2011 is the Permen PPPA 12/2011 catalogue (31 indicators), with
// the responsible agency (OPD) of each added by lindu.
//
//go:embed data/kla-indicators-2011.csv
var shipped2011 []byte

// Regime2011 is the id of the shipped catalogue.
const Regime2011 = "permen-pppa-12-2011"

// Agencies are the agencies (OPD) of the shipped catalogue, with the
// default parties to agreements.
var Agencies = []domain.KLAAgency{
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

// computedIDs marks the shipped indicators computed from case records.
var computedIDs = map[string]string{"21": domain.ComputedServices, "22": domain.ComputedRestorative}

// EnsureShipped loads the shipped 2011 catalogue and its agencies into an
// empty KLA catalogue; it leaves an existing one alone (administrators may
// have edited it). It reports whether it loaded anything.
func EnsureShipped(ctx context.Context, st *store.Store) (bool, error) {
	gs, err := st.KLARegimes(ctx)
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if g.ID == Regime2011 {
			return false, nil
		}
	}
	sc := access.System("kla")
	if err := st.UpsertKLAAgencies(ctx, sc, Agencies); err != nil {
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
		inds[i].Computed = computedIDs[inds[i].ID]
	}
	err = st.ImportKLARegime(ctx, sc, domain.KLARegime{ID: Regime2011, Name: "Permen PPPA No. 12 Tahun 2011", FromYear: 2011}, inds)
	return err == nil, err
}

// RowError is one bad row of an uploaded file.
type RowError struct {
	Line   int    `json:"line"` // 1-based line (CSV) or row (XLSX) in the file
	Reason string `json:"reason"`
}

// RowErrors is the error of an import with bad rows; nothing was written.
type RowErrors []RowError

func (e RowErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows rejected, nothing imported", len(e))
	for i, r := range e {
		if i == 5 {
			b.WriteString("; ...")
			break
		}
		fmt.Fprintf(&b, "; line %d: %s", r.Line, r.Reason)
	}
	return b.String()
}

// MaxRows bounds an uploaded file.
const MaxRows = 20000

// Table is an uploaded file as rows of cells, with the line of each row.
type Table struct {
	Header []string
	Rows   [][]string
	Lines  []int
}

// ReadTable reads CSV (comma or semicolon, as Excel writes in Indonesia)
// or XLSX (first sheet) by the file name's extension or content, within
// spreadsheet.DefaultLimits (size, rows, cells, time): a file that breaks
// one answers a *spreadsheet.Error, a malformed one another error.
func ReadTable(ctx context.Context, data []byte, name string) (Table, error) {
	var t Table
	err := spreadsheet.Read(ctx, data, name, spreadsheet.DefaultLimits, func(r spreadsheet.Row) error {
		if blank(r.Cells) {
			return nil
		}
		if t.Header == nil {
			t.Header = normHeader(r.Cells)
			return nil
		}
		if len(t.Rows) >= MaxRows {
			return &spreadsheet.Error{Key: "too_many_rows", Limit: MaxRows}
		}
		t.Rows = append(t.Rows, r.Cells)
		t.Lines = append(t.Lines, r.Line)
		return nil
	})
	if err != nil {
		return Table{}, err
	}
	if t.Header == nil {
		return Table{}, errors.New("the file is empty")
	}
	return t, nil
}

func normHeader(rec []string) []string {
	out := make([]string, len(rec))
	for i, h := range rec {
		out[i] = strings.ToLower(strings.TrimSpace(h))
	}
	return out
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// col returns the index of a column, or -1.
func (t Table) col(names ...string) int {
	for i, h := range t.Header {
		for _, n := range names {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// cell returns a cell without surrounding space and without the quote
// lindu's CSV export puts before a leading = + - @ (so "'-3.5" is -3.5).
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(spreadsheet.UnquoteCell(strings.TrimSpace(rec[i])))
}

// ParseCatalogue reads a catalogue file: columns regime, id, cluster,
// name, unit, polarity and optionally source, agency, definition,
// sub_items (sub-items separated by "|"). All rows must name one regime.
// A file that breaks an upload limit answers its *spreadsheet.Error.
func ParseCatalogue(ctx context.Context, data []byte, name string) (string, []domain.KLAIndicator, error) {
	t, err := ReadTable(ctx, data, name)
	if _, ok := spreadsheet.AsError(err); ok {
		return "", nil, err
	}
	if err != nil {
		return "", nil, RowErrors{{Line: 1, Reason: err.Error()}}
	}
	need := []string{"regime", "id", "cluster", "name", "unit", "polarity"}
	var missing []string
	for _, n := range need {
		if t.col(n) < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return "", nil, RowErrors{{Line: 1, Reason: "missing columns: " + strings.Join(missing, ", ")}}
	}
	var errs RowErrors
	var inds []domain.KLAIndicator
	regime := ""
	seen := map[string]int{}
	for k, rec := range t.Rows {
		line := t.Lines[k]
		unit := cell(rec, t.col("unit"))
		if unit == "rate" {
			unit = domain.UnitRate
		}
		ind := domain.KLAIndicator{
			Regime: cell(rec, t.col("regime")), ID: cell(rec, t.col("id")), Cluster: cell(rec, t.col("cluster")),
			Name: cell(rec, t.col("name")), Unit: unit, Polarity: domain.Polarity(cell(rec, t.col("polarity"))),
			Source: cell(rec, t.col("source")), Agency: strings.ToLower(cell(rec, t.col("agency", "opd"))),
			Definition: cell(rec, t.col("definition")),
			SubItems:   strings.ReplaceAll(cell(rec, t.col("sub_items")), "|", "\n"),
			Computed:   cell(rec, t.col("computed")),
		}
		if regime == "" {
			regime = ind.Regime
		}
		var reasons []string
		if ind.Regime == "" {
			reasons = append(reasons, "regime is empty")
		} else if ind.Regime != regime {
			reasons = append(reasons, fmt.Sprintf("regime %q differs from the first row's %q", ind.Regime, regime))
		}
		for _, f := range sortedFields(store.ValidateKLAIndicator(ind)) {
			reasons = append(reasons, f)
		}
		if prev, dup := seen[ind.ID]; dup && ind.ID != "" {
			reasons = append(reasons, fmt.Sprintf("id %s already on line %d", ind.ID, prev))
		}
		seen[ind.ID] = line
		if len(reasons) > 0 {
			errs = append(errs, RowError{Line: line, Reason: strings.Join(reasons, "; ")})
			continue
		}
		inds = append(inds, ind)
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	if len(inds) == 0 {
		return "", nil, RowErrors{{Line: 1, Reason: "no indicators"}}
	}
	return regime, inds, nil
}

func sortedFields(f map[string]string) []string {
	var out []string
	for _, k := range []string{"id", "name", "cluster", "unit", "polarity", "computed", "definition"} {
		if v, ok := f[k]; ok {
			out = append(out, k+": "+v)
		}
	}
	return out
}
