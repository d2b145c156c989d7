package cases_test

import (
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Re-assigning a case tells only the people who were not told of it: a new
// lead or the members of a new team, never again the team members who
// already had the "Kasus baru" message.
func TestReassignTellsOnlyNewPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		lead := mkUser(t, w.st, "peksos-dua", domain.RoleCaseworker, "61.07.01")
		uptdMember := mkUser(t, w.st, "uptd-satu", domain.RoleCaseworker, "61.07")
		uptd, err := w.cs.CreateTeam(ctx, sys(), domain.Team{Name: "UPTD PPA", Kind: "uptd", RegionCode: "61.07",
			MemberIDs: []string{uptdMember.ID, w.peksos.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// Routing gives the case to the village taskforce with the district
		// team in support: both are told once.
		_, c := w.report(t, "61.07.01.2001")
		told := func() map[string]int {
			t.Helper()
			ms, err := outbox.List(ctx, w.st, sys(), outbox.Filter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int{}
			for _, m := range ms {
				if m.CaseID == c.ID && strings.Contains(m.Body, "Kasus baru") {
					n[m.RecipientID]++
				}
			}
			return n
		}
		want := func(step string, n map[string]int) {
			t.Helper()
			got := told()
			for _, u := range []domain.User{w.satgas, w.peksos, lead, uptdMember, w.sup} {
				if got[u.ID] != n[u.ID] {
					t.Errorf("%s: %s was told %d times, want %d", step, u.Username, got[u.ID], n[u.ID])
				}
			}
		}
		want("routing", map[string]int{w.satgas.ID: 1, w.peksos.ID: 1})
		// Only the lead changes, to a member of the teams: nobody new.
		if _, err := w.cs.Reassign(ctx, w.sc(w.sup), c.ID, "", w.peksos.ID, ""); err != nil {
			t.Fatal(err)
		}
		want("lead from the teams", map[string]int{w.satgas.ID: 1, w.peksos.ID: 1})
		// A lead from outside the teams: only the new lead is told.
		if _, err := w.cs.Reassign(ctx, w.sc(w.sup), c.ID, "", lead.ID, ""); err != nil {
			t.Fatal(err)
		}
		want("new lead", map[string]int{w.satgas.ID: 1, w.peksos.ID: 1, lead.ID: 1})
		// Another team: only its member who was never told.
		if _, err := w.cs.Reassign(ctx, w.sc(w.sup), c.ID, uptd.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		want("new team", map[string]int{w.satgas.ID: 1, w.peksos.ID: 1, lead.ID: 1, uptdMember.ID: 1})
	})
}
