package audits_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

// answerAll answers every item of t well except those in fail, the
// children rating each 4.
func answerAll(t domain.AuditTemplate, fail ...string) []audits.Answer {
	return audits.AnswerAll(t, 4, fail...)
}

// The loop on both databases: a forum's audit of a playground finds a
// failed mandatory item and a failed one (predicate "belum memenuhi");
// each becomes an action for the playground's agency; the operator of
// another agency sees none of them and cannot answer; the owning agency
// answers; the children's re-check closes what now passes, the rest stays;
// a facilitator closes one with a reason. Editing the template leaves the
// first audit's stored score; new audits use version 2. The team is first
// names only, sealed.
func TestAuditLoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		sys := access.System("test")
		if err := kla.UpsertAgencies(ctx, st, sys, []domain.KLAAgency{{Code: "dlh", Name: "Dinas Lingkungan Hidup", Kind: "opd"},
			{Code: "dinkes", Name: "Dinas Kesehatan", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		fas := access.ForUser(storetest.User(t, st, "fasilitator", domain.RoleFacilitator, "61.07"), "", "t")
		admin := access.ForUser(storetest.User(t, st, "adminkab", domain.RoleAdmin, "61.07"), "", "t")
		dlhU := storetest.User(t, st, "operatordlh", domain.RoleOPDOperator, "61.07")
		dinkesU := storetest.User(t, st, "operatordinkes", domain.RoleOPDOperator, "61.07")
		for u, ag := range map[string]string{dlhU.ID: "dlh", dinkesU.ID: "dinkes"} {
			if err := kla.SetUserAgency(ctx, st, sys, u, ag); err != nil {
				t.Fatal(err)
			}
		}
		dlh, dinkes := access.ForUser(dlhU, "", "t"), access.ForUser(dinkesU, "", "t")
		au := audits.New(st)
		f, err := au.CreateFacility(ctx, fas, domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Bermain Alun-Alun", RegionCode: "61.07", Agency: "dlh"})
		if err != nil {
			t.Fatal(err)
		}
		team := []audits.TeamMember{{FirstName: "Ayu", Age: 12, Forum: "Forum Anak Bengkayang"}, {FirstName: "Budi", Age: 14, Forum: "Forum Anak Bengkayang"}}
		if _, err := au.PlanAudit(ctx, fas, f.ID, "2026-11-10", []audits.TeamMember{{FirstName: "Ayu Lestari", Age: 12, Forum: "FA"}}, ""); err == nil {
			t.Fatal("a child's surname was accepted")
		}
		a, err := au.PlanAudit(ctx, fas, f.ID, "2026-11-10", team, "")
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := au.Template(ctx, domain.FacilityRBRA, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := au.SaveAnswers(ctx, fas, a.ID, answerAll(tpl, "alas_peredam", "toilet_bersih")[:5]); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(ctx, fas, a.ID); err == nil {
			t.Fatal("submitted with items unanswered")
		}
		if err := au.SaveAnswers(ctx, fas, a.ID, answerAll(tpl, "alas_peredam", "toilet_bersih")); err != nil {
			t.Fatal(err)
		}
		score, err := au.Submit(ctx, fas, a.ID)
		if err != nil || score.Predicate != "belum memenuhi" || len(score.MandatoryFailed) != 1 || len(score.Findings) != 2 {
			t.Fatalf("score %+v %v", score, err)
		}
		if got, _ := au.Actions(ctx, dinkes, ""); len(got) != 0 {
			t.Fatalf("another agency sees %d actions", len(got))
		}
		acts, err := au.Actions(ctx, dlh, "")
		if err != nil || len(acts) != 2 {
			t.Fatalf("the agency's actions: %+v %v", acts, err)
		}
		if err := au.Respond(ctx, dinkes, acts[0].ID, "sudah diperbaiki"); !domain.IsNotFound(err) {
			t.Fatalf("another agency answered: %v", err)
		}
		for _, x := range acts {
			if err := au.Respond(ctx, dlh, x.ID, "Alas karet dipasang; toilet dibersihkan"); err != nil {
				t.Fatal(err)
			}
		}
		// The template changes (a new item) after the audit.
		tpl2 := tpl
		tpl2.Sections = append(append([]domain.AuditSection{}, tpl.Sections...), domain.AuditSection{Key: "baru", Label: "Baru",
			Items: []domain.AuditItem{{Key: "cctv", Label: "CCTV", Type: domain.AnswerYesNo, Points: 10, Weight: 2}}})
		if _, err := au.SaveTemplate(ctx, fas, tpl2); err == nil {
			t.Fatal("a facilitator edited the template")
		}
		if saved, err := au.SaveTemplate(ctx, admin, tpl2); err != nil || saved.Version != 2 {
			t.Fatalf("save template: %+v %v", saved.Version, err)
		}
		first, err := au.GetAudit(ctx, fas, a.ID)
		if err != nil || first.TemplateVersion != 1 || first.Score == nil || first.Score.Percent != score.Percent ||
			first.Score.Scored != score.Scored || first.Score.Reachable != score.Reachable || first.Score.Reachable == 0 ||
			len(first.Score.Sections) == 0 || first.Score.Sections[0].Reachable != score.Sections[0].Reachable || first.Score.Sections[0].Answered == 0 {
			t.Fatalf("the first audit after the template changed: %+v %v", first.Score, err)
		}
		// The children's re-check: the mat is fixed, the toilet not yet.
		re, err := au.PlanAudit(ctx, fas, f.ID, "2026-12-01", team[:1], a.ID)
		if err != nil || re.TemplateVersion != 2 {
			t.Fatalf("re-check: %+v %v", re.TemplateVersion, err)
		}
		if err := au.SaveAnswers(ctx, fas, re.ID, answerAll(tpl2, "toilet_bersih")); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(ctx, fas, re.ID); err != nil {
			t.Fatal(err)
		}
		state := map[string]string{}
		all, _ := au.Actions(ctx, fas, "")
		for _, x := range all {
			if x.AuditID == a.ID {
				state[x.Item] = x.Status
			}
		}
		if state["alas_peredam"] != audits.ActionClosed || state["toilet_bersih"] != audits.ActionAnswered {
			t.Fatalf("after the re-check: %v", state)
		}
		var toilet string
		for _, x := range all {
			if x.AuditID == a.ID && x.Item == "toilet_bersih" {
				toilet = x.ID
			}
		}
		if err := au.Override(ctx, fas, toilet, " "); err == nil {
			t.Fatal("an override without a reason")
		}
		if err := au.Override(ctx, fas, toilet, "Toilet diganti bangunan baru, dicek fasilitator"); err != nil {
			t.Fatal(err)
		}
		// The children: first names only, sealed.
		var raw string
		if err := st.QueryRowContext(ctx, `SELECT team_enc FROM audits WHERE id = $1`, a.ID).Scan(&raw); err != nil || strings.Contains(raw, "Ayu") {
			t.Fatalf("the team is not sealed: %v", err)
		}
		if got, _ := au.GetAudit(ctx, fas, a.ID); len(got.Team) != 2 || got.Team[0].FirstName != "Ayu" {
			t.Fatalf("team %+v", got.Team)
		}
	})
}

// F-T5: reminders 7 days and 1 day before the due date and 1 day after
// are queued once each, even when the job runs twice, and a missed day is
// caught up (only the latest reminder whose day has come).
func TestActionReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
		sys := access.System("test")
		if err := kla.UpsertAgencies(ctx, st, sys, []domain.KLAAgency{{Code: "dlh", Name: "DLH", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		op := storetest.User(t, st, "operatordlh", domain.RoleOPDOperator, "61.07")
		if err := kla.SetUserAgency(ctx, st, sys, op.ID, "dlh"); err != nil {
			t.Fatal(err)
		}
		au := audits.New(st)
		f, err := au.CreateFacility(ctx, sys, domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Kota", RegionCode: "61.07", Agency: "dlh"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := au.PlanAudit(ctx, sys, f.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Citra", Age: 11, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		tpl, _ := au.Template(ctx, domain.FacilityRBRA, 0)
		if err := au.SaveAnswers(ctx, sys, a.ID, answerAll(tpl, "p3k")); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(ctx, sys, a.ID); err != nil {
			t.Fatal(err)
		}
		sent := func() []string {
			rows, err := st.QueryContext(ctx, `SELECT idempotency_key FROM outbox WHERE recipient_user_id = $1 ORDER BY idempotency_key`, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					t.Fatal(err)
				}
				out = append(out, k[strings.LastIndex(k[:strings.LastIndex(k, ":")], ":")+1:strings.LastIndex(k, ":")])
			}
			return out
		}
		run := func() {
			for range 2 {
				if _, err := au.RemindActions(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Due 1 Dec. 23 Nov: nothing yet.
		clk.Advance(22 * 24 * time.Hour)
		run()
		if got := sent(); len(got) != 0 {
			t.Fatalf("23 Nov: %v", got)
		}
		clk.Advance(24 * time.Hour) // 24 Nov: D-7
		run()
		if got := strings.Join(sent(), ","); got != "d-7" {
			t.Fatalf("24 Nov: %s", got)
		}
		clk.Advance(8 * 24 * time.Hour) // 2 Dec: D-1 was missed; D+1 is due
		run()
		if got := strings.Join(sent(), ","); got != "d+1,d-7" {
			t.Fatalf("2 Dec: %s", got)
		}
	})
}
