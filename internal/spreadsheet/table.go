package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The one writer of the tables users download (the case inbox, reports,
// the audit log, KLA agreements and budgets...): a table is typed columns
// and rows of cells as lindu formats them, written as CSV in the style the
// reader's spreadsheet program expects or as XLSX with numbers as numbers.
// Formulas are never written: CSV text cells go through SafeCell, XLSX
// cells are inline strings or numbers, never formulas.

// ColKind is what a column holds.
type ColKind int

// Column kinds. An Int or Decimal cell is a plain number as lindu writes
// it ("12", "-3", "15.2", a dot before the decimals) or empty; a Date cell
// is "dd-mm-yyyy" or "dd-mm-yyyy hh:mm" in the reader's zone. A cell that
// is not what its column says is written as text.
const (
	Text ColKind = iota
	Int
	Decimal
	Date
)

// Column is one column of a table: its header, in the reader's language,
// and its kind.
type Column struct {
	Header string
	Kind   ColKind
}

// Table is one table to download. Sheet names the XLSX sheet (cut to
// Excel's 31 characters, characters Excel refuses replaced); Meta, if set,
// is written to a second sheet "Keterangan" (label, value: the filter, the
// time of the export...) of the XLSX; the CSV holds the table only.
type Table struct {
	Sheet   string
	Columns []Column
	Rows    [][]string
	Meta    [][2]string
}

// MetaSheet names the sheet of a table's Meta.
const MetaSheet = "Keterangan"

// CSVStyle is the separator and decimal mark of a CSV.
type CSVStyle int

// CSV styles: CSVComma separates with commas and writes decimals with a
// dot (English-locale Excel, LibreOffice's default); CSVSemicolon
// separates with semicolons and writes decimals with a comma, what
// Indonesian-locale Excel expects of a file it opens with a double click.
const (
	CSVComma CSVStyle = iota
	CSVSemicolon
)

// isNumber reports whether s is a number as lindu writes it (a plain
// decimal, no exponent, no thousands separator).
func isNumber(s string) bool {
	if s == "" || !plainNumber.MatchString(s) || strings.ContainsAny(s, "eE") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// numeric reports whether a cell of column kind k is written as a number.
func numeric(k ColKind, s string) bool {
	if k != Int && k != Decimal {
		return false
	}
	return isNumber(s)
}

// WriteTableCSV writes t as CSV, UTF-8 with a BOM (so Excel reads the
// encoding right): the header, then the rows. Numbers of Int and Decimal
// columns are written bare (never quoted as text), with a decimal comma in
// CSVSemicolon; every other cell goes through SafeCell. A row shorter than
// the header is padded with empty cells.
func WriteTableCSV(t Table, style CSVStyle) []byte {
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf")
	w := csv.NewWriter(&b)
	if style == CSVSemicolon {
		w.Comma = ';'
	}
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = SafeCell(c.Header)
	}
	// Writes to memory with a valid separator: csv.Writer reports no error
	// for that (only a failing writer or a bad Comma would).
	_ = w.Write(head)
	out := make([]string, len(t.Columns))
	for _, r := range t.Rows {
		for i, c := range t.Columns {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			switch {
			case numeric(c.Kind, v) && style == CSVSemicolon:
				out[i] = strings.Replace(v, ".", ",", 1)
			case numeric(c.Kind, v):
				out[i] = v
			default:
				out[i] = SafeCell(v)
			}
		}
		_ = w.Write(out)
	}
	w.Flush()
	return b.Bytes()
}

// Excel's bounds on a sheet.
const (
	maxSheetName = 31
	maxXLSXRows  = 1_048_576
)

// sheetName makes s a sheet name Excel accepts: none of []:*?/\, at most
// 31 characters, not empty, and not one already used.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
			return '-'
		}
		return r
	}, strings.Trim(strings.TrimSpace(s), "'"))
	if s == "" {
		s = "Sheet"
	}
	s = cut(s, maxSheetName)
	name := s
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		name = cut(s, maxSheetName-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// dateLayouts are the dates a Date cell may hold, with the Excel number
// format that shows them the same way.
var dateLayouts = []struct{ layout, format string }{
	{"02-01-2006", "dd-mm-yyyy"},
	{"02-01-2006 15:04", "dd-mm-yyyy hh:mm"},
}

// WriteTableXLSX writes tables as an XLSX workbook, one sheet each, in
// order, and a sheet "Keterangan" with the Meta of every table that has
// some. Header rows are bold; Int and Decimal cells that are numbers are
// written as numbers, Date cells as dates shown dd-mm-yyyy (with the time
// if they have one), everything else as text. No cell is a formula: text
// is written as an inline string, so "=1+1" is the text "=1+1".
func WriteTableXLSX(tables ...Table) ([]byte, error) {
	f := excelize.NewFile()
	// The workbook lives in memory: Close only drops what it held (and
	// the stream writers' temporary files).
	defer func() { _ = f.Close() }()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("spreadsheet: xlsx style: %w", err)
	}
	dateStyle := make([]int, len(dateLayouts))
	for i, d := range dateLayouts {
		fmtCode := d.format
		if dateStyle[i], err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtCode}); err != nil {
			return nil, fmt.Errorf("spreadsheet: xlsx style: %w", err)
		}
	}
	used := map[string]bool{strings.ToLower(MetaSheet): true}
	var meta [][2]string
	for i, t := range tables {
		name := sheetName(t.Sheet, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, fmt.Errorf("spreadsheet: xlsx sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("spreadsheet: xlsx sheet %s: %w", name, err)
		}
		if err := writeSheet(f, name, t, bold, dateStyle); err != nil {
			return nil, err
		}
		if len(t.Meta) > 0 {
			if len(meta) > 0 {
				meta = append(meta, [2]string{})
			}
			if len(tables) > 1 {
				meta = append(meta, [2]string{name, ""})
			}
			meta = append(meta, t.Meta...)
		}
	}
	if len(tables) == 0 {
		if err := f.SetSheetName("Sheet1", sheetName("", used)); err != nil {
			return nil, fmt.Errorf("spreadsheet: xlsx sheet: %w", err)
		}
	}
	if len(meta) > 0 {
		if _, err := f.NewSheet(MetaSheet); err != nil {
			return nil, fmt.Errorf("spreadsheet: xlsx sheet %s: %w", MetaSheet, err)
		}
		t := Table{Columns: []Column{{}, {}}}
		for _, m := range meta {
			t.Rows = append(t.Rows, []string{m[0], m[1]})
		}
		if err := writeSheet(f, MetaSheet, t, bold, dateStyle); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("spreadsheet: write xlsx: %w", err)
	}
	return b.Bytes(), nil
}

// writeSheet streams t into sheet: the header row (bold) unless every
// header is empty, then the rows.
func writeSheet(f *excelize.File, sheet string, t Table, bold int, dateStyle []int) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("spreadsheet: xlsx sheet %s: %w", sheet, err)
	}
	// Column widths from the header and the first rows, within bounds.
	for i, c := range t.Columns {
		w := utf8.RuneCountInString(c.Header)
		for _, r := range t.Rows[:min(len(t.Rows), 200)] {
			if i < len(r) {
				w = max(w, utf8.RuneCountInString(r[i]))
			}
		}
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(w+2, 8), 60))); err != nil {
			return fmt.Errorf("spreadsheet: xlsx sheet %s: %w", sheet, err)
		}
	}
	row := 1
	hasHeader := false
	for _, c := range t.Columns {
		hasHeader = hasHeader || c.Header != ""
	}
	if hasHeader {
		head := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			head[i] = excelize.Cell{StyleID: bold, Value: c.Header}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return fmt.Errorf("spreadsheet: xlsx sheet %s: %w", sheet, err)
		}
		row++
	}
	if row-1+len(t.Rows) > maxXLSXRows {
		return fmt.Errorf("spreadsheet: xlsx sheet %s: %d rows, more than a sheet holds", sheet, len(t.Rows))
	}
	vals := make([]any, len(t.Columns))
	for _, r := range t.Rows {
		for i, c := range t.Columns {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			vals[i] = xlsxValue(c.Kind, v, dateStyle)
		}
		ref, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return fmt.Errorf("spreadsheet: xlsx cell: %w", err)
		}
		if err := sw.SetRow(ref, vals); err != nil {
			return fmt.Errorf("spreadsheet: xlsx sheet %s row %d: %w", sheet, row, err)
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("spreadsheet: xlsx sheet %s: %w", sheet, err)
	}
	return nil
}

// xlsxValue is what the stream writer writes for v in a column of kind k:
// a number, a date or a string (never a formula: a plain string value is
// written as an inline string).
func xlsxValue(k ColKind, v string, dateStyle []int) any {
	if v == "" {
		return nil
	}
	switch k {
	case Int:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && isNumber(v) {
			return n
		}
		if isNumber(v) {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	case Decimal:
		if isNumber(v) {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	case Date:
		for i, d := range dateLayouts {
			if t, err := time.Parse(d.layout, v); err == nil {
				return excelize.Cell{StyleID: dateStyle[i], Value: t}
			}
		}
	}
	return v
}
