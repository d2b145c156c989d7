package kla

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"lindu/internal/i18n"
	"lindu/internal/spreadsheet"
)

// Downloads: the bulk-entry template and the dashboard's tables as CSV or
// XLSX, every text cell defused against formulas. The files are in
// Indonesian, whatever the page's language (they go between regency
// offices and back into lindu): column headers, units, polarities, the
// source of a value and yes/no as words, agencies by name.

// WriteCSV writes a header and rows as CSV (UTF-8 with a BOM so Excel
// reads it right), every cell defused by spreadsheet.SafeCell.
// Pure: anyone may call it.
func WriteCSV(header []string, rows [][]string) []byte {
	return spreadsheet.WriteCSV(header, rows)
}

// WriteXLSX writes sheets (name → header and rows) as an XLSX workbook;
// cells that are numbers are written as numbers. Pure: anyone may call it.
func WriteXLSX(sheets []Sheet) ([]byte, error) {
	f := excelize.NewFile()
	// The workbook lives in memory: Close only drops what it held.
	defer func() { _ = f.Close() }()
	for i, sh := range sheets {
		name := sh.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, fmt.Errorf("kla: xlsx sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("kla: xlsx sheet %s: %w", name, err)
		}
		all := append([][]string{sh.Header}, sh.Rows...)
		for r, row := range all {
			for c, v := range row {
				if err := setCell(f, name, c+1, r+1, v, r > 0 && !sh.Text[c]); err != nil {
					return nil, err
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("kla: write xlsx: %w", err)
	}
	return b.Bytes(), nil
}

// setCell writes v at column col, row row: as a number when numeric
// allows it and v is one, else as text.
func setCell(f *excelize.File, sheet string, col, row int, v string, numeric bool) error {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Errorf("kla: xlsx cell: %w", err)
	}
	if n, perr := strconv.ParseFloat(v, 64); perr == nil && numeric && v != "" {
		err = f.SetCellValue(sheet, ref, n)
	} else {
		err = f.SetCellStr(sheet, ref, v)
	}
	if err != nil {
		return fmt.Errorf("kla: xlsx cell %s: %w", ref, err)
	}
	return nil
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
// Pure: anyone may call it.
func TemplateSheet(rows [][]string) Sheet {
	return Sheet{Name: "nilai", Header: templateHeader, Rows: rows, Text: map[int]bool{0: true, 1: true, 4: true, 5: true, 6: true, 7: true}}
}

// TemplateHeader returns the columns of the bulk-entry template.
// Pure: anyone may call it.
func TemplateHeader() []string { return append([]string(nil), templateHeader...) }

// ExportSheets is the dashboard as tables: score by indicator, clusters,
// trend and rankings.
// Pure: it lays out a dashboard the caller was allowed to build.
func ExportSheets(d Dashboard) []Sheet {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	agency := func(code string) string {
		if n := d.Agencies[code]; n != "" {
			return n
		}
		return code
	}
	var ind [][]string
	for _, is := range d.Score.Indicators {
		ind = append(ind, []string{is.Indicator.ID, is.Indicator.Cluster, is.Indicator.Name, fileWord("kla.unit.", is.Indicator.Unit),
			fileWord("kla.pol.", string(is.Indicator.Polarity)), agency(is.Indicator.Agency), opt(is.Value.Self), opt(is.Value.Verified), f(is.Points),
			f(is.VerifiedPoints), f(is.Rule.MaxPoints), fileWord("kla.src.", is.Value.Source), yesNo(is.Missing)})
	}
	var cl [][]string
	for _, c := range d.Score.Clusters {
		cl = append(cl, []string{c.Cluster, f(c.Points), f(c.Verified), f(c.Max), strconv.Itoa(c.Missing)})
	}
	cl = append(cl, []string{"Jumlah", f(d.Score.Total), f(d.Score.VerifiedTotal), f(d.Score.Max), strconv.Itoa(d.Score.MissingCount)})
	var tr [][]string
	for _, t := range d.Trend {
		tr = append(tr, []string{strconv.Itoa(t.Year), f(t.Total), f(t.VerifiedTotal), t.Category, strconv.Itoa(t.Missing)})
	}
	var rk [][]string
	for _, r := range append(append([]RankRow{}, d.Children...), d.Grandchildren...) {
		rk = append(rk, []string{r.Code, r.Name, f(r.Total), f(r.VerifiedTotal), r.Category, strconv.Itoa(r.Missing)})
	}
	return []Sheet{
		{Name: "indikator", Header: []string{"Indikator", "Klaster", "Nama", "Satuan", "Arah", "Perangkat daerah", "Nilai", "Nilai terverifikasi",
			"Poin", "Poin terverifikasi", "Poin maksimum", "Sumber", "Belum diisi"}, Rows: ind, Text: map[int]bool{0: true, 1: true, 2: true}},
		{Name: "klaster", Header: []string{"Klaster", "Poin", "Poin terverifikasi", "Poin maksimum", "Belum diisi"}, Rows: cl, Text: map[int]bool{0: true}},
		{Name: "tren", Header: []string{"Tahun", "Jumlah poin", "Jumlah poin terverifikasi", "Kategori", "Belum diisi"}, Rows: tr},
		{Name: "peringkat", Header: []string{"Kode wilayah", "Wilayah", "Jumlah poin", "Jumlah poin terverifikasi", "Kategori", "Belum diisi"}, Rows: rk, Text: map[int]bool{0: true, 1: true}},
	}
}

// fileWord is the Indonesian word for a code of a family ("kla.unit.",
// "percent" → "persen"), for a file; an unknown code as it is.
func fileWord(family, code string) string {
	if code == "" || !i18n.Has(i18n.Default, family+code) {
		return code
	}
	return i18n.T(i18n.Default, family+code)
}

// yesNo is a yes/no cell of a file: "ya" or "tidak".
func yesNo(b bool) string {
	if b {
		return "ya"
	}
	return "tidak"
}
