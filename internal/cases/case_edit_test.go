package cases_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// history reads a case's history as sc sees it.
func history(t *testing.T, w *casesWorld, sc domain.Scope, id string) []domain.CaseChange {
	t.Helper()
	ch, err := w.cs.CaseChanges(ctx, sc, id)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func fieldsOf(ch []domain.CaseChange) map[string]domain.CaseChange {
	out := map[string]domain.CaseChange{}
	for _, c := range ch {
		out[c.Entity+"."+c.Field] = c
	}
	return out
}

func version(t *testing.T, w *casesWorld, id string) int {
	t.Helper()
	c, err := w.cs.GetCase(ctx, sys(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Version
}

// The journey of issue 11: a verified report's child is completed in
// place (one victim), every changed field is in the history once with one
// timeline event and one audit entry per save naming fields, never values;
// a caseworker of the region who does not handle the case sees which
// fields changed, the coded values, and no personal value.
func TestEditVictimHistoryAndMasking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		_, c := w.report(t, "61.07.01.2001")
		if len(c.Victims) != 1 {
			t.Fatalf("victims after verify: %d", len(c.Victims))
		}
		vid := c.Victims[0].ID
		ver := version(t, w, c.ID)
		err := w.cs.EditVictim(ctx, w.sc(w.peksos), c.ID, vid, ver, func(v *domain.Victim) {
			v.Name, v.Education, v.Disabilities, v.MaritalStatus = "Melati Sari", "primary", []string{"physical"}, "unmarried"
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if len(got.Victims) != 1 || got.Victims[0].Name != "Melati Sari" || got.Victims[0].Education != "primary" ||
			got.Victims[0].Age == nil || *got.Victims[0].Age != 9 {
			t.Fatalf("victim after edit: %+v", got.Victims)
		}
		if got.Version != ver+1 {
			t.Fatalf("version %d, want %d", got.Version, ver+1)
		}
		h := fieldsOf(history(t, w, w.sc(w.peksos), c.ID))
		if len(h) != 4 || h["victim.name"].New != "Melati Sari" || h["victim.name"].Old != "" || h["victim.education"].New != "primary" ||
			h["victim.disabilities"].New != "physical" || h["victim.marital_status"].New != "unmarried" {
			t.Fatalf("history: %+v", h)
		}
		// A save that changes nothing writes nothing.
		if err := w.cs.EditVictim(ctx, w.sc(w.peksos), c.ID, vid, ver+1, func(v *domain.Victim) {}); err != nil {
			t.Fatal(err)
		}
		if v := version(t, w, c.ID); v != ver+1 {
			t.Fatalf("an empty save bumped the version to %d", v)
		}
		edits := 0
		for _, e := range got.Events {
			if e.Kind == "edit" {
				edits++
				if len(e.Changes) != 4 {
					t.Fatalf("event changes: %+v", e.Changes)
				}
			}
		}
		if edits != 1 {
			t.Fatalf("%d edit events", edits)
		}
		es, _ := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "case.edit", ObjectID: c.ID})
		if len(es) != 1 || !strings.Contains(es[0].Detail, "victim.name") || strings.Contains(es[0].Detail, "Melati") {
			t.Fatalf("audit: %+v", es)
		}
		// Another caseworker of the district sees the case masked.
		cw := mkUser(t, w.st, "cw-kec", domain.RoleCaseworker, "61.07.01")
		m := fieldsOf(history(t, w, w.sc(cw), c.ID))
		if n := m["victim.name"]; !n.Masked || n.New != "" || n.Old != "" {
			t.Fatalf("masked reader sees the name: %+v", n)
		}
		if ds := m["victim.disabilities"]; !ds.Masked || ds.New != "" {
			t.Fatalf("masked reader sees disabilities: %+v", ds)
		}
		if e := m["victim.education"]; e.Masked || e.New != "primary" {
			t.Fatalf("coded field hidden: %+v", e)
		}
		mc, _ := w.cs.GetCase(ctx, w.sc(cw), c.ID)
		for _, e := range mc.Events {
			for _, ch := range e.Changes {
				if strings.Contains(ch.New, "Melati") {
					t.Fatal("the timeline shows the name to a masked reader")
				}
			}
		}
		// ... and may not edit it.
		err = w.cs.EditVictim(ctx, w.sc(cw), c.ID, vid, ver+1, func(v *domain.Victim) { v.Name = "X" })
		if !domain.IsNotFound(err) {
			t.Fatalf("non-handler edits: %v", err)
		}
		// Viewing values is audited; the masked read is not a personal view.
		es, _ = w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "case.view_changes", ObjectID: c.ID})
		if len(es) != 1 {
			t.Fatalf("%d audited history views, want 1", len(es))
		}
	})
}

// Two editors read the same version; the second save is refused with a
// conflict and writes nothing.
func TestEditConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		_, c := w.report(t, "61.07.01.2001")
		ver := version(t, w, c.ID)
		if err := w.cs.EditCase(ctx, w.sc(w.peksos), c.ID, ver, func(f *cases.CaseFields) { f.Summary = "Versi peksos" }); err != nil {
			t.Fatal(err)
		}
		err := w.cs.EditCase(ctx, w.sc(w.satgas), c.ID, ver, func(f *cases.CaseFields) { f.Summary = "Versi satgas"; f.Place = "school" })
		if e, ok := domain.AsError(err); !ok || e.Code != domain.EConflict || e.Key != "case.err.stale" {
			t.Fatalf("second save: %v", err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.Summary != "Versi peksos" || got.Place != "" || got.Version != ver+1 {
			t.Fatalf("after conflict: %q %q %d", got.Summary, got.Place, got.Version)
		}
		if n := len(history(t, w, sys(), c.ID)); n != 1 {
			t.Fatalf("%d history rows", n)
		}
		// A closed case asks to be reopened first.
		if _, err := w.cs.Transition(ctx, w.sc(w.sup), c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"}); err != nil {
			t.Fatal(err)
		}
		err = w.cs.EditCase(ctx, w.sc(w.sup), c.ID, version(t, w, c.ID), func(f *cases.CaseFields) { f.Place = "school" })
		if e, ok := domain.AsError(err); !ok || e.Key != "case.err.closed_reopen" {
			t.Fatalf("edit closed case: %v", err)
		}
		// A missing version is a field error.
		if err := w.cs.EditCase(ctx, w.sc(w.sup), c.ID, 0, func(*cases.CaseFields) {}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("no version: %v", err)
		}
	})
}

// Raising the priority and adding sexual violence re-plans the unmet
// clocks from the report time and adds the police clock; a met clock
// stays as it was.
func TestEditReplansUnmetClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		rep, c := w.report(t, "61.07.01.2001")
		if err := w.cs.SetSLARule(ctx, sys(), domain.SLARule{Priority: domain.PriorityHigh, AckMinutes: 30, ResponseMinutes: 360}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(10 * time.Minute)
		if _, err := w.cs.Transition(ctx, w.sc(w.satgas), c.ID, domain.Transition{To: domain.StatusAcknowledged}); err != nil {
			t.Fatal(err)
		}
		before := deadlines(t, w, c.ID)
		err := w.cs.EditCase(ctx, w.sc(w.peksos), c.ID, version(t, w, c.ID), func(f *cases.CaseFields) {
			f.Priority = domain.PriorityHigh
			f.Types = append(f.Types, domain.VSexual)
		})
		if err != nil {
			t.Fatal(err)
		}
		after := deadlines(t, w, c.ID)
		if !after[domain.DeadlineAck].DueAt.Equal(before[domain.DeadlineAck].DueAt) || after[domain.DeadlineAck].MetAt == nil {
			t.Fatalf("met ack clock touched: %+v -> %+v", before[domain.DeadlineAck], after[domain.DeadlineAck])
		}
		if got := after[domain.DeadlineResponse].DueAt.Sub(rep.ReceivedAt); got != 6*time.Hour {
			t.Fatalf("response clock %v after the report, want 6h", got)
		}
		if got := after[domain.DeadlinePolice].DueAt.Sub(rep.ReceivedAt); got != domain.PoliceReportWindow {
			t.Fatalf("police clock %v", got)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.NextDueAt == nil || !got.NextDueAt.Equal(after[domain.DeadlineResponse].DueAt) {
			t.Fatalf("next due %v", got.NextDueAt)
		}
		// The record and the inbox show the types as edited, sorted, as
		// the case_types rows hold them.
		var stored []string
		rows, err := w.st.QueryContext(ctx, `SELECT type FROM case_types WHERE case_id = $1`, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ty string
			if err := rows.Scan(&ty); err != nil {
				t.Fatal(err)
			}
			stored = append(stored, ty)
		}
		rows.Close()
		slices.Sort(stored)
		if len(stored) < 2 || !slices.Contains(stored, string(domain.VSexual)) || fmt.Sprint(got.Types) != fmt.Sprint(stored) {
			t.Fatalf("record types %v, stored %v", got.Types, stored)
		}
		list, _, err := w.cs.ListCases(ctx, sys(), domain.CaseFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, lc := range list {
			if lc.ID == c.ID && fmt.Sprint(lc.Types) != fmt.Sprint(stored) {
				t.Fatalf("inbox types %v, stored %v", lc.Types, stored)
			}
			// The village's name, filled from the region cache, is the
			// case record's (joined there).
			if rec, err := w.cs.GetCase(ctx, sys(), lc.ID); err != nil || lc.RegionName == "" || lc.RegionName != rec.RegionName {
				t.Fatalf("inbox names %s's village %q, the record %q (%v)", lc.RegionCode, lc.RegionName, rec.RegionName, err)
			}
		}
		h := fieldsOf(history(t, w, sys(), c.ID))
		if h["case.priority"].Old != "medium" || h["case.priority"].New != "high" || !strings.Contains(h["case.types"].New, "sexual") {
			t.Fatalf("history %+v", h)
		}
		var fire time.Time
		if err := w.st.QueryRowContext(ctx, `SELECT e.fire_at FROM escalations e JOIN deadlines d ON d.id = e.deadline_id
			WHERE d.subject_id = $1 AND d.kind = 'response' ORDER BY e.step DESC LIMIT 1`, c.ID).Scan(&fire); err != nil {
			t.Fatal(err)
		}
		if !fire.UTC().Equal(after[domain.DeadlineResponse].DueAt) {
			t.Fatalf("escalation not re-planned: %v", fire)
		}
	})
}

func deadlines(t *testing.T, w *casesWorld, id string) map[domain.DeadlineKind]domain.Deadline {
	t.Helper()
	c, err := w.cs.GetCase(ctx, sys(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[domain.DeadlineKind]domain.Deadline{}
	for _, d := range c.Deadlines {
		out[d.Kind] = d
	}
	return out
}

// Perpetrators and services are edited and removed with a reason; a
// removed record leaves the case but its values and the reason stay in the
// history.
func TestEditAndRemoveDetails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		_, c := w.report(t, "61.07.01.2001")
		pk := w.sc(w.peksos)
		if err := w.cs.AddDetail(ctx, pk, c.ID, cases.CaseDetail{Perpetrator: &domain.Perpetrator{Name: "Budi", Relation: "step_parent"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.cs.AddDetail(ctx, pk, c.ID, cases.CaseDetail{Service: &domain.Service{Type: "health", Provider: "Puskesmas",
			VictimID: c.Victims[0].ID}}); err != nil {
			t.Fatal(err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		pid, sid := got.Perpetrators[0].ID, got.Services[0].ID
		if err := w.cs.EditPerpetrator(ctx, pk, c.ID, pid, got.Version, func(p *domain.Perpetrator) {
			p.Education, p.Occupation = "senior", "farmer_fisher"
		}); err != nil {
			t.Fatal(err)
		}
		err := w.cs.EditService(ctx, pk, c.ID, sid, got.Version+1, func(s *domain.Service) { s.EndedOn, s.Outcome = "2099-01-01", "Pulih" })
		if err != nil {
			t.Fatal(err)
		}
		err = w.cs.EditService(ctx, pk, c.ID, sid, got.Version+2, func(s *domain.Service) { s.EndedOn = "1999-01-01" })
		if f, _ := domain.AsError(err); f == nil || f.Fields["ended_on"].Key == "" {
			t.Fatalf("ended before given: %v", err)
		}
		if err := w.cs.RemoveDetail(ctx, pk, c.ID, "perpetrator", pid, got.Version+2, ""); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("removal without a reason: %v", err)
		}
		if err := w.cs.RemoveDetail(ctx, pk, c.ID, "perpetrator", pid, got.Version+2, "Salah input, pelaku lain"); err != nil {
			t.Fatal(err)
		}
		if err := w.cs.RemoveDetail(ctx, pk, c.ID, "victim", c.Victims[0].ID, got.Version+3, "Korban tercatat dua kali"); err != nil {
			t.Fatal(err)
		}
		after, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if len(after.Perpetrators) != 0 || len(after.Victims) != 0 || len(after.Services) != 1 || after.Services[0].VictimID != "" {
			t.Fatalf("after removal: %d perpetrators, %d victims, %+v", len(after.Perpetrators), len(after.Victims), after.Services)
		}
		h := history(t, w, sys(), c.ID)
		var removedName, reason, svcRef bool
		for _, ch := range h {
			removedName = removedName || (ch.Entity == "perpetrator" && ch.Field == "name" && ch.Old == "Budi" && ch.New == "")
			reason = reason || (ch.Field == domain.ChangeRemoved && ch.New == "Salah input, pelaku lain")
			svcRef = svcRef || (ch.Entity == "service" && ch.Field == "victim_id" && ch.New == "")
		}
		if !removedName || !reason || !svcRef {
			t.Fatalf("history of removals: %+v", h)
		}
		for _, a := range []string{"case.remove_perpetrator", "case.remove_victim"} {
			if es, _ := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: a, ObjectID: c.ID}); len(es) != 1 {
				t.Fatalf("%s audited %d times", a, len(es))
			}
		}
		// Another case's record is not found through this case.
		_, c2 := w.report(t, "61.07.01.2001")
		err = w.cs.EditService(ctx, pk, c2.ID, sid, version(t, w, c2.ID), func(s *domain.Service) { s.Note = "x" })
		if !domain.IsNotFound(err) {
			t.Fatalf("service of another case: %v", err)
		}
	})
}
