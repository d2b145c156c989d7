package cases_test

import (
	"database/sql"
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

// The sensitive facts of a case that are not names: a victim's
// disability, where a child is placed, who serves them, where they are
// referred, and why a report was rejected.
const (
	sealDisability = "RAHASIA-DISABILITAS tunarungu"
	sealProvider   = "RAHASIA-PENYEDIA Diversi di Polres Bengkayang"
	sealAgency     = "RAHASIA-RUJUKAN Unit PPA Polres Bengkayang"
	sealPlace      = "RAHASIA-TEMPAT Rumah Aman Melati"
	sealReject     = "RAHASIA-TOLAK pelapor menyebut nama anak tetangga"
)

// sealedColumns are the raw columns that must hold ciphertext, with the
// bound field name and the plaintext column that must stay empty.
var sealedColumns = []struct{ table, sealed, plain, field, value string }{
	{"victims", "disability_enc", "disability", "victims.disability", sealDisability},
	{"services", "provider_enc", "provider", "services.provider", sealProvider},
	{"referrals", "agency_enc", "agency", "referrals.agency", sealAgency},
	{"placements", "place_name_enc", "place_name", "placements.place_name", sealPlace},
	{"reports", "reject_reason_enc", "reject_reason", "reports.reject_reason", sealReject},
}

// checkSealedAtRest reads the tables directly: every planted value is
// ciphertext bound to its field, and no plaintext column holds anything.
func checkSealedAtRest(t *testing.T, db *sql.DB, box *secret.Box) {
	t.Helper()
	for _, c := range sealedColumns {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + c.table + ` WHERE ` + c.plain + ` <> ''`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s.%s: %d rows still in plaintext", c.table, c.plain, n)
		}
		rows, err := db.Query(`SELECT ` + c.sealed + ` FROM ` + c.table + ` WHERE ` + c.sealed + ` <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for rows.Next() {
			var ct string
			if err := rows.Scan(&ct); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(ct, "RAHASIA") || !strings.HasPrefix(ct, "enc1:") {
				t.Errorf("%s.%s is not ciphertext: %q", c.table, c.sealed, ct)
			}
			if pt, err := box.Decrypt(c.field, ct); err == nil && pt == c.value {
				found = true
			}
		}
		rows.Close()
		if !found {
			t.Errorf("%s.%s: no value decrypts to %q under %s", c.table, c.sealed, c.value, c.field)
		}
	}
}

// sealedValues lists the planted sensitive values c carries.
func sealedValues(c domain.Case) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, v := range c.Victims {
		add(v.Disability)
	}
	for _, s := range c.Services {
		add(s.Provider)
	}
	for _, r := range c.Referrals {
		add(r.Agency)
	}
	for _, p := range c.Placements {
		add(p.PlaceName)
	}
	return out
}

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
			{Victim: &domain.Victim{Name: "Korban Dua", Sex: domain.SexMale, Age: &age, Disability: sealDisability}},
			{Service: &domain.Service{Type: "law_enforcement", Provider: sealProvider}},
			{Referral: &domain.Referral{Agency: sealAgency, Reason: "pemeriksaan"}},
			{Placement: &domain.Placement{Kind: domain.PlacementKinds[0], PlaceName: sealPlace}},
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
		if err := w.svc.RejectReport(ctx, w.sc(w.sup), rep.ID, sealReject); err != nil {
			t.Fatal(err)
		}

		checkSealedAtRest(t, rawDB(t, d, w.url), box)

		want := []string{sealDisability, sealProvider, sealAgency, sealPlace}
		for _, u := range []domain.User{w.sup, w.admin, w.lead, w.peksos, w.satgas} {
			c, err := w.svc.GetCase(ctx, w.sc(u), w.cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(sealedValues(c), "|"); got != strings.Join(want, "|") {
				t.Errorf("%s reads %q, want %q", u.Username, got, want)
			}
		}
		// Another caseworker of the district sees the case without them.
		c, err := w.svc.GetCase(ctx, w.sc(w.bystander), w.cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := sealedValues(c); len(got) > 0 || !c.PersonalMasked {
			t.Errorf("bystander sees %q (masked=%v)", got, c.PersonalMasked)
		}
		if len(c.Services) != 1 || len(c.Referrals) != 1 || len(c.Placements) != 1 || c.Services[0].Type != "law_enforcement" {
			t.Errorf("the masked case lacks its facts: %+v %+v %+v", c.Services, c.Referrals, c.Placements)
		}
		// Reject reason: for the supervisor's audited view, never in lists.
		r, err := w.svc.GetReport(ctx, w.sc(w.sup), rep.ID)
		if err != nil || r.RejectReason != sealReject {
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
			if p := append(needPersonal(dc.Case), sealedValues(dc.Case)...); len(p) > 0 {
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

// An anonymous report (web, API, SMS) leaves no network identifier of the
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
		// By SMS: neither the number nor anything derived from it.
		res, err := area(st).HandleInbound(ctx, cases.InboundMessage{Key: "kannel:test:1", Channel: domain.ChannelSMS, From: "+6281255550123",
			Text: "Tolong ada anak dipukul ayahnya tiap malam", Region: "61.07"})
		if err != nil || res.Kind != "report" {
			t.Fatalf("sms: %+v %v", res, err)
		}
		es, err = st.ListAudit(ctx, sys(), domain.AuditFilter{ObjectID: res.ReportID})
		if err != nil || len(es) != 1 {
			t.Fatalf("audit: %+v %v", es, err)
		}
		if e := es[0]; e.IP != "" || e.UserAgent != "" || strings.Contains(e.Actor+e.Detail, "5550123") {
			t.Errorf("SMS report audited with %q %q %q %q", e.IP, e.UserAgent, e.Actor, e.Detail)
		}
	})
}
