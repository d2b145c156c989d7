package kla

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Bulk entry: a template of the operator's indicators for a region and
// year, filled in Excel or a text editor and uploaded again. The columns,
// in Indonesian (the importer also reads the English headers of earlier
// templates: indicator, region_code, year, value, note, link):
var templateHeader = []string{"Indikator", "Kode wilayah", "Tahun", "Nilai", "Catatan", "Tautan", "Nama indikator", "Satuan"}

// ParseValueRows reads uploaded value rows: columns Indikator, Kode
// wilayah, Tahun, Nilai, and optionally Catatan and Tautan (or their
// English names of earlier templates; case, spaces and underscores do not
// matter; the indicator's name and unit are ignored: they help whoever
// fills the template). A row with an empty value is skipped (not filled
// in). Values are read by ParseNumber ("12,5", "1.234,5", "ada").
// Pure: anyone may call it.
func ParseValueRows(t Table) ([]domain.KLAValueInput, []int, RowErrors) {
	ci, cr := t.col("indikator", "indicator", "id"), t.col("kode wilayah", "region code", "kode", "wilayah", "region")
	cy, cv := t.col("tahun", "year"), t.col("nilai", "value")
	var missing []string
	for n, c := range map[string]int{"Indikator": ci, "Kode wilayah": cr, "Tahun": cy, "Nilai": cv} {
		if c < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, RowErrors{rowError(1, "kla.row.missing_columns", strings.Join(missing, ", "))}
	}
	cn, cl := t.col("catatan", "note"), t.col("tautan", "link")
	var out []domain.KLAValueInput
	var lines []int
	var errs RowErrors
	for k, rec := range t.Rows {
		line := t.Lines[k]
		raw := cell(rec, cv)
		if raw == "" {
			continue
		}
		var reasons []domain.Msg
		v, err := ParseNumber(raw)
		if err != nil {
			reasons = append(reasons, domain.M("kla.row.value_not_number", clip(raw)))
		}
		year, err := strconv.Atoi(cell(rec, cy))
		if err != nil {
			reasons = append(reasons, domain.M("kla.row.year_not_year", clip(cell(rec, cy))))
		}
		in := domain.KLAValueInput{IndicatorID: cell(rec, ci), RegionCode: cell(rec, cr), Year: year, Value: v,
			Note: cell(rec, cn), Link: cell(rec, cl)}
		if in.IndicatorID == "" {
			reasons = append(reasons, domain.M("kla.row.indicator_empty"))
		}
		if !domain.ValidRegionCode(in.RegionCode) {
			reasons = append(reasons, domain.M("kla.row.region_code", clip(in.RegionCode)))
		}
		if len(reasons) > 0 {
			errs = append(errs, RowError{Line: line, Reasons: reasons})
			continue
		}
		out = append(out, in)
		lines = append(lines, line)
	}
	return out, lines, errs
}

// Target is the region and year of the entry page a file is uploaded on:
// every row must be for them (a template downloaded for another district
// or year, filled in and uploaded here, would write into the wrong place).
// The zero Target accepts any region and year the caller may enter.
type Target struct {
	Region string
	Year   int
}

// ImportValues reads an uploaded file and enters all its values, or none:
// every bad row is reported with its line and reasons (format errors, a
// row for another region or year than target's, and PutValues' checks:
// indicator of another agency, region outside the caller's, value out of
// range). A file that breaks an upload limit
// answers its *spreadsheet.Error. Authorization as PutValues.
func ImportValues(ctx context.Context, st *store.Store, sc domain.Scope, regime string, data []byte, name string, target Target) (int, error) {
	t, err := readUploaded(ctx, data, name)
	if err != nil {
		return 0, err
	}
	in, lines, errs := ParseValueRows(t)
	if target.Region != "" || target.Year != 0 {
		for i, v := range in {
			var reasons []domain.Msg
			if target.Region != "" && v.RegionCode != target.Region {
				reasons = append(reasons, domain.M("kla.row.other_region", clip(v.RegionCode), target.Region))
			}
			if target.Year != 0 && v.Year != target.Year {
				reasons = append(reasons, domain.M("kla.row.other_year", v.Year, target.Year))
			}
			if len(reasons) > 0 {
				errs = append(errs, RowError{Line: lines[i], Reasons: reasons})
			}
		}
	}
	if len(in) == 0 && len(errs) == 0 {
		return 0, RowErrors{rowError(1, "kla.row.no_values")}
	}
	if len(in) > 0 {
		bad, err := CheckValues(ctx, st, sc, regime, in)
		if err != nil {
			return 0, err
		}
		errs = addRowErrors(errs, lines, bad)
	}
	if len(errs) > 0 {
		return 0, sortRows(errs)
	}
	if err := PutValues(ctx, st, sc, regime, in); err != nil {
		var ve *ValuesError
		if errors.As(err, &ve) {
			return 0, sortRows(addRowErrors(errs, lines, ve.Rows))
		}
		return 0, err
	}
	return len(in), nil
}

// addRowErrors adds the reasons of bad inputs (by index) to errs, on the
// line of each input.
func addRowErrors(errs RowErrors, lines []int, bad map[int]domain.Msg) RowErrors {
	for i, m := range bad {
		errs = append(errs, RowError{Line: lines[i], Reasons: []domain.Msg{m}})
	}
	return errs
}

func sortRows(errs RowErrors) RowErrors {
	sort.Slice(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs
}

// TemplateRows lists the rows of a bulk-entry template: the given
// indicators for a region and year, with their current values.
// Pure: anyone may call it.
func TemplateRows(inds []domain.KLAIndicator, region string, year int, current map[string]domain.KLAValue) [][]string {
	var rows [][]string
	for _, ind := range inds {
		val, note, link := "", "", ""
		if v, ok := current[ind.ID]; ok && v.SelfValue != nil {
			val = strconv.FormatFloat(*v.SelfValue, 'f', -1, 64)
			note, link = v.Note, v.Link
		}
		rows = append(rows, []string{ind.ID, region, strconv.Itoa(year), val, note, link, ind.Name, fileWord("kla.unit.", ind.Unit)})
	}
	return rows
}
