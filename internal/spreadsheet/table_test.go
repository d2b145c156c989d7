package spreadsheet_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lindu/internal/spreadsheet"
)

func sampleTable() spreadsheet.Table {
	return spreadsheet.Table{
		Sheet: "Kasus: daftar/ekspor [1]",
		Columns: []spreadsheet.Column{
			{Header: "Kode", Kind: spreadsheet.Text},
			{Header: "Jumlah", Kind: spreadsheet.Int},
			{Header: "Capaian", Kind: spreadsheet.Decimal},
			{Header: "Tanggal", Kind: spreadsheet.Date},
			{Header: "=HEADER()", Kind: spreadsheet.Text},
		},
		Rows: [][]string{
			{"61.07", "12", "15.2", "15-03-2024", "=1+1"},
			{"a;b", "-3", "-0.5", "01-02-2025 10:30", "@SUM(A1)"},
			{"-2+3+cmd|' /C calc'!A0", "", "n/a", "bukan tanggal", "-7"},
			{"pendek"},
		},
		Meta: [][2]string{{"Filter", "=status"}, {"Diunduh", "16-03-2024 08:00"}},
	}
}

func readCSV(t *testing.T, data []byte, comma rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no BOM: %q", data[:min(len(data), 10)])
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// The comma style keeps decimal dots; the semicolon style writes decimal
// commas, quotes a text cell holding a semicolon, and leaves numbers bare
// (negative ones too). Formula-looking text is defused in both.
func TestWriteTableCSV(t *testing.T) {
	tb := sampleTable()
	comma := readCSV(t, spreadsheet.WriteTableCSV(tb, spreadsheet.CSVComma), ',')
	semi := readCSV(t, spreadsheet.WriteTableCSV(tb, spreadsheet.CSVSemicolon), ';')
	want := map[string][][]string{
		"comma": {
			{"Kode", "Jumlah", "Capaian", "Tanggal", "'=HEADER()"},
			{"61.07", "12", "15.2", "15-03-2024", "'=1+1"},
			{"a;b", "-3", "-0.5", "01-02-2025 10:30", "'@SUM(A1)"},
			{"'-2+3+cmd|' /C calc'!A0", "", "n/a", "bukan tanggal", "-7"},
			{"pendek", "", "", "", ""},
		},
		"semicolon": {
			{"Kode", "Jumlah", "Capaian", "Tanggal", "'=HEADER()"},
			{"61.07", "12", "15,2", "15-03-2024", "'=1+1"},
			{"a;b", "-3", "-0,5", "01-02-2025 10:30", "'@SUM(A1)"},
			{"'-2+3+cmd|' /C calc'!A0", "", "n/a", "bukan tanggal", "-7"},
			{"pendek", "", "", "", ""},
		},
	}
	for name, got := range map[string][][]string{"comma": comma, "semicolon": semi} {
		if len(got) != len(want[name]) {
			t.Fatalf("%s: %d records, want %d: %q", name, len(got), len(want[name]), got)
		}
		for i := range got {
			if strings.Join(got[i], "|") != strings.Join(want[name][i], "|") {
				t.Errorf("%s row %d = %q, want %q", name, i, got[i], want[name][i])
			}
		}
	}
	raw := string(spreadsheet.WriteTableCSV(tb, spreadsheet.CSVSemicolon))
	if !strings.Contains(raw, "\n61.07;12;15,2;15-03-2024;'=1+1\n") {
		t.Errorf("numbers quoted or separated wrongly:\n%s", raw)
	}
	if !strings.Contains(raw, "\"a;b\";-3;-0,5;") {
		t.Errorf("a text cell with a semicolon is not quoted, or a negative number is:\n%s", raw)
	}
	raw = string(spreadsheet.WriteTableCSV(tb, spreadsheet.CSVComma))
	if !strings.Contains(raw, "\n61.07,12,15.2,15-03-2024,'=1+1\n") {
		t.Errorf("comma style:\n%s", raw)
	}
	// A decimal comma in the comma style is quoted by the CSV writer.
	tb = spreadsheet.Table{Columns: []spreadsheet.Column{{Header: "x", Kind: spreadsheet.Text}}, Rows: [][]string{{"1,5"}}}
	if got := readCSV(t, spreadsheet.WriteTableCSV(tb, spreadsheet.CSVComma), ','); got[1][0] != "1,5" {
		t.Errorf("got %q", got)
	}
}

// XLSX: numbers are numbers, dates dates shown as the page shows them,
// text text, formula-looking text never a formula, the metadata on its
// own sheet, sheet names made acceptable to Excel.
func TestWriteTableXLSX(t *testing.T) {
	tb := sampleTable()
	second := spreadsheet.Table{Sheet: "Kasus: daftar/ekspor [1]", Columns: []spreadsheet.Column{{Header: "n", Kind: spreadsheet.Int}},
		Rows: [][]string{{"7"}}}
	data, err := spreadsheet.WriteTableXLSX(tb, second)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 3 || sheets[2] != spreadsheet.MetaSheet || sheets[0] == sheets[1] {
		t.Fatalf("sheets %q", sheets)
	}
	sh := sheets[0]
	if strings.ContainsAny(sh, ":/[]") || len([]rune(sh)) > 31 {
		t.Errorf("sheet name %q", sh)
	}
	type want struct {
		cell, value string
		typ         excelize.CellType
	}
	for _, w := range []want{
		{"A1", "Kode", excelize.CellTypeInlineString},
		{"E1", "=HEADER()", excelize.CellTypeInlineString},
		{"A2", "61.07", excelize.CellTypeInlineString},
		{"B2", "12", excelize.CellTypeUnset},
		{"C2", "15.2", excelize.CellTypeUnset},
		{"D2", "15-03-2024", excelize.CellTypeUnset},
		{"E2", "=1+1", excelize.CellTypeInlineString},
		{"A3", "a;b", excelize.CellTypeInlineString},
		{"B3", "-3", excelize.CellTypeUnset},
		{"C3", "-0.5", excelize.CellTypeUnset},
		{"D3", "01-02-2025 10:30", excelize.CellTypeUnset},
		{"E3", "@SUM(A1)", excelize.CellTypeInlineString},
		{"A4", "-2+3+cmd|' /C calc'!A0", excelize.CellTypeInlineString},
		{"C4", "n/a", excelize.CellTypeInlineString},
		{"D4", "bukan tanggal", excelize.CellTypeInlineString},
		{"E4", "-7", excelize.CellTypeInlineString},
		{"A5", "pendek", excelize.CellTypeInlineString},
	} {
		v, err := f.GetCellValue(sh, w.cell)
		if err != nil || v != w.value {
			t.Errorf("%s = %q, %v; want %q", w.cell, v, err, w.value)
		}
		typ, err := f.GetCellType(sh, w.cell)
		if err != nil || typ != w.typ {
			t.Errorf("%s type %v, want %v", w.cell, typ, w.typ)
		}
		if fm, err := f.GetCellFormula(sh, w.cell); err != nil || fm != "" {
			t.Errorf("%s has formula %q (%v)", w.cell, fm, err)
		}
	}
	// Numbers and dates are stored as numbers (the raw value is the
	// number, not the text).
	for cell, raw := range map[string]string{"B2": "12", "C2": "15.2", "B3": "-3", "C3": "-0.5", "D2": "45366"} {
		v, err := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		if err != nil || v != raw {
			t.Errorf("raw %s = %q, want %q", cell, v, raw)
		}
	}
	// Empty cells stay empty.
	if v, _ := f.GetCellValue(sh, "B4"); v != "" {
		t.Errorf("B4 = %q", v)
	}
	rows, err := f.GetRows(spreadsheet.MetaSheet)
	if err != nil {
		t.Fatal(err)
	}
	// Several tables: the metadata is headed by its sheet's name.
	if len(rows) != 3 || rows[0][0] != sh || rows[1][0] != "Filter" || rows[1][1] != "=status" || rows[2][1] != "16-03-2024 08:00" {
		t.Errorf("meta %q", rows)
	}
	if fm, _ := f.GetCellFormula(spreadsheet.MetaSheet, "B2"); fm != "" {
		t.Errorf("meta formula %q", fm)
	}
	// The header is bold.
	id, err := f.GetCellStyle(sh, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v, %v", st, err)
	}
}

// A table without metadata has no Keterangan sheet; no table still makes
// a workbook.
func TestWriteTableXLSXPlain(t *testing.T) {
	for _, tables := range [][]spreadsheet.Table{nil, {{Sheet: "x", Columns: []spreadsheet.Column{{Header: "a"}}}}} {
		data, err := spreadsheet.WriteTableXLSX(tables...)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if l := f.GetSheetList(); len(l) != 1 || l[0] == spreadsheet.MetaSheet {
			t.Errorf("sheets %q", l)
		}
		f.Close()
	}
}
