package stats

// Historical aggregate tables: the figures an agency has already
// published (a regency's violence counts by type, a province's children
// in and outside LKSA), imported as published and recomputed from their
// parts. ParseHist reads one table from a CSV or XLSX file and refuses the
// whole file at its first malformed cell; Check lists every published
// figure that does not follow from the others ("angka terbit" vs "angka
// hitung"), cell by cell.
//
// File format (labels case-insensitive, English synonyms in brackets):
//
//	judul;Kekerasan terhadap perempuan dan anak menurut jenis
//	wilayah;13.01
//	satuan;kasus
//	sumber;DinsosPPPA Kabupaten Pesisir Selatan
//	kategori;2022 P;2022 A;2022 jumlah;2023 P;2023 A;2023 jumlah;perubahan jumlah;perubahan jumlah %
//	Fisik;8;38;43;1;12;13;;
//	Non fisik;1;2;3;1;2;3;;
//	...
//	Jumlah;19;73;92;16;62;78;-14;-15,2
//
//   - Metadata rows come first: judul [title] and wilayah [region] are
//     required, satuan [unit], sumber [source] and catatan [note] optional,
//     each at most once; the label may end in a colon and its value is the
//     second cell (further non-empty cells are joined with ", ", as a
//     title with commas split by a comma-separated CSV). wilayah is a
//     Kemendagri code: 51, 13.01, 13.01.02 or 13.01.02.2001.
//   - The header row starts with kategori [category]. Every other header is
//     a count column "<year>" or "<year> <group>" (year 1990..2100, group
//     any label: P, A, L, "dalam LKSA"; the group jumlah [total] is the
//     year's total over its other groups), or a change column "perubahan
//     [<group>]" / "perubahan [<group>] %" [change]: the change of that
//     group's column between the first and the last year of the header
//     (the years in header order); without a group, of the year's only
//     column, else its jumlah column. A year has either one column without
//     a group or group columns, not both.
//   - Data rows: a category label in column A, then the numbers. A row
//     labelled jumlah [total] is the column total of the rows above and must
//     be the last row. Blank rows are skipped anywhere.
//   - An empty cell is "not published": every check that needs it is
//     skipped. Numbers are read in Indonesian format: "1.234" (thousands),
//     "15,76" (decimal comma), "1.234,5", an optional % sign, minus "-" or
//     "−". A dot is a decimal point when it cannot be a thousands
//     separator ("15.76", "0.152", "1.5"), which is also how the
//     spreadsheet package gives numeric XLSX cells (Go's shortest format,
//     no thousands separators). So a numeric XLSX cell with exactly three
//     decimals (15.125) reads as 15125: it is then reported by Check, never
//     accepted silently. A cell of an XLSX percent column formatted as a
//     percentage stores the fraction (0.152 for 15,2 %); Check accepts such
//     a plain number when 100 times it is the percentage.
//   - Count cells must be whole non-negative numbers, change cells whole
//     numbers, percent change cells any number.
//
// Limits: 200 non-blank rows, 60 columns (beyond the spreadsheet package's
// own limits on the file). Any malformed cell refuses the whole file with a
// *HistError naming the cell.
//
// Addresses: rows are the CSV line or the XLSX row number, columns A1-style
// letters. The spreadsheet package reads an XLSX file's first sheet without
// reporting its name, so XLSX addresses use "Sheet1"; a CSV file's sheet is
// its file name without the extension (the name Excel gives the sheet when
// it opens the file).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lindu/internal/spreadsheet"
)

// Limits of a historical table.
const (
	HistMaxRows    = 200 // non-blank rows, metadata and header included
	HistMaxColumns = 60
	histMinYear    = 1990
	histMaxYear    = 2100
)

// histLimits bound the file before the table's own limits apply: blank
// rows and trailing empty cells (Excel pads a CSV to its used range)
// count here but not against HistMaxRows/HistMaxColumns.
var histLimits = func() spreadsheet.Limits {
	l := spreadsheet.DefaultLimits
	l.MaxRows = 1000
	l.MaxColumns = 200
	l.MaxCells = 50_000
	l.MaxCellBytes = 4 << 10
	return l
}()

// HistTable is one historical table as published.
type HistTable struct {
	Title, Region, Unit, Source, Note string
	Sheet                             string
	Years                             []int    // in header order, distinct
	Groups                            []string // distinct non-total groups in header order, "" for a year's only column
	HasTotalGroup                     bool     // some year has a jumlah column
	Rows                              []HistRow
	Total                             *HistRow // the total row, if given
	Changes                           []HistChange

	columns []histColumn // every header column, in order (column A excluded)
	xlsx    bool
}

// HistRow is one data row: its label, line and count cells (every count
// column of the header has a cell, Set false when it is empty).
type HistRow struct {
	Label string
	Line  int
	Cells map[HistKey]HistCell
}

// HistKey names a count column: a year and a group ("" for a year's only
// column, "jumlah" for its total column).
type HistKey struct {
	Year  int
	Group string
}

// HistTotalGroup is the group of a year's total column.
const HistTotalGroup = "jumlah"

// HistCell is one published count.
type HistCell struct {
	Value int64
	Set   bool
	Col   string
}

// HistChange is one stated change column.
type HistChange struct {
	Group    string // the group as written in the header ("" = the year's only or total column)
	Percent  bool
	Col      string
	From, To HistKey               // the columns compared: the first and the last year
	Values   map[string]HistStated // row label (the total row's too) -> stated change
}

// HistStated is one stated change.
type HistStated struct {
	Value    float64
	Decimals int // digits after the decimal separator, as written
	Line     int
	plain    bool // written as a plain number (no %, no comma): maybe an XLSX percent-formatted fraction
}

// Mismatch is one published figure that does not follow from the others.
type Mismatch struct {
	Sheet string
	Row   int
	Col   string // the cell holding the published figure
	// Rule is "row_sum" (a year's groups vs its jumlah), "col_sum" (the
	// category rows vs the total row), "grand" (the total row's jumlah vs
	// all category-row group cells of the year), "change" (stated vs
	// last − first year), "change_pct" (stated % vs the % computed from
	// the stated figures, rounded to the stated decimals) or
	// "change_pct_from_zero" (a percentage stated for a change from 0;
	// Computed is 0 and means nothing).
	Rule                string
	Label               string // the row's label
	Year                int
	Group               string
	Published, Computed float64
}

// HistError refuses a whole file: the cell (Row 0 and Col "" for the file
// itself), the catalogue key of the message and the offending text.
type HistError struct {
	Sheet string
	Row   int
	Col   string
	Key   string
	Value string
	Err   error // the spreadsheet package's error, if it refused the file
}

// histMessages are the English texts of the keys (the UI uses its
// catalogue).
var histMessages = map[string]string{
	"stats.import.unreadable":          "the file cannot be read",
	"stats.import.too_many_rows":       "too many rows",
	"stats.import.too_many_columns":    "too many columns",
	"stats.import.missing_title":       "the judul (title) row is missing",
	"stats.import.missing_region":      "the wilayah (region) row is missing",
	"stats.import.bad_region":          "not a Kemendagri region code",
	"stats.import.unknown_metadata":    "unknown row before the kategori header",
	"stats.import.duplicate_metadata":  "metadata given twice",
	"stats.import.missing_header":      "the kategori header row is missing",
	"stats.import.bad_header":          "column header not understood",
	"stats.import.bad_year":            "year outside 1990-2100",
	"stats.import.duplicate_column":    "column given twice",
	"stats.import.mixed_groups":        "a year has a column without a group and group columns",
	"stats.import.bad_change":          "change column has no columns to compare",
	"stats.import.cell_without_header": "value in a column without a header",
	"stats.import.missing_label":       "row without a category label",
	"stats.import.duplicate_label":     "category given twice",
	"stats.import.total_not_last":      "the total row must be the last row",
	"stats.import.no_rows":             "no category rows",
	"stats.import.bad_number":          "not a number",
	"stats.import.negative_count":      "negative count",
	"stats.import.fractional_count":    "count with a fraction",
	"stats.import.fractional_change":   "change of a count with a fraction",
}

// HistErrorKeys are every key a HistError may carry: the keys above and
// "stats.import." + each spreadsheet.ErrorKeys (a file refused by the
// spreadsheet package's limits).
var HistErrorKeys = func() []string {
	var keys []string
	for k := range histMessages {
		keys = append(keys, k)
	}
	for _, k := range spreadsheet.ErrorKeys {
		if _, ok := histMessages["stats.import."+k]; !ok {
			keys = append(keys, "stats.import."+k)
		}
	}
	sort.Strings(keys)
	return keys
}()

func (e *HistError) Error() string {
	msg, ok := histMessages[e.Key]
	if !ok {
		msg = strings.ReplaceAll(strings.TrimPrefix(e.Key, "stats.import."), "_", " ")
	}
	where := e.Sheet
	if e.Row > 0 {
		where += "!" + e.Col + strconv.Itoa(e.Row)
	}
	s := fmt.Sprintf("%s: %s", where, msg)
	if e.Value != "" {
		s += fmt.Sprintf(" (%q)", clipText(e.Value))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *HistError) Unwrap() error { return e.Err }

// histColumn is one header column.
type histColumn struct {
	index   int // 0-based; 0 is the kategori column
	kind    int // colCount or colChange
	key     HistKey
	change  int // index into Changes
	heading string
}

const (
	colCount = iota + 1
	colChange
)

// histParser is the state of one parse.
type histParser struct {
	t         *HistTable
	meta      map[string]bool
	header    bool
	headerRow int
	labels    map[string]bool
	totalLine int // line of the total row, once read
	rows      int
	groupName map[string]string // lower-case group -> first spelling
	yearCols  map[int][]string  // year -> its groups in order
}

// ParseHist reads one historical table from a CSV or XLSX file. Every
// error is a *HistError.
func ParseHist(ctx context.Context, data []byte, name string) (*HistTable, error) {
	t := &HistTable{xlsx: spreadsheet.IsXLSX(data, name)}
	shift := 0
	if t.xlsx {
		t.Sheet = "Sheet1"
	} else {
		base := path.Base(strings.ReplaceAll(name, "\\", "/"))
		t.Sheet = strings.TrimSuffix(base, path.Ext(base))
		if base == "." || base == "/" || t.Sheet == "" {
			t.Sheet = "Sheet1"
		}
		data, shift = fixSeparator(data)
	}
	p := &histParser{t: t, meta: map[string]bool{}, labels: map[string]bool{},
		groupName: map[string]string{}, yearCols: map[int][]string{}}
	err := spreadsheet.Read(ctx, data, name, histLimits, func(r spreadsheet.Row) error {
		r.Line -= shift
		if r.Line < 1 {
			return nil // the line fixSeparator added
		}
		return p.row(r)
	})
	if err != nil {
		var he *HistError
		if errors.As(err, &he) {
			return nil, he
		}
		if le, ok := spreadsheet.AsError(err); ok {
			return nil, &HistError{Sheet: t.Sheet, Key: "stats.import." + le.Key, Value: le.LimitText(), Err: err}
		}
		return nil, &HistError{Sheet: t.Sheet, Key: "stats.import.unreadable", Err: err}
	}
	return p.finish()
}

// fixSeparator makes the spreadsheet package (which picks the separator
// by counting commas and semicolons on the first line) read a CSV with
// the separator that follows "kategori" on the header line (or, without
// one, a metadata label such as "judul"): a title with commas on a
// semicolon-separated first line would otherwise switch the whole file to
// commas. It adds one line that settles the count, and returns by how
// many lines it shifted the file.
func fixSeparator(data []byte) ([]byte, int) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return data, 0 // the spreadsheet package says so
	}
	var sep, metaSep byte
	for line := range bytes.Lines(data) {
		l := strings.TrimLeft(string(line), " \t\"")
		raw := l[:strings.IndexFunc(l+";", func(r rune) bool { return !unicode.IsLetter(r) })]
		word := strings.ToLower(raw)
		rest := strings.TrimLeft(strings.TrimPrefix(l[len(raw):], ":"), " \t\"")
		if word == "" || rest == "" || rest[0] != ',' && rest[0] != ';' {
			continue
		}
		if word == "kategori" || word == "category" {
			sep = rest[0]
			break
		}
		if _, ok := histMetaLabels[word]; ok && metaSep == 0 {
			metaSep = rest[0]
		}
	}
	if sep == 0 {
		sep = metaSep
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	chosen := byte(',')
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		chosen = ';'
	}
	if sep == 0 || sep == chosen {
		return data, 0
	}
	return append([]byte{sep, '\n'}, data...), 1
}

func (p *histParser) fail(line, col int, key, value string) error {
	c := ""
	if line > 0 {
		c = colLetters(col)
	}
	return &HistError{Sheet: p.t.Sheet, Row: line, Col: c, Key: key, Value: value}
}

var (
	histMetaLabels = map[string]string{
		"judul": "judul", "title": "judul",
		"wilayah": "wilayah", "region": "wilayah",
		"satuan": "satuan", "unit": "satuan",
		"sumber": "sumber", "source": "sumber",
		"catatan": "catatan", "note": "catatan",
	}
	histRegion      = regexp.MustCompile(`^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$`)
	histRegionShort = regexp.MustCompile(`^\d{2}\.\d$`)
	histYear        = regexp.MustCompile(`^(\d{4})(?:\s+(.*))?$`)
)

func isTotalLabel(s string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "jumlah", "total", "jumlah total", "total jumlah", "grand total":
		return true
	}
	return false
}

func (p *histParser) row(r spreadsheet.Row) error {
	cells := make([]string, len(r.Cells))
	last := -1
	for i, c := range r.Cells {
		cells[i] = strings.TrimSpace(spreadsheet.UnquoteCell(strings.TrimSpace(c)))
		if cells[i] != "" {
			last = i
		}
	}
	if last < 0 {
		return nil // blank row
	}
	if p.rows++; p.rows > HistMaxRows {
		return p.fail(r.Line, 0, "stats.import.too_many_rows", strconv.Itoa(HistMaxRows))
	}
	if last >= HistMaxColumns {
		return p.fail(r.Line, last, "stats.import.too_many_columns", strconv.Itoa(HistMaxColumns))
	}
	cells = cells[:last+1]
	if !p.header {
		return p.beforeHeader(r.Line, cells)
	}
	return p.data(r.Line, cells)
}

func (p *histParser) beforeHeader(line int, cells []string) error {
	label := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(cells[0], ":")))
	if label == "kategori" || label == "category" {
		return p.readHeader(line, cells)
	}
	key, ok := histMetaLabels[label]
	if !ok {
		return p.fail(line, 0, "stats.import.unknown_metadata", cells[0])
	}
	if p.meta[key] {
		return p.fail(line, 0, "stats.import.duplicate_metadata", cells[0])
	}
	p.meta[key] = true
	var parts []string
	for _, c := range cells[1:] {
		if c != "" {
			parts = append(parts, c)
		}
	}
	value := strings.Join(parts, ", ")
	switch key {
	case "judul":
		p.t.Title = value
		if value == "" {
			return p.fail(line, 1, "stats.import.missing_title", "")
		}
	case "wilayah":
		// A numeric XLSX cell loses a regency code's trailing zero (13.10
		// reads 13.1); a regency code always has two digits.
		if p.t.xlsx && histRegionShort.MatchString(value) {
			value += "0"
		}
		if !histRegion.MatchString(value) {
			return p.fail(line, 1, "stats.import.bad_region", value)
		}
		p.t.Region = value
	case "satuan":
		p.t.Unit = value
	case "sumber":
		p.t.Source = value
	case "catatan":
		p.t.Note = value
	}
	return nil
}

// readHeader reads the kategori row.
func (p *histParser) readHeader(line int, cells []string) error {
	t := p.t
	if !p.meta["judul"] {
		return p.fail(line, 0, "stats.import.missing_title", "")
	}
	if !p.meta["wilayah"] {
		return p.fail(line, 0, "stats.import.missing_region", "")
	}
	p.header, p.headerRow = true, line
	type pending struct {
		index   int
		group   string
		percent bool
	}
	var changes []pending
	seenYear := map[int]bool{}
	hasCol := map[HistKey]bool{}
	for i := 1; i < len(cells); i++ {
		h := strings.Join(strings.Fields(cells[i]), " ")
		if h == "" {
			continue // data under it is refused row by row
		}
		if m := histYear.FindStringSubmatch(h); m != nil {
			year, _ := strconv.Atoi(m[1])
			if year < histMinYear || year > histMaxYear {
				return p.fail(line, i, "stats.import.bad_year", h)
			}
			group := m[2]
			switch strings.ToLower(group) {
			case "jumlah", "total":
				group = HistTotalGroup
				t.HasTotalGroup = true
			default:
				if first, ok := p.groupName[strings.ToLower(group)]; ok {
					group = first
				} else {
					p.groupName[strings.ToLower(group)] = group
					t.Groups = append(t.Groups, group)
				}
			}
			k := HistKey{year, group}
			if hasCol[k] {
				return p.fail(line, i, "stats.import.duplicate_column", h)
			}
			hasCol[k] = true
			// A year either has one column without a group or groups.
			if group == "" && len(p.yearCols[year]) > 0 || group != "" && hasCol[HistKey{year, ""}] {
				return p.fail(line, i, "stats.import.mixed_groups", h)
			}
			p.yearCols[year] = append(p.yearCols[year], group)
			if !seenYear[year] {
				seenYear[year] = true
				t.Years = append(t.Years, year)
			}
			t.columns = append(t.columns, histColumn{index: i, kind: colCount, key: k, heading: h})
			continue
		}
		rest, ok := cutWord(h, "perubahan")
		if !ok {
			rest, ok = cutWord(h, "change")
		}
		if !ok {
			return p.fail(line, i, "stats.import.bad_header", h)
		}
		percent := false
		for _, suf := range []string{"(%)", "%"} {
			if r, ok := strings.CutSuffix(rest, suf); ok {
				rest, percent = strings.TrimSpace(r), true
				break
			}
		}
		changes = append(changes, pending{i, rest, percent})
		t.columns = append(t.columns, histColumn{index: i, kind: colChange, heading: h})
	}
	if len(t.Years) == 0 {
		return p.fail(line, 0, "stats.import.missing_header", cells[0])
	}
	// Resolve the change columns.
	seenChange := map[string]bool{}
	for _, c := range changes {
		h := cells[c.index]
		if len(t.Years) < 2 {
			return p.fail(line, c.index, "stats.import.bad_change", h)
		}
		from, to := t.Years[0], t.Years[len(t.Years)-1]
		group := c.group
		switch strings.ToLower(group) {
		case "jumlah", "total":
			group = HistTotalGroup
		case "":
		default:
			first, ok := p.groupName[strings.ToLower(group)]
			if !ok {
				return p.fail(line, c.index, "stats.import.bad_change", h)
			}
			group = first
		}
		fromKey, ok1 := p.base(from, group)
		toKey, ok2 := p.base(to, group)
		if !ok1 || !ok2 {
			return p.fail(line, c.index, "stats.import.bad_change", h)
		}
		id := fmt.Sprintf("%s|%v", strings.ToLower(group), c.percent)
		if seenChange[id] {
			return p.fail(line, c.index, "stats.import.duplicate_column", h)
		}
		seenChange[id] = true
		for j := range t.columns {
			if t.columns[j].index == c.index {
				t.columns[j].change = len(t.Changes)
			}
		}
		t.Changes = append(t.Changes, HistChange{Group: c.group, Percent: c.percent, Col: colLetters(c.index),
			From: fromKey, To: toKey, Values: map[string]HistStated{}})
	}
	return nil
}

// cutWord cuts word (ASCII, any case) off the start of h when a space,
// "%", "(" or the end follows it, and returns the rest trimmed.
func cutWord(h, word string) (string, bool) {
	if len(h) < len(word) || !strings.EqualFold(h[:len(word)], word) {
		return "", false
	}
	rest := h[len(word):]
	if rest != "" && rest[0] != ' ' && rest[0] != '%' && rest[0] != '(' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// base is the count column a change of group compares in year: the
// group's column, or without a group the year's only column, else its
// jumlah column.
func (p *histParser) base(year int, group string) (HistKey, bool) {
	groups := p.yearCols[year]
	has := func(g string) bool {
		for _, x := range groups {
			if x == g {
				return true
			}
		}
		return false
	}
	switch {
	case group != "":
		return HistKey{year, group}, has(group)
	case len(groups) == 1:
		return HistKey{year, groups[0]}, true
	case has(HistTotalGroup):
		return HistKey{year, HistTotalGroup}, true
	}
	return HistKey{}, false
}

// data reads a category row or the total row.
func (p *histParser) data(line int, cells []string) error {
	t := p.t
	if p.totalLine > 0 {
		return p.fail(p.totalLine, 0, "stats.import.total_not_last", t.Total.Label)
	}
	label := strings.Join(strings.Fields(cells[0]), " ")
	if label == "" {
		return p.fail(line, 0, "stats.import.missing_label", "")
	}
	if p.labels[strings.ToLower(label)] {
		return p.fail(line, 0, "stats.import.duplicate_label", label)
	}
	p.labels[strings.ToLower(label)] = true
	row := HistRow{Label: label, Line: line, Cells: map[HistKey]HistCell{}}
	byIndex := map[int]histColumn{}
	for _, c := range t.columns {
		byIndex[c.index] = c
		if c.kind == colCount {
			row.Cells[c.key] = HistCell{Col: colLetters(c.index)}
		}
	}
	for i := 1; i < len(cells); i++ {
		s := cells[i]
		if s == "" {
			continue
		}
		c, ok := byIndex[i]
		if !ok {
			return p.fail(line, i, "stats.import.cell_without_header", s)
		}
		n, err := parseIDNumber(s)
		if err != nil {
			return p.fail(line, i, "stats.import.bad_number", s)
		}
		switch {
		case c.kind == colCount:
			switch {
			case n.percent:
				return p.fail(line, i, "stats.import.bad_number", s)
			case n.neg && n.value != 0:
				return p.fail(line, i, "stats.import.negative_count", s)
			case n.value != math.Trunc(n.value):
				return p.fail(line, i, "stats.import.fractional_count", s)
			}
			row.Cells[c.key] = HistCell{Value: int64(n.value), Set: true, Col: colLetters(i)}
		case !t.Changes[c.change].Percent:
			if n.percent {
				return p.fail(line, i, "stats.import.bad_number", s)
			}
			if n.value != math.Trunc(n.value) {
				return p.fail(line, i, "stats.import.fractional_change", s)
			}
			fallthrough
		default:
			t.Changes[c.change].Values[label] = HistStated{Value: n.value, Decimals: n.decimals, Line: line,
				plain: !n.percent && !n.comma}
		}
	}
	if isTotalLabel(label) {
		p.totalLine = line
		t.Total = &row
		return nil
	}
	t.Rows = append(t.Rows, row)
	return nil
}

func (p *histParser) finish() (*HistTable, error) {
	t := p.t
	if !p.header {
		switch {
		case !p.meta["judul"]:
			return nil, p.fail(0, 0, "stats.import.missing_title", "")
		case !p.meta["wilayah"]:
			return nil, p.fail(0, 0, "stats.import.missing_region", "")
		}
		return nil, p.fail(0, 0, "stats.import.missing_header", "")
	}
	if len(t.Rows) == 0 {
		return nil, p.fail(p.headerRow, 0, "stats.import.no_rows", "")
	}
	return t, nil
}

// idNumber is a number as written in a cell.
type idNumber struct {
	value    float64 // signed
	decimals int
	neg      bool
	percent  bool // a % sign
	comma    bool // a decimal comma
}

var (
	idThousands = regexp.MustCompile(`^[1-9]\d{0,2}(\.\d{3})+$`)
	idPlain     = regexp.MustCompile(`^\d+(\.\d+)?$`)
	idDigits    = regexp.MustCompile(`^\d+$`)
)

// parseIDNumber reads a number in Indonesian format: "1.234" thousands,
// "15,76" decimal comma, "1.234,5", optional % sign and "-"/"−" minus;
// a dot that cannot separate thousands ("15.76", "0.152") is a decimal
// point. At most 15 digits, so the value is exact.
func parseIDNumber(s string) (idNumber, error) {
	var n idNumber
	s = strings.TrimSpace(strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s))
	if r, ok := strings.CutSuffix(s, "%"); ok {
		s, n.percent = strings.TrimSpace(r), true
	}
	switch {
	case strings.HasPrefix(s, "-"):
		s, n.neg = s[1:], true
	case strings.HasPrefix(s, "−"):
		s, n.neg = s[len("−"):], true
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	s = strings.TrimSpace(s)
	var intPart, frac string
	switch {
	case strings.Contains(s, ","):
		var ok bool
		intPart, frac, ok = strings.Cut(s, ",")
		if !ok || !idDigits.MatchString(frac) {
			return n, errors.New("bad number")
		}
		if strings.Contains(intPart, ".") {
			if !idThousands.MatchString(intPart) {
				return n, errors.New("bad number")
			}
			intPart = strings.ReplaceAll(intPart, ".", "")
		} else if !idDigits.MatchString(intPart) {
			return n, errors.New("bad number")
		}
		n.comma = true
	case idThousands.MatchString(s):
		intPart = strings.ReplaceAll(s, ".", "")
	case idPlain.MatchString(s):
		intPart, frac, _ = strings.Cut(s, ".")
	default:
		return n, errors.New("bad number")
	}
	// 15 significant digits (as the spreadsheet package gives XLSX
	// numbers) are exact enough; more is not a published figure.
	if len(strings.TrimLeft(intPart+frac, "0")) > 15 || len(intPart)+len(frac) > 30 {
		return n, errors.New("too many digits")
	}
	v, err := strconv.ParseFloat(intPart+"."+frac+"0", 64)
	if err != nil {
		return n, err
	}
	n.decimals = len(frac)
	if n.neg {
		v = -v
	}
	n.value = v
	return n, nil
}

// colLetters is the A1-style letters of a 0-based column.
func colLetters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func colIndex(letters string) int {
	n := 0
	for _, c := range letters {
		n = n*26 + int(c-'A') + 1
	}
	return n - 1
}

func clipText(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// Check lists every published figure that does not follow from the
// others, sorted by row, then column, then rule. Empty cells skip every
// check that needs them.
//
//   - row_sum: in every row (the total row too), each year's group cells
//     against its jumlah cell (reported at the jumlah cell).
//   - col_sum: each count column's category rows against the total row
//     (reported at the total row's cell).
//   - grand: the total row's jumlah against the sum of every category
//     row's group cells of the year. It is reported only when it is not
//     already implied: if every category row's jumlah is published, the
//     row_sum checks of those rows and the jumlah column's col_sum cover
//     it (a grand mismatch makes one of them fail); if every group cell of
//     the total row is published, the total row's row_sum and the groups'
//     col_sum checks cover it. So grand speaks only when neither chain of
//     checks could run, and never repeats a mismatch those report.
//   - change: a stated change against last − first year of the stated
//     figures of the same row.
//   - change_pct: a stated percentage against (last − first) / first ×
//     100, rounded to the stated decimals (any rounding of the exact
//     percentage to those decimals is accepted; Computed is the rounded
//     value); change_pct_from_zero when first is 0.
func (t *HistTable) Check() []Mismatch {
	var out []Mismatch
	add := func(r HistRow, c HistCell, rule string, k HistKey, published, computed float64) {
		out = append(out, Mismatch{Sheet: t.Sheet, Row: r.Line, Col: c.Col, Rule: rule, Label: r.Label,
			Year: k.Year, Group: k.Group, Published: published, Computed: computed})
	}
	all := t.Rows
	if t.Total != nil {
		all = append(append([]HistRow(nil), t.Rows...), *t.Total)
	}
	groupsOf := map[int][]string{}
	hasJumlah := map[int]bool{}
	for _, c := range t.columns {
		switch {
		case c.kind != colCount:
		case c.key.Group == HistTotalGroup:
			hasJumlah[c.key.Year] = true
		case c.key.Group != "":
			groupsOf[c.key.Year] = append(groupsOf[c.key.Year], c.key.Group)
		}
	}
	// sumGroups is the sum of a row's group cells of year, if all are set.
	sumGroups := func(r HistRow, year int) (int64, bool) {
		var sum int64
		for _, g := range groupsOf[year] {
			c := r.Cells[HistKey{year, g}]
			if !c.Set {
				return 0, false
			}
			sum += c.Value
		}
		return sum, true
	}
	for _, year := range t.Years {
		tk := HistKey{year, HistTotalGroup}
		if len(groupsOf[year]) == 0 || !hasJumlah[year] {
			continue
		}
		for _, r := range all {
			j := r.Cells[tk]
			if sum, ok := sumGroups(r, year); ok && j.Set && sum != j.Value {
				add(r, j, "row_sum", tk, float64(j.Value), float64(sum))
			}
		}
		if t.Total == nil || !t.Total.Cells[tk].Set {
			continue
		}
		var grand int64
		chainRows, inner := true, true
		for _, r := range t.Rows {
			sum, ok := sumGroups(r, year)
			inner = inner && ok
			grand += sum
			chainRows = chainRows && r.Cells[tk].Set
		}
		_, chainTotal := sumGroups(*t.Total, year)
		if j := t.Total.Cells[tk]; inner && !chainRows && !chainTotal && grand != j.Value {
			add(*t.Total, j, "grand", tk, float64(j.Value), float64(grand))
		}
	}
	if t.Total != nil {
		for _, c := range t.columns {
			if c.kind != colCount {
				continue
			}
			tc := t.Total.Cells[c.key]
			if !tc.Set {
				continue
			}
			var sum int64
			ok := true
			for _, r := range t.Rows {
				rc := r.Cells[c.key]
				ok = ok && rc.Set
				sum += rc.Value
			}
			if ok && sum != tc.Value {
				add(*t.Total, tc, "col_sum", c.key, float64(tc.Value), float64(sum))
			}
		}
	}
	for _, ch := range t.Changes {
		for _, r := range all {
			st, ok := ch.Values[r.Label]
			from, to := r.Cells[ch.From], r.Cells[ch.To]
			if !ok || !from.Set || !to.Set {
				continue
			}
			cell := HistCell{Col: ch.Col}
			diff := to.Value - from.Value
			switch {
			case !ch.Percent:
				if st.Value != float64(diff) {
					add(r, cell, "change", ch.To, st.Value, float64(diff))
				}
			case from.Value == 0:
				add(r, cell, "change_pct_from_zero", ch.To, st.Value, 0)
			default:
				exact := float64(diff) / float64(from.Value) * 100
				if roundsTo(exact, st.Value, st.Decimals) {
					continue
				}
				// An XLSX cell formatted as a percentage holds the fraction.
				if t.xlsx && st.plain && st.Decimals >= 2 && roundsTo(exact, st.Value*100, st.Decimals-2) {
					continue
				}
				add(r, cell, "change_pct", ch.To, st.Value, roundTo(exact, st.Decimals))
			}
		}
	}
	rules := map[string]int{"row_sum": 0, "col_sum": 1, "grand": 2, "change": 3, "change_pct": 4, "change_pct_from_zero": 5}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		if ca, cb := colIndex(a.Col), colIndex(b.Col); ca != cb {
			return ca < cb
		}
		return rules[a.Rule] < rules[b.Rule]
	})
	return out
}

// roundTo rounds x to d decimals, halves away from zero.
func roundTo(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

// roundsTo tells whether stated is exact rounded to d decimals (either
// way at an exact half).
func roundsTo(exact, stated float64, d int) bool {
	half := 0.5 * math.Pow(10, -float64(d))
	return math.Abs(exact-stated) <= half*(1+1e-9)+1e-12
}
