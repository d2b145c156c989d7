package stats

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func readHistFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseHistOK(t *testing.T, data []byte, name string) *HistTable {
	t.Helper()
	tab, err := ParseHist(context.Background(), data, name)
	if err != nil {
		t.Fatalf("ParseHist(%s): %v", name, err)
	}
	return tab
}

// sameMismatches compares mismatches by everything but the sheet, with
// a tolerance on the computed percentages.
func sameMismatches(t *testing.T, got, want []Mismatch, sheet string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d mismatches, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Sheet != sheet {
			t.Errorf("mismatch %d: sheet %q, want %q", i, g.Sheet, sheet)
		}
		g.Sheet = ""
		if math.Abs(g.Computed-w.Computed) < 1e-9 {
			g.Computed = w.Computed
		}
		if g != w {
			t.Errorf("mismatch %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}

// pesselWant are the seed 002 mismatches, found by hand from the
// published text (Pessel Metro, 23/2/2024), file rows: 6 Fisik, 7 Non
// fisik, 8 KDRT, 9 Kekerasan seksual, 10 Pemenuhan hak, 11
// Perlindungan/cyber, 12 Anak berhadapan hukum, 13 Jumlah; columns B 2022
// P, C 2022 A, D 2022 jumlah, E 2023 P, F 2023 A, G 2023 jumlah, H
// perubahan jumlah, I perubahan jumlah %.
//
// 2022 rows: Fisik 8+38 = 46, published 43 (mismatch); Non fisik 1+2 = 3;
// KDRT 8+0 = 8; seksual 2+13 = 15; pemenuhan 0+0 = 0; cyber 0+0 = 0; ABH
// 0+23 = 23 (all fine). Total row 19+73 = 92 (fine).
// 2022 columns: P 8+1+8+2+0+0+0 = 19 (fine); A 38+2+0+13+0+0+23 = 76,
// published 73 (mismatch); jumlah 43+3+8+15+0+0+23 = 92 (fine).
// 2022 grand: 19+76 = 95 vs 92, but every row's jumlah is published, so it
// follows from Fisik's row_sum and is not reported again.
// 2023 rows: 1+12 = 13; 1+2 = 3; 8+0 = 8; 2+13 = 15; 0+0 = 0; 0+1 = 1;
// 6+6 = 12 (all fine); total row 16+62 = 78 (fine).
// 2023 columns: P 1+1+8+2+0+0+6 = 18, published 16; A 12+2+0+13+0+1+6 =
// 34, published 62; jumlah 13+3+8+15+0+1+12 = 52, published 78 (three
// mismatches).
// Change of the published totals: 78−92 = −14 (stated −14, fine);
// −14/92×100 = −15.217… → −15.2 at one decimal (stated −15,2, fine).
var pesselWant = []Mismatch{
	{Row: 6, Col: "D", Rule: "row_sum", Label: "Fisik", Year: 2022, Group: "jumlah", Published: 43, Computed: 46},
	{Row: 13, Col: "C", Rule: "col_sum", Label: "Jumlah", Year: 2022, Group: "A", Published: 73, Computed: 76},
	{Row: 13, Col: "E", Rule: "col_sum", Label: "Jumlah", Year: 2023, Group: "P", Published: 16, Computed: 18},
	{Row: 13, Col: "F", Rule: "col_sum", Label: "Jumlah", Year: 2023, Group: "A", Published: 62, Computed: 34},
	{Row: 13, Col: "G", Rule: "col_sum", Label: "Jumlah", Year: 2023, Group: "jumlah", Published: 78, Computed: 52},
}

func TestHistPesselSeed(t *testing.T) {
	tab := parseHistOK(t, readHistFixture(t, "pessel-2022-2023.csv"), "testdata/pessel-2022-2023.csv")
	if tab.Region != "13.01" || tab.Unit != "kasus" || !strings.HasPrefix(tab.Title, "Kekerasan terhadap perempuan dan anak") ||
		!strings.Contains(tab.Source, "Pesisir Selatan") || tab.Sheet != "pessel-2022-2023" {
		t.Errorf("metadata: %q %q %q %q sheet %q", tab.Title, tab.Region, tab.Unit, tab.Source, tab.Sheet)
	}
	if !reflect.DeepEqual(tab.Years, []int{2022, 2023}) || !reflect.DeepEqual(tab.Groups, []string{"P", "A"}) || !tab.HasTotalGroup {
		t.Errorf("years %v groups %q total group %v", tab.Years, tab.Groups, tab.HasTotalGroup)
	}
	if len(tab.Rows) != 7 || tab.Rows[0].Label != "Fisik" || tab.Rows[6].Label != "Anak berhadapan hukum" || tab.Total == nil || tab.Total.Line != 13 {
		t.Fatalf("rows %+v total %+v", tab.Rows, tab.Total)
	}
	if c := tab.Rows[0].Cells[HistKey{2022, "A"}]; c != (HistCell{Value: 38, Set: true, Col: "C"}) {
		t.Errorf("Fisik 2022 A = %+v", c)
	}
	if len(tab.Changes) != 2 || tab.Changes[0].Values["Jumlah"].Value != -14 || tab.Changes[1].Values["Jumlah"].Value != -15.2 ||
		tab.Changes[1].Values["Jumlah"].Decimals != 1 || !tab.Changes[1].Percent || tab.Changes[1].Col != "I" ||
		tab.Changes[0].From != (HistKey{2022, "jumlah"}) || tab.Changes[0].To != (HistKey{2023, "jumlah"}) {
		t.Errorf("changes %+v", tab.Changes)
	}
	got := tab.Check()
	sameMismatches(t, got, pesselWant, "pessel-2022-2023")
	for _, m := range got {
		if m.Rule == "grand" || m.Rule == "change" || m.Rule == "change_pct" {
			t.Errorf("reported %+v", m)
		}
	}
}

// The seed 000 figures (Bali, Data Terpadu Kesejahteraan Sosial): file
// rows 7 Dalam LKSA, 8 Di luar LKSA, 9 Jumlah; columns B 2019, C 2020, D
// perubahan, E perubahan %.
//
// 2019: 2322+629 = 2951 (fine). 2020: 2507+697 = 3204, published 3202.
// Change of the published totals: 3202−2951 = 251, stated 465. Percent:
// 251/2951×100 = 8.5056… → 8.51 at two decimals, stated 15,76 (which is
// 465/2951: the stated change is not the difference of the totals).
var baliWant = []Mismatch{
	{Row: 9, Col: "C", Rule: "col_sum", Label: "Jumlah", Year: 2020, Group: "", Published: 3202, Computed: 3204},
	{Row: 9, Col: "D", Rule: "change", Label: "Jumlah", Year: 2020, Group: "", Published: 465, Computed: 251},
	{Row: 9, Col: "E", Rule: "change_pct", Label: "Jumlah", Year: 2020, Group: "", Published: 15.76, Computed: 8.51},
}

func TestHistBaliSeed(t *testing.T) {
	data := readHistFixture(t, "bali-lksa-2019-2020.csv")
	tab := parseHistOK(t, data, "bali-lksa-2019-2020.csv")
	if tab.Region != "51" || tab.Note == "" || !reflect.DeepEqual(tab.Groups, []string{""}) || tab.HasTotalGroup {
		t.Errorf("region %q note %q groups %q total group %v", tab.Region, tab.Note, tab.Groups, tab.HasTotalGroup)
	}
	sameMismatches(t, tab.Check(), baliWant, "bali-lksa-2019-2020")

	// The same table separated by commas (the decimal comma quoted).
	comma := strings.NewReplacer(";", ",", "15,76", `"15,76"`).Replace(string(data))
	sameMismatches(t, parseHistOK(t, []byte(comma), "bali.csv").Check(), baliWant, "bali")
}

// pesselXLSX builds the seed 002 table as an XLSX file: numbers as
// numeric cells, so they reach the parser in Go's format ("-15.2").
func pesselXLSX(t *testing.T, pct any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Judul", "Kekerasan terhadap perempuan dan anak menurut jenis kekerasan, 2022 dan 2023"},
		{"Wilayah", 13.01},
		{"Satuan", "kasus"},
		{"Sumber", "DinsosPPPA Kabupaten Pesisir Selatan"},
		{"Kategori", "2022 P", "2022 A", "2022 Jumlah", "2023 P", "2023 A", "2023 jumlah", "Perubahan jumlah", "Perubahan jumlah (%)"},
		{"Fisik", 8, 38, 43, 1, 12, 13},
		{"Non fisik", 1, 2, 3, 1, 2, 3},
		{"KDRT", 8, 0, 8, 8, 0, 8},
		{"Kekerasan seksual", 2, 13, 15, 2, 13, 15},
		{"Pemenuhan hak anak dan perempuan", 0, 0, 0, 0, 0, 0},
		{"Perlindungan/cyber", 0, 0, 0, 0, 1, 1},
		{"Anak berhadapan hukum", 0, 23, 23, 6, 6, 12},
		{"Jumlah", 19, 73, 92, 16, 62, 78, -14, pct},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHistPesselXLSX(t *testing.T) {
	tab := parseHistOK(t, pesselXLSX(t, -15.2), "pessel.xlsx")
	if tab.Sheet != "Sheet1" || tab.Region != "13.01" || !reflect.DeepEqual(tab.Groups, []string{"P", "A"}) {
		t.Errorf("sheet %q region %q groups %q", tab.Sheet, tab.Region, tab.Groups)
	}
	// The same mismatches at the same cells as the CSV file.
	sameMismatches(t, tab.Check(), pesselWant, "Sheet1")

	// A cell formatted as a percentage holds the fraction: −14/92 =
	// −0.15217… is −15.2 % and fine; −0.2 is not a fraction with two more
	// decimals and reads as −0.2 %, a mismatch against −15.2.
	sameMismatches(t, parseHistOK(t, pesselXLSX(t, -14.0/92), "pessel.xlsx").Check(), pesselWant, "Sheet1")
	want := append(append([]Mismatch(nil), pesselWant...),
		Mismatch{Row: 13, Col: "I", Rule: "change_pct", Label: "Jumlah", Year: 2023, Group: "jumlah", Published: -0.2, Computed: -15.2})
	sameMismatches(t, parseHistOK(t, pesselXLSX(t, -0.2), "pessel.xlsx").Check(), want, "Sheet1")
}

// replaceLine replaces the 1-based line n of a file.
func replaceLine(data []byte, n int, line string) []byte {
	lines := strings.Split(string(data), "\n")
	lines[n-1] = line
	return []byte(strings.Join(lines, "\n"))
}

func TestHistRefusedWhole(t *testing.T) {
	pessel := readHistFixture(t, "pessel-2022-2023.csv")
	var many strings.Builder
	many.WriteString("judul;x\nwilayah;13.01\nkategori;2022\n")
	for i := range 250 {
		fmt.Fprintf(&many, "baris %d;%d\n", i, i)
	}
	cases := []struct {
		name     string
		data     []byte
		key      string
		row      int
		col      string
		value    string
		errorHas string
	}{
		{"not a number", replaceLine(pessel, 7, "Non fisik;1;12a;3;1;2;3;;"), "stats.import.bad_number", 7, "C", "12a", "pessel-2022-2023!C7: not a number"},
		{"fractional count", replaceLine(pessel, 6, "Fisik;8;38,5;43;1;12;13;;"), "stats.import.fractional_count", 6, "C", "38,5", "!C6:"},
		{"negative count", replaceLine(pessel, 8, "KDRT;−8;0;8;8;0;8;;"), "stats.import.negative_count", 8, "B", "−8", "!B8:"},
		{"percent in a count", replaceLine(pessel, 8, "KDRT;8 %;0;8;8;0;8;;"), "stats.import.bad_number", 8, "B", "8 %", "!B8:"},
		{"fractional change", replaceLine(pessel, 13, "Jumlah;19;73;92;16;62;78;-14,5;-15,2"), "stats.import.fractional_change", 13, "H", "-14,5", "!H13:"},
		{"bad percent", replaceLine(pessel, 13, "Jumlah;19;73;92;16;62;78;-14;-15,2,1"), "stats.import.bad_number", 13, "I", "-15,2,1", "!I13:"},
		{"no header", []byte("judul;x\nwilayah;51\nsatuan;kasus\n"), "stats.import.missing_header", 0, "", "", "pessel-2022-2023: the kategori header row is missing"},
		{"row before header", replaceLine(pessel, 5, "jenis;2022 P;2022 A;2022 jumlah;2023 P;2023 A;2023 jumlah;perubahan jumlah;perubahan jumlah %"), "stats.import.unknown_metadata", 5, "A", "jenis", "!A5:"},
		{"no judul", replaceLine(pessel, 1, ""), "stats.import.missing_title", 5, "A", "", "!A5:"},
		{"no wilayah", replaceLine(pessel, 2, ""), "stats.import.missing_region", 5, "A", "", "!A5:"},
		{"bad wilayah", replaceLine(pessel, 2, "wilayah;Pesisir Selatan"), "stats.import.bad_region", 2, "B", "Pesisir Selatan", "!B2:"},
		{"judul twice", replaceLine(pessel, 3, "Title;y"), "stats.import.duplicate_metadata", 3, "A", "Title", "!A3:"},
		{"bad header", replaceLine(pessel, 5, "kategori;2022 P;2022A;2022 jumlah;2023 P;2023 A;2023 jumlah;perubahan jumlah;perubahan jumlah %"), "stats.import.bad_header", 5, "C", "2022A", "!C5:"},
		{"bad year", replaceLine(pessel, 5, "kategori;2022 P;2022 A;2022 jumlah;2203 P;2023 A;2023 jumlah;perubahan jumlah;perubahan jumlah %"), "stats.import.bad_year", 5, "E", "2203 P", "!E5:"},
		{"duplicated column", replaceLine(pessel, 5, "kategori;2022 P;2022 A;2022 jumlah;2023 P;2023 A;2022 total;perubahan jumlah;perubahan jumlah %"), "stats.import.duplicate_column", 5, "G", "2022 total", "!G5:"},
		{"change of no column", replaceLine(pessel, 5, "kategori;2022 P;2022 A;2022 jumlah;2023 P;2023 A;2023 jumlah;perubahan L;perubahan jumlah %"), "stats.import.bad_change", 5, "H", "perubahan L", "!H5:"},
		{"value without header", replaceLine(pessel, 12, "Anak berhadapan hukum;0;23;23;6;6;12;;;7"), "stats.import.cell_without_header", 12, "J", "7", "!J12:"},
		{"total row not last", append(append([]byte(nil), pessel...), "Catatan kaki;1\n"...), "stats.import.total_not_last", 13, "A", "Jumlah", "!A13:"},
		{"label twice", replaceLine(pessel, 7, "fisik;1;2;3;1;2;3;;"), "stats.import.duplicate_label", 7, "A", "fisik", "!A7:"},
		{"no category rows", []byte("judul;x\nwilayah;51\nkategori;2019;2020\n\nJumlah;1;2\n"), "stats.import.no_rows", 3, "A", "", "!A3:"},
		{"too many rows", []byte(many.String()), "stats.import.too_many_rows", 201, "A", "200", "!A201:"},
		{"too many columns", []byte("judul;x\nwilayah;51\nkategori;2019\nx;1" + strings.Repeat(";", 59) + "9\n"), "stats.import.too_many_columns", 4, "BI", "60", "!BI4:"},
		{"not UTF-8", []byte("judul;\xff\n"), "stats.import.unreadable", 0, "", "", "not UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tab, err := ParseHist(context.Background(), c.data, "pessel-2022-2023.csv")
			var he *HistError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v (%T), table %+v; want a *HistError", err, err, tab)
			}
			if tab != nil {
				t.Error("a table came with the error")
			}
			if he.Key != c.key || he.Row != c.row || he.Col != c.col || he.Value != c.value || he.Sheet != "pessel-2022-2023" {
				t.Errorf("got %+v, want key %s at %s%d value %q", he, c.key, c.col, c.row, c.value)
			}
			if !strings.Contains(he.Error(), c.errorHas) {
				t.Errorf("Error() = %q, want it to contain %q", he.Error(), c.errorHas)
			}
			if _, ok := histMessages[he.Key]; !ok && !strings.HasPrefix(he.Key, "stats.import.") {
				t.Errorf("key %q has no message", he.Key)
			}
		})
	}
}

// A file over the spreadsheet package's own limits is a HistError too.
func TestHistSpreadsheetLimit(t *testing.T) {
	data := []byte("judul;x\nwilayah;51\nkategori;2019\nx;1" + strings.Repeat(";", 300) + "\n")
	_, err := ParseHist(context.Background(), data, "x.csv")
	var he *HistError
	if !errors.As(err, &he) || he.Key != "stats.import.too_many_columns" || he.Err == nil {
		t.Fatalf("err = %v", err)
	}
}

func TestParseIDNumber(t *testing.T) {
	for _, c := range []struct {
		in       string
		value    float64
		decimals int
		percent  bool
	}{
		{"1.234", 1234, 0, false},
		{"3.202", 3202, 0, false},
		{"1.234.567", 1234567, 0, false},
		{"15,76", 15.76, 2, false},
		{"-15,2 %", -15.2, 1, true},
		{"−14", -14, 0, false},
		{"-14", -14, 0, false},
		{"+465", 465, 0, false},
		{"15,76%", 15.76, 2, true},
		{"1.234,5", 1234.5, 1, false},
		{"15.76", 15.76, 2, false},   // cannot be a thousands group: Go's format of an XLSX number
		{"-15.2", -15.2, 1, false},   // the same
		{"0.152", 0.152, 3, false},   // a thousands group never starts with 0
		{"1.2345", 1.2345, 4, false}, // nor has four digits
		{"0", 0, 0, false},
		{" 92 ", 92, 0, false},
		{"1\u00a0%", 1, 0, true},
	} {
		n, err := parseIDNumber(c.in)
		if err != nil || math.Abs(n.value-c.value) > 1e-12 || n.decimals != c.decimals || n.percent != c.percent {
			t.Errorf("parseIDNumber(%q) = %+v, %v; want %v (%d decimals, percent %v)", c.in, n, err, c.value, c.decimals, c.percent)
		}
	}
	for _, bad := range []string{"", "12a", "1,2,3", "1.23.4", "12.34,5", ",5", "5,", "%", "--1", "1 234", "1e5", "0x10", "Rp 5", "1.234.5678", "1234567890123456"} {
		if n, err := parseIDNumber(bad); err == nil {
			t.Errorf("parseIDNumber(%q) = %+v, want an error", bad, n)
		}
	}
}

// grand is reported only when neither the rows' jumlah cells nor the
// total row's group cells are published.
func TestHistGrand(t *testing.T) {
	head := "judul;x\nwilayah;51\nkategori;2022 P;2022 A;2022 jumlah\n"
	// Rows 4 and 5 publish only their groups, the total row only its
	// jumlah: 1+2+3+4 = 10, published 11.
	tab := parseHistOK(t, []byte(head+"x;1;2;\ny;3;4;\nJumlah;;;11\n"), "g.csv")
	sameMismatches(t, tab.Check(), []Mismatch{
		{Row: 6, Col: "D", Rule: "grand", Label: "Jumlah", Year: 2022, Group: "jumlah", Published: 11, Computed: 10},
	}, "g")
	// With the rows' jumlah (3 and 7, both right) the same 11 is a col_sum
	// mismatch (3+7 = 10) and grand says nothing more.
	tab = parseHistOK(t, []byte(head+"x;1;2;3\ny;3;4;7\nJumlah;;;11\n"), "g.csv")
	sameMismatches(t, tab.Check(), []Mismatch{
		{Row: 6, Col: "D", Rule: "col_sum", Label: "Jumlah", Year: 2022, Group: "jumlah", Published: 11, Computed: 10},
	}, "g")
	// With the total row's groups (4 and 6, both right: 1+3, 2+4) it is a
	// row_sum mismatch of the total row (4+6 = 10).
	tab = parseHistOK(t, []byte(head+"x;1;2;\ny;3;4;\nJumlah;4;6;11\n"), "g.csv")
	sameMismatches(t, tab.Check(), []Mismatch{
		{Row: 6, Col: "D", Rule: "row_sum", Label: "Jumlah", Year: 2022, Group: "jumlah", Published: 11, Computed: 10},
	}, "g")
	// An unpublished inner cell skips every check that needs it.
	tab = parseHistOK(t, []byte(head+"x;1;;\ny;3;4;\nJumlah;;;11\n"), "g.csv")
	if got := tab.Check(); len(got) != 0 {
		t.Errorf("got %+v", got)
	}
}

func TestHistChangeRules(t *testing.T) {
	// Row 4: 0 → 5, a percentage from 0 is undefined. Row 5: 10 → 13,
	// change 3 (stated 3, fine), 3/10×100 = 30 (stated 30,0 fine). Row 6:
	// 3 → 2, change −1 stated −2 (mismatch); −1/3×100 = −33.33… → −33 at
	// no decimal (stated −33 fine). Total: 13 → 20 (0+10+3 = 13 and 5+13+2
	// = 20, fine), change 7 (stated 7), 7/13×100 = 53.846… → 53,85 (stated
	// 53,84: a mismatch).
	data := "judul;x\nwilayah;51.01\nkategori;2019 L;2020 L;perubahan L;perubahan L %\n" +
		"a;0;5;5;100\nb;10;13;3;30,0\nc;3;2;-2;-33\nJumlah;13;20;7;53,84\n"
	tab := parseHistOK(t, []byte(data), "c.csv")
	sameMismatches(t, tab.Check(), []Mismatch{
		{Row: 4, Col: "E", Rule: "change_pct_from_zero", Label: "a", Year: 2020, Group: "L", Published: 100, Computed: 0},
		{Row: 6, Col: "D", Rule: "change", Label: "c", Year: 2020, Group: "L", Published: -2, Computed: -1},
		{Row: 7, Col: "E", Rule: "change_pct", Label: "Jumlah", Year: 2020, Group: "L", Published: 53.84, Computed: 53.85},
	}, "c")
}

// A title with commas on a semicolon-separated first line (more commas
// than semicolons) still reads as semicolon-separated, with the lines
// where they are.
func TestHistSeparatorFromHeader(t *testing.T) {
	data := "\xef\xbb\xbfjudul;Anak, remaja, dan keluarga\nwilayah;51\nkategori;2019;2020\na;1;2\nJumlah;1;3\n"
	tab := parseHistOK(t, []byte(data), "s.csv")
	if tab.Title != "Anak, remaja, dan keluarga" {
		t.Errorf("title %q", tab.Title)
	}
	sameMismatches(t, tab.Check(), []Mismatch{
		{Row: 5, Col: "C", Rule: "col_sum", Label: "Jumlah", Year: 2020, Group: "", Published: 3, Computed: 2},
	}, "s")
}

func TestColLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 59: "BH", 60: "BI", 701: "ZZ", 702: "AAA"} {
		if got := colLetters(i); got != want || colIndex(got) != i {
			t.Errorf("colLetters(%d) = %q (back %d), want %q", i, got, colIndex(got), want)
		}
	}
}
