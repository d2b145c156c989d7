package kla

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lindu/internal/domain"
)

// hostile is the reproduction of issue 9 item 9: a leading "-" ran as a
// formula in the exported template.
const hostile = "-2+3+cmd|' /C calc'!A0"

// hostileTemplate is a template row with a formula in every text cell and
// a negative value.
func hostileTemplate() [][]string {
	neg := -3.5
	ind := domain.KLAIndicator{ID: "11", Name: "=HYPERLINK(\"http://evil.example\")", Unit: "@percent"}
	return TemplateRows([]domain.KLAIndicator{ind}, "61.07", 2025, map[string]domain.KLAValue{
		"11": {SelfValue: &neg, Note: hostile, Link: "+https://x.example"}})
}

// Every cell of the CSV template that starts with = + - @ tab or CR is
// defused, except plain numbers; the template read back imports the same
// note, link and the negative value.
func TestTemplateCSVDefusedAndReadBack(t *testing.T) {
	rows := hostileTemplate()
	out := WriteCSV(TemplateHeader(), rows)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"11", "61.07", "2025", "-3.5", "'" + hostile, "'+https://x.example", "'=HYPERLINK(\"http://evil.example\")", "'@percent"}
	if strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Fatalf("CSV row %q, want %q", recs[1], want)
	}
	tab, err := ReadTable(context.Background(), out, "templat.csv")
	if err != nil {
		t.Fatal(err)
	}
	in, _, errs := ParseValueRows(tab)
	if len(errs) > 0 || len(in) != 1 {
		t.Fatalf("read back: %v %+v", errs, in)
	}
	if in[0].Value != -3.5 || in[0].Note != hostile || in[0].Link != "+https://x.example" {
		t.Errorf("read back %+v", in[0])
	}
}

// The XLSX template writes text as text (no cell is a formula, whatever
// it starts with) and numbers as numbers, and reads back the same.
func TestTemplateXLSXHasNoFormulas(t *testing.T) {
	data, err := WriteXLSX([]Sheet{TemplateSheet(hostileTemplate())})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ref := range []string{"A2", "B2", "C2", "D2", "E2", "F2", "G2", "H2"} {
		if fm, _ := f.GetCellFormula("nilai", ref); fm != "" {
			t.Errorf("%s is a formula: %q", ref, fm)
		}
	}
	for ref, want := range map[string]excelize.CellType{"E2": excelize.CellTypeSharedString, "G2": excelize.CellTypeSharedString, "D2": excelize.CellTypeUnset} {
		if ct, _ := f.GetCellType("nilai", ref); ct != want && !(want == excelize.CellTypeSharedString && ct == excelize.CellTypeInlineString) {
			t.Errorf("%s has type %v, want %v", ref, ct, want)
		}
	}
	tab, err := ReadTable(context.Background(), data, "templat.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	in, _, errs := ParseValueRows(tab)
	if len(errs) > 0 || len(in) != 1 || in[0].Value != -3.5 || in[0].Note != hostile {
		t.Fatalf("read back: %v %+v", errs, in)
	}
}

// The limits leave room for the largest template lindu accepts: 20,000
// filled rows of every column, as XLSX and as CSV.
func TestLargestTemplateAccepted(t *testing.T) {
	var rows [][]string
	for i := range MaxRows {
		rows = append(rows, []string{"11", "61.07.01.2001", "2025", "91.5", "Laporan Puskesmas triwulan " + strings.Repeat("x", 40),
			"https://example.org/bukti/" + string(rune('a'+i%26)), "Persentase imunisasi dasar lengkap", "percent"})
	}
	xlsx, err := WriteXLSX([]Sheet{TemplateSheet(rows)})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"t.xlsx": xlsx, "t.csv": WriteCSV(TemplateHeader(), rows)} {
		tab, err := ReadTable(context.Background(), data, name)
		if err != nil || len(tab.Rows) != MaxRows {
			t.Fatalf("%s (%d bytes): %d rows, %v", name, len(data), len(tab.Rows), err)
		}
	}
}
