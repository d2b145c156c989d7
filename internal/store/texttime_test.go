package store

import (
	"database/sql"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// driverParse is how modernc's driver reads a SQLite time (conn.parseTime
// of v1.62, without a configured zone): the reference ParseSQLiteTime
// must agree with.
func driverParse(s string) (time.Time, bool) {
	str := s
	if i := strings.Index(str, "m="); i > 0 {
		str = str[:i]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
		return t, true
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, l := range sqliteTimeLayouts {
		if t, err := time.Parse(l, ts); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func checkSame(t *testing.T, s string) {
	t.Helper()
	want, wantOK := driverParse(s)
	got, err := ParseSQLiteTime(s)
	if wantOK != (err == nil) {
		t.Fatalf("%q: driver ok=%v, ParseSQLiteTime err=%v", s, wantOK, err)
	}
	if wantOK && (!got.Equal(want) || got.Location() != time.UTC) {
		t.Fatalf("%q: got %v, driver %v", s, got, want)
	}
}

func TestParseSQLiteTimeMatchesDriver(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	layouts := []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.000000-07:00"}
	for range 20000 {
		tm := time.Unix(r.Int64N(1<<35)-1<<33, r.Int64N(1e9))
		switch r.IntN(4) {
		case 0:
			tm = tm.Round(time.Second)
		case 1:
			tm = tm.Round(time.Microsecond)
		}
		zone := time.UTC
		if r.IntN(3) == 0 {
			zone = time.FixedZone("", (r.IntN(28*4)-14*4)*15*60)
		}
		li := r.IntN(len(layouts))
		s := tm.In(zone).Format(layouts[li])
		checkSame(t, s)
		want := []time.Time{tm, tm.Truncate(time.Second), tm.Truncate(time.Microsecond)}[li]
		if got, err := ParseSQLiteTime(s); err != nil || !got.Equal(want) {
			t.Fatalf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{
		"2025-10-12 07:06:53+00:00", "2026-12-07 14:33:41.194864+00:00", "2026-12-07 14:33:41.1+07:00", "2026-12-07 14:33:41.123456789-09:30",
		"2024-02-29 23:59:59+00:00", "2023-02-29 10:00:00+00:00", "2026-12-07 24:00:00+00:00", "2026-12-07 23:60:00+00:00",
		"2026-12-07 23:59:60+00:00", "2026-13-07 10:00:00+00:00", "2026-00-07 10:00:00+00:00", "2026-12-00 10:00:00+00:00",
		"2026-12-07 10:00:00.+00:00", "2026-12-07 10:00:00.1234567890+00:00", "2026-12-07 10:00:00+0000", "2026-12-07 10:00:00+24:00",
		"2026-12-07 10:00:00+25:00", "2026-12-07 10:00:00+07:60", "2026-12-07 10:00:00Z", "2026-12-07T10:00:00+07:00",
		"2026-12-07 10:00:00", "2026-12-07 10:00", "2026-12-07", "", "x", "2026-12-07 10:00:00+07:00Z",
		"2026-12-07 10:00:00.5 +0700 +0700", "2026-12-07 10:00:00.5 +0000 UTC m=+0.001", "٢٠٢٦-12-07 10:00:00+00:00",
		"2026-12-07 10:00:00 +00:00", "+026-12-07 10:00:00+00:00", "2026-1a-07 10:00:00+00:00",
	} {
		checkSame(t, s)
	}
}

// FuzzParseSQLiteTime: whatever the text, ParseSQLiteTime reads it as the
// driver would (same instant, or an error where the driver fails too).
func FuzzParseSQLiteTime(f *testing.F) {
	for _, s := range []string{"2026-12-07 14:33:41.194864+00:00", "2025-10-12 07:06:53-09:30", "2026-12-07 10:00:00Z", "2026-02-30 10:00:00+00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSame(t, s) })
}

func TestTextTimes(t *testing.T) {
	cols := "c.id, c.created_at, c.closed_at,\n\tc.created_at_x, x.closed_at, c.next_due_at"
	got := TextTimes(SQLite, cols, "c.created_at", "c.closed_at", "c.next_due_at")
	want := "c.id, +c.created_at, +c.closed_at,\n\tc.created_at_x, x.closed_at, +c.next_due_at"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if TextTimes(Postgres, cols, "c.created_at") != cols {
		t.Fatal("PostgreSQL's select list changed")
	}
	for _, bad := range []string{"c.updated_at", "c.created"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic for a name not in the list", bad)
				}
			}()
			TextTimes(SQLite, cols, bad)
		}()
	}
}

func TestTimeDest(t *testing.T) {
	var tm time.Time
	var nt sql.NullTime
	want := time.Date(2026, 12, 7, 7, 33, 41, 194864000, time.UTC)
	for _, src := range []any{"2026-12-07 14:33:41.194864+07:00", []byte("2026-12-07 07:33:41.194864+00:00"), want.In(time.FixedZone("", 3600))} {
		tm, nt = time.Time{}, sql.NullTime{}
		if err := (TimeDest{&tm}).Scan(src); err != nil || !tm.Equal(want) || tm.Location() != time.UTC {
			t.Fatalf("%v: %v %v", src, tm, err)
		}
		if err := (NullTimeDest{&nt}).Scan(src); err != nil || !nt.Valid || !nt.Time.Equal(want) {
			t.Fatalf("%v: %v %v", src, nt, err)
		}
	}
	nt = sql.NullTime{Valid: true}
	if err := (NullTimeDest{&nt}).Scan(nil); err != nil || nt.Valid {
		t.Fatalf("NULL: %v %v", nt, err)
	}
	if (TimeDest{&tm}).Scan(nil) == nil || (TimeDest{&tm}).Scan("yesterday") == nil || (TimeDest{&tm}).Scan(42) == nil {
		t.Fatal("NULL, a non-time and a number scanned as times")
	}
}
