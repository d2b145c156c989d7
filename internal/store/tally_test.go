package store_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"lindu/internal/regiondata"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Migration 0038 makes each case count in the tally row of its region and
// of every region above it. Cases an older lindu stored (at 0037, tallied
// by village) are counted again at every level by the migration, and from
// then on every insert, status change, move (within a district, to
// another district, to another regency) and deletion keeps every level
// equal to a count of the cases themselves.
func TestTallyRollups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st, err := store.Open(ctx, u, store.Options{Box: storetest.Box(t), RootRegion: "61"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.MigrateTo(ctx, 37); err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"61.07.01", "61.07.02", "61.01.01"} {
			if _, err := regiondata.Load(ctx, st, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		db := rawDB(t, d, u)
		villages := func(district string) []string {
			t.Helper()
			out, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
				var c string
				return c, r.Scan(&c)
			}, `SELECT code FROM regions WHERE code LIKE '`+district+`.%' ORDER BY code LIMIT 2`)
			if err != nil || len(out) != 2 {
				t.Fatalf("villages of %s: %v (%v)", district, out, err)
			}
			return out
		}
		a, b, c := villages("61.07.01"), villages("61.07.02"), villages("61.01.01")
		// Where cases stand: villages of two districts and another
		// regency, and a district and a regency themselves.
		codes := []string{a[0], a[1], b[0], c[0], "61.07.01", "61.07"}
		now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
		n := 0
		insert := func(region, status string) {
			t.Helper()
			n++
			if _, err := db.Exec(fmt.Sprintf(`INSERT INTO cases (id, code, region_code, status, priority, reported_at, created_at, updated_at)
				VALUES ('c%d', '1%08d', $1, $2, 'medium', $3, $3, $3)`, n, n), region, status, now); err != nil {
				t.Fatal(err)
			}
		}
		statuses := []string{"new", "assigned", "in_service", "closed"}
		for i := range 30 {
			insert(codes[i%len(codes)], statuses[i%len(statuses)])
		}
		// Every region code above or at a case's, and a few with none.
		levels := []string{"61", "61.07", "61.01", "61.07.01", "61.07.02", "61.01.01", a[0], a[1], b[0], b[1], c[0], c[1], "62", "61.07.03"}
		check := func(step string) {
			t.Helper()
			for _, r := range levels {
				want := map[string]int{}
				rows, err := db.Query(`SELECT status, COUNT(*) FROM cases WHERE region_code = $1 OR region_code LIKE $2 GROUP BY status`, r, r+".%")
				if err != nil {
					t.Fatal(err)
				}
				tallyScan(t, rows, want)
				got := map[string]int{}
				rows, err = db.Query(`SELECT status, n FROM case_tallies WHERE region_code = $1 AND n <> 0`, r)
				if err != nil {
					t.Fatal(err)
				}
				tallyScan(t, rows, got)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: tallies of %s %v, the cases say %v", step, r, got, want)
				}
			}
			var bad int
			if err := db.QueryRow(`SELECT COUNT(*) FROM case_tallies WHERE n < 0`).Scan(&bad); err != nil || bad != 0 {
				t.Fatalf("%s: %d tally rows below zero (%v)", step, bad, err)
			}
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("upgrade")
		for range 12 {
			insert(codes[n%len(codes)], statuses[n%len(statuses)])
		}
		check("new cases")
		for _, q := range []string{
			`UPDATE cases SET status = 'closed' WHERE id IN ('c1', 'c2', 'c3')`,
			`UPDATE cases SET status = 'in_service' WHERE id = 'c4'`,
			`UPDATE cases SET region_code = '` + a[1] + `' WHERE id = 'c7'`,                      // the next village
			`UPDATE cases SET region_code = '` + b[1] + `' WHERE id = 'c8'`,                      // another district
			`UPDATE cases SET region_code = '` + c[1] + `', status = 'assigned' WHERE id = 'c9'`, // another regency, with its status
			`UPDATE cases SET region_code = '61.07' WHERE id = 'c10'`,                            // up to the regency itself
			`UPDATE cases SET priority = 'high', updated_at = updated_at WHERE id = 'c11'`,       // neither
			`UPDATE cases SET status = status, region_code = region_code WHERE id = 'c12'`,       // both, unchanged
			`DELETE FROM cases WHERE id IN ('c5', 'c6')`,
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			check(q)
		}
		// A status or move that ends a region's last case leaves its row
		// at zero; the same case coming back counts again from there.
		if _, err := db.Exec(`UPDATE cases SET status = 'new' WHERE region_code LIKE '61.01.%'`); err != nil {
			t.Fatal(err)
		}
		check("regency reopened")
	})
}

func tallyScan(t *testing.T, rows *sql.Rows, into map[string]int) {
	t.Helper()
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		into[s] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
