package stats

// Crosswalks: a local report layout produced from lindu's fields. Local
// layouts mix axes (Pesisir Selatan reports physical, non-physical, KDRT,
// sexual, rights-fulfilment, protection/cyber and ABH, each P and A: KDRT is
// a setting, ABH a legal status, the rest types), so a victim may count in
// several rows and the rows are never summed into a total.

// CrossRow is one line of a local layout: a victim counts in it when they
// suffered one of Types, or (KDRT) their case happened in the household.
type CrossRow struct {
	Key      string
	LabelKey string
	Types    []string
	KDRT     bool
}

// Crosswalk is a local layout.
type Crosswalk struct {
	ID       string
	TitleKey string
	Rows     []CrossRow
}

// Pessel is the layout of Pesisir Selatan's DinsosPPPA report (seed 002):
// each row P (women) and A (children) and their sum; adult men and victims
// of unknown age are outside it. Exploitation, trafficking and child labour
// have no row of their own in that layout.
var Pessel = Crosswalk{ID: "local", TitleKey: "stats.t.local", Rows: []CrossRow{
	{Key: "fisik", LabelKey: "stats.cw.fisik", Types: []string{"physical"}},
	{Key: "non_fisik", LabelKey: "stats.cw.non_fisik", Types: []string{"psychological"}},
	{Key: "kdrt", LabelKey: "stats.cw.kdrt", KDRT: true},
	{Key: "seksual", LabelKey: "stats.cw.seksual", Types: []string{"sexual"}},
	{Key: "pha", LabelKey: "stats.cw.pha", Types: []string{"rights", "neglect", "child_marriage"}},
	{Key: "cyber", LabelKey: "stats.cw.cyber", Types: []string{"online"}},
	{Key: "abh", LabelKey: "stats.cw.abh", Types: []string{"abh"}},
}}

type localTable struct{ Table }

func (cw Crosswalk) table(years []int) *localTable {
	var rows []Row
	for _, r := range cw.Rows {
		rows = append(rows, Row{Key: r.Key, LabelKey: r.LabelKey})
	}
	t := newTable(cw.ID, years, gPAloc, rows)
	t.TitleKey = cw.TitleKey
	t.Change = true
	t.NoteKey = "stats.n.local"
	return &localTable{t}
}

// addVictim counts a victim once in each row they belong to.
func (l *localTable) addVictim(cw Crosswalk, v victimFact, kdrt bool, year int, g string) {
	if g != "P" && g != "A" {
		return
	}
	for _, r := range cw.Rows {
		in := r.KDRT && kdrt
		for _, t := range r.Types {
			for _, vt := range v.types {
				in = in || vt == t
			}
		}
		if in {
			l.addOne(r.Key, year, g)
		}
	}
}

// addOne counts at one row (and its P+A column) only: the layout has no
// total row.
func (l *localTable) addOne(rowKey string, y int, g string) {
	for ri := range l.Rows {
		if l.Rows[ri].Key != rowKey {
			continue
		}
		for yi, yy := range l.Years {
			if yy != y {
				continue
			}
			for gi, gr := range l.Groups {
				if gr.Key == g || gr.Total {
					l.Rows[ri].Cells[l.cellIndex(yi, gi)].V++
				}
			}
		}
	}
}
