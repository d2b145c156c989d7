package cases_test

import (
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// An export lists the same cases in the same order as the inbox paged to
// its end (in pages of 50 and of 7), for every filter tried, and stops at
// its maximum saying so.
func TestExportCasesInInboxOrder(t *testing.T) {
	// PostgreSQL reads a list's cases by id in statements of at most so
	// many ids (65,535 parameters at most): 13 makes the exports here
	// cross from one read to the next, as 1,000 do an export of 100,000.
	defer cases.SetIDsPerRead(13)()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		for i := 0; i < 4; i++ {
			w.report(t, "61.07.01.2001")
		}
		var syn []cases.SyntheticCase
		for i := 0; i < 230; i++ {
			st := []domain.CaseStatus{domain.StatusNew, domain.StatusClosed, domain.StatusInService, domain.StatusAcknowledged}[i%4]
			sc := cases.SyntheticCase{RegionCode: []string{"61.07.01.2001", "61.07.02.2001"}[i%2], Status: st, Priority: domain.PriorityHigh,
				Types: []domain.ViolenceType{"neglect", "physical"}[:1+i%2], Summary: "sintetis", ReportedAt: w.clk.Now().Add(-time.Duration(i) * time.Hour),
				VictimAge: 8, VictimSex: domain.SexFemale}
			at := w.clk.Now().Add(-time.Duration(i) * time.Hour)
			if st != domain.StatusNew {
				sc.AckAt = &at
			}
			if st == domain.StatusClosed || st == domain.StatusInService {
				sc.RespondedAt = &at
			}
			if st == domain.StatusClosed {
				sc.ClosedAt = &at
			}
			syn = append(syn, sc)
		}
		if _, err := w.cs.InsertSyntheticCases(ctx, access.System("test"), 1, syn, nil); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for name, f := range map[string]domain.CaseFilter{"all": {}, "open": {OpenOnly: true}, "district": {RegionCode: "61.07.02"},
			"overdue": {Due: "overdue"}, "type": {Type: "physical"}} {

			for _, sc := range []domain.Scope{w.sc(w.sup), w.sc(w.peksos)} {
				page := func(size int) []domain.Case {
					var paged []domain.Case
					for off := 0; ; off += size {
						f.Offset, f.Limit = off, size
						l, _, err := w.cs.ListCases(ctx, sc, f)
						if err != nil {
							t.Fatal(err)
						}
						paged = append(paged, l...)
						if len(l) < size {
							return paged
						}
					}
				}
				// Pages of 7 cross from the cases with a running clock to
				// the others inside a page, and start past the first.
				paged, small := page(50), page(7)
				if len(small) != len(paged) {
					t.Fatalf("%s, %s: pages of 7 hold %d cases, of 50 %d", name, sc.Role, len(small), len(paged))
				}
				for i := range small {
					if small[i].ID != paged[i].ID {
						t.Fatalf("%s, %s: row %d: %s in pages of 7, %s in pages of 50", name, sc.Role, i, small[i].Code, paged[i].Code)
					}
				}
				f.Offset, f.Limit = 0, 0
				all, cut, err := w.cs.ExportCases(ctx, sc, f, 1000)
				if err != nil || cut {
					t.Fatalf("%s: export: cut %v, %v", name, cut, err)
				}
				if len(all) != len(paged) {
					t.Fatalf("%s, %s: export has %d cases, the inbox %d", name, sc.Role, len(all), len(paged))
				}
				for i := range all {
					if all[i].ID != paged[i].ID || len(all[i].Types) != len(paged[i].Types) {
						t.Fatalf("%s: row %d: export %s %v, inbox %s %v", name, i, all[i].Code, all[i].Types, paged[i].Code, paged[i].Types)
					}
				}
				seen += len(all)
				if len(all) == 0 {
					continue
				}
				some, cut, err := w.cs.ExportCases(ctx, sc, f, len(all)-1)
				if err != nil || !cut || len(some) != len(all)-1 || some[len(some)-1].ID != all[len(all)-2].ID {
					t.Fatalf("%s: export over its maximum: %d rows, cut %v, %v", name, len(some), cut, err)
				}
			}
		}
		if seen < 500 {
			t.Fatalf("only %d cases exported in all", seen)
		}
		if _, _, err := w.cs.ExportCases(ctx, access.Public("1.2.3.4", "x"), domain.CaseFilter{}, 10); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("public export: %v", err)
		}
	})
}
