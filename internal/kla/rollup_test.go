package kla_test

import (
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// rollupRow is one row of kla_rollups as the test reads or expects it.
type rollupRow struct {
	n, selfN, selfPos, verN, verPos, evidence, pending, verified, rejected int
	selfSum, verSum                                                        float64
}

// expectedRollups computes, in Go from the values themselves, what
// kla_rollups must hold: every value counted for its region (when a
// province, regency or district) and each region above it, by catalogue,
// year, indicator and the length of its region's code.
func expectedRollups(t *testing.T, st *store.Store) map[string]rollupRow {
	t.Helper()
	type value struct {
		region, regime, indicator string
		year, evidence            int
		self, ver                 sql.NullFloat64
		status                    string
	}
	vals, err := store.Rows(bg, st, func(r *sql.Rows) (value, error) {
		var v value
		return v, r.Scan(&v.region, &v.regime, &v.year, &v.indicator, &v.self, &v.ver, &v.evidence, &v.status)
	}, `SELECT region_code, regime, year, indicator_id, self_value, verified_value, has_evidence, verify_status FROM kla_values`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]rollupRow{}
	for _, v := range vals {
		for _, l := range []int{2, 5, 8} {
			if l > len(v.region) {
				break
			}
			k := fmt.Sprintf("%s %s %d %s %d", v.region[:l], v.regime, v.year, v.indicator, len(v.region))
			r := want[k]
			r.n++
			if v.self.Valid {
				r.selfN++
				r.selfSum += v.self.Float64
				if v.self.Float64 > 0 {
					r.selfPos++
				}
				if v.evidence == 1 {
					r.evidence++
				}
			}
			if v.ver.Valid {
				r.verN++
				r.verSum += v.ver.Float64
				if v.ver.Float64 > 0 {
					r.verPos++
				}
			}
			switch v.status {
			case domain.KLAPending:
				r.pending++
			case domain.KLAVerified:
				r.verified++
			case domain.KLARejected:
				r.rejected++
			}
			want[k] = r
		}
	}
	return want
}

// checkRollups fails the test unless kla_rollups holds exactly the
// roll-ups of the values: the same rows, the same counts, and sums equal
// to within floating-point rounding.
func checkRollups(t *testing.T, st *store.Store, after string) {
	t.Helper()
	want := expectedRollups(t, st)
	type row struct {
		k string
		r rollupRow
	}
	got, err := store.Rows(bg, st, func(rs *sql.Rows) (row, error) {
		var x row
		var region, regime, ind string
		var year, depth int
		err := rs.Scan(&region, &regime, &year, &ind, &depth, &x.r.n, &x.r.selfN, &x.r.selfSum, &x.r.selfPos, &x.r.verN,
			&x.r.verSum, &x.r.verPos, &x.r.evidence, &x.r.pending, &x.r.verified, &x.r.rejected)
		x.k = fmt.Sprintf("%s %s %d %s %d", region, regime, year, ind, depth)
		return x, err
	}, `SELECT region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos, ver_n, ver_sum, ver_pos,
		evidence, pending, verified, rejected FROM kla_rollups`)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) }
	var bad []string
	seen := map[string]bool{}
	for _, g := range got {
		seen[g.k] = true
		w, ok := want[g.k]
		gi, wi := g.r, w
		gi.selfSum, gi.verSum, wi.selfSum, wi.verSum = 0, 0, 0, 0
		if !ok || gi != wi || !near(g.r.selfSum, w.selfSum) || !near(g.r.verSum, w.verSum) {
			bad = append(bad, fmt.Sprintf("%s: got %+v, want %+v (present %v)", g.k, g.r, w, ok))
		}
	}
	for k, w := range want {
		if !seen[k] {
			bad = append(bad, fmt.Sprintf("%s: missing, want %+v", k, w))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		if len(bad) > 10 {
			bad = append(bad[:10], fmt.Sprintf("... %d more", len(bad)-10))
		}
		t.Fatalf("after %s the roll-ups differ from the values (%d rows expected):\n%s", after, len(want), strings.Join(bad, "\n"))
	}
	if len(want) == 0 {
		t.Fatalf("after %s: no values to check", after)
	}
}

// checkCounts fails the test unless CountValues and CountValueStates,
// which read the roll-ups for a province, regency or district, count what
// ListValues lists from the values, for scopes and filters of every kind.
func checkCounts(t *testing.T, st *store.Store, scopes ...domain.Scope) {
	t.Helper()
	for _, sc := range scopes {
		for _, within := range []string{"", "61", "61.07", "61.07.01", "61.07.02.2001", "13"} {
			for _, f := range []kla.ValueFilter{
				{Year: 2025}, {Year: 2024}, {Year: 2025, Status: domain.KLAVerified}, {Year: 2025, Status: domain.KLAPending},
				{Year: 2025, Status: domain.KLARejected}, {Year: 2025, Agency: "dinkes"}, {Year: 2025, Indicator: "11"}, {},
			} {
				f.Regime, f.Within, f.Limit = regime, within, 5000
				list, err := kla.ListValues(bg, st, sc, f)
				if err != nil {
					t.Fatal(err)
				}
				n, err := kla.CountValues(bg, st, sc, f)
				if err != nil || n != len(list) {
					t.Errorf("%s, %+v: counted %d (%v), listed %d", sc.RegionCode, f, n, err, len(list))
				}
				if f.Status != "" {
					continue
				}
				want := kla.ValueCounts{All: len(list)}
				for _, v := range list {
					if v.SelfValue != nil {
						want.Entered++
						if v.Note != "" || v.Link != "" || v.FileID != "" {
							want.WithEvidence++
						}
					}
					switch v.Status {
					case domain.KLAPending:
						want.Pending++
					case domain.KLAVerified:
						want.Verified++
					case domain.KLARejected:
						want.Rejected++
					}
				}
				got, err := kla.CountValueStates(bg, st, sc, f)
				if err != nil || got != want {
					t.Errorf("%s, %+v: states %+v (%v), listed %+v", sc.RegionCode, f, got, err, want)
				}
			}
		}
	}
}

// The roll-ups equal what the values add up to after every kind of write:
// entry at every level, entry again (changed and unchanged), evidence
// added, a bulk upload, a refused upload, single verdicts (accepted with
// another value, rejected, accepted again), a batch of acceptances, a
// refused batch, concurrent entries on the same values and province,
// generated values, and the backfill of migration 0030 over values
// written before it.
func TestRollupsEqualValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		sys := access.System("test")
		reader := kla.NewReader(st, time.Minute)
		put := func(in ...domain.KLAValueInput) {
			t.Helper()
			if err := kla.PutValues(bg, st, sys, regime, in); err != nil {
				t.Fatal(err)
			}
		}
		// Entry at a village, a district, the regency and the province,
		// in two years; percentages, counts and availability.
		var in []domain.KLAValueInput
		for _, r := range []string{"61.07.01.2001", "61.07.01.2004", "61.07.02.2001", "61.07.01", "61.07", "61", "61.01.01.2001"} {
			for _, id := range []string{"11", "12", "2", "1"} { // percent, count, availability, percent
				for _, y := range []int{2024, 2025} {
					v := map[string]float64{"11": float64(len(r)) * 3.7, "12": float64(len(r) % 4), "2": float64(len(r) % 2), "1": 0.1}[id]
					in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: r, Year: y, Value: v, Note: "laporan"})
				}
			}
		}
		put(in...)
		checkRollups(t, st, "entry")
		checkReader(t, st, reader, sys, "entry")
		put(domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.01.2001", Year: 2025, Value: 33.3},
			domain.KLAValueInput{IndicatorID: "12", RegionCode: "61.07.01.2001", Year: 2025, Value: 0}, // to zero, no evidence
			domain.KLAValueInput{IndicatorID: "13", RegionCode: "61.07", Year: 2025, Value: 1, Link: "https://contoh.go.id/bukti"})
		put(domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.01.2001", Year: 2025, Value: 33.3}) // unchanged value
		checkRollups(t, st, "entry again")
		checkReader(t, st, reader, sys, "entry again")
		// Two villages swap values: the sums above them stay as they were
		// (no roll-up row changes), the ranking of the villages does not.
		rollups := func() string {
			t.Helper()
			rows, err := store.Rows(bg, st, func(r *sql.Rows) (string, error) {
				var region, ind string
				var year, depth int
				var x rollupRow
				err := r.Scan(&region, &year, &ind, &depth, &x.n, &x.selfN, &x.selfSum, &x.selfPos, &x.verN, &x.verSum, &x.verPos,
					&x.evidence, &x.pending, &x.verified, &x.rejected)
				return fmt.Sprint(region, year, ind, depth, x), err
			}, `SELECT region_code, year, indicator_id, depth, n, self_n, self_sum, self_pos, ver_n, ver_sum, ver_pos,
				evidence, pending, verified, rejected FROM kla_rollups ORDER BY region_code, year, indicator_id, depth`)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(rows, "\n")
		}
		was := rollups()
		put(domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.01.2001", Year: 2025, Value: float64(len("61.07.01.2004")) * 3.7, Note: "laporan"},
			domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.01.2004", Year: 2025, Value: 33.3})
		if rollups() != was {
			t.Fatal("swapping two villages' values changed the roll-ups")
		}
		checkRollups(t, st, "two villages swapping values")
		checkReader(t, st, reader, sys, "two villages swapping values")

		// A bulk upload by the district's operator, then one refused whole.
		if _, err := kla.ImportValues(bg, st, op, regime, []byte("indicator;region_code;year;value;note\n11;61.07.01;2025;91,5;Laporan\n8;61.07.01;2025;4,2;\n"),
			"nilai.csv", kla.Target{Region: "61.07.01", Year: 2025}); err != nil {
			t.Fatal(err)
		}
		if _, err := kla.ImportValues(bg, st, op, regime, []byte("indicator;region_code;year;value\n11;61.07.01;2025;12\n8;61.07.01;2025;abc\n"),
			"nilai.csv", kla.Target{Region: "61.07.01", Year: 2025}); err == nil {
			t.Fatal("a bad upload was taken")
		}
		checkRollups(t, st, "upload")
		checkReader(t, st, reader, sys, "upload")

		// Verdicts one by one.
		other := 75.0
		for _, v := range []struct {
			region, ind string
			accept      bool
			value       *float64
		}{
			{"61.07.01.2001", "11", true, &other},
			{"61.07.01.2004", "11", true, nil},
			{"61.07.01.2001", "12", false, nil},
			{"61.07", "13", true, nil},
			{"61.07.01.2001", "11", false, nil}, // accepted, then rejected
			{"61.07.01.2001", "12", true, nil},  // rejected, then accepted
		} {
			if err := kla.VerifyValue(bg, st, adm, regime, v.region, 2025, v.ind, v.accept, v.value, "cek"); err != nil {
				t.Fatal(err)
			}
		}
		checkRollups(t, st, "verdicts")
		checkReader(t, st, reader, sys, "verdicts")

		// A batch of acceptances, then a batch refused because one value
		// changed since it was shown.
		pending, err := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, Within: "61.07", Year: 2024, Status: domain.KLAPending})
		if err != nil || len(pending) < 4 {
			t.Fatalf("pending: %d %v", len(pending), err)
		}
		var refs []kla.ValueRef
		for _, v := range pending[:3] {
			refs = append(refs, kla.RefOf(v))
		}
		if n, err := kla.AcceptValues(bg, st, adm, regime, refs, "semua"); err != nil || n != 3 {
			t.Fatalf("accept: %d %v", n, err)
		}
		stale := kla.RefOf(pending[3])
		put(domain.KLAValueInput{IndicatorID: stale.IndicatorID, RegionCode: stale.RegionCode, Year: stale.Year, Value: 2})
		if _, err := kla.AcceptValues(bg, st, adm, regime, []kla.ValueRef{kla.RefOf(pending[4]), stale}, ""); err == nil {
			t.Fatal("a batch with a changed value was accepted")
		}
		checkRollups(t, st, "batch acceptance")
		checkReader(t, st, reader, sys, "batch acceptance")
		checkCounts(t, st, sys, adm, op)

		// Concurrent entries of the same values and of others in the same
		// province (PostgreSQL runs them at once; SQLite one after another).
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var in []domain.KLAValueInput
				for _, id := range []string{"13", "11", "12"} { // a different order each time
					for _, r := range []string{"61.07.01.2001", "61.07.02.2001", fmt.Sprintf("61.07.02.20%02d", w%5+2)} {
						in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: r, Year: 2025, Value: float64(w*10 + len(id))})
					}
				}
				if w%2 == 1 {
					for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
						in[i], in[j] = in[j], in[i]
					}
				}
				errs <- kla.PutValues(bg, st, sys, regime, in)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent entry: %v", err)
			}
		}
		checkRollups(t, st, "concurrent entries")
		checkReader(t, st, reader, sys, "concurrent entries")

		// Generated values for every village of the loaded province: in a
		// year without values, and in one with (kept, the others added).
		if _, err := kla.GenerateValues(bg, st, regime, []int{2023, 2025}, nil); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, st, "generation")
		checkReader(t, st, reader, sys, "generation")
		checkRanks(t, st, reader, sys, "61.07", 2025) // every village has values
		checkRanks(t, st, reader, sys, "61.07", 2024) // a few have

		// Migration 0030 builds the same roll-ups from values written
		// before it.
		ms, err := store.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var m0030 string
		for _, m := range ms {
			if m.Version == 30 {
				m0030 = m.SQL
			}
		}
		if err := st.InTx(bg, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(bg, `DROP TABLE kla_rollups`); err != nil {
				return err
			}
			_, err := tx.ExecContext(bg, m0030)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, st, "migration 0030")
	})
}
