package spreadsheet_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"lindu/internal/spreadsheet"
	"lindu/internal/spreadsheet/spreadsheettest"
)

var bg = context.Background()

// rows reads a file with the given limits and returns its rows or error.
func rows(data []byte, name string, lim spreadsheet.Limits) ([]spreadsheet.Row, error) {
	var out []spreadsheet.Row
	err := spreadsheet.Read(bg, data, name, lim, func(r spreadsheet.Row) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// wantLimit fails unless err is the limit error key.
func wantLimit(t *testing.T, err error, key string) {
	t.Helper()
	le, ok := spreadsheet.AsError(err)
	if !ok || le.Key != key {
		t.Fatalf("got %v, want limit %q", err, key)
	}
}

// A zip bomb (300 MiB of sheet from about 1 MB) is refused on its
// declared size before anything is decompressed.
func TestZipBombRefused(t *testing.T) {
	bomb := spreadsheettest.Bomb(300 << 20)
	if len(bomb) > 2<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	_, err := rows(bomb, "bomb.xlsx", spreadsheet.DefaultLimits)
	wantLimit(t, err, "entry_too_large")
}

// A sheet that declares fewer bytes than it holds is refused (the zip
// reader stops at the declared size), and parts read are counted in
// actual bytes: shared strings over their own bound are refused although
// the declared total is fine.
func TestLyingDeclaredSize(t *testing.T) {
	lying := spreadsheettest.Lying(20000, 100)
	got, err := rows(lying, "x.xlsx", spreadsheet.DefaultLimits)
	if err == nil {
		t.Fatalf("a lying sheet was read: %d rows", len(got))
	}
	if len(got) > 5 {
		t.Errorf("%d rows read past the declared size", len(got))
	}
	honest := spreadsheettest.Lying(10, uint64(len(spreadsheettest.SheetXML(10))))
	if got, err := rows(honest, "x.xlsx", spreadsheet.DefaultLimits); err != nil || len(got) != 11 {
		t.Fatalf("honest file: %d rows, %v", len(got), err)
	}
	lim := spreadsheet.DefaultLimits
	lim.MaxEntryBytes = 1000 // the counted bound, below the sheet's real size
	lim.MaxTotalBytes = 1 << 20
	big := spreadsheettest.Lying(100, 999) // declares under the bound, holds more
	_, err = rows(big, "x.xlsx", lim)
	if err == nil {
		t.Fatal("a sheet over the counted bound was read")
	}
	lim = spreadsheet.DefaultLimits
	lim.MaxSharedBytes = 100 // counted while reading, whatever is declared
	_, err = rows(spreadsheettest.RawShared(`<row><c t="s"><v>0</v></c></row>`, []string{strings.Repeat("x", 200)}), "x.xlsx", lim)
	wantLimit(t, err, "entry_too_large")
}

// Each limit answers its own error; a cancelled context (deadline passed)
// stops the parse.
func TestLimits(t *testing.T) {
	small := spreadsheet.DefaultLimits
	small.MaxRows, small.MaxColumns, small.MaxCells, small.MaxCellBytes, small.MaxFileBytes = 100, 10, 600, 50, 1<<20
	csvRows := func(n int, row string) []byte {
		return []byte("indicator,region_code,year,value\n" + strings.Repeat(row+"\n", n))
	}
	xlsx := spreadsheettest.Lying(150, uint64(len(spreadsheettest.SheetXML(150))))
	for _, c := range []struct {
		name string
		data []byte
		file string
		key  string
	}{
		{"csv rows", csvRows(100, "11,61.07,2025,1"), "a.csv", "too_many_rows"},
		{"csv blank rows count", csvRows(100, ",,,"), "a.csv", "too_many_rows"},
		{"csv columns", csvRows(1, strings.Repeat("1,", 11)), "a.csv", "too_many_columns"},
		{"csv cells", csvRows(90, "1,2,3,4,5,6,7,8"), "a.csv", "too_many_cells"},
		{"csv cell length", csvRows(1, strings.Repeat("x", 51)), "a.csv", "cell_too_long"},
		{"file size", bytes.Repeat([]byte("a"), 1<<20+1), "a.csv", "file_too_large"},
		{"xlsx rows", xlsx, "a.xlsx", "too_many_rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := rows(c.data, c.file, small)
			wantLimit(t, err, c.key)
		})
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	err := spreadsheet.Read(ctx, csvRows(5000, "11,61.07,2025,1"), "a.csv", spreadsheet.DefaultLimits, func(spreadsheet.Row) error { return nil })
	wantLimit(t, err, "timeout")
	err = spreadsheet.Read(ctx, spreadsheettest.Lying(5000, uint64(len(spreadsheettest.SheetXML(5000)))), "a.xlsx", spreadsheet.DefaultLimits, func(spreadsheet.Row) error { return nil })
	wantLimit(t, err, "timeout")
}

// Too many zip entries, too many cells in one XLSX row and XML nested
// without end are refused.
func TestXLSXStructureLimits(t *testing.T) {
	lim := spreadsheet.DefaultLimits
	lim.MaxEntries = 3
	_, err := rows(spreadsheettest.Lying(1, uint64(len(spreadsheettest.SheetXML(1)))), "a.xlsx", lim)
	wantLimit(t, err, "too_many_entries")

	wide := spreadsheettest.Raw(`<row><c r="ZZ1"><v>1</v></c></row>`)
	_, err = rows(wide, "a.xlsx", spreadsheet.DefaultLimits)
	wantLimit(t, err, "too_many_columns")

	// Elements that are not cells still cost parse time: counted.
	junk := spreadsheettest.Raw(strings.Repeat("<x/>", 100_000))
	few := spreadsheet.DefaultLimits
	few.MaxTokens = 100_000
	_, err = rows(junk, "a.xlsx", few)
	wantLimit(t, err, "too_complex")

	deep := spreadsheettest.Raw(strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100))
	if _, err := rows(deep, "a.xlsx", spreadsheet.DefaultLimits); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("deep XML: %v", err)
	}
}

// Cells are placed by reference, shared strings and numbers read as a
// General cell shows them.
func TestXLSXCells(t *testing.T) {
	x := spreadsheettest.RawShared(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>`+
		`<row r="4"><c r="B4"><v>0.30000000000000004</v></c><c r="C4" t="b"><v>1</v></c><c r="D4" t="s"><v>1</v></c></row>`,
		[]string{"indicator", "-3.5"})
	got, err := rows(x, "a.xlsx", spreadsheet.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := []spreadsheet.Row{{Line: 1, Cells: []string{"indicator", "", "c"}}, {Line: 4, Cells: []string{"", "0.3", "TRUE", "-3.5"}}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].Line != want[i].Line || strings.Join(got[i].Cells, "|") != strings.Join(want[i].Cells, "|") {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// SafeCell defuses every formula trigger and leaves plain numbers and
// ordinary text alone; UnquoteCell undoes it.
func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
		"=HYPERLINK(\"x\")":      "'=HYPERLINK(\"x\")",
		"+1+1":                   "'+1+1",
		"@SUM(A1)":               "'@SUM(A1)",
		"\t=1":                   "'\t=1",
		"\r=1":                   "'\r=1",
		"-":                      "'-",
		"-Inf":                   "'-Inf",
		"-3.5":                   "-3.5",
		"-1e-07":                 "-1e-07",
		"+5":                     "+5",
		"12.5":                   "12.5",
		"Puskesmas":              "Puskesmas",
		"a=b":                    "a=b",
		"":                       "",
	} {
		if got := spreadsheet.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
		if back := spreadsheet.UnquoteCell(spreadsheet.SafeCell(in)); back != in {
			t.Errorf("UnquoteCell(SafeCell(%q)) = %q", in, back)
		}
	}
	out := string(spreadsheet.WriteCSV([]string{"=h"}, [][]string{{"-2+3", "-3.5", "@x"}}))
	if want := "\xef\xbb\xbf'=h\n'-2+3,-3.5,'@x\n"; out != want {
		t.Errorf("WriteCSV = %q, want %q", out, want)
	}
}
