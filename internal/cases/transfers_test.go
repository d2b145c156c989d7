package cases_test

import (
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A transfer moves the case and its history to the receiving regency;
// access follows the new region; the sending side keeps read-only access
// to what it recorded; a third region sees nothing; refused steps change
// nothing.
func TestTransferMovesCaseAndAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk, sup := w.sc(w.peksos), w.sc(w.sup)
		if err := w.cs.AddDetail(ctx, pk, c.ID, casesDetailNote("Catatan sebelum pindah")); err != nil {
			t.Fatal(err)
		}
		// The receiving regency (61.08) and a third one (61.09).
		sup2 := mkUser(t, w.st, "sup-sambas", domain.RoleSupervisor, "61.01")
		cw2 := mkUser(t, w.st, "peksos-sambas", domain.RoleCaseworker, "61.01")
		sup3 := mkUser(t, w.st, "sup-lain", domain.RoleSupervisor, "61.02")
		_, err := w.cs.RequestTransfer(ctx, pk, c.ID, "61.07.02", "Keluarga pindah")
		wantCode(t, err, domain.EInvalid, "a transfer inside the regency")
		_, err = w.cs.RequestTransfer(ctx, pk, c.ID, "61.01", "")
		wantCode(t, err, domain.EInvalid, "a transfer without a reason")
		_, err = w.cs.RequestTransfer(ctx, w.sc(sup2), c.ID, "61.01", "x")
		wantCode(t, err, domain.ENotFound, "a transfer asked by the receiving side")
		tr, err := w.cs.RequestTransfer(ctx, pk, c.ID, "61.01", "Keluarga pindah ke Sambas")
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.cs.RequestTransfer(ctx, pk, c.ID, "61.02", "lagi")
		wantCode(t, err, domain.EConflict, "a second pending transfer")
		in, _ := w.cs.ListTransfers(ctx, w.sc(sup2), casesTransferIn())
		if len(in) != 1 || in[0].ID != tr.ID {
			t.Fatalf("incoming transfers: %+v", in)
		}
		wantCode(t, w.cs.DecideTransfer(ctx, sup, tr.ID, true, "", ""), domain.ENotFound, "the sender accepts")
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(sup3), tr.ID, true, "", ""), domain.ENotFound, "a third region accepts")
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(cw2), tr.ID, true, "", ""), domain.ENotFound, "a caseworker accepts")
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(sup2), tr.ID, true, "61.07.01", ""), domain.EInvalid, "accept into the sender's region")
		if err := w.cs.DecideTransfer(ctx, w.sc(sup2), tr.ID, true, "61.01.01", "Diterima"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(sup2), tr.ID, true, "", ""), domain.EConflict, "accepted twice")
		// The receiving side sees and works it, with its history.
		got, err := w.cs.GetCase(ctx, w.sc(sup2), c.ID)
		if err != nil || got.RegionCode != "61.01.01" || got.ReadOnly || got.RespondedAt != nil || got.AssigneeID != "" {
			t.Fatalf("received case: %+v %v", got.RegionCode, err)
		}
		notes := 0
		for _, e := range got.Events {
			if e.Kind == "note" && e.Note == "Catatan sebelum pindah" {
				notes++
			}
		}
		if notes != 1 {
			t.Fatal("history did not move with the case")
		}
		w.clk.Advance(time.Minute)
		if _, err := w.cs.AddAssessment(ctx, w.sc(sup2), c.ID, domain.NewAssessment{AssessedOn: "2026-03-02", Risk: domain.RiskMedium}); err != nil {
			t.Fatalf("receiving supervisor works the case: %v", err)
		}
		if err := w.cs.AddDetail(ctx, w.sc(sup2), c.ID, cases.CaseDetail{Service: &domain.Service{Type: "health", Provider: "RSUD Sambas",
			GivenOn: "2026-03-02"}}); err != nil {
			t.Fatal(err)
		}
		// The sending side: read-only, as it was when it left.
		old, err := w.cs.GetCase(ctx, sup, c.ID)
		if err != nil || !old.ReadOnly {
			t.Fatalf("sending supervisor: %v %v", old.ReadOnly, err)
		}
		for _, sv := range old.Services {
			if sv.Provider == "RSUD Sambas" {
				t.Fatal("the sending side sees a service the receiving side added after the move")
			}
		}
		if now, _ := w.cs.GetCase(ctx, w.sc(sup2), c.ID); len(now.Services) != len(old.Services)+1 {
			t.Fatalf("receiving side's services %d, sending side's %d", len(now.Services), len(old.Services))
		}
		for _, e := range old.Events {
			if e.Kind == "assessment" {
				t.Fatal("the sending side sees what the receiving side recorded after the move")
			}
		}
		_, err = w.cs.Transition(ctx, sup, c.ID, domain.Transition{To: domain.StatusClosed, Note: "x"})
		wantCode(t, err, domain.ENotFound, "the sending side changes the moved case")
		wantCode(t, w.cs.AddDetail(ctx, pk, c.ID, casesDetailNote("x")), domain.ENotFound, "the sending caseworker adds a note")
		if list, _, _ := w.cs.ListCases(ctx, sup, domain.CaseFilter{}); len(list) != 0 {
			t.Fatalf("the moved case is still in the sender's inbox: %d", len(list))
		}
		if _, err := w.cs.GetCase(ctx, w.sc(sup3), c.ID); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("a third region reads the case: %v", err)
		}
		// Reject and cancel change nothing else.
		_, c2 := w.report(t, "61.07.01.2001")
		tr2, err := w.cs.RequestTransfer(ctx, sup, c2.ID, "61.01", "Keluarga pindah")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(sup2), tr2.ID, false, "", ""), domain.EInvalid, "reject without a reason")
		if err := w.cs.DecideTransfer(ctx, w.sc(sup2), tr2.ID, false, "", "Alamat tidak di wilayah kami"); err != nil {
			t.Fatal(err)
		}
		back, _ := w.cs.GetCase(ctx, sys(), c2.ID)
		if back.RegionCode != "61.07.01.2001" || back.Status != c2.Status {
			t.Fatalf("rejected transfer moved the case: %s %s", back.RegionCode, back.Status)
		}
		tr3, err := w.cs.RequestTransfer(ctx, sup, c2.ID, "61.01", "Lagi")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.CancelTransfer(ctx, sup, tr3.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.DecideTransfer(ctx, w.sc(sup2), tr3.ID, true, "", ""), domain.EConflict, "accept a cancelled transfer")
	})
}
