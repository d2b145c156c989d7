package cases_test

import (
	"maps"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The inbox's counts come from tallies the database keeps with every case
// write (migration 0029). After every kind of write — a new case, random
// transitions, a transfer to another regency, bulk synthetic cases, a
// deleted case — they equal the counts computed from the cases
// themselves, for a regency supervisor, a district caseworker, a
// responder and the other regency.
func TestCaseCountsMatchCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		sup2 := mkUser(t, w.st, "sup-sambas", domain.RoleSupervisor, "61.01")
		prov := mkUser(t, w.st, "sup-kalbar", domain.RoleSupervisor, "61")
		scopes := map[string]domain.Scope{"regency": w.sc(w.sup), "district": w.sc(w.peksos), "responder": w.sc(w.satgas),
			"other regency": w.sc(sup2), "other district": w.sc(w.other), "province": w.sc(prov), "country": access.System("test")}
		check := func(step string) {
			t.Helper()
			for name, sc := range scopes {
				got, err := w.cs.CaseCounts(ctx, sc)
				if err != nil {
					t.Fatal(err)
				}
				want := rawCounts(t, w, sc)
				for k, v := range want {
					if got[k] != v {
						t.Fatalf("%s, %s: %s = %d, the cases say %d (got %v, want %v)", step, name, k, got[k], v, got, want)
					}
				}
				for k, v := range got {
					if want[k] != v {
						t.Fatalf("%s, %s: %s = %d, the cases say %d", step, name, k, v, want[k])
					}
				}
				checkTotals(t, w, sc, step+", "+name)
			}
		}
		check("empty")
		rng := rand.New(rand.NewSource(3))
		var ids []string
		for i := 0; i < 6; i++ {
			_, c := w.report(t, []string{"61.07.01.2001", "61.07.02.2001"}[i%2])
			ids = append(ids, c.ID)
		}
		check("new cases")
		actors := []domain.User{w.sup, w.peksos, w.satgas}
		for step := 0; step < 60; step++ {
			id := ids[rng.Intn(len(ids))]
			tr := domain.Transition{To: domain.CaseStatuses[rng.Intn(len(domain.CaseStatuses))], Note: "catatan"}
			if tr.To == domain.StatusAssigned {
				tr.AssigneeID = w.peksos.ID
			}
			_, _ = w.cs.Transition(ctx, w.sc(actors[rng.Intn(len(actors))]), id, tr)
			w.clk.Advance(17 * time.Minute)
		}
		check("transitions")
		w.clk.Advance(30 * time.Hour)
		check("deadlines passed")
		c := w.reached(t)
		tr, err := w.cs.RequestTransfer(ctx, w.sc(w.peksos), c.ID, "61.01", "Keluarga pindah ke Sambas")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.DecideTransfer(ctx, w.sc(sup2), tr.ID, true, "61.01.01", "Diterima"); err != nil {
			t.Fatal(err)
		}
		check("transfer")
		var syn []cases.SyntheticCase
		for i := 0; i < 40; i++ {
			st := []domain.CaseStatus{domain.StatusNew, domain.StatusClosed, domain.StatusInService}[i%3]
			sc := cases.SyntheticCase{RegionCode: "61.07.01.2001", Status: st, Priority: domain.PriorityHigh, Types: []domain.ViolenceType{"neglect"},
				Summary: "sintetis", ReportedAt: w.clk.Now().Add(-time.Duration(i) * time.Hour), VictimAge: 8, VictimSex: domain.SexFemale}
			if st == domain.StatusClosed {
				at := w.clk.Now()
				sc.ClosedAt, sc.AckAt, sc.RespondedAt = &at, &at, &at
			}
			syn = append(syn, sc)
		}
		if _, err := w.cs.InsertSyntheticCases(ctx, access.System("test"), 1, syn, nil); err != nil {
			t.Fatal(err)
		}
		check("synthetic cases")
		// No case is deleted by lindu; the tally follows a deletion anyway.
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			for _, q := range []string{`DELETE FROM case_types WHERE case_id = $1`, `DELETE FROM victims WHERE case_id = $1`,
				`DELETE FROM deadlines WHERE case_id = $1`, `DELETE FROM cases WHERE id = $1`} {
				if _, err := tx.ExecContext(ctx, q, "x"); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE code LIKE '9%' AND status = 'closed'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check("deleted cases")
	})
}

// rawCounts counts what CaseCounts should say from the cases themselves.
// checkTotals compares the inbox's totals (from the tallies where the
// filter allows) with the cases sc sees, for the filters of the first page.
func checkTotals(t *testing.T, w *casesWorld, sc domain.Scope, step string) {
	t.Helper()
	all, _, err := w.cs.ListCases(ctx, sc, domain.CaseFilter{Limit: 200})
	if len(all) == 200 {
		t.Fatalf("%s: 200 cases or more: the totals cannot be checked from one page", step)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Regions inside the caller's, around it (the province) and beside it.
	filters := []domain.CaseFilter{{}, {OpenOnly: true}, {RegionCode: "61.07.01"}, {OpenOnly: true, RegionCode: "61.07.02.2001"},
		{RegionCode: "61"}, {OpenOnly: true, RegionCode: "61.01"}, {RegionCode: "61.07.01.2001"}}
	for _, st := range domain.CaseStatuses {
		filters = append(filters, domain.CaseFilter{Status: st}, domain.CaseFilter{Status: st, RegionCode: "61.07.01"})
	}
	for _, f := range filters {
		want := 0
		for _, c := range all {
			if (f.Status == "" || c.Status == f.Status) && (!f.OpenOnly || c.Status.Open()) &&
				(f.RegionCode == "" || c.RegionCode == f.RegionCode || strings.HasPrefix(c.RegionCode, f.RegionCode+".")) {
				want++
			}
		}
		_, total, err := w.cs.ListCases(ctx, sc, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Fatalf("%s: filter %+v: total %d, the cases say %d", step, f, total, want)
		}
		// The inbox's call: the total from the counts where it can.
		_, total, counts, err := w.cs.ListCasesCounted(ctx, sc, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Fatalf("%s: filter %+v: total with the counts %d, the cases say %d", step, f, total, want)
		}
		if alone, err := w.cs.CaseCounts(ctx, sc); err != nil || !maps.Equal(alone, counts) {
			t.Fatalf("%s: counts with the list %v, alone %v (%v)", step, counts, alone, err)
		}
	}
}

func rawCounts(t *testing.T, w *casesWorld, sc domain.Scope) map[string]int {
	t.Helper()
	list, _, err := w.cs.ListCases(ctx, sc, domain.CaseFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	now := w.clk.Now()
	out := map[string]int{}
	for _, c := range list {
		out[string(c.Status)]++
		if c.Status.Open() {
			out["open"]++
		}
		if c.NextDueAt != nil {
			switch {
			case c.NextDueAt.Before(now):
				out["overdue"]++
			case c.NextDueAt.Before(now.Add(2 * time.Hour)):
				out["soon"]++
			}
		}
	}
	if _, ok := out["overdue"]; !ok {
		out["overdue"] = 0
	}
	if _, ok := out["soon"]; !ok {
		out["soon"] = 0
	}
	return out
}

// The triage list counts a region's reports exactly up to CountCap and
// stops there (CountCap+1), so its view does not read every report of a
// province; a status or another region keeps its own exact count.
func TestListReportsTotalCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u})
		cs := area(st)
		sup := mkUser(t, st, "sup", domain.RoleSupervisor, "61.07")
		supOther := mkUser(t, st, "sup-sambas", domain.RoleSupervisor, "61.01")
		age := 9
		for _, region := range []string{"61.07.01.2001", "61.01.01.2001"} {
			if _, _, err := cs.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
				RegionCode: region, Description: "Anak tetangga sering dipukul dan ditinggal sendirian di rumah", ChildAge: &age,
				ChildSex: domain.SexFemale}, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Copies of the regency's report, with the status of every third
		// one changed.
		raw := rawDB(t, d, u)
		if _, err := raw.Exec(`WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1004)
			INSERT INTO reports (id, code, channel, received_at, region_code, description_enc, status)
			SELECT r.id || '-' || n.i, r.code || '-' || n.i, r.channel, r.received_at, r.region_code, r.description_enc,
				CASE WHEN n.i % 3 = 0 THEN 'rejected' ELSE r.status END
			FROM reports r, n WHERE r.region_code = '61.07.01.2001'`); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sc     domain.Scope
			status domain.ReportStatus
			want   int
		}{
			{access.ForUser(sup, "", ""), "", cases.CountCap + 1},        // 1,005
			{access.ForUser(sup, "", ""), domain.ReportNew, 671},         // 1 + 670
			{access.ForUser(sup, "", ""), domain.ReportRejected, 334},    // every third of 1,004
			{access.ForUser(supOther, "", ""), "", 1},                    // the other regency's own
			{access.ForUser(supOther, "", ""), domain.ReportRejected, 0}, // none of the copies
		} {
			list, total, err := cs.ListReports(ctx, c.sc, cases.ReportFilter{Status: c.status, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if total != c.want || len(list) != min(c.want, 50) {
				t.Errorf("%s %q: total %d (%d listed), want %d", c.sc.Username, c.status, total, len(list), c.want)
			}
			if n, err := cs.ReportTotal(ctx, c.sc, c.status); err != nil || n != c.want {
				t.Errorf("%s %q: ReportTotal %d, %v; want %d", c.sc.Username, c.status, n, err, c.want)
			}
			// The inbox chip's count stops past 99.
			if n, err := cs.ReportCount(ctx, c.sc, c.status, 99); err != nil || n != min(c.want, 100) {
				t.Errorf("%s %q: ReportCount up to 99 %d, %v; want %d", c.sc.Username, c.status, n, err, min(c.want, 100))
			}
		}
	})
}

// The inbox's team filter lists the teams ListTeams lists, in its order,
// without reading their members or region names; a caller without the
// right to see cases gets neither.
func TestTeamChoicesAreListTeamsWithoutMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		for _, u := range []domain.User{w.sup, w.peksos, w.other} {
			full, err := w.cs.ListTeams(ctx, w.sc(u))
			if err != nil {
				t.Fatal(err)
			}
			choices, err := w.cs.TeamChoices(ctx, w.sc(u))
			if err != nil {
				t.Fatal(err)
			}
			members := 0
			for i := range full {
				members += len(full[i].Members)
				full[i].Members, full[i].MemberIDs, full[i].RegionName = nil, nil, ""
			}
			if !reflect.DeepEqual(full, choices) {
				t.Errorf("%s: team choices %+v, ListTeams without members %+v", u.Username, choices, full)
			}
			if u.ID == w.sup.ID && (len(choices) < 2 || members == 0) {
				t.Errorf("the regency supervisor sees %d teams with %d members: the world has two teams with members", len(choices), members)
			}
		}
		if _, err := w.cs.TeamChoices(ctx, access.Public("1.2.3.4", "x")); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("team choices for the public: %v, want forbidden", err)
		}
	})
}

// The triage list's "all" is every report of the caller's region and none
// other, newest first, page by page (on SQLite it walks the reports by
// time and filters the region, ListReports).
func TestListReportsAllNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		cs := area(st)
		sup := access.ForUser(mkUser(t, st, "sup", domain.RoleSupervisor, "61.07"), "", "")
		other := access.ForUser(mkUser(t, st, "sup-sambas", domain.RoleSupervisor, "61.01"), "", "")
		now := st.Now()
		var mine []string // newest first
		for i, region := range []string{"61.07.01.2001", "61.01.01.2001", "61.07.02.2001", "61.07.01.2001", "61.01.01.2001", "61.07.02.2001"} {
			r, _, err := cs.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb, RegionCode: region,
				Description: "Anak tetangga sering dipukul", ReceivedAt: now.Add(time.Duration(i-10) * time.Hour)}, "")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(region, "61.01") {
				mine = append([]string{r.ID}, mine...)
			}
		}
		ids := func(sc domain.Scope, offset int) []string {
			list, _, err := cs.ListReports(ctx, sc, cases.ReportFilter{Limit: 2, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range list {
				out = append(out, r.ID)
			}
			return out
		}
		if got := append(ids(sup, 0), append(ids(sup, 2), ids(sup, 4)...)...); !slices.Equal(got, mine) {
			t.Errorf("the regency's reports by page: %v, want %v", got, mine)
		}
		if got := ids(other, 0); len(got) != 2 || slices.Contains(mine, got[0]) || slices.Contains(mine, got[1]) {
			t.Errorf("the other regency's list: %v", got)
		}
	})
}
