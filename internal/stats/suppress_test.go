package stats

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// Tests of the cell-suppression supEngine (suppress.go).

// grid builds a System of one table.
func supGrid(inner [][]int64) (System, GridIndex) {
	var s System
	ix := s.AddGrid(inner)
	return s, ix
}

// withheld lists the withheld cells.
func supWithheld(sup []bool) []int {
	var out []int
	for i, s := range sup {
		if s {
			out = append(out, i)
		}
	}
	return out
}

// supCheckProtected asserts what Protect promises for every input: primary
// exactly the small counts (and zeros under SuppressZero), every primary cell
// withheld, no equation with exactly one withheld member, nothing solvable —
// the last checked both with Solvable and with an independent rank test.
func supCheckProtected(t *testing.T, sys System, r Rule, sup, prim []bool) {
	t.Helper()
	thr := int64(r.Threshold)
	if thr == 0 {
		thr = 5
	}
	if len(sup) != len(sys.Values) || len(prim) != len(sys.Values) {
		t.Fatalf("got %d/%d flags for %d cells", len(sup), len(prim), len(sys.Values))
	}
	for i, v := range sys.Values {
		want := (v > 0 && v < thr) || (v == 0 && r.SuppressZero)
		if prim[i] != want {
			t.Errorf("cell %d = %d: primary %v, want %v (rule %+v)", i, v, prim[i], want, r)
		}
		if prim[i] && !sup[i] {
			t.Errorf("cell %d = %d is primary but shown", i, v)
		}
	}
	for ei, e := range sys.Eqs {
		w := 0
		if sup[e.Total] {
			w++
		}
		for _, p := range e.Parts {
			if sup[p] {
				w++
			}
		}
		if w == 1 {
			t.Errorf("equation %d (%+v) has exactly one withheld member", ei, e)
		}
	}
	if s := Solvable(sys, sup); len(s) > 0 {
		t.Errorf("withheld cells %v can be worked out (values %v)", s, supPick(sys.Values, s))
	}
	if s := supSolvableByRank(sys, sup); len(s) > 0 {
		t.Errorf("rank test: withheld cells %v can be worked out", s)
	}
}

func supPick(vals []int64, idx []int) []int64 {
	out := make([]int64, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	return out
}

// supSolvableByRank is an independent check of Solvable: a withheld cell is
// determined exactly when its column of the equations (restricted to the
// withheld cells) is not in the span of the other columns, i.e. when removing
// it lowers the rank. Ranks by plain Gaussian elimination over big.Rat.
func supSolvableByRank(sys System, sup []bool) []int {
	cells := supWithheld(sup)
	col := map[int]int{}
	for j, c := range cells {
		col[c] = j
	}
	var rows [][]*big.Rat
	for _, e := range sys.Eqs {
		row := make([]*big.Rat, len(cells))
		for j := range row {
			row[j] = new(big.Rat)
		}
		if j, ok := col[e.Total]; ok {
			row[j].Add(row[j], big.NewRat(1, 1))
		}
		for _, p := range e.Parts {
			if j, ok := col[p]; ok {
				row[j].Sub(row[j], big.NewRat(1, 1))
			}
		}
		rows = append(rows, row)
	}
	full := supRankRat(rows, -1)
	var out []int
	for j, c := range cells {
		if supRankRat(rows, j) < full {
			out = append(out, c)
		}
	}
	return out
}

// supRankRat is the rank of rows without column skip (-1: all columns).
func supRankRat(rows [][]*big.Rat, skip int) int {
	m := make([][]*big.Rat, len(rows))
	for i, r := range rows {
		for j, v := range r {
			if j != skip {
				m[i] = append(m[i], new(big.Rat).Set(v))
			}
		}
	}
	rank := 0
	for c := 0; len(m) > 0 && c < len(m[0]); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		for i := rank + 1; i < len(m); i++ {
			if m[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Quo(m[i][c], m[rank][c])
			for j := c; j < len(m[i]); j++ {
				m[i][j].Sub(m[i][j], new(big.Rat).Mul(f, m[rank][j]))
			}
		}
		rank++
	}
	return rank
}

// H-T3: a regency table of violence types by district with one district cell
// of 3. The 3 is withheld, so is another cell of its row and of its column,
// and no total minus shown cells gives it back. The totals stay shown (all
// are large), and the complement is the smallest protection possible here:
// a rectangle of four inner cells.
func TestProtectRegencyTable(t *testing.T) {
	types := []string{"fisik", "psikis", "seksual", "eksploitasi", "trafficking", "penelantaran", "lainnya"}
	inner := [][]int64{ // districts: Koto XI Tarusan, Bayang, IV Jurai, Batang Kapas, Sutera
		{12, 9, 15, 7, 11},
		{8, 6, 10, 9, 14},
		{21, 17, 3, 12, 19},
		{6, 5, 8, 7, 9},
		{5, 7, 6, 8, 5},
		{9, 11, 7, 6, 10},
		{14, 8, 12, 10, 7},
	}
	if len(inner) != len(types) {
		t.Fatal("fixture")
	}
	sys, ix := supGrid(inner)
	small := ix.Inner[2][2]
	r := Rule{}

	// Without complements the 3 is a subtraction away.
	onlyPrimary := make([]bool, len(sys.Values))
	onlyPrimary[small] = true
	if got := Solvable(sys, onlyPrimary); !slices.Equal(got, []int{small}) {
		t.Fatalf("primary alone: Solvable = %v, want [%d]", got, small)
	}

	sup, prim := Protect(sys, r)
	supCheckProtected(t, sys, r, sup, prim)
	if !sup[small] || !prim[small] {
		t.Fatalf("the 3 is not primary-withheld: sup %v prim %v", sup[small], prim[small])
	}
	var rowMates, colMates []int
	for c := range inner[2] {
		if c != 2 && sup[ix.Inner[2][c]] {
			rowMates = append(rowMates, c)
		}
	}
	for rr := range inner {
		if rr != 2 && sup[ix.Inner[rr][2]] {
			colMates = append(colMates, rr)
		}
	}
	if len(rowMates) == 0 || len(colMates) == 0 {
		t.Fatalf("complements in row %v and column %v: want at least one in each", rowMates, colMates)
	}
	totals := append(append(slices.Clone(ix.RowTotal), ix.ColTotal...), ix.Grand)
	for _, i := range totals {
		if sup[i] {
			t.Errorf("total cell %d = %d withheld though no total is small", i, sys.Values[i])
		}
	}
	if n := len(supWithheld(sup)); n != 4 {
		t.Errorf("withheld %d cells %v, want the 4 of a rectangle", n, supWithheld(sup))
	}
	// The rectangle's fourth corner.
	if c, rr := rowMates[0], colMates[0]; !sup[ix.Inner[rr][c]] {
		t.Errorf("corner (%d,%d) not withheld", rr, c)
	}
	// Deterministic.
	sup2, prim2 := Protect(sys, r)
	if !slices.Equal(sup, sup2) || !slices.Equal(prim, prim2) {
		t.Error("Protect is not deterministic")
	}
}

// H-T4: victims by type × year and victims by district × year share the year
// totals and the grand total. Protecting each table on its own and
// publishing both leaks: the district table withholds year totals that the
// type table shows. Protecting them as one System does not.
func TestProtectLinkedTables(t *testing.T) {
	byType := [][]int64{ // fisik, seksual × 2023, 2024
		{11, 9},
		{0, 6},
	}
	byDistrict := [][]int64{ // Bayang, Sutera × 2023, 2024
		{11, 3},
		{0, 12},
	}
	r := Rule{}

	// Each table protected on its own.
	sa, ia := supGrid(byType)
	sb, ib := supGrid(byDistrict)
	supA, _ := Protect(sa, r)
	supB, _ := Protect(sb, r)
	if len(Solvable(sa, supA)) > 0 || len(Solvable(sb, supB)) > 0 {
		t.Fatal("a table protected on its own leaks on its own")
	}

	// Both published: a shared cell is hidden only if both tables hide it.
	var sys System
	ja := sys.AddGrid(byType)
	jb := sys.AddGridSharedCols(byDistrict, ja.ColTotal, ja.Grand)
	sep := make([]bool, len(sys.Values))
	for rr := range byType {
		for c := range byType[rr] {
			sep[ja.Inner[rr][c]] = supA[ia.Inner[rr][c]]
		}
		sep[ja.RowTotal[rr]] = supA[ia.RowTotal[rr]]
	}
	for rr := range byDistrict {
		for c := range byDistrict[rr] {
			sep[jb.Inner[rr][c]] = supB[ib.Inner[rr][c]]
		}
		sep[jb.RowTotal[rr]] = supB[ib.RowTotal[rr]]
	}
	for c := range ja.ColTotal {
		sep[ja.ColTotal[c]] = supA[ia.ColTotal[c]] && supB[ib.ColTotal[c]]
	}
	sep[ja.Grand] = supA[ia.Grand] && supB[ib.Grand]
	leak := Solvable(sys, sep)
	if !slices.Contains(leak, jb.Inner[0][1]) {
		t.Fatalf("separate protection: Solvable = %v, want the 3 (cell %d) among them", leak, jb.Inner[0][1])
	}

	// Protected together.
	sup, prim := Protect(sys, r)
	supCheckProtected(t, sys, r, sup, prim)
	if !sup[jb.Inner[0][1]] {
		t.Error("the 3 is shown")
	}
}

// Two one-way tables (victims by type, victims by district) that share only
// the grand total, and two grids sharing the grand total, protected as one
// System: nothing is solvable from their union.
func TestProtectSharedGrandTotal(t *testing.T) {
	t.Run("two grids", func(t *testing.T) {
		var sys System
		a := sys.AddGrid([][]int64{{3, 12, 20}, {9, 15, 8}}) // type × sex
		b := sys.AddGridShared([][]int64{{30, 2}, {10, 25}}, a.Grand)
		if b.Grand != a.Grand || sys.Values[a.Grand] != 67 {
			t.Fatalf("shared grand %d/%d = %d", a.Grand, b.Grand, sys.Values[a.Grand])
		}
		sup, prim := Protect(sys, Rule{})
		supCheckProtected(t, sys, Rule{}, sup, prim)
		if sup[a.Grand] {
			t.Error("grand total withheld")
		}
	})
	t.Run("two lists", func(t *testing.T) {
		// by type: 40 = 3 + 17 + 20; by district: 40 = 4 + 36.
		sys := System{Values: []int64{40, 3, 17, 20, 4, 36}, Eqs: []Equation{
			{Total: 0, Parts: []int{1, 2, 3}},
			{Total: 0, Parts: []int{4, 5}},
		}}
		sup, prim := Protect(sys, Rule{})
		supCheckProtected(t, sys, Rule{}, sup, prim)
		// The district 4 can only be hidden with the 36 or the total; the
		// inner 36 is preferred.
		if want := []bool{false, true, true, false, true, true}; !slices.Equal(sup, want) {
			t.Errorf("withheld %v, want %v", sup, want)
		}
	})
}

// Threshold 10, zero cells under SuppressZero on and off, and the zero-sum
// guard: withheld parts that add up to 0 under a shown total would each be
// known to be 0.
func TestProtectRuleSettings(t *testing.T) {
	inner := [][]int64{
		{7, 0, 14, 22},
		{12, 15, 11, 30},
		{25, 18, 16, 13},
	}
	tests := []struct {
		name        string
		rule        Rule
		seven, zero bool // the 7 and the 0 primary
	}{
		{"threshold 5", Rule{Threshold: 5}, false, false},
		{"default", Rule{}, false, false},
		{"threshold 10", Rule{Threshold: 10}, true, false},
		{"threshold 5, zeros", Rule{Threshold: 5, SuppressZero: true}, false, true},
		{"threshold 10, zeros", Rule{Threshold: 10, SuppressZero: true}, true, true},
		{"threshold 3", Rule{Threshold: 3}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, ix := supGrid(inner)
			sup, prim := Protect(sys, tt.rule)
			supCheckProtected(t, sys, tt.rule, sup, prim)
			if got := prim[ix.Inner[0][0]]; got != tt.seven {
				t.Errorf("7 primary %v, want %v", got, tt.seven)
			}
			if got := prim[ix.Inner[0][1]]; got != tt.zero {
				t.Errorf("0 primary %v, want %v", got, tt.zero)
			}
			if !tt.zero && sup[ix.Inner[0][1]] {
				t.Error("0 withheld though zeros are shown")
			}
			if !tt.seven && !tt.zero && len(supWithheld(sup)) > 0 {
				t.Errorf("withheld %v in a table without small cells", supWithheld(sup))
			}
		})
	}

	t.Run("zero sum", func(t *testing.T) {
		// Row 0 has two zeros and nothing else small: withholding only
		// them would leave 27 - 12 - 15 = 0 for both.
		sys, ix := supGrid([][]int64{{0, 0, 12, 15}, {9, 8, 11, 10}, {6, 13, 7, 9}})
		r := Rule{SuppressZero: true}
		sup, prim := Protect(sys, r)
		supCheckProtected(t, sys, r, sup, prim)
		n := 0
		for _, c := range ix.Inner[0][2:] {
			if sup[c] {
				n++
			}
		}
		if n == 0 && !sup[ix.RowTotal[0]] {
			t.Errorf("only the zeros of row 0 withheld: %v", supWithheld(sup))
		}
	})

	t.Run("zero complement is not enough", func(t *testing.T) {
		// The 3's column holds a 0: hiding 3 and 0 there would show the
		// 3 to anyone who knows the 0 is a structural zero.
		sys, ix := supGrid([][]int64{{3, 9, 8}, {0, 12, 10}})
		sup, prim := Protect(sys, Rule{})
		supCheckProtected(t, sys, Rule{}, sup, prim)
		strong := 0
		for _, c := range []int{ix.Inner[0][0], ix.Inner[1][0], ix.ColTotal[0]} {
			if sup[c] && sys.Values[c] != 0 {
				strong++
			}
		}
		if strong < 2 {
			t.Errorf("column 0 withholds %d non-zero members: %v", strong, supWithheld(sup))
		}
	})

	t.Run("invalid rule", func(t *testing.T) {
		for _, th := range []int{-1, 1, 2, 11, 100} {
			if err := (Rule{Threshold: th}).Validate(); err == nil {
				t.Errorf("threshold %d valid", th)
			}
		}
		for _, th := range []int{0, 3, 5, 10} {
			if err := (Rule{Threshold: th}).Validate(); err != nil {
				t.Errorf("threshold %d: %v", th, err)
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("Protect with threshold 2 did not panic")
			}
		}()
		sys, _ := supGrid([][]int64{{1, 2}})
		Protect(sys, Rule{Threshold: 2})
	})
}

// Tables without small cells withhold nothing, with or without zeros.
func TestProtectNoSmallCells(t *testing.T) {
	tests := []struct {
		name  string
		inner [][]int64
		rule  Rule
	}{
		{"all large", [][]int64{{5, 6}, {7, 8}}, Rule{}},
		{"zeros shown", [][]int64{{0, 6, 9}, {7, 0, 12}}, Rule{}},
		{"threshold 10", [][]int64{{10, 16, 19}, {27, 11, 12}}, Rule{Threshold: 10}},
		{"one row", [][]int64{{25, 30, 45}}, Rule{}},
		{"all zero", [][]int64{{0, 0}, {0, 0}}, Rule{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, _ := supGrid(tt.inner)
			sup, prim := Protect(sys, tt.rule)
			supCheckProtected(t, sys, tt.rule, sup, prim)
			if w := supWithheld(sup); len(w) > 0 {
				t.Errorf("withheld %v", w)
			}
		})
	}
}

// supRandomGrid is rows × cols counts in 0..max.
func supRandomGrid(rng *rand.Rand, rows, cols, max int) [][]int64 {
	g := make([][]int64, rows)
	for r := range g {
		g[r] = make([]int64, cols)
		for c := range g[r] {
			g[r][c] = int64(rng.IntN(max + 1))
		}
	}
	return g
}

// Properties over 300 random grids of 2..6 × 2..6 counts 0..20 (every other
// grid 1..20) under four rules: the promises of supCheckProtected, nothing
// withheld without a small cell, no total withheld when no total is small
// and no count is 0 (a rectangle of inner cells then always exists), and
// every complementary cell needed (showing it again breaks a promise).
func TestProtectRandomGrids(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 5))
	rules := []Rule{{}, {Threshold: 10}, {SuppressZero: true}, {Threshold: 3}}
	secondary, totalsHidden, innerOnly := 0, 0, 0
	for n := range 300 {
		inner := supRandomGrid(rng, 2+rng.IntN(5), 2+rng.IntN(5), 20)
		if n%2 == 1 {
			for _, row := range inner {
				for c := range row {
					row[c] = max(row[c], 1)
				}
			}
		}
		r := rules[n%len(rules)]
		sys, ix := supGrid(inner)
		sup, prim := Protect(sys, r)
		before := t.Failed()
		supCheckProtected(t, sys, r, sup, prim)
		if !before && t.Failed() {
			t.Fatalf("grid %d %v rule %+v: withheld %v", n, inner, r, supWithheld(sup))
		}
		if !slices.Contains(prim, true) && len(supWithheld(sup)) > 0 {
			t.Fatalf("grid %d %v: withheld %v without a small cell", n, inner, supWithheld(sup))
		}
		totals := append(append(slices.Clone(ix.RowTotal), ix.ColTotal...), ix.Grand)
		zeros, smallTotal := false, false
		for _, row := range inner {
			zeros = zeros || slices.Contains(row, 0)
		}
		for _, i := range totals {
			smallTotal = smallTotal || prim[i]
		}
		if !zeros && !smallTotal && slices.Contains(prim, true) {
			innerOnly++
			for _, i := range totals {
				if sup[i] {
					t.Errorf("grid %d %v rule %+v: total %d (= %d) withheld", n, inner, r, i, sys.Values[i])
				}
			}
		}
		// Every complement is needed.
		for _, c := range supWithheld(sup) {
			if prim[c] {
				continue
			}
			secondary++
			if slices.Contains(totals, c) {
				totalsHidden++
			}
			sup[c] = false
			g := newSupEngine(sys, r, 0)
			copy(g.sup, sup)
			if !g.anyNeed() && len(Solvable(sys, sup)) == 0 {
				t.Errorf("grid %d %v rule %+v: complement %d (= %d) is not needed", n, inner, r, c, sys.Values[c])
			}
			sup[c] = true
		}
	}
	if innerOnly < 50 {
		t.Errorf("only %d grids without zeros and small totals", innerOnly)
	}
	t.Logf("%d complementary cells, %d of them totals; %d grids protected by inner cells only", secondary, totalsHidden, innerOnly)
}

// supLinkedPair is two random grids with the same column sums: a with counts
// 0..max, b with its last row making up the difference (nil if it would be
// negative).
func supLinkedPair(rng *rand.Rand, max int) (a, b [][]int64) {
	cols := 2 + rng.IntN(3)
	a = supRandomGrid(rng, 2+rng.IntN(3), cols, max)
	b = supRandomGrid(rng, 2+rng.IntN(3), cols, max/2)
	_, colsA, _ := supGridSums(a)
	last := len(b) - 1
	for c := range cols {
		var s int64
		for r := range last {
			s += b[r][c]
		}
		b[last][c] = colsA[c] - s
		if b[last][c] < 0 {
			return nil, nil
		}
	}
	return a, b
}

// Random pairs of grids sharing the year totals (AddGridSharedCols):
// protected as one System, nothing is solvable.
func TestProtectRandomLinked(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for n := 0; n < 100; {
		a, b := supLinkedPair(rng, 15)
		if a == nil {
			continue
		}
		n++
		var sys System
		ia := sys.AddGrid(a)
		sys.AddGridSharedCols(b, ia.ColTotal, ia.Grand)
		if err := sys.Check(); err != nil {
			t.Fatal(err)
		}
		r := Rule{SuppressZero: n%3 == 0}
		sup, prim := Protect(sys, r)
		supCheckProtected(t, sys, r, sup, prim)
		if t.Failed() {
			t.Fatalf("pair %v / %v: withheld %v", a, b, supWithheld(sup))
		}
	}
}

// Solvable on hand-made patterns in a 3 × 3 grid with totals, and across
// linked tables; and against the independent rank test on random patterns.
func TestSolvable(t *testing.T) {
	inner := [][]int64{{4, 9, 12}, {7, 15, 6}, {10, 8, 11}}
	sys, ix := supGrid(inner)
	in := func(rc ...[2]int) []int {
		var out []int
		for _, p := range rc {
			out = append(out, ix.Inner[p[0]][p[1]])
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name string
		hide []int
		want []int
	}{
		{"nothing", nil, nil},
		{"one in a row", in([2]int{1, 1}), in([2]int{1, 1})},
		{"rectangle", in([2]int{0, 0}, [2]int{0, 2}, [2]int{2, 0}, [2]int{2, 2}), nil},
		{"L shape", in([2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0}), in([2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0})},
		{"whole row with its total", append(in([2]int{0, 0}, [2]int{0, 1}, [2]int{0, 2}), ix.RowTotal[0]),
			append(in([2]int{0, 0}, [2]int{0, 1}, [2]int{0, 2}), ix.RowTotal[0])},
		{"two row totals", []int{ix.RowTotal[0], ix.RowTotal[1]}, []int{ix.RowTotal[0], ix.RowTotal[1]}},
		{"cell and its row total and column total", []int{ix.Inner[0][0], ix.RowTotal[0], ix.ColTotal[0]},
			[]int{ix.Inner[0][0], ix.RowTotal[0], ix.ColTotal[0]}},
		{"rectangle through the totals", []int{ix.Inner[0][0], ix.Inner[0][1], ix.ColTotal[0], ix.ColTotal[1]}, nil},
		{"everything", supWithheld(slices.Repeat([]bool{true}, len(sys.Values))), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sup := make([]bool, len(sys.Values))
			for _, i := range tt.hide {
				sup[i] = true
			}
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if got := Solvable(sys, sup); !slices.Equal(got, want) {
				t.Errorf("Solvable = %v, want %v", got, want)
			}
			if got := supSolvableByRank(sys, sup); !slices.Equal(got, want) {
				t.Errorf("rank test = %v, want %v", got, want)
			}
		})
	}

	t.Run("across linked tables", func(t *testing.T) {
		// b hides its row 0 with the year totals: safe in b alone, but a
		// shows the year totals (its own column equations give them).
		inA, inB := [][]int64{{11, 9}, {5, 6}}, [][]int64{{13, 3}, {3, 12}}
		var s System
		a := s.AddGrid(inA)
		b := s.AddGridSharedCols(inB, a.ColTotal, a.Grand)
		hide := []int{b.Inner[0][0], b.Inner[0][1], a.ColTotal[0], a.ColTotal[1]}
		sup := make([]bool, len(s.Values))
		for _, i := range hide {
			sup[i] = true
		}
		want := slices.Sorted(slices.Values(hide))
		if got := Solvable(s, sup); !slices.Equal(got, want) {
			t.Errorf("linked: Solvable = %v, want %v", got, want)
		}
		alone, ib := supGrid(inB)
		supB := make([]bool, len(alone.Values))
		for _, i := range []int{ib.Inner[0][0], ib.Inner[0][1], ib.ColTotal[0], ib.ColTotal[1]} {
			supB[i] = true
		}
		if got := Solvable(alone, supB); len(got) > 0 {
			t.Errorf("b alone: Solvable = %v", got)
		}
	})

	t.Run("random patterns", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for n := range 400 {
			var s System
			if a, b := supLinkedPair(rng, 9); n%2 == 1 && a != nil {
				ia := s.AddGrid(a)
				s.AddGridSharedCols(b, ia.ColTotal, ia.Grand)
			} else {
				s.AddGrid(supRandomGrid(rng, 2+rng.IntN(3), 2+rng.IntN(3), 9))
			}
			sup := make([]bool, len(s.Values))
			for i := range sup {
				sup[i] = rng.IntN(3) == 0
			}
			got, want := Solvable(s, sup), supSolvableByRank(s, sup)
			if !slices.Equal(got, want) {
				t.Fatalf("pattern %v on %v: Solvable %v, rank test %v", supWithheld(sup), s, got, want)
			}
		}
	})

	t.Run("overflow falls back to big integers", func(t *testing.T) {
		const m = int64(1) << 62
		rows := [][]int64{{m, m - 1, 0}, {m - 1, m, 0}, {0, 0, 1}}
		if _, ok := determinedInt64(rows, 3); ok {
			t.Fatal("no overflow detected")
		}
		if got := determinedBig(rows, 3); !slices.Equal(got, []bool{true, true, true}) {
			t.Errorf("determinedBig = %v", got)
		}
		rows = [][]int64{{m, m - 1, 0}, {0, 0, 1}}
		if got := determinedBig(rows, 3); !slices.Equal(got, []bool{false, false, true}) {
			t.Errorf("determinedBig = %v", got)
		}
	})
}

// The grid builders: indexes, totals, equations, and the checks of shared
// cells.
func TestSuppressGridBuilders(t *testing.T) {
	var s System
	a := s.AddGrid([][]int64{{1, 2, 3}, {4, 5, 6}})
	if s.Values[a.Grand] != 21 || s.Values[a.RowTotal[1]] != 15 || s.Values[a.ColTotal[2]] != 9 || s.Values[a.Inner[1][0]] != 4 {
		t.Fatalf("values %v index %+v", s.Values, a)
	}
	if len(s.Eqs) != 2+3+2 {
		t.Fatalf("%d equations", len(s.Eqs))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	b := s.AddGridSharedCols([][]int64{{2, 7, 0}, {3, 0, 9}}, a.ColTotal, a.Grand)
	if !slices.Equal(b.ColTotal, a.ColTotal) || b.Grand != a.Grand || len(s.Values) != 12+8 {
		t.Fatalf("shared columns: %+v, %d cells", b, len(s.Values))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	bad := System{Values: []int64{5, 2, 2}, Eqs: []Equation{{Total: 0, Parts: []int{1, 2}}}}
	if bad.Check() == nil {
		t.Error("5 = 2 + 2 passed Check")
	}
	for name, f := range map[string]func(){
		"grand mismatch":  func() { s.AddGridShared([][]int64{{1, 1}}, a.Grand) },
		"column mismatch": func() { s.AddGridSharedCols([][]int64{{5, 8, 8}}, a.ColTotal, a.Grand) },
		"column count":    func() { s.AddGridSharedCols([][]int64{{21}}, a.ColTotal, a.Grand) },
		"ragged":          func() { s.AddGrid([][]int64{{1, 2}, {3}}) },
		"negative":        func() { Protect(System{Values: []int64{-1}}, Rule{}) },
		"index":           func() { Solvable(System{Values: []int64{1}, Eqs: []Equation{{Total: 3}}}, []bool{true}) },
		"flags":           func() { Solvable(System{Values: []int64{1}}, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
