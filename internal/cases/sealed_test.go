package cases_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/secret"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A victim's disability, placement places, service providers, referral
// agencies and reject reasons are sealed at rest, read back for those who
// may see the case's personal data, and masked for the others.
func TestSensitiveCaseFieldsSealedAndMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		box := storetest.Box(t)
		w := &needWorld{clk: storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)), url: storetest.URL(t, d)}
		w = newNeedWorldWith(t, d, w, box)
		age := 8
		for _, dt := range []cases.CaseDetail{
			{Victim: &domain.Victim{Name: "Korban Dua", Sex: domain.SexMale, Age: &age, Disability: storetest.SealDisability}},
			{Service: &domain.Service{Type: "law_enforcement", Provider: storetest.SealProvider}},
			{Referral: &domain.Referral{Agency: storetest.SealAgency, Reason: "pemeriksaan"}},
			{Placement: &domain.Placement{Kind: domain.PlacementKinds[0], PlaceName: storetest.SealPlace}},
		} {
			if err := w.svc.AddDetail(ctx, w.sc(w.peksos), w.cs.ID, dt); err != nil {
				t.Fatal(err)
			}
		}
		rep, _, err := w.svc.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
			RegionCode: "61.07.01.2001", Description: "Laporan yang bukan kasus perlindungan anak"}, "61.07")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RejectReport(ctx, w.sc(w.sup), rep.ID, storetest.SealReject); err != nil {
			t.Fatal(err)
		}

		storetest.CheckSealedAtRest(t, rawDB(t, d, w.url), box)

		want := []string{storetest.SealDisability, storetest.SealProvider, storetest.SealAgency, storetest.SealPlace}
		for _, u := range []domain.User{w.sup, w.admin, w.lead, w.peksos, w.satgas} {
			c, err := w.svc.GetCase(ctx, w.sc(u), w.cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(storetest.SealedValues(c), "|"); got != strings.Join(want, "|") {
				t.Errorf("%s reads %q, want %q", u.Username, got, want)
			}
		}
		// Another caseworker of the district sees the case without them.
		c, err := w.svc.GetCase(ctx, w.sc(w.bystander), w.cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := storetest.SealedValues(c); len(got) > 0 || !c.PersonalMasked {
			t.Errorf("bystander sees %q (masked=%v)", got, c.PersonalMasked)
		}
		if len(c.Services) != 1 || len(c.Referrals) != 1 || len(c.Placements) != 1 || c.Services[0].Type != "law_enforcement" {
			t.Errorf("the masked case lacks its facts: %+v %+v %+v", c.Services, c.Referrals, c.Placements)
		}
		// Reject reason: for the supervisor's audited view, never in lists.
		r, err := w.svc.GetReport(ctx, w.sc(w.sup), rep.ID)
		if err != nil || r.RejectReason != storetest.SealReject {
			t.Errorf("supervisor reads reject reason %q, %v", r.RejectReason, err)
		}
		list, _, err := w.svc.ListReports(ctx, w.sc(w.sup), cases.ReportFilter{Status: domain.ReportRejected})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %d %v", len(list), err)
		}
		if list[0].RejectReason != "" || !list[0].PersonalMasked {
			t.Errorf("the report list carries the reject reason %q", list[0].RejectReason)
		}
	})
}

// newNeedWorldWith is newNeedWorld with a known encryption box.
func newNeedWorldWith(t *testing.T, d store.Dialect, w *needWorld, box *secret.Box) *needWorld {
	t.Helper()
	w.st = storetest.Open(t, d, storetest.Options{Now: w.clk.Now, URL: w.url, Box: box})
	w.svc = area(w.st)
	return fillNeedWorld(t, w)
}

// Looking for duplicates of a report reads the report's description and
// the summaries of the cases compared: that read is audited.
func TestSuggestDuplicatesAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		rep, _, err := w.svc.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
			RegionCode: "61.07.01.2001", Description: needSummary + " lagi oleh tetangga"}, "61.07")
		if err != nil {
			t.Fatal(err)
		}
		ds, err := w.svc.SuggestDuplicates(ctx, w.sc(w.sup), rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 || ds[0].Case.ID != w.cs.ID {
			t.Fatalf("the case is not suggested: %+v", ds)
		}
		for _, dc := range ds {
			if p := append(needPersonal(dc.Case), storetest.SealedValues(dc.Case)...); len(p) > 0 {
				t.Errorf("a duplicate candidate carries personal data: %q", p)
			}
		}
		es, err := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "report.duplicates", ObjectID: rep.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Actor != w.sup.Username || !strings.Contains(es[0].Detail, "compared=1") ||
			!strings.Contains(es[0].Detail, "cases="+w.cs.ID) {
			t.Fatalf("duplicates read audited as %+v, want one entry by %s", es, w.sup.Username)
		}
	})
}

// An anonymous report (web, API) leaves no network identifier of the
// reporter in the audit log.
func TestPublicReportAuditKeepsNoAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		rep, _, err := area(st).CreateReport(ctx, access.Public("203.0.113.7", "Mozilla/5.0 (Linux; Android 13)"), domain.NewReport{
			Channel: domain.ChannelWeb, RegionCode: "61.07.01.2001", Description: "Anak dipukul di rumah tetangga"}, "61.07")
		if err != nil {
			t.Fatal(err)
		}
		es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{ObjectID: rep.ID})
		if err != nil || len(es) != 1 {
			t.Fatalf("audit: %+v %v", es, err)
		}
		if es[0].IP != "" || es[0].UserAgent != "" || es[0].Actor != "anonymous" {
			t.Errorf("anonymous report audited with %q %q as %q", es[0].IP, es[0].UserAgent, es[0].Actor)
		}
		// By SMS and WhatsApp: TestSMSReportAuditKeepsNoNumber in internal/intake.
	})
}
