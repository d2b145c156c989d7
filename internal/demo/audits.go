package demo

import (
	"context"
	"time"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// LoadAudits writes the Bengkayang children's forum's audits: two
// playgrounds (RBRA) and two puskesmas (PRA), submitted last month with
// findings for their agencies, whose actions are in every state — open,
// answered by the agency, closed by the children's re-check, closed by the
// facilitator with a reason. Call it after LoadKLA (the agencies). It
// returns how many audits it wrote.
func LoadAudits(ctx context.Context, st *store.Store) (int, error) {
	now := time.Now().UTC()
	// The first audits were 40 days ago: their open actions are overdue.
	clk := &clock{t: now.AddDate(0, 0, -40)}
	hst := st.WithClock(clk.now)
	au := audits.New(hst)
	sys := access.System("demo")
	team := []audits.TeamMember{{FirstName: "Ayu", Age: 12, Forum: "Forum Anak Bengkayang (demo)"},
		{FirstName: "Budi", Age: 14, Forum: "Forum Anak Bengkayang (demo)"}, {FirstName: "Citra", Age: 16, Forum: "Forum Anak Bengkayang (demo)"}}
	type fac struct {
		kind, name, agency string
		fail               []string
	}
	facs := []fac{
		{domain.FacilityRBRA, "Taman Bermain Alun-Alun Bengkayang (demo)", "dpupr", []string{"alas_peredam", "toilet_bersih"}},
		{domain.FacilityRBRA, "RBRA Kelurahan Sebalo (demo)", "dpupr", []string{"p3k"}},
		{domain.FacilityPRA, "Puskesmas Bengkayang (demo)", "dinkes", []string{"ruang_konseling", "ruang_laktasi"}},
		{domain.FacilityPRA, "Puskesmas Ledo (demo)", "dinkes", []string{"kawasan_tanpa_rokok"}},
	}
	n := 0
	var rbra string
	for i, f := range facs {
		fc, err := au.CreateFacility(ctx, sys, domain.Facility{Kind: f.kind, Name: f.name, RegionCode: Region, Agency: f.agency})
		if err != nil {
			return n, err
		}
		a, err := au.PlanAudit(ctx, sys, fc.ID, clk.now().Format("2006-01-02"), team, "")
		if err != nil {
			return n, err
		}
		t, err := au.Template(ctx, f.kind, 0)
		if err != nil {
			return n, err
		}
		if err := au.SaveAnswers(ctx, sys, a.ID, demoAnswers(t, f.fail)); err != nil {
			return n, err
		}
		if _, err := au.Submit(ctx, sys, a.ID); err != nil {
			return n, err
		}
		n++
		if i == 0 {
			rbra = a.ID
		}
	}
	acts, err := au.Actions(ctx, sys, "")
	if err != nil {
		return n, err
	}
	clk.set(now.AddDate(0, 0, -10))
	for _, x := range acts {
		switch x.Item {
		case "alas_peredam", "toilet_bersih", "ruang_laktasi":
			if err := au.Respond(ctx, sys, x.ID, "Sudah diperbaiki; mohon diperiksa ulang (demo)"); err != nil {
				return n, err
			}
		case "p3k":
			if err := au.Override(ctx, sys, x.ID, "Kotak P3K sudah dipasang, dicek fasilitator di lokasi (demo)"); err != nil {
				return n, err
			}
		}
	}
	// The children re-check the first playground: the mat is fixed, the
	// toilet is not yet.
	clk.set(now.AddDate(0, 0, -3))
	var fid string
	for _, x := range acts {
		if x.AuditID == rbra {
			fid = x.FacilityID
		}
	}
	re, err := au.PlanAudit(ctx, sys, fid, clk.now().Format("2006-01-02"), team[:2], rbra)
	if err != nil {
		return n, err
	}
	t, err := au.Template(ctx, domain.FacilityRBRA, 0)
	if err != nil {
		return n, err
	}
	if err := au.SaveAnswers(ctx, sys, re.ID, demoAnswers(t, []string{"toilet_bersih"})); err != nil {
		return n, err
	}
	if _, err := au.Submit(ctx, sys, re.ID); err != nil {
		return n, err
	}
	return n + 1, nil
}

// demoAnswers answers every item well except those in fail, with the
// children's ratings a little lower than the official answers and lowest
// (with a note) where the item fails.
func demoAnswers(t domain.AuditTemplate, fail []string) []audits.Answer {
	out := audits.AnswerAll(t, 4, fail...)
	bad := map[string]bool{}
	for _, f := range fail {
		bad[f] = true
	}
	for i := range out {
		if bad[out[i].Item] {
			out[i].ChildRating = 1
			out[i].Note = "Anak-anak menilai ini perlu diperbaiki (demo)"
		}
	}
	return out
}
