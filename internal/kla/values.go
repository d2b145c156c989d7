package kla

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
	"lindu/internal/store"
)

// Bulk entry: a template of the operator's indicators for a region and
// year, filled in Excel or a text editor and uploaded again. The columns:
var templateHeader = []string{"indicator", "region_code", "year", "value", "note", "link", "name", "unit"}

// ParseValueRows reads uploaded value rows: columns indicator, region_code,
// year, value, and optionally note and link (name and unit are ignored:
// they help whoever fills the template). A row with an empty value is
// skipped (not filled in). Decimal commas are accepted ("12,5").
func ParseValueRows(t Table) ([]domain.KLAValueInput, []int, RowErrors) {
	ci, cr, cy, cv := t.col("indicator", "indikator", "id"), t.col("region_code", "kode_wilayah", "region"), t.col("year", "tahun"), t.col("value", "nilai")
	var missing []string
	for n, c := range map[string]int{"indicator": ci, "region_code": cr, "year": cy, "value": cv} {
		if c < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, RowErrors{{Line: 1, Reason: "missing columns: " + strings.Join(missing, ", ")}}
	}
	cn, cl := t.col("note", "catatan"), t.col("link", "tautan")
	var out []domain.KLAValueInput
	var lines []int
	var errs RowErrors
	for k, rec := range t.Rows {
		line := t.Lines[k]
		raw := cell(rec, cv)
		if raw == "" {
			continue
		}
		var reasons []string
		v, err := parseNumber(raw)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("value %q is not a number", clip(raw)))
		}
		year, err := strconv.Atoi(cell(rec, cy))
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("year %q is not a year", clip(cell(rec, cy))))
		}
		in := domain.KLAValueInput{IndicatorID: cell(rec, ci), RegionCode: cell(rec, cr), Year: year, Value: v,
			Note: cell(rec, cn), Link: cell(rec, cl)}
		if in.IndicatorID == "" {
			reasons = append(reasons, "indicator is empty")
		}
		if !domain.ValidRegionCode(in.RegionCode) {
			reasons = append(reasons, fmt.Sprintf("region code %q is not a Kemendagri code like 61.07.01", clip(in.RegionCode)))
		}
		if len(reasons) > 0 {
			errs = append(errs, RowError{Line: line, Reason: strings.Join(reasons, "; ")})
			continue
		}
		out = append(out, in)
		lines = append(lines, line)
	}
	return out, lines, errs
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// parseNumber reads "12.5", "12,5", "1.234,5" or "ada"/"tidak" (1/0).
func parseNumber(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "ada", "ya", "yes":
		return 1, nil
	case "tidak", "tidak ada", "no":
		return 0, nil
	}
	s = strings.ReplaceAll(s, " ", "")
	if strings.Contains(s, ",") {
		if strings.Contains(s, ".") {
			s = strings.ReplaceAll(s, ".", "")
		}
		s = strings.ReplaceAll(s, ",", ".")
	}
	s = strings.TrimSuffix(s, "%")
	return strconv.ParseFloat(s, 64)
}

// ImportValues reads an uploaded file and enters all its values, or none:
// every bad row is reported with its line and reason (format errors and
// the store's checks: indicator of another agency, region outside the
// caller's, value out of range).
//
// A file that breaks an upload limit answers its *spreadsheet.Error.
func ImportValues(ctx context.Context, st *store.Store, sc domain.Scope, regime string, data []byte, name string) (int, error) {
	t, err := ReadTable(ctx, data, name)
	if _, ok := spreadsheet.AsError(err); ok {
		return 0, err
	}
	if err != nil {
		return 0, RowErrors{{Line: 1, Reason: err.Error()}}
	}
	in, lines, errs := ParseValueRows(t)
	if len(in) == 0 && len(errs) == 0 {
		return 0, RowErrors{{Line: 1, Reason: "no values filled in"}}
	}
	if len(in) > 0 {
		bad, err := st.CheckKLAValues(ctx, sc, regime, in)
		if err != nil {
			return 0, err
		}
		for i, reason := range bad {
			errs = append(errs, RowError{Line: lines[i], Reason: reason})
		}
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return 0, errs
	}
	if err := st.PutKLAValues(ctx, sc, regime, in); err != nil {
		var ve *store.KLAValuesError
		if errors.As(err, &ve) {
			for i, reason := range ve.Rows {
				errs = append(errs, RowError{Line: lines[i], Reason: reason})
			}
			sort.Slice(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
			return 0, errs
		}
		return 0, err
	}
	return len(in), nil
}

// TemplateRows lists the rows of a bulk-entry template: the given
// indicators for a region and year, with their current values.
func TemplateRows(inds []domain.KLAIndicator, region string, year int, current map[string]domain.KLAValue) [][]string {
	var rows [][]string
	for _, ind := range inds {
		val, note, link := "", "", ""
		if v, ok := current[ind.ID]; ok && v.SelfValue != nil {
			val = strconv.FormatFloat(*v.SelfValue, 'f', -1, 64)
			note, link = v.Note, v.Link
		}
		rows = append(rows, []string{ind.ID, region, strconv.Itoa(year), val, note, link, ind.Name, ind.Unit})
	}
	return rows
}

// WriteCSV writes a header and rows as CSV (UTF-8 with a BOM so Excel
// reads it right), every cell defused by spreadsheet.SafeCell.
func WriteCSV(header []string, rows [][]string) []byte {
	return spreadsheet.WriteCSV(header, rows)
}

// WriteXLSX writes sheets (name → header and rows) as an XLSX workbook;
// cells that are numbers are written as numbers.
func WriteXLSX(sheets []Sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		name := sh.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		all := append([][]string{sh.Header}, sh.Rows...)
		for r, row := range all {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if n, err := strconv.ParseFloat(v, 64); err == nil && r > 0 && v != "" && !sh.Text[c] {
					f.SetCellValue(name, ref, n)
				} else {
					f.SetCellStr(name, ref, v)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Sheet is one sheet of an export. Text marks columns kept as text
// (codes like "61.07" or ids like "1" that are not numbers to Excel).
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
	Text   map[int]bool
}

// TemplateSheet is the bulk-entry template as a sheet.
func TemplateSheet(rows [][]string) Sheet {
	return Sheet{Name: "nilai", Header: templateHeader, Rows: rows, Text: map[int]bool{0: true, 1: true, 4: true, 5: true, 6: true, 7: true}}
}

// TemplateHeader returns the columns of the bulk-entry template.
func TemplateHeader() []string { return append([]string(nil), templateHeader...) }

// ExportSheets is the dashboard as tables: score by indicator, clusters,
// trend and rankings.
func ExportSheets(d Dashboard) []Sheet {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	var ind [][]string
	for _, is := range d.Score.Indicators {
		ind = append(ind, []string{is.Indicator.ID, is.Indicator.Cluster, is.Indicator.Name, is.Indicator.Unit,
			string(is.Indicator.Polarity), is.Indicator.Agency, opt(is.Value.Self), opt(is.Value.Verified), f(is.Points),
			f(is.VerifiedPoints), f(is.Rule.MaxPoints), is.Value.Source, strconv.FormatBool(is.Missing)})
	}
	var cl [][]string
	for _, c := range d.Score.Clusters {
		cl = append(cl, []string{c.Cluster, f(c.Points), f(c.Verified), f(c.Max), strconv.Itoa(c.Missing)})
	}
	cl = append(cl, []string{"total", f(d.Score.Total), f(d.Score.VerifiedTotal), f(d.Score.Max), strconv.Itoa(d.Score.MissingCount)})
	var tr [][]string
	for _, t := range d.Trend {
		tr = append(tr, []string{strconv.Itoa(t.Year), f(t.Total), f(t.VerifiedTotal), t.Category, strconv.Itoa(t.Missing)})
	}
	var rk [][]string
	for _, r := range append(append([]RankRow{}, d.Children...), d.Grandchildren...) {
		rk = append(rk, []string{r.Code, r.Name, f(r.Total), f(r.VerifiedTotal), r.Category, strconv.Itoa(r.Missing)})
	}
	return []Sheet{
		{Name: "indikator", Header: []string{"indicator", "cluster", "name", "unit", "polarity", "agency", "value", "verified_value",
			"points", "verified_points", "max_points", "source", "missing"}, Rows: ind, Text: map[int]bool{0: true, 1: true, 2: true}},
		{Name: "klaster", Header: []string{"cluster", "points", "verified_points", "max_points", "missing"}, Rows: cl, Text: map[int]bool{0: true}},
		{Name: "tren", Header: []string{"year", "total", "verified_total", "category", "missing"}, Rows: tr},
		{Name: "peringkat", Header: []string{"region_code", "region", "total", "verified_total", "category", "missing"}, Rows: rk, Text: map[int]bool{0: true, 1: true}},
	}
}
