package demo

import (
	"context"
	"math/rand"
	"time"

	"lindu/internal/access"
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
	h.scheduleReferral(ctx, c, run, step, t1+2*time.Hour, rng)
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
	if !closes && rng.Intn(12) == 0 {
		// The family moved to the neighbouring regency: a transfer asked,
		// sometimes declined there (its office's answer, written here by
		// lindu's demo).
		reject := rng.Intn(2) == 0
		step(t1+10*24*time.Hour, func() error {
			tr, err := h.hs.RequestTransfer(ctx, run.responder, run.caseID, "61.01", "Keluarga pindah ke Kabupaten Sambas (demo)")
			if err != nil || !reject {
				return err
			}
			return h.hs.DecideTransfer(ctx, h.sys, tr.ID, false, "", "Alamat keluarga belum dapat dipastikan di wilayah kami (demo)")
		})
	}
	if closes && rng.Intn(8) == 0 {
		step(c.closeAfter+72*time.Hour, func() error {
			_, err := h.hs.RequestReopen(ctx, run.responder, run.caseID, "Tetangga melapor anak kembali dipukul (demo)", true)
			return err
		})
	}
}

// demoProviders are invented service providers of the regency; the
// numbers are not in service.
var demoProviders = []domain.Provider{
	{Name: "Puskesmas Sungai Raya (demo)", Kind: "health", Services: []string{"health", "psychosocial"}, Contact: "dr. Lestari (demo)", Phone: "+628129000101"},
	{Name: "Unit PPA Polres Bengkayang (demo)", Kind: "police", Services: []string{"law_enforcement"}, Contact: "Ipda Yosef (demo)", Phone: "+628129000102"},
	{Name: "LBH Bengkayang (demo)", Kind: "legal_aid", Services: []string{"legal_aid"}, Contact: "Agus S.H. (demo)", Phone: "+628129000103"},
	{Name: "Psikolog Klinis UPTD PPA (demo)", Kind: "psychologist", Services: []string{"psychosocial"}, Contact: "Ruth, M.Psi. (demo)"},
}

// addProviders registers the demo's providers and binds the puskesmas
// account to the first.
func (h *history) addProviders(ctx context.Context, byName map[string]domain.User) error {
	for _, p := range demoProviders {
		p.RegionCode = Region
		saved, err := h.hs.SaveProvider(ctx, h.sys, p)
		if err != nil {
			return err
		}
		h.providers = append(h.providers, saved)
	}
	if u, ok := byName["puskesmas"]; ok {
		if err := h.hs.LinkProviderAccount(ctx, h.sys, u.ID, h.providers[0].ID); err != nil {
			return err
		}
		h.pkmStaff = access.ForUser(u, "10.0.0.5", "demo")
	}
	return nil
}

// scheduleReferral plans, for a case with a plan, consent and a referral
// to the puskesmas or the police, and the provider's answer: accepted then
// done (by SMS or the provider's account), declined, unanswered, revoked.
func (h *history) scheduleReferral(ctx context.Context, c demoCase, run *caseRun, step func(time.Duration, func() error), at time.Duration, rng *rand.Rand) {
	fate := rng.Intn(10)
	var rf domain.Referral
	step(at, func() error {
		if len(h.providers) < 2 {
			return nil
		}
		consent := domain.NewConsent{Basis: domain.BasisGuardian, GivenBy: "Ibu kandung anak (demo)", Relation: "mother",
			GivenOn: h.clk.now().In(domain.WIB).Format("2006-01-02")}
		if c.vt == domain.VSexual {
			consent = domain.NewConsent{Basis: domain.BasisLegal, GivenBy: "UU 12/2022 TPKS Pasal 42 (demo)", GivenOn: consent.GivenOn}
		}
		con, err := h.hs.RecordConsent(ctx, run.responder, run.caseID, consent)
		if err != nil {
			return err
		}
		nr := domain.NewReferral{ProviderID: h.providers[0].ID, Service: "health", Urgency: "urgent",
			Reason: "Pemeriksaan kesehatan dan visum anak (demo)", ConsentID: con.ID}
		if c.vt == domain.VSexual {
			nr = domain.NewReferral{ProviderID: h.providers[1].ID, Service: "law_enforcement", Urgency: "urgent",
				Reason: "Pendampingan laporan polisi (demo)", ConsentID: con.ID}
		}
		rf, err = h.hs.Refer(ctx, run.responder, run.caseID, nr)
		if err == nil {
			h.res.Referrals++
		}
		if fate == 9 {
			_ = h.hs.WithdrawConsent(ctx, run.responder, run.caseID, con.ID, "Keluarga menarik persetujuan (demo)")
		}
		return err
	})
	answer := func(to domain.ReferralStatus, reason string) func() error {
		return func() error {
			if rf.ID == "" {
				return nil
			}
			who := h.pkmStaff
			if rf.ProviderID != h.providers[0].ID || who.UserID == "" || rng.Intn(2) == 0 {
				// The provider answered by phone: the worker records it.
				who = run.responder
			}
			_, err := h.hs.AnswerReferral(ctx, who, rf.ID, cases.ReferralAnswer{To: to, Reason: reason})
			return err
		}
	}
	switch {
	case fate < 6:
		step(at+3*time.Hour, answer(domain.ReferralAccepted, ""))
		step(at+50*time.Hour, answer(domain.ReferralDone, ""))
	case fate == 6:
		step(at+5*time.Hour, answer(domain.ReferralDeclined, "Dokter jaga tidak ada, rujuk ke RSUD (demo)"))
	case fate == 7:
		step(at+2*time.Hour, func() error {
			if rf.ID == "" {
				return nil
			}
			return h.hs.RevokeReferral(ctx, run.responder, run.caseID, rf.ID, "Anak sudah dibawa keluarga ke RSUD (demo)")
		})
	}
	// fate 8, 9: unanswered, escalated at its due time.
}
