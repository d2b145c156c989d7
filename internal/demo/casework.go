package demo

import (
	"context"
	"math/rand"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// The demo's case management after the first contact: for about half the
// served cases an assessment and a case plan submitted for approval (now
// and then returned, changed and approved), actions done, follow-up visits
// made and planned; some closures and reopenings waiting for the
// supervisor. Drawn from each case's own source, so the main sequence of
// draws (and the rest of the demo) stays as it was.

// scheduleCasework plans c's casework events with step (which skips them
// when the case has no responder).
func (h *history) scheduleCasework(ctx context.Context, c demoCase, run *caseRun, step func(time.Duration, func() error), closes bool, end time.Time) {
	rng := rand.New(rand.NewSource(int64(c.i) + 1299709))
	if rng.Intn(2) != 0 {
		return
	}
	returned := rng.Intn(5) == 0
	risk := domain.RiskLevels[rng.Intn(len(domain.RiskLevels))]
	day := func() string { return h.clk.now().In(domain.WIB).Format("2006-01-02") }
	after := func(d time.Duration) string { return h.clk.now().Add(d).In(domain.WIB).Format("2006-01-02") }
	t0 := c.respAfter + 26*time.Hour
	step(t0, func() error {
		needs := []domain.AssessmentNeed{{Domain: "safety", Level: "urgent", Note: "Anak perlu tempat aman sementara (demo)"},
			{Domain: "health", Level: "some"}, {Domain: "psychosocial", Level: "some", Note: "Anak tampak takut dan murung (demo)"},
			{Domain: "education", Level: []string{"none", "some"}[rng.Intn(2)]}}
		if _, err := h.hs.AddAssessment(ctx, run.responder, run.caseID, domain.NewAssessment{AssessedOn: day(), Risk: risk, Needs: needs,
			Summary: "Asesmen awal bersama keluarga (demo)"}); err != nil {
			return err
		}
		h.res.Assessments++
		for _, a := range []domain.NewPlanAction{
			{Domain: "safety", Goal: "Anak aman dari pelaku (demo)", Action: "Tempatkan anak di rumah kerabat yang aman (demo)",
				ResponsibleUserID: run.responder.UserID, DueOn: after(3 * 24 * time.Hour)},
			{Domain: "health", Goal: "Kesehatan anak diperiksa (demo)", Action: "Dampingi anak ke puskesmas (demo)",
				ResponsibleOrg: "Puskesmas (demo)", DueOn: after(7 * 24 * time.Hour)},
			{Domain: "psychosocial", Goal: "Anak pulih dari trauma (demo)", Action: "Konseling dengan psikolog UPTD PPA (demo)",
				ResponsibleOrg: "UPTD PPA Bengkayang", DueOn: after(time.Duration(14+rng.Intn(30)) * 24 * time.Hour)},
		} {
			if _, err := h.hs.AddPlanAction(ctx, run.responder, run.caseID, a); err != nil {
				return err
			}
		}
		_, err := h.hs.SubmitPlan(ctx, run.responder, run.caseID, "Mohon persetujuan rencana (demo)")
		return err
	})
	decide := func(approve bool, comment string) func() error {
		return func() error {
			list, err := h.hs.ListApprovals(ctx, h.sup, cases.ApprovalFilter{Status: domain.ApprovalPending, Kind: domain.ApprovePlan})
			if err != nil {
				return err
			}
			for _, a := range list {
				if a.CaseID == run.caseID {
					if err := h.hs.DecideApproval(ctx, h.sup, a.ID, approve, comment); err != nil {
						return err
					}
					if approve {
						h.res.PlansApproved++
					}
				}
			}
			return nil
		}
	}
	t1 := t0 + 20*time.Hour
	if returned {
		step(t1, decide(false, "Tambahkan tindakan pendampingan hukum (demo)"))
		t1 += 24 * time.Hour
		step(t1-4*time.Hour, func() error {
			if _, err := h.hs.AddPlanAction(ctx, run.responder, run.caseID, domain.NewPlanAction{Domain: "legal",
				Goal: "Proses hukum berjalan (demo)", Action: "Dampingi pelaporan ke Unit PPA Polres (demo)", ResponsibleOrg: "Unit PPA Polres (demo)",
				DueOn: after(10 * 24 * time.Hour)}); err != nil {
				return err
			}
			_, err := h.hs.SubmitPlan(ctx, run.responder, run.caseID, "Sudah ditambah (demo)")
			return err
		})
	}
	step(t1, decide(true, ""))
	step(t1+48*time.Hour, func() error {
		cw, err := h.hs.GetCasework(ctx, h.sys, run.caseID)
		if err != nil || cw.Plan == nil || len(cw.Plan.Actions) == 0 {
			return err
		}
		if err := h.hs.SetActionStatus(ctx, run.responder, run.caseID, cw.Plan.Actions[0].ID, domain.ActionDone,
			"Anak tinggal bersama nenek (demo)"); err != nil {
			return err
		}
		_, err = h.hs.ScheduleVisit(ctx, run.responder, run.caseID, after(5*24*time.Hour), "", cw.Plan.Actions[1].ID)
		return err
	})
	step(t1+(5*24+30)*time.Hour, func() error {
		cw, err := h.hs.GetCasework(ctx, h.sys, run.caseID)
		if err != nil {
			return err
		}
		for _, v := range cw.Visits {
			if v.Status == domain.VisitPlanned && rng.Intn(4) != 0 {
				if _, err := h.hs.RecordVisit(ctx, run.responder, run.caseID, v.ID, domain.VisitRecord{Status: domain.VisitDone,
					VisitedOn: v.PlannedOn, Outcome: "Anak sehat dan bersekolah lagi (demo)", NextOn: after(14 * 24 * time.Hour)}); err != nil {
					return err
				}
				h.res.Visits++
			}
		}
		return nil
	})
	if !closes && rng.Intn(3) == 0 {
		step(t1+20*24*time.Hour, func() error {
			_, err := h.hs.RequestClosure(ctx, run.responder, run.caseID, "Tujuan rencana tercapai, anak aman (demo)")
			return err
		})
	}
	if closes && rng.Intn(8) == 0 {
		step(c.closeAfter+72*time.Hour, func() error {
			_, err := h.hs.RequestReopen(ctx, run.responder, run.caseID, "Tetangga melapor anak kembali dipukul (demo)", true)
			return err
		})
	}
}
