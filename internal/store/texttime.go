package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Times read as text on SQLite. modernc's driver turns each value of a
// column declared TIMESTAMP into a time.Time with time.Parse, trying a
// layout that never matches the text it writes before the one that does:
// in the inbox benchmark on SQLite (200,000 cases, lists of 50 cases of 10
// time columns) that was 8.5 % of lindu's CPU. A hot list query reads its
// time columns through TextTimes instead: an expression has no declared
// type, so the driver hands the text over, and TimeDest and NullTimeDest
// parse the driver's own layout without time.Parse. PostgreSQL's driver
// gives time.Time, which they take as it is.

// TextTimes returns cols, a select list, with each of the named columns
// (as written in cols, e.g. "c.created_at") read as text on SQLite (the
// unary plus: the same value without the column's type); on PostgreSQL
// cols as it is. A name must appear in cols exactly once, followed by a
// comma, a space, a newline or the end.
func TextTimes(d Dialect, cols string, names ...string) string {
	if d != SQLite {
		return cols
	}
	for _, n := range names {
		i := columnIndex(cols, n)
		if i < 0 {
			panic(fmt.Sprintf("store: TextTimes: %q not once in the select list", n))
		}
		cols = cols[:i] + "+" + cols[i:]
	}
	return cols
}

// columnIndex is where the column name n stands alone in cols, once; -1
// when it does not, or more than once.
func columnIndex(cols, n string) int {
	found := -1
	for off := 0; ; {
		i := strings.Index(cols[off:], n)
		if i < 0 {
			return found
		}
		i += off
		off = i + len(n)
		before := i == 0 || strings.ContainsRune(" ,\t\n(", rune(cols[i-1]))
		after := off == len(cols) || strings.ContainsRune(" ,\t\n)", rune(cols[off]))
		if before && after {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
}

// TimeDest scans a time column into *T: a time.Time from the driver, or
// the text of a SQLite time (TextTimes), in UTC. NULL is an error.
type TimeDest struct{ T *time.Time }

// Scan implements sql.Scanner.
func (d TimeDest) Scan(src any) error {
	t, ok, err := scanTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("store: NULL where a time is required")
	}
	*d.T = t
	return nil
}

// NullTimeDest is TimeDest for a column that may be NULL.
type NullTimeDest struct{ T *sql.NullTime }

// Scan implements sql.Scanner.
func (d NullTimeDest) Scan(src any) error {
	t, ok, err := scanTime(src)
	if err != nil {
		return err
	}
	*d.T = sql.NullTime{Time: t, Valid: ok}
	return nil
}

func scanTime(src any) (time.Time, bool, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string:
		t, err := ParseSQLiteTime(v)
		return t, err == nil, err
	case []byte:
		t, err := ParseSQLiteTime(string(v))
		return t, err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("store: cannot scan %T as a time", src)
}

// sqliteTimeLayouts are the layouts modernc's driver reads a SQLite time
// with (in its order): ParseSQLiteTime falls back on them.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseSQLiteTime reads a time as the SQLite driver writes it
// ("2006-01-02 15:04:05.999999999-07:00", the store's _time_format) into
// UTC, without time.Parse; other texts the driver would read go through
// its layouts. It is exact: the same instant as the driver's time.Parse,
// or an error where that fails too.
func ParseSQLiteTime(s string) (time.Time, error) {
	if t, ok := parseDriverTime(s); ok {
		return t, nil
	}
	// The driver's own order: time.Time's String form first, then its
	// layouts on the text without a final "Z".
	str := s
	if i := strings.Index(str, "m="); i > 0 {
		str = str[:i]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
		return t.UTC(), nil
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, l := range sqliteTimeLayouts {
		if t, err := time.Parse(l, ts); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: %q is not a time", s)
}

// parseDriverTime reads "YYYY-MM-DD HH:MM:SS[.fraction]±HH:MM" (the
// driver's layout); false for anything else, for the general parse.
func parseDriverTime(s string) (time.Time, bool) {
	if len(s) < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n := i - start
		if n == 0 || n > 9 {
			return time.Time{}, false
		}
		f, _ := num(start, n)
		for ; n < 9; n++ {
			f *= 10
		}
		nsec = f
	}
	z := s[i:]
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return time.Time{}, false
	}
	zh, ok1 := num(i+1, 2)
	zm, ok2 := num(i+4, 2)
	if !ok1 || !ok2 || zh > 24 || zm > 59 {
		return time.Time{}, false
	}
	// time.Parse's range checks: a day past its month's end, an hour of
	// 24 or a second of 60 is an error there.
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	off := (zh*60 + zm) * 60
	if z[0] == '-' {
		off = -off
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(off) * time.Second), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
