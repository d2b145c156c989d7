package store

import (
	"regexp"
	"strconv"
	"strings"
)

// Region scope on SQLite. A region and everything under it is
// "code = R OR code LIKE 'R.%'", the form PostgreSQL runs through its
// text_pattern_ops indexes. SQLite cannot: its LIKE is case-insensitive,
// so it reads the whole index and tests every entry, and a LIKE whose
// pattern is a parameter makes SQLite prepare the statement again at
// every run (the plan may depend on the pattern), which undid the
// statement cache for every scoped list. For SQLite the store therefore
// rewrites each condition scopeClause made (marked withinMark) into the
// equivalent range "code = R OR (code >= 'R.' AND code < 'R/')": '/' is
// the character after '.', so the range holds exactly the codes that
// start with "R.". It uses only the first parameter; the pattern, still
// passed, is then unused.

// withinMark ends a condition of scopeClause's form: "(col = $N OR col
// LIKE $M /*within*/)" with argument M being argument N followed by ".%".
const withinMark = "/*within*/"

var withinRe = regexp.MustCompile(`\(([\w.]+) = \$(\d+) OR ([\w.]+) LIKE \$(\d+) /\*within\*/\)`)

// sqliteSQL is q as SQLite runs it: scopeClause's conditions as ranges.
func sqliteSQL(q string) string {
	if !strings.Contains(q, withinMark) {
		return q
	}
	return withinRe.ReplaceAllStringFunc(q, func(m string) string {
		g := withinRe.FindStringSubmatch(m)
		n, _ := strconv.Atoi(g[2])
		k, _ := strconv.Atoi(g[4])
		if g[1] != g[3] || k != n+1 {
			return m // not scopeClause's: leave it as it is
		}
		col, p := g[1], "$"+g[2]
		return "(" + col + " = " + p + " OR (" + col + " >= " + p + " || '.' AND " + col + " < " + p + " || '/'))"
	})
}

// sql is q as this store's engine runs it.
func (s *Store) sql(q string) string {
	if s.dialect == SQLite {
		return sqliteSQL(q)
	}
	return q
}
