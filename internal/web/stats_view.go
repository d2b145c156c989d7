package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
	"lindu/internal/stats"
)

// How a statistics set is shown and downloaded: the same cells, the same
// withheld ones (×), in HTML tables with equal bar charts, CSV and XLSX.

// hiddenMark is the symbol of a withheld count (explained on the page).
const hiddenMark = "×"

// StatCell is one shown count.
type StatCell struct {
	Text   string
	Hidden bool
	Total  bool
}

// StatRow is one table row.
type StatRow struct {
	Label   string
	Total   bool
	Cells   []StatCell
	Changes []StatCell
}

// StatHead is a header cell spanning Span columns.
type StatHead struct {
	Label string
	Span  int
}

// MetaItem is one metadata line.
type MetaItem struct{ Label, Value string }

// StatTable is a table ready to show.
type StatTable struct {
	ID, Title, Note string
	Years           []StatHead
	Groups          []string // empty: one column per year
	ChangeHeads     []string
	Rows            []StatRow
	Meta            []MetaItem
	MetaTitle       string
	HeadRows        int    // 2 when the groups have a header row
	CategoryLabel   string // the first column's header (for screen readers)
	Chart           template.HTML
	CSV, CSVLabel   string // this table's CSV download
}

// statLabel is a row's label in the page's language.
func statLabel(b Base, r stats.Row) string {
	if r.Label != "" {
		return r.Label
	}
	return b.T(r.LabelKey)
}

// statTables turns a set into tables for the page; release names the
// release shown ("" for live figures).
func statTables(b Base, set stats.Set, release, csvBase string) []StatTable {
	na := b.T("stats.na")
	var out []StatTable
	for ti := range set.Tables {
		t := &set.Tables[ti]
		v := StatTable{ID: t.ID, Title: b.T(t.TitleKey)}
		if t.NoteKey != "" {
			v.Note = b.T(t.NoteKey)
		}
		multi := len(t.Groups) > 1
		for _, y := range t.Years {
			v.Years = append(v.Years, StatHead{Label: strconv.Itoa(y), Span: len(t.Groups)})
		}
		if multi {
			for range t.Years {
				for _, g := range t.Groups {
					v.Groups = append(v.Groups, b.T(g.LabelKey))
				}
			}
		}
		if t.Change {
			for _, g := range t.Groups {
				h := b.T("stats.change")
				if multi {
					h += " " + b.T(g.LabelKey)
				}
				v.ChangeHeads = append(v.ChangeHeads, h)
			}
		}
		for ri, r := range t.Rows {
			row := StatRow{Label: statLabel(b, r), Total: r.Total}
			for ci, c := range r.Cells {
				sc := StatCell{Text: stats.FormatInt(b.Lang, c.V), Hidden: c.Hidden, Total: t.Groups[ci%len(t.Groups)].Total}
				if c.Hidden {
					sc.Text = hiddenMark
				}
				row.Cells = append(row.Cells, sc)
			}
			if t.Change {
				for gi := range t.Groups {
					ch := t.ChangeOf(ri, gi)
					if !ch.Shown {
						row.Changes = append(row.Changes, StatCell{Text: hiddenMark, Hidden: true})
						continue
					}
					row.Changes = append(row.Changes, StatCell{Text: stats.FormatChange(b.Lang, ch, na)})
				}
			}
			v.Rows = append(v.Rows, row)
		}
		v.Meta = statMeta(b, t, release, set.Threshold, set.Suppressed)
		v.MetaTitle, v.CSVLabel, v.CategoryLabel = b.T("stats.meta.title"), b.T("stats.csv_table"), b.T("stats.col.category")
		v.HeadRows = 1
		if multi {
			v.HeadRows = 2
		}
		v.Chart = statChart(b, t, v.Title)
		if csvBase != "" {
			v.CSV = csvBase + "&tabel=" + t.ID
		}
		out = append(out, v)
	}
	return out
}

// statMeta is a table's metadata (Satu Data Indonesia: concept,
// definition, source, unit, period, producer).
func statMeta(b Base, t *stats.Table, release string, threshold int, suppressed bool) []MetaItem {
	m := []MetaItem{
		{b.T("stats.meta.concept"), b.T(t.Meta.ConceptKey)},
		{b.T("stats.meta.definition"), b.T(t.Meta.DefinitionKey)},
		{b.T("stats.meta.source"), b.T("stats.meta.source_value", t.Meta.RegionName)},
		{b.T("stats.meta.unit"), b.T(t.Meta.UnitKey)},
		{b.T("stats.meta.period"), t.Meta.Period},
		{b.T("stats.meta.region"), t.Meta.RegionName + " (" + t.Meta.RegionCode + ")"},
		{b.T("stats.meta.producer"), b.T("stats.meta.producer_value", t.Meta.RegionName)},
	}
	if release != "" {
		m = append(m, MetaItem{b.T("stats.meta.release"), release})
	} else {
		m = append(m, MetaItem{b.T("stats.meta.release"), b.T("stats.meta.live")})
	}
	if suppressed {
		m = append(m, MetaItem{b.T("stats.meta.disclosure"), b.T("stats.hidden_rule", threshold)})
	}
	return m
}

// statChart draws the last year's totals of a table's rows as horizontal
// bars (labels above the bars, so they stay readable on a phone); a
// withheld count has no bar. The table under it holds the same numbers.
func statChart(b Base, t *stats.Table, title string) template.HTML {
	if len(t.Rows) < 2 || len(t.Years) == 0 {
		return ""
	}
	gi := 0
	for i, g := range t.Groups {
		if g.Total {
			gi = i
		}
	}
	yi := len(t.Years) - 1
	type bar struct {
		label string
		v     int64
		shown bool
	}
	var bars []bar
	var max int64
	for ri, r := range t.Rows {
		if r.Total {
			continue
		}
		c := t.At(ri, yi, gi)
		bars = append(bars, bar{statLabel(b, r), c.V, !c.Hidden})
		if !c.Hidden && c.V > max {
			max = c.V
		}
	}
	const rowH = 42
	id := "chart-" + t.ID
	var s strings.Builder
	h := len(bars)*rowH + 4
	fmt.Fprintf(&s, `<svg class="hbars" width="100%%" height="%d" role="img" aria-labelledby="%s-t %s-d">`, h, id, id)
	fmt.Fprintf(&s, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(title+" — "+strconv.Itoa(t.Years[yi])),
		id, html.EscapeString(b.T("stats.chart_desc")))
	for i, br := range bars {
		y := i * rowH
		val := hiddenMark
		if br.shown {
			val = stats.FormatInt(b.Lang, br.v)
		}
		fmt.Fprintf(&s, `<text x="0" y="%d" class="chart-label">%s: %s</text>`, y+15, html.EscapeString(br.label), val)
		if br.shown && max > 0 && br.v > 0 {
			pct := float64(br.v) * 100 / float64(max)
			fmt.Fprintf(&s, `<rect x="0" y="%d" width="%.1f%%" height="16" class="chart-bar"></rect>`, y+21, pct)
		} else {
			fmt.Fprintf(&s, `<rect x="0" y="%d" width="2" height="16" class="chart-none"></rect>`, y+21)
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// statSheets are the set's tables as downloads: counts as numbers, a
// withheld one as ×, the change as a number and a percentage, the
// metadata on the Keterangan sheet.
func statSheets(b Base, set stats.Set, release string) []spreadsheet.Table {
	var out []spreadsheet.Table
	for ti := range set.Tables {
		t := &set.Tables[ti]
		title := b.T(t.TitleKey)
		st := spreadsheet.Table{Sheet: title, Columns: []spreadsheet.Column{{Header: b.T("stats.col.category"), Kind: spreadsheet.Text}}}
		for _, y := range t.Years {
			for _, g := range t.Groups {
				h := strconv.Itoa(y)
				if len(t.Groups) > 1 {
					h += " " + b.T(g.LabelKey)
				}
				st.Columns = append(st.Columns, spreadsheet.Column{Header: h, Kind: spreadsheet.Int})
			}
		}
		if t.Change {
			for _, g := range t.Groups {
				h := b.T("stats.change")
				if len(t.Groups) > 1 {
					h += " " + b.T(g.LabelKey)
				}
				st.Columns = append(st.Columns, spreadsheet.Column{Header: h, Kind: spreadsheet.Int},
					spreadsheet.Column{Header: h + " (%)", Kind: spreadsheet.Decimal})
			}
		}
		for ri, r := range t.Rows {
			row := []string{statLabel(b, r)}
			for _, c := range r.Cells {
				if c.Hidden {
					row = append(row, hiddenMark)
				} else {
					row = append(row, strconv.FormatInt(c.V, 10))
				}
			}
			if t.Change {
				for gi := range t.Groups {
					ch := t.ChangeOf(ri, gi)
					switch {
					case !ch.Shown:
						row = append(row, hiddenMark, hiddenMark)
					case ch.FromNil:
						row = append(row, strconv.FormatInt(ch.Abs, 10), b.T("stats.na"))
					default:
						row = append(row, strconv.FormatInt(ch.Abs, 10), strconv.FormatFloat(math.Round(ch.Pct*10)/10, 'f', 1, 64))
					}
				}
			}
			st.Rows = append(st.Rows, row)
		}
		for _, m := range statMeta(b, t, release, set.Threshold, set.Suppressed) {
			st.Meta = append(st.Meta, [2]string{title + " — " + m.Label, m.Value})
		}
		if t.NoteKey != "" {
			st.Meta = append(st.Meta, [2]string{title + " — " + b.T("stats.meta.note"), b.T(t.NoteKey)})
		}
		out = append(out, st)
	}
	// The 24-hour measure as its own sheet.
	sla := spreadsheet.Table{Sheet: b.T("stats.sla_title"), Columns: []spreadsheet.Column{{Header: b.T("stats.sla.year"), Kind: spreadsheet.Text},
		{Header: b.T("stats.sla.n"), Kind: spreadsheet.Int}, {Header: b.T("stats.sla.within"), Kind: spreadsheet.Int},
		{Header: b.T("stats.sla.share"), Kind: spreadsheet.Decimal}, {Header: b.T("stats.sla.median"), Kind: spreadsheet.Decimal},
		{Header: b.T("stats.sla.reached"), Kind: spreadsheet.Int}, {Header: b.T("stats.sla.pending"), Kind: spreadsheet.Int}}}
	for _, x := range set.SLA {
		if x.Hidden {
			sla.Rows = append(sla.Rows, []string{strconv.Itoa(x.Year), hiddenMark, hiddenMark, hiddenMark, hiddenMark, hiddenMark, hiddenMark})
			continue
		}
		sla.Rows = append(sla.Rows, []string{strconv.Itoa(x.Year), strconv.Itoa(x.N), strconv.Itoa(x.Within),
			strconv.FormatFloat(x.Share, 'f', 1, 64), strconv.FormatFloat(x.MedianHours, 'f', 1, 64), strconv.Itoa(x.Reached), strconv.Itoa(x.Pending)})
	}
	sla.Meta = [][2]string{{b.T("stats.sla_title") + " — " + b.T("stats.meta.definition"), b.T("stats.sla_rule")}}
	return append(out, sla)
}

// SLAView is one year's 24-hour measure as text.
type SLAView struct {
	Year                   int
	Hidden                 bool
	Share, Median          string
	N, Within, Reach, Wait string
	Waiting                bool
}

func slaViews(b Base, set stats.Set) []SLAView {
	var out []SLAView
	for _, x := range set.SLA {
		f := func(n int) string { return stats.FormatInt(b.Lang, int64(n)) }
		v := SLAView{Year: x.Year, Hidden: x.Hidden, N: f(x.N), Within: f(x.Within), Reach: f(x.Reached), Wait: f(x.Pending), Waiting: x.Pending > 0}
		if !x.Hidden {
			v.Share = stats.FormatDecimal(b.Lang, x.Share, 1)
			v.Median = stats.FormatDecimal(b.Lang, x.MedianHours, 1)
		}
		out = append(out, v)
	}
	return out
}

// HomeStats are this year's key figures on the home page: cases (and the
// change from last year), victims, child victims, the three types with
// most victims and the 24-hour share, disclosure-controlled for those who
// do not manage the region's cases.
type HomeStats struct {
	Year                   int
	RegionName             string
	Cases, CasesChange     string
	Victims, Children, SLA string
	Types                  []MetaItem
	Suppressed             bool
	Threshold              int
}

// homeStats computes the home figures of region for this year.
func (s *Server) homeStats(r *http.Request, b Base, region domain.Region) (*HomeStats, error) {
	if region.Code == "" || !b.Scope.Can(domain.PermViewDashboard) {
		return nil, nil
	}
	year := s.now().In(b.Zone).Year()
	set, err := s.stats.Compute(r.Context(), b.Scope, region.Code, year)
	if err != nil {
		return nil, err
	}
	h := &HomeStats{Year: year, RegionName: region.Name, Suppressed: set.Suppressed, Threshold: set.Threshold}
	num := func(c stats.Cell) string {
		if c.Hidden {
			return hiddenMark
		}
		return stats.FormatInt(b.Lang, c.V)
	}
	sum, types := set.Table("summary"), set.Table("types")
	last := len(sum.Years) - 1
	h.Cases, h.Victims = num(sum.At(0, last, 0)), num(sum.At(1, last, 0))
	if ch := sum.ChangeOf(0, 0); ch.Shown {
		h.CasesChange = b.T("beranda.stats_change", stats.FormatChange(b.Lang, ch, b.T("stats.na")), sum.Years[0])
	}
	// Child victims: the age table's children (bands up to 17).
	age := set.Table("age_sex")
	var kids int64
	hidden := false
	for ri, row := range age.Rows {
		if row.Key == "0-5" || row.Key == "6-12" || row.Key == "13-17" {
			c := age.At(ri, 0, len(age.Groups)-1)
			hidden = hidden || c.Hidden
			kids += c.V
		}
	}
	h.Children = stats.FormatInt(b.Lang, kids)
	if hidden {
		h.Children = hiddenMark
	}
	// The three types with most victims (shown counts only).
	type tv struct {
		label string
		v     int64
	}
	var top []tv
	for ri, row := range types.Rows {
		if row.Total {
			continue
		}
		c := types.At(ri, last, len(types.Groups)-1)
		if !c.Hidden && c.V > 0 {
			top = append(top, tv{statLabel(b, row), c.V})
		}
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
	for i := 0; i < len(top) && i < 3; i++ {
		h.Types = append(h.Types, MetaItem{Label: top[i].label, Value: stats.FormatInt(b.Lang, top[i].v)})
	}
	h.SLA = hiddenMark
	if n := len(set.SLA); n > 0 && !set.SLA[n-1].Hidden {
		h.SLA = b.T("beranda.stats_sla_value", stats.FormatDecimal(b.Lang, set.SLA[n-1].Share, 1), stats.FormatInt(b.Lang, int64(set.SLA[n-1].N)))
	}
	return h, nil
}
