package stats

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Historical tables (years before lindu): imported as published, every
// total recomputed from its parts, every mismatch listed with its cell
// before the operator accepts; stored with both the published figure
// ("angka terbit") and the computed one ("angka hitung").

// HistCol is one count column of a historical table.
type HistCol struct {
	Year  int    `json:"year"`
	Group string `json:"group"` // "" the year's only column, "jumlah" its total
}

// HistViewCell is one published count and, for a total, the sum of its
// parts. Hidden: withheld by disclosure control (public view).
type HistViewCell struct {
	Published   int64 `json:"published"`
	Set         bool  `json:"set"`
	Computed    int64 `json:"computed"`
	HasComputed bool  `json:"has_computed"`
	Hidden      bool  `json:"hidden,omitempty"`
}

// Diff reports a total that differs from the sum of its parts.
func (c HistViewCell) Diff() bool { return c.Set && c.HasComputed && c.Computed != c.Published }

// HistViewRow is one row.
type HistViewRow struct {
	Label string         `json:"label"`
	Total bool           `json:"total,omitempty"`
	Cells []HistViewCell `json:"cells"`
}

// HistChangeView is a stated change of the total row (or a row) and the
// change computed from the stated figures.
type HistChangeView struct {
	Label    string  `json:"label"`
	Group    string  `json:"group"`
	Percent  bool    `json:"percent"`
	Stated   float64 `json:"stated"`
	Decimals int     `json:"decimals"`
	Computed float64 `json:"computed"`
	FromZero bool    `json:"from_zero,omitempty"`
	Hidden   bool    `json:"hidden,omitempty"`
}

// HistView is a historical table as stored and shown.
type HistView struct {
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	RegionCode string           `json:"region_code"`
	Unit       string           `json:"unit"`
	Source     string           `json:"source"`
	Note       string           `json:"note"`
	Sheet      string           `json:"sheet"`
	FileSHA    string           `json:"file_sha"`
	Cols       []HistCol        `json:"cols"`
	Rows       []HistViewRow    `json:"rows"`
	Changes    []HistChangeView `json:"changes"`
	Checks     []Mismatch       `json:"checks"`
	ImportedAt time.Time        `json:"imported_at"`
	ImportedBy string           `json:"imported_by,omitempty"`
}

// HistSummary is what an import does: new cells, cells whose published
// figure changes, cells already stored as they are.
type HistSummary struct {
	New, Updated, Ignored int
}

// HistPreview is the dry run of an import.
type HistPreview struct {
	View    HistView
	Summary HistSummary
	Exists  bool
}

// viewOf turns a parsed table into its stored form.
func viewOf(t *HistTable, sha string) HistView {
	v := HistView{Title: t.Title, RegionCode: t.Region, Unit: t.Unit, Source: t.Source, Note: t.Note, Sheet: t.Sheet, FileSHA: sha,
		Checks: t.Check()}
	has := func(k HistKey) bool {
		rows := append([]HistRow(nil), t.Rows...)
		if t.Total != nil {
			rows = append(rows, *t.Total)
		}
		for _, r := range rows {
			if _, ok := r.Cells[k]; ok {
				return true
			}
		}
		return false
	}
	for _, y := range t.Years {
		for _, g := range t.Groups {
			if has(HistKey{y, g}) {
				v.Cols = append(v.Cols, HistCol{y, g})
			}
		}
		if has(HistKey{y, HistTotalGroup}) {
			v.Cols = append(v.Cols, HistCol{y, HistTotalGroup})
		}
	}
	// parts of a year's total column: the year's other columns.
	parts := func(y int) []HistKey {
		var out []HistKey
		for _, c := range v.Cols {
			if c.Year == y && c.Group != HistTotalGroup {
				out = append(out, HistKey(c))
			}
		}
		return out
	}
	sumOf := func(r HistRow, keys []HistKey) (int64, bool) {
		var s int64
		for _, k := range keys {
			c, ok := r.Cells[k]
			if !ok || !c.Set {
				return 0, false
			}
			s += c.Value
		}
		return s, len(keys) > 0
	}
	row := func(r HistRow, total bool) HistViewRow {
		out := HistViewRow{Label: r.Label, Total: total}
		for _, c := range v.Cols {
			k := HistKey(c)
			hc := r.Cells[k]
			cell := HistViewCell{Published: hc.Value, Set: hc.Set}
			switch {
			case total:
				// The total row: the sum of the category rows (for its
				// jumlah, of every category cell of the year's groups).
				keys := []HistKey{k}
				if c.Group == HistTotalGroup && len(parts(c.Year)) > 0 {
					keys = parts(c.Year)
				}
				var s int64
				ok := len(t.Rows) > 0
				for _, cr := range t.Rows {
					x, good := sumOf(cr, keys)
					ok = ok && good
					s += x
				}
				cell.Computed, cell.HasComputed = s, ok
			case c.Group == HistTotalGroup:
				cell.Computed, cell.HasComputed = sumOf(r, parts(c.Year))
			}
			out.Cells = append(out.Cells, cell)
		}
		return out
	}
	for _, r := range t.Rows {
		v.Rows = append(v.Rows, row(r, false))
	}
	if t.Total != nil {
		v.Rows = append(v.Rows, row(*t.Total, true))
	}
	for _, ch := range t.Changes {
		for _, r := range append(append([]HistRow(nil), t.Rows...), totalRows(t)...) {
			st, ok := ch.Values[r.Label]
			if !ok {
				continue
			}
			cv := HistChangeView{Label: r.Label, Group: ch.Group, Percent: ch.Percent, Stated: st.Value, Decimals: st.Decimals}
			a, b := r.Cells[ch.From], r.Cells[ch.To]
			if a.Set && b.Set {
				d := float64(b.Value - a.Value)
				if ch.Percent {
					if a.Value == 0 {
						cv.FromZero = true
					} else {
						d = d * 100 / float64(a.Value)
					}
				}
				cv.Computed = d
			}
			v.Changes = append(v.Changes, cv)
		}
	}
	return v
}

func totalRows(t *HistTable) []HistRow {
	if t.Total == nil {
		return nil
	}
	return []HistRow{*t.Total}
}

// cellsOf flattens a view's published cells for the import summary.
func cellsOf(v HistView) map[string]HistViewCell {
	m := map[string]HistViewCell{}
	for _, r := range v.Rows {
		for i, c := range r.Cells {
			if c.Set {
				m[r.Label+"\x00"+strconv.Itoa(v.Cols[i].Year)+"\x00"+v.Cols[i].Group] = c
			}
		}
	}
	return m
}

func summarize(old *HistView, cur HistView) HistSummary {
	var s HistSummary
	prev := map[string]HistViewCell{}
	if old != nil {
		prev = cellsOf(*old)
	}
	for k, c := range cellsOf(cur) {
		p, ok := prev[k]
		switch {
		case !ok:
			s.New++
		case p.Published != c.Published:
			s.Updated++
		default:
			s.Ignored++
		}
	}
	return s
}

// prepare parses and checks a file for sc: the region must be within the
// caller's.
func (s *Service) prepare(ctx context.Context, sc domain.Scope, data []byte, name string) (*HistTable, string, error) {
	if !sc.Can(domain.PermPublishStats) {
		return nil, "", domain.E(domain.EForbidden, "error.forbidden")
	}
	t, err := ParseHist(ctx, data, name)
	if err != nil {
		var he *HistError
		if errors.As(err, &he) {
			addr := he.Sheet
			if he.Row > 0 {
				addr += "!" + he.Col + strconv.Itoa(he.Row)
			}
			return nil, "", domain.E(domain.EInvalid, strings.Replace(he.Key, "stats.import.", "stats.import.refused.", 1), addr, he.Value)
		}
		return nil, "", err
	}
	if _, err := s.st.GetRegion(ctx, t.Region); err != nil || !sc.Contains(t.Region) {
		return nil, "", domain.E(domain.EInvalid, "stats.import.region_outside", t.Region)
	}
	sum := sha256.Sum256(data)
	return t, hex.EncodeToString(sum[:]), nil
}

func (s *Service) storedHist(ctx context.Context, q store.Querier, region, title string) (*HistView, error) {
	var id, js string
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT id, table_json, imported_at FROM stat_hist_tables WHERE region_code = $1 AND title = $2`, region, title).Scan(&id, &js, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stats: historical table: %w", err)
	}
	var v HistView
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		return nil, fmt.Errorf("stats: historical table: %w", err)
	}
	v.ID, v.ImportedAt = id, at.UTC()
	return &v, nil
}

// PreviewHist is the dry run of an import: the table as it would be
// stored, every mismatch with its cell, and what would change. Nothing is
// written. Authorization: PermPublishStats, the table's region within the
// caller's.
func (s *Service) PreviewHist(ctx context.Context, sc domain.Scope, data []byte, name string) (HistPreview, error) {
	t, sha, err := s.prepare(ctx, sc, data, name)
	if err != nil {
		return HistPreview{}, err
	}
	v := viewOf(t, sha)
	old, err := s.storedHist(ctx, s.st, t.Region, t.Title)
	if err != nil {
		return HistPreview{}, err
	}
	return HistPreview{View: v, Summary: summarize(old, v), Exists: old != nil}, nil
}

// AcceptHist stores an import the operator accepted (the same table —
// region and title — is replaced; the same file again changes nothing).
// Authorization: as PreviewHist.
func (s *Service) AcceptHist(ctx context.Context, sc domain.Scope, data []byte, name string) (HistPreview, error) {
	t, sha, err := s.prepare(ctx, sc, data, name)
	if err != nil {
		return HistPreview{}, err
	}
	v := viewOf(t, sha)
	var p HistPreview
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Serialize(ctx, "stats-hist:"+t.Region); err != nil {
			return err
		}
		old, err := s.storedHist(ctx, tx, t.Region, t.Title)
		if err != nil {
			return err
		}
		p = HistPreview{View: v, Summary: summarize(old, v), Exists: old != nil}
		if old != nil && p.Summary.New == 0 && p.Summary.Updated == 0 && len(cellsOf(*old)) == len(cellsOf(v)) && old.FileSHA == sha {
			p.View = *old
			return nil
		}
		v.ImportedBy = sc.Username
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("stats: historical table: %w", err)
		}
		checks, err := json.Marshal(v.Checks)
		if err != nil {
			return fmt.Errorf("stats: historical table: %w", err)
		}
		id := tx.NewID()
		if old != nil {
			id = old.ID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_hist_tables (id, region_code, title, file_sha, table_json, checks_json, imported_by, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (region_code, title) DO UPDATE SET file_sha = excluded.file_sha,
			table_json = excluded.table_json, checks_json = excluded.checks_json, imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
			id, t.Region, t.Title, sha, string(js), string(checks), sc.UserID, tx.Now()); err != nil {
			return fmt.Errorf("stats: store historical table: %w", err)
		}
		p.View.ID, p.View.ImportedAt = id, tx.Now()
		return tx.Audit(ctx, sc, "stats.import", "stat_hist_table", id, t.Region,
			fmt.Sprintf("new=%d updated=%d ignored=%d mismatches=%d", p.Summary.New, p.Summary.Updated, p.Summary.Ignored, len(v.Checks)))
	})
	return p, err
}

// HistTables lists the historical tables of region and the regions below
// it. Public: true applies disclosure control (withheld cells lose their
// values, and so do the sums and stated changes built on them). Anyone may
// call it with public; the raw figures need PermViewDashboard.
func (s *Service) HistTables(ctx context.Context, sc domain.Scope, region string, public bool, r Rule) ([]HistView, error) {
	if !public && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("region_code", region, 1)
	out, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (HistView, error) {
		var v HistView
		var id, js string
		var at time.Time
		if err := rows.Scan(&id, &js, &at); err != nil {
			return v, err
		}
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return v, err
		}
		v.ID, v.ImportedAt = id, at.UTC()
		return v, nil
	}, `SELECT id, table_json, imported_at FROM stat_hist_tables WHERE `+where+` ORDER BY region_code, title`, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: historical tables: %w", err)
	}
	if public {
		for i := range out {
			protectHist(&out[i], r)
		}
	}
	return out, nil
}

// protectHist withholds a historical table's small published counts with
// their complements, and every computed sum or stated change that rests on
// a withheld cell. Who imported it is not public.
func protectHist(v *HistView, r Rule) {
	v.ImportedBy = ""
	var sys System
	idx := make([][]int, len(v.Rows))
	for ri, row := range v.Rows {
		idx[ri] = make([]int, len(row.Cells))
		for ci, c := range row.Cells {
			idx[ri][ci] = len(sys.Values)
			sys.Values = append(sys.Values, c.Published)
		}
	}
	totalRow := -1
	for ri, row := range v.Rows {
		if row.Total {
			totalRow = ri
		}
	}
	for ci, col := range v.Cols {
		if totalRow >= 0 {
			eq := Equation{Total: idx[totalRow][ci]}
			for ri := range v.Rows {
				if ri != totalRow {
					eq.Parts = append(eq.Parts, idx[ri][ci])
				}
			}
			sys.Eqs = append(sys.Eqs, eq)
		}
		if col.Group != HistTotalGroup {
			continue
		}
		for ri := range v.Rows {
			eq := Equation{Total: idx[ri][ci]}
			for cj, other := range v.Cols {
				if other.Year == col.Year && other.Group != HistTotalGroup {
					eq.Parts = append(eq.Parts, idx[ri][cj])
				}
			}
			if len(eq.Parts) > 0 {
				sys.Eqs = append(sys.Eqs, eq)
			}
		}
	}
	hidden, _ := Protect(sys, r)
	anyHidden := false
	for ri := range v.Rows {
		for ci := range v.Rows[ri].Cells {
			if hidden[idx[ri][ci]] {
				c := &v.Rows[ri].Cells[ci]
				c.Hidden, c.Published, c.Computed, c.HasComputed = true, 0, 0, false
				anyHidden = true
			}
		}
	}
	if !anyHidden {
		return
	}
	// A sum over a withheld part would reveal it: computed totals of the
	// total row, and of every row's total column, go when a part is
	// withheld; so do the stated changes of rows with a withheld cell.
	for ri := range v.Rows {
		rowHidden := false
		for _, c := range v.Rows[ri].Cells {
			rowHidden = rowHidden || c.Hidden
		}
		for ci, col := range v.Cols {
			c := &v.Rows[ri].Cells[ci]
			if !c.HasComputed {
				continue
			}
			partHidden := false
			if v.Rows[ri].Total {
				for rj := range v.Rows {
					partHidden = partHidden || v.Rows[rj].Cells[ci].Hidden
				}
			}
			if col.Group == HistTotalGroup {
				for cj, other := range v.Cols {
					if other.Year == col.Year && v.Rows[ri].Cells[cj].Hidden {
						partHidden = true
					}
				}
			}
			if partHidden {
				c.Computed, c.HasComputed = 0, false
			}
		}
		for k := range v.Changes {
			if v.Changes[k].Label == v.Rows[ri].Label && rowHidden {
				v.Changes[k] = HistChangeView{Label: v.Changes[k].Label, Group: v.Changes[k].Group, Percent: v.Changes[k].Percent, Hidden: true}
			}
		}
	}
	// The mismatches list published and computed figures by cell: keep only
	// those whose figures are all still shown.
	var keep []Mismatch
	for _, m := range v.Checks {
		if shownCheck(v, m) {
			keep = append(keep, m)
		}
	}
	v.Checks = keep
}

// shownCheck: a sum check whose cell is shown with its computed sum, or a
// change check of a row with nothing withheld.
func shownCheck(v *HistView, m Mismatch) bool {
	for _, row := range v.Rows {
		if row.Label != m.Label {
			continue
		}
		if m.Rule == "change" || m.Rule == "change_pct" || m.Rule == "change_pct_from_zero" {
			for _, c := range row.Cells {
				if c.Hidden {
					return false
				}
			}
			return true
		}
		for ci, col := range v.Cols {
			if col.Year == m.Year && col.Group == m.Group {
				return !row.Cells[ci].Hidden && row.Cells[ci].HasComputed
			}
		}
	}
	return false
}
