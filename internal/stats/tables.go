package stats

// The statistics tables: what they hold, how they link (shared totals) and
// how a change between two years is written.

import (
	"math"
	"strconv"
	"strings"
)

// Cell is one published count. Ref names a total that several tables share
// ("victims:2024": the victims of 2024 are the total of the district, age,
// place and disability tables), so disclosure control treats it as one
// cell. Hidden: withheld by disclosure control (V is 0 in a published copy).
type Cell struct {
	V      int64  `json:"v"`
	Hidden bool   `json:"hidden,omitempty"`
	Ref    string `json:"ref,omitempty"`
}

// Group is a column group of each year (P, A, L, jumlah...). Total: the
// year's total over the other groups.
type Group struct {
	Key      string `json:"key"`
	LabelKey string `json:"label_key"`
	Total    bool   `json:"total,omitempty"`
}

// Row is one line of a table: LabelKey is an i18n key, Label a name kept as
// is (a district). Total: the sum of the other rows.
type Row struct {
	Key      string `json:"key"`
	LabelKey string `json:"label_key,omitempty"`
	Label    string `json:"label,omitempty"`
	Total    bool   `json:"total,omitempty"`
	Cells    []Cell `json:"cells"`
}

// Meta is a table's metadata in the Satu Data Indonesia manner: concept,
// definition, source, unit, period and producer (keys are i18n keys; Region
// and Producer are names).
type Meta struct {
	ConceptKey    string `json:"concept_key"`
	DefinitionKey string `json:"definition_key"`
	UnitKey       string `json:"unit_key"`
	Source        string `json:"source"`
	Producer      string `json:"producer"`
	Period        string `json:"period"`
	RegionCode    string `json:"region_code"`
	RegionName    string `json:"region_name"`
}

// Table is one statistics table: rows × (years × groups). Change: show the
// change between the first and the last year for each group. Additive
// says the rows add up to the total row (types do not add up to victims:
// one victim may suffer several types, so the type table's total row is
// labelled as a sum of type counts, never as victims).
type Table struct {
	ID       string  `json:"id"`
	TitleKey string  `json:"title_key"`
	NoteKey  string  `json:"note_key,omitempty"`
	Years    []int   `json:"years"`
	Groups   []Group `json:"groups"`
	Rows     []Row   `json:"rows"`
	Change   bool    `json:"change,omitempty"`
	Meta     Meta    `json:"meta"`
}

// cellIndex is where (year index, group index) sits in a row's cells.
func (t *Table) cellIndex(yi, gi int) int { return yi*len(t.Groups) + gi }

// At returns the cell of row r for year index yi and group gi.
func (t *Table) At(r, yi, gi int) Cell { return t.Rows[r].Cells[t.cellIndex(yi, gi)] }

// newTable makes a table with zero cells for the rows.
func newTable(id string, years []int, groups []Group, rows []Row) Table {
	t := Table{ID: id, TitleKey: "stats.t." + id, Years: years, Groups: groups, Rows: rows}
	for i := range t.Rows {
		t.Rows[i].Cells = make([]Cell, len(years)*len(groups))
	}
	return t
}

// add counts one more at row key, year y, group g (and the totals).
func (t *Table) add(rowKey string, y int, g string) {
	yi := -1
	for i, v := range t.Years {
		if v == y {
			yi = i
		}
	}
	if yi < 0 {
		return
	}
	gi := -1
	for i, gr := range t.Groups {
		if gr.Key == g {
			gi = i
		}
	}
	if gi < 0 {
		return
	}
	totalG := -1
	for i, gr := range t.Groups {
		if gr.Total {
			totalG = i
		}
	}
	for ri := range t.Rows {
		if t.Rows[ri].Key != rowKey && !t.Rows[ri].Total {
			continue
		}
		t.Rows[ri].Cells[t.cellIndex(yi, gi)].V++
		if totalG >= 0 && totalG != gi {
			t.Rows[ri].Cells[t.cellIndex(yi, totalG)].V++
		}
	}
}

// Changes is the change of group gi in row r between the first and the
// last year: absolute, percent, and whether it can be shown (no hidden
// cell) and whether the percentage exists (not from zero).
type Changes struct {
	Abs     int64
	Pct     float64
	Shown   bool
	FromNil bool
}

// ChangeOf computes the change of row r, group gi.
func (t *Table) ChangeOf(r, gi int) Changes {
	if len(t.Years) < 2 {
		return Changes{}
	}
	a, b := t.At(r, 0, gi), t.At(r, len(t.Years)-1, gi)
	if a.Hidden || b.Hidden {
		return Changes{}
	}
	c := Changes{Abs: b.V - a.V, Shown: true}
	if a.V == 0 {
		c.FromNil = true
	} else {
		c.Pct = float64(c.Abs) * 100 / float64(a.V)
	}
	return c
}

// FormatInt writes n with the language's thousands separator (id: 1.234;
// en: 1,234) and a true minus sign.
func FormatInt(lang string, n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	sep := "."
	if lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// FormatDecimal writes x with one decimal in the language's format (id:
// 15,2; en: 15.2), a true minus sign, "−0,0" never.
func FormatDecimal(lang string, x float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	x = math.Round(x*p) / p
	if x == 0 {
		x = 0 // no negative zero
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	out := FormatInt(lang, w)
	if decimals > 0 {
		if lang == "en" {
			out += "." + frac
		} else {
			out += "," + frac
		}
	}
	if x < 0 {
		out = "−" + out
	}
	return out
}

// signed puts a plus sign before a positive number.
func signed(s string, positive bool) string {
	if positive {
		return "+" + s
	}
	return s
}

// FormatChange writes a change as users read it: "−14 (−15,2 %)" in
// Indonesian, "−14 (−15.2%)" in English; from zero the percentage is
// notAvail ("n/a"), never infinity; from zero to zero it is "0".
func FormatChange(lang string, c Changes, notAvail string) string {
	abs := signed(FormatInt(lang, c.Abs), c.Abs > 0)
	if c.FromNil && c.Abs == 0 {
		return abs
	}
	if c.FromNil {
		return abs + " (" + notAvail + ")"
	}
	pct := signed(FormatDecimal(lang, c.Pct, 1), math.Round(c.Pct*10) > 0)
	if lang == "en" {
		return abs + " (" + pct + "%)"
	}
	return abs + " (" + pct + " %)"
}
