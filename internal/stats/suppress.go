package stats

// Disclosure control by cell suppression: small counts in published tables
// are withheld (primary suppression) and enough other cells are withheld with
// them (complementary suppression) that no withheld count can be worked out
// from the shown counts and the tables' totals. Pure computation, no I/O.

import (
	"fmt"
	"math"
	"math/big"
	"slices"
)

// System is a set of published counts (cells) and the additive relations
// between them: each Equation says Values[Total] == sum of Values[Parts]. Two
// tables that share a total (e.g. victims by type and victims by district
// share the grand total) are one System in which that total is the same cell
// index.
type System struct {
	Values []int64
	Eqs    []Equation
}

// Equation says Values[Total] == sum of Values[Parts].
type Equation struct {
	Total int
	Parts []int
}

// Rule is the primary-suppression rule: counts 1..Threshold-1 are
// primary-suppressed (Threshold 0 means 5; allowed 3..10); zero cells are
// suppressed only when SuppressZero is true.
type Rule struct {
	Threshold    int
	SuppressZero bool
}

// The threshold's default and allowed range (Rule's own names: the
// deployment's setting lives elsewhere in the package).
const (
	ruleDefaultThreshold = 5
	ruleMinThreshold     = 3
	ruleMaxThreshold     = 10
)

// Validate reports a threshold outside 3..10 (0 is the default and valid).
// Protect panics on a rule that fails Validate, so check a configured rule
// when it is saved.
func (r Rule) Validate() error {
	if r.Threshold == 0 {
		return nil
	}
	if r.Threshold < ruleMinThreshold || r.Threshold > ruleMaxThreshold {
		return fmt.Errorf("stats: suppression threshold %d outside %d..%d", r.Threshold, ruleMinThreshold, ruleMaxThreshold)
	}
	return nil
}

func (r Rule) threshold() int64 {
	if r.Threshold == 0 {
		return ruleDefaultThreshold
	}
	return int64(r.Threshold)
}

// Check reports a System that Protect cannot work on: a cell index out of
// range or a negative count (both make Protect panic), and an equation whose
// values do not add up (Protect still runs, since which cells are determined
// does not depend on the values, but its choices of complements assume real
// counts: recompute totals before protecting).
func (s System) Check() error {
	if err := s.checkShape(); err != nil {
		return err
	}
	for i, e := range s.Eqs {
		var sum int64
		for _, p := range e.Parts {
			sum += s.Values[p]
		}
		if sum != s.Values[e.Total] {
			return fmt.Errorf("stats: equation %d: total cell %d is %d but its parts add up to %d", i, e.Total, s.Values[e.Total], sum)
		}
	}
	return nil
}

func (s System) checkShape() error {
	n := len(s.Values)
	for i, v := range s.Values {
		if v < 0 {
			return fmt.Errorf("stats: cell %d has a negative count %d", i, v)
		}
	}
	for i, e := range s.Eqs {
		if e.Total < 0 || e.Total >= n {
			return fmt.Errorf("stats: equation %d: total cell %d out of range 0..%d", i, e.Total, n-1)
		}
		for _, p := range e.Parts {
			if p < 0 || p >= n {
				return fmt.Errorf("stats: equation %d: part cell %d out of range 0..%d", i, p, n-1)
			}
		}
	}
	return nil
}

// Protect returns which cells to withhold: primary (small counts) and
// complementary (secondary) suppression so that no withheld cell can be worked
// out from the shown cells and the equations. Deterministic: same input, same
// output. It panics on a rule that fails Rule.Validate or a System with a
// cell index out of range or a negative count (see System.Check).
//
// What the result guarantees:
//
//   - every primary cell is withheld;
//   - Solvable(sys, suppressed) is empty: no withheld cell is determined by
//     linear algebra over the shown cells and all the equations together,
//     including across tables that share cells;
//   - no equation has exactly one withheld member;
//   - withheld zeros are not counted as protection: in each equation the
//     withheld members that are non-zero or primary are never exactly one,
//     and when an equation's total is shown its withheld parts never add up
//     to 0 (which would reveal each of them as 0) — each as far as the
//     equation has a non-zero cell left to withhold;
//   - every complementary cell is needed: showing any one of them again
//     breaks one of the above (totals and large counts are tried first).
//
// Accepted and documented: when an equation's total is shown, the sum of its
// withheld parts can be computed, and if that sum is below the threshold the
// reader learns that each withheld part is small — but not which part holds
// how much, since at least two members are withheld. Protect does not compute
// the full feasible interval of each cell under non-negativity (that needs
// linear programming); it guards the exact and the zero cases above. A cell
// that the equations fix on their own (a total without parts is 0) cannot be
// protected and stays in Solvable.
func Protect(sys System, r Rule) (suppressed, primary []bool) {
	if err := r.Validate(); err != nil {
		panic(err)
	}
	if err := sys.checkShape(); err != nil {
		panic(err)
	}
	var best *supEngine
	var bestCost [3]int64
	for st := range supStrategies {
		g := newSupEngine(sys, r, st)
		g.complement()
		g.prune()
		if c := g.cost(); best == nil || supLess(c, bestCost) {
			best, bestCost = g, c
		}
	}
	return best.sup, best.primary
}

// supStrategies is the number of rankings Protect tries (see supRank.less); it
// keeps the result that withholds the fewest totals, then the fewest cells,
// then the least in value. Greedy choices differ in quality from table to
// table: with a structural zero, the cheapest protection of a small cell may
// run through the totals rather than through the zero.
const supStrategies = 3

func (g *supEngine) cost() [3]int64 {
	var c [3]int64
	for i, s := range g.sup {
		if s {
			if g.isTotal[i] {
				c[0]++
			}
			c[1]++
			c[2] += g.vals[i]
		}
	}
	return c
}

func supLess(a, b [3]int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// supEngine holds one Protect run.
type supEngine struct {
	vals    []int64
	thr     int64
	primary []bool
	sup     []bool
	isTotal []bool  // the total of some equation
	members [][]int // per equation: its distinct cells, total first
	totals  []int   // per equation: its total cell
	cellEqs [][]int // per cell: the equations it is a member of
	eqs     []Equation
	// strategy selects the ranking of complements (see supRank.less).
	strategy int
}

func newSupEngine(sys System, r Rule, strategy int) *supEngine {
	n := len(sys.Values)
	g := &supEngine{
		strategy: strategy,
		vals:     sys.Values,
		thr:      r.threshold(),
		primary:  make([]bool, n),
		sup:      make([]bool, n),
		isTotal:  make([]bool, n),
		members:  make([][]int, len(sys.Eqs)),
		totals:   make([]int, len(sys.Eqs)),
		cellEqs:  make([][]int, n),
		eqs:      sys.Eqs,
	}
	for i, v := range sys.Values {
		if (v > 0 && v < g.thr) || (v == 0 && r.SuppressZero) {
			g.primary[i] = true
			g.sup[i] = true
		}
	}
	for ei, e := range sys.Eqs {
		g.isTotal[e.Total] = true
		g.totals[ei] = e.Total
		ms := []int{e.Total}
		for _, p := range e.Parts {
			if !slices.Contains(ms, p) {
				ms = append(ms, p)
			}
		}
		g.members[ei] = ms
		for _, m := range ms {
			g.cellEqs[m] = append(g.cellEqs[m], ei)
		}
	}
	return g
}

// strong reports a withheld cell that counts as protection: a non-zero count,
// or a zero that is itself primary. A zero withheld only as a complement is
// weak: anyone who knows the cell is a structural zero sees through it.
func (g *supEngine) strong(c int) bool {
	return g.sup[c] && (g.vals[c] != 0 || g.primary[c])
}

// need reports whether equation e leaks and can be mended by withholding one
// more of its members; nonZero says the new member must be a non-zero count.
func (g *supEngine) need(e int) (need, nonZero bool) {
	w, s := 0, 0
	var sum int64
	anyLeft, nonZeroLeft := false, false
	for _, m := range g.members[e] {
		if g.sup[m] {
			w++
			if g.strong(m) {
				s++
			}
			sum += g.vals[m]
			continue
		}
		anyLeft = true
		if g.vals[m] != 0 {
			nonZeroLeft = true
		}
	}
	switch {
	case w == 0:
		return false, false
	case w == 1:
		return anyLeft, false
	case s == 1, !g.sup[g.totals[e]] && sum == 0:
		return nonZeroLeft, true
	}
	return false, false
}

func (g *supEngine) anyNeed() bool {
	for e := range g.members {
		if n, _ := g.need(e); n {
			return true
		}
	}
	return false
}

// supRank orders candidate complements; smaller is better. ctx is the equation
// being mended (-1 when mending a solvable cell) and ctxSum the sum of its
// withheld members.
type supRank struct {
	category int   // 0 non-zero inner, 1 non-zero total, 2 zero inner, 3 zero total
	cost     int   // new equations with one withheld member minus mended ones
	short    int   // 1 if the equation's withheld sum stays below the threshold
	value    int64 // smaller counts lose less information
	index    int
	strategy int
}

// less is the ranking of strategy 0: non-zero before zero, inner cells
// before totals, then the fewest new equations with one withheld member,
// then a withheld sum reaching the threshold, then the smallest count, then
// the lowest index. Strategy 1 does not hold totals back (only zeros);
// strategy 2 puts the structural cost before everything else.
func (a supRank) less(b supRank) bool {
	ca, cb := a.category, b.category
	if a.strategy == 1 {
		ca, cb = ca/2, cb/2
	}
	if a.strategy == 2 && a.cost != b.cost {
		return a.cost < b.cost
	}
	switch {
	case ca != cb:
		return ca < cb
	case a.cost != b.cost:
		return a.cost < b.cost
	case a.short != b.short:
		return a.short < b.short
	case a.value != b.value:
		return a.value < b.value
	}
	return a.index < b.index
}

func (g *supEngine) rankOf(c, ctx int, ctxSum int64) supRank {
	k := supRank{value: g.vals[c], index: c, strategy: g.strategy}
	if g.vals[c] == 0 {
		k.category = 2
	}
	if g.isTotal[c] {
		k.category++
	}
	for _, e := range g.cellEqs[c] {
		if e == ctx {
			continue
		}
		w := 0
		for _, m := range g.members[e] {
			if g.sup[m] {
				w++
			}
		}
		switch w {
		case 0:
			k.cost++
		case 1:
			k.cost--
		}
	}
	if ctx >= 0 && ctxSum+g.vals[c] < g.thr {
		k.short = 1
	}
	return k
}

// mend withholds the best further member of equation e.
func (g *supEngine) mend(e int, nonZero bool) {
	var sum int64
	for _, m := range g.members[e] {
		if g.sup[m] {
			sum += g.vals[m]
		}
	}
	best, bestRank := -1, supRank{}
	for _, m := range g.members[e] {
		if g.sup[m] || (nonZero && g.vals[m] == 0) {
			continue
		}
		if k := g.rankOf(m, e, sum); best < 0 || k.less(bestRank) {
			best, bestRank = m, k
		}
	}
	if best >= 0 {
		g.sup[best] = true
	}
}

// complement adds complementary suppressions until no equation leaks on its
// own and no withheld cell is solvable from the whole System.
func (g *supEngine) complement() {
	for {
		for changed := true; changed; {
			changed = false
			for e := range g.members {
				if n, nz := g.need(e); n {
					g.mend(e, nz)
					changed = true
				}
			}
		}
		solved := g.solvableCells()
		if len(solved) == 0 || !g.unsolve(solved[0]) {
			return
		}
	}
}

// unsolve withholds one more cell from an equation containing the solvable
// withheld cell x: the best-ranked candidate that leaves x undetermined, or
// the best-ranked one if none does on its own. It reports false when every
// member of every equation containing x is already withheld.
func (g *supEngine) unsolve(x int) bool {
	var cands []int
	for _, e := range g.cellEqs[x] {
		for _, m := range g.members[e] {
			if !g.sup[m] && !slices.Contains(cands, m) {
				cands = append(cands, m)
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	ranks := make(map[int]supRank, len(cands))
	for _, c := range cands {
		ranks[c] = g.rankOf(c, -1, 0)
	}
	slices.SortFunc(cands, func(a, b int) int {
		if ranks[a].less(ranks[b]) {
			return -1
		}
		if ranks[b].less(ranks[a]) {
			return 1
		}
		return 0
	})
	for _, c := range cands {
		g.sup[c] = true
		if !slices.Contains(g.solvableCells(), x) {
			return true
		}
		g.sup[c] = false
	}
	g.sup[cands[0]] = true
	return true
}

// prune shows again every complementary cell that is not needed: totals
// first, then zeros, then larger counts first.
func (g *supEngine) prune() {
	var sec []int
	for c, s := range g.sup {
		if s && !g.primary[c] {
			sec = append(sec, c)
		}
	}
	slices.SortFunc(sec, func(a, b int) int {
		switch {
		case g.isTotal[a] != g.isTotal[b]:
			if g.isTotal[a] {
				return -1
			}
			return 1
		case (g.vals[a] == 0) != (g.vals[b] == 0):
			if g.vals[a] == 0 {
				return -1
			}
			return 1
		case g.vals[a] != g.vals[b]:
			if g.vals[a] > g.vals[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	for _, c := range sec {
		g.sup[c] = false
		if g.anyNeed() || len(g.solvableCells()) > 0 {
			g.sup[c] = true
		}
	}
}

func (g *supEngine) solvableCells() []int {
	return solvableCells(len(g.vals), g.eqs, g.sup)
}

// Solvable returns the indexes of withheld cells whose value is uniquely
// determined by the shown cells and the equations (exact linear algebra over
// the rationals), in increasing order; empty after Protect. A cell is
// determined exactly when its unit vector lies in the row space of the
// equations restricted to the withheld cells, which does not depend on the
// values. suppressed must have one entry per cell.
func Solvable(sys System, suppressed []bool) []int {
	if len(suppressed) != len(sys.Values) {
		panic(fmt.Sprintf("stats: Solvable: %d suppression flags for %d cells", len(suppressed), len(sys.Values)))
	}
	if err := sys.checkShape(); err != nil {
		panic(err)
	}
	return solvableCells(len(sys.Values), sys.Eqs, suppressed)
}

func solvableCells(n int, eqs []Equation, sup []bool) []int {
	col := make([]int, n)
	var cells []int
	for i := range n {
		col[i] = -1
		if sup[i] {
			col[i] = len(cells)
			cells = append(cells, i)
		}
	}
	if len(cells) == 0 {
		return nil
	}
	var rows [][]int64
	for _, e := range eqs {
		row := make([]int64, len(cells))
		nz := false
		if j := col[e.Total]; j >= 0 {
			row[j]++
		}
		for _, p := range e.Parts {
			if j := col[p]; j >= 0 {
				row[j]--
			}
		}
		for _, v := range row {
			if v != 0 {
				nz = true
				break
			}
		}
		if nz {
			rows = append(rows, row)
		}
	}
	det, ok := determinedInt64(rows, len(cells))
	if !ok {
		det = determinedBig(rows, len(cells))
	}
	var out []int
	for j, d := range det {
		if d {
			out = append(out, cells[j])
		}
	}
	return out
}

// determinedInt64 reduces the integer matrix rows (not modified) so that each
// pivot column is zero outside its pivot row, keeping every row divided by
// the gcd of its entries, and reports the columns whose pivot row has no
// other non-zero entry. ok is false if an intermediate value would overflow;
// determinedBig then does the same with big integers.
func determinedInt64(rows [][]int64, n int) (det []bool, ok bool) {
	m := make([][]int64, len(rows))
	for i, r := range rows {
		m[i] = slices.Clone(r)
	}
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][c] != 0 && (p < 0 || supAbs(m[i][c]) < supAbs(m[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i == r || m[i][c] == 0 {
				continue
			}
			a, b := m[r][c], m[i][c]
			d := supGCD(a, b)
			a, b = a/d, b/d
			var g int64
			for j := range n {
				x, ok1 := supMul(a, m[i][j])
				y, ok2 := supMul(b, m[r][j])
				z, ok3 := supSub(x, y)
				if !ok1 || !ok2 || !ok3 {
					return nil, false
				}
				m[i][j] = z
				g = supGCD(g, z)
			}
			if g > 1 {
				for j := range n {
					m[i][j] /= g
				}
			}
		}
		r++
	}
	det = make([]bool, n)
	for i := range r {
		nz, at := 0, -1
		for j, v := range m[i] {
			if v != 0 {
				nz++
				at = j
			}
		}
		if nz == 1 {
			det[at] = true
		}
	}
	return det, true
}

// determinedBig is determinedInt64 with arbitrary-precision integers.
func determinedBig(rows [][]int64, n int) []bool {
	m := make([][]*big.Int, len(rows))
	for i, row := range rows {
		m[i] = make([]*big.Int, n)
		for j, v := range row {
			m[i][j] = big.NewInt(v)
		}
	}
	var x, y, d, a, b big.Int
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][c].Sign() != 0 && (p < 0 || m[i][c].CmpAbs(m[p][c]) < 0) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i == r || m[i][c].Sign() == 0 {
				continue
			}
			d.GCD(nil, nil, new(big.Int).Abs(m[r][c]), new(big.Int).Abs(m[i][c]))
			a.Quo(m[r][c], &d)
			b.Quo(m[i][c], &d)
			g := new(big.Int)
			for j := range n {
				x.Mul(&a, m[i][j])
				y.Mul(&b, m[r][j])
				m[i][j] = new(big.Int).Sub(&x, &y)
				g.GCD(nil, nil, g, new(big.Int).Abs(m[i][j]))
			}
			if g.Cmp(big.NewInt(1)) > 0 {
				for j := range n {
					m[i][j].Quo(m[i][j], g)
				}
			}
		}
		r++
	}
	det := make([]bool, n)
	for i := range r {
		nz, at := 0, -1
		for j, v := range m[i] {
			if v.Sign() != 0 {
				nz++
				at = j
			}
		}
		if nz == 1 {
			det[at] = true
		}
	}
	return det
}

func supAbs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// supGCD is the non-negative gcd; supGCD(0, 0) == 0. Entries never reach
// math.MinInt64 (supMul and supSub refuse it), so supAbs is safe.
func supGCD(a, b int64) int64 {
	a, b = supAbs(a), supAbs(b)
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func supMul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || c == math.MinInt64 {
		return 0, false
	}
	return c, true
}

func supSub(a, b int64) (int64, bool) {
	c := a - b
	if (a^b) < 0 && (a^c) < 0 || c == math.MinInt64 {
		return 0, false
	}
	return c, true
}

// GridIndex maps a two-dimensional table onto the cells of a System:
// inner[r][c] is cell Inner[r][c], the row totals RowTotal[r], the column
// totals ColTotal[c] and the grand total Grand.
type GridIndex struct {
	Inner    [][]int
	RowTotal []int
	ColTotal []int
	Grand    int
}

// AddGrid adds one table with its row totals, column totals and grand total,
// all computed from inner, and the equations between them (each row, each
// column, and the grand total as the sum of the row totals and as the sum of
// the column totals). It panics on a ragged inner.
func (s *System) AddGrid(inner [][]int64) GridIndex {
	_, _, grand := supGridSums(inner)
	g := s.add(grand)
	return s.addGrid(inner, nil, g)
}

// AddGridShared adds a table like AddGrid but uses the existing cell grand as
// its grand total, as when victims by type and victims by district share the
// number of victims. It panics if inner does not add up to that cell's value.
func (s *System) AddGridShared(inner [][]int64, grand int) GridIndex {
	s.checkShared(inner, nil, grand)
	return s.addGrid(inner, nil, grand)
}

// AddGridSharedCols adds a table whose columns are those of an earlier table
// (victims by district × year after victims by type × year): it uses the
// existing cells colTotals as its column totals and grand as its grand total,
// and adds the inner cells, the row totals and the equations of its rows, of
// its columns and of its grand total as the sum of its row totals. It panics
// if the numbers of columns differ or inner does not add up to those cells.
func (s *System) AddGridSharedCols(inner [][]int64, colTotals []int, grand int) GridIndex {
	s.checkShared(inner, colTotals, grand)
	return s.addGrid(inner, colTotals, grand)
}

func (s *System) add(v int64) int {
	s.Values = append(s.Values, v)
	return len(s.Values) - 1
}

func supGridSums(inner [][]int64) (rows, cols []int64, grand int64) {
	nc := 0
	if len(inner) > 0 {
		nc = len(inner[0])
	}
	rows, cols = make([]int64, len(inner)), make([]int64, nc)
	for r, row := range inner {
		if len(row) != nc {
			panic(fmt.Sprintf("stats: grid row %d has %d cells, row 0 has %d", r, len(row), nc))
		}
		for c, v := range row {
			rows[r] += v
			cols[c] += v
			grand += v
		}
	}
	return rows, cols, grand
}

func (s *System) checkShared(inner [][]int64, colTotals []int, grand int) {
	_, cols, sum := supGridSums(inner)
	if grand < 0 || grand >= len(s.Values) {
		panic(fmt.Sprintf("stats: shared grand total cell %d out of range", grand))
	}
	if s.Values[grand] != sum {
		panic(fmt.Sprintf("stats: grid adds up to %d but shared grand total cell %d is %d", sum, grand, s.Values[grand]))
	}
	if colTotals == nil {
		return
	}
	if len(colTotals) != len(cols) {
		panic(fmt.Sprintf("stats: grid has %d columns but %d shared column totals", len(cols), len(colTotals)))
	}
	for c, i := range colTotals {
		if i < 0 || i >= len(s.Values) {
			panic(fmt.Sprintf("stats: shared column total cell %d out of range", i))
		}
		if s.Values[i] != cols[c] {
			panic(fmt.Sprintf("stats: grid column %d adds up to %d but shared column total cell %d is %d", c, cols[c], i, s.Values[i]))
		}
	}
}

// addGrid adds the inner cells and row totals, the column totals unless
// shared, and the equations.
func (s *System) addGrid(inner [][]int64, colTotals []int, grand int) GridIndex {
	rows, cols, _ := supGridSums(inner)
	ix := GridIndex{Inner: make([][]int, len(inner)), RowTotal: make([]int, len(rows)), Grand: grand}
	for r, row := range inner {
		ix.Inner[r] = make([]int, len(row))
		for c, v := range row {
			ix.Inner[r][c] = s.add(v)
		}
	}
	for r, v := range rows {
		ix.RowTotal[r] = s.add(v)
	}
	sharedCols := colTotals != nil
	if sharedCols {
		ix.ColTotal = slices.Clone(colTotals)
	} else {
		ix.ColTotal = make([]int, len(cols))
		for c, v := range cols {
			ix.ColTotal[c] = s.add(v)
		}
	}
	for r := range rows {
		s.Eqs = append(s.Eqs, Equation{Total: ix.RowTotal[r], Parts: slices.Clone(ix.Inner[r])})
	}
	for c := range cols {
		parts := make([]int, len(inner))
		for r := range inner {
			parts[r] = ix.Inner[r][c]
		}
		s.Eqs = append(s.Eqs, Equation{Total: ix.ColTotal[c], Parts: parts})
	}
	s.Eqs = append(s.Eqs, Equation{Total: grand, Parts: slices.Clone(ix.RowTotal)})
	if !sharedCols {
		s.Eqs = append(s.Eqs, Equation{Total: grand, Parts: slices.Clone(ix.ColTotal)})
	}
	return ix
}
