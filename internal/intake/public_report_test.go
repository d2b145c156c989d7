package intake_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// submit files a valid public report by ch from addr.
func (w *world) submit(ch domain.Channel, addr string, mod func(*intake.Submission)) (domain.Report, bool, error) {
	w.t.Helper()
	sub := intake.Submission{Report: domain.NewReport{Channel: ch, RegionCode: "61.07.01.2001",
		Description: "Anak ditelantarkan di pasar sejak kemarin"}, Address: addr, UserAgent: "test"}
	if mod != nil {
		mod(&sub)
	}
	return w.in.SubmitReport(ctx, sub)
}

func tooMany(t *testing.T, err error, window time.Duration) {
	t.Helper()
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.ETooMany || e.Key != "report.err.too_many" || e.RetryAfterSeconds < 1 ||
		e.RetryAfterSeconds > int(window.Seconds()) {
		t.Fatalf("%v (%+v), want too_many with a Retry-After within %s", err, e, window)
	}
}

// One quota per address for the web form and the API together; an IPv6
// /64 is one address, an IPv4-mapped address is the IPv4 one; another
// address has its own quota; the window passes.
func TestPublicReportsShareOneQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		for _, addrs := range [][2]string{
			{"203.0.113.7", "::ffff:203.0.113.7"},
			{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ab:cd:ef"},
		} {
			for i := range intake.ReportsPerAddress {
				ch, addr := domain.ChannelWeb, addrs[0]
				if i%2 == 1 {
					ch, addr = domain.ChannelAPI, addrs[1]
				}
				if _, created, err := w.submit(ch, addr, nil); err != nil || !created {
					t.Fatalf("%s report %d from %s: %v", ch, i+1, addr, err)
				}
			}
			for _, ch := range []domain.Channel{domain.ChannelWeb, domain.ChannelAPI} {
				for _, addr := range addrs {
					_, _, err := w.submit(ch, addr, nil)
					tooMany(t, err, intake.ReportWindow)
				}
			}
		}
		// The next /64 and another IPv4 address are other addresses.
		for _, addr := range []string{"2001:db8:1:3::1", "203.0.113.8"} {
			if _, _, err := w.submit(domain.ChannelAPI, addr, nil); err != nil {
				t.Fatalf("from %s: %v", addr, err)
			}
		}
		w.clock.Advance(intake.ReportWindow)
		if _, _, err := w.submit(domain.ChannelWeb, "2001:db8:1:2::99", nil); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// One quota per contact number, however written and whichever front end.
func TestPublicReportsShareOnePhoneQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		phones := []string{"0812 4444 5555", "+62 812-4444-5555", "62812 4444 5555", "(0812) 4444 5555", "081244445555", "+6281244445555"}
		for i, p := range phones {
			ch := domain.ChannelWeb
			if i%2 == 1 {
				ch = domain.ChannelAPI
			}
			_, _, err := w.submit(ch, fmt.Sprintf("198.51.100.%d", i), func(s *intake.Submission) { s.Report.ContactPhone = p })
			if i < intake.ReportsPerPhone && err != nil {
				t.Fatalf("report %d naming %s: %v", i+1, p, err)
			}
			if i >= intake.ReportsPerPhone {
				tooMany(t, err, intake.ReportWindow)
			}
		}
		if _, _, err := w.submit(domain.ChannelAPI, "198.51.100.99", func(s *intake.Submission) { s.Report.ContactPhone = "0813 1111 2222" }); err != nil {
			t.Fatalf("another number: %v", err)
		}
		// The counters hold neither number nor address.
		var keys []string
		rows, err := w.st.QueryContext(ctx, `SELECT key FROM rate_limits`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.Contains(k, "44445555") || strings.Contains(k, "198.51") || strings.Contains(k, "report:") {
				t.Fatalf("counter key %q names what it counts", k)
			}
		}
	})
}

// The limits are counted in the report's own transaction: a report
// refused over one limit changes nothing (no report, no count against the
// other limit), a repeat of a key counts, and what was counted is exactly
// the reports accepted.
func TestRefusedOverLimitChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		const addr = "192.0.2.77"
		phone := func(p string) func(*intake.Submission) {
			return func(s *intake.Submission) { s.Report.ContactPhone = p }
		}
		for i := range intake.ReportsPerPhone {
			if _, _, err := w.submit(domain.ChannelWeb, addr, phone("0812 7777 0000")); err != nil {
				t.Fatalf("report %d: %v", i+1, err)
			}
		}
		reports := func() int {
			var n int
			if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		hits := func() int {
			var n int
			if err := w.st.QueryRowContext(ctx, `SELECT COALESCE(SUM(hits), 0) FROM rate_limits`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before, counted := reports(), hits()
		if before != intake.ReportsPerPhone || counted != 2*intake.ReportsPerPhone {
			t.Fatalf("%d reports and %d hits after %d accepted reports", before, counted, intake.ReportsPerPhone)
		}
		for range 4 {
			_, _, err := w.submit(domain.ChannelAPI, addr, phone("+62 812-7777-0000"))
			tooMany(t, err, intake.ReportWindow)
		}
		if reports() != before || hits() != counted {
			t.Fatalf("refused reports left %d reports and %d hits, want %d and %d", reports(), hits(), before, counted)
		}
		// The address kept its quota: the refusals by number cost it
		// nothing. A repeat of a key counts.
		first, created, err := w.submit(domain.ChannelWeb, addr, func(s *intake.Submission) { s.Key = "k-1" })
		if err != nil || !created {
			t.Fatalf("keyed report: %v (created %v)", err, created)
		}
		again, created, err := w.submit(domain.ChannelWeb, addr, func(s *intake.Submission) { s.Key = "k-1" })
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("repeat: %v (created %v, %s vs %s)", err, created, again.ID, first.ID)
		}
		for i := intake.ReportsPerPhone + 2; i < intake.ReportsPerAddress; i++ {
			if _, _, err := w.submit(domain.ChannelWeb, addr, nil); err != nil {
				t.Fatalf("report %d from the address: %v", i+1, err)
			}
		}
		_, _, err = w.submit(domain.ChannelWeb, addr, nil)
		tooMany(t, err, intake.ReportWindow)
		if got, want := reports(), intake.ReportsPerAddress-1; got != want {
			t.Fatalf("%d reports, want %d (the repeat files none)", got, want)
		}
	})
}

// A refused report costs no quota and names every bad field, the front
// end's own findings winning; the idempotency key is namespaced by channel.
func TestSubmitReportChecksAndKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		const addr = "192.0.2.1"
		bad := []func(*intake.Submission){
			func(s *intake.Submission) { s.Report.Description = "tolong" },
			func(s *intake.Submission) { s.Report.RegionCode = "13.01" },
			func(s *intake.Submission) { s.Report.RegionCode = "61.07.01.2999" }, // no such village
			func(s *intake.Submission) { s.Report.ContactPhone = "call me" },
			func(s *intake.Submission) {
				s.Report.RegionCode = "Bengkayangg"
				s.Fields = domain.FieldErrors{"region_code": domain.M("report.field.region_not_found")}
			},
		}
		for round := 0; round < 3; round++ {
			for i, mod := range bad {
				_, _, err := w.submit(domain.ChannelWeb, addr, mod)
				if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Fields) == 0 {
					t.Fatalf("bad report %d: %v", i, err)
				}
			}
		}
		_, _, err := w.submit(domain.ChannelAPI, addr, func(s *intake.Submission) {
			s.Report.RegionCode = "Bengkayangg"
			s.Report.Description = ""
			s.Fields = domain.FieldErrors{"region_code": domain.M("report.field.region_several"),
				"client_request_id": domain.M("report.field.request_id_differs")}
		})
		e, _ := domain.AsError(err)
		if e == nil || e.Fields["region_code"].Key != "report.field.region_several" || e.Fields["description"].Key == "" ||
			e.Fields["client_request_id"].Key == "" {
			t.Fatalf("fields: %v", err)
		}
		// The quota is whole.
		first, created, err := w.submit(domain.ChannelWeb, addr, func(s *intake.Submission) { s.Key = "k-123456789abcdef" })
		if err != nil || !created {
			t.Fatalf("first keyed report: %v", err)
		}
		again, created, err := w.submit(domain.ChannelWeb, addr, func(s *intake.Submission) {
			s.Key = "k-123456789abcdef"
			s.Report.Description = "Dikirim ulang setelah jaringan putus"
		})
		if err != nil || created || again.Code != first.Code {
			t.Fatalf("repeat: %+v created=%v %v, want %s", again, created, err, first.Code)
		}
		api, created, err := w.submit(domain.ChannelAPI, addr, func(s *intake.Submission) { s.Key = "k-123456789abcdef" })
		if err != nil || !created || api.Code == first.Code {
			t.Fatalf("the same key by the API: %+v created=%v %v", api, created, err)
		}
		// Seven valid requests so far, the repeat included: three more.
		for i := 0; i < intake.ReportsPerAddress-3; i++ {
			if _, _, err := w.submit(domain.ChannelAPI, addr, nil); err != nil {
				t.Fatalf("report %d after refusals: %v", i+4, err)
			}
		}
		_, _, err = w.submit(domain.ChannelAPI, addr, nil)
		tooMany(t, err, intake.ReportWindow)
		if got := intake.ReportKey(domain.ChannelWeb, "abc"); got != "web:abc" {
			t.Fatalf("ReportKey %q", got)
		}
		if got := intake.ReportKey(domain.ChannelAPI, ""); got != "" {
			t.Fatalf("ReportKey of no key %q", got)
		}
	})
}

// Status look-ups count per address, found or not; the window passes.
func TestLookupStatusLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		rep, _, err := w.submit(domain.ChannelWeb, "192.0.2.9", nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range intake.StatusLookupsPerAddress {
			code, addr := rep.Code, "2001:db8:5:6::1"
			if i%2 == 1 {
				code, addr = "123456789", "2001:db8:5:6::2"
			}
			v, err := w.in.LookupStatus(ctx, addr, code)
			if code == rep.Code && (err != nil || v.Status != "received") {
				t.Fatalf("look-up %d: %+v %v", i+1, v, err)
			}
			if code != rep.Code && !domain.IsNotFound(err) {
				t.Fatalf("look-up %d of an unknown code: %v", i+1, err)
			}
		}
		_, err = w.in.LookupStatus(ctx, "2001:db8:5:6::3", rep.Code)
		tooMany(t, err, intake.StatusWindow)
		if _, err := w.in.LookupStatus(ctx, "2001:db8:5:7::3", rep.Code); err != nil {
			t.Fatalf("another /64: %v", err)
		}
		w.clock.Advance(intake.StatusWindow)
		if _, err := w.in.LookupStatus(ctx, "2001:db8:5:6::3", rep.Code); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// Every channel files its report through the same insert
// (cases.InsertReport): the web form and the API through SubmitReport and
// cases.CreateReport, SMS and WhatsApp free text in the message's
// transaction. So each report gets the same triage clock, the same audit
// entry without the reporter's address or number, and the same check of
// its region. (Free text differs only in what a text message cannot give:
// see report_text.go.)
func TestEveryChannelFilesThroughOneInsert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		ids := map[domain.Channel]string{}
		for _, ch := range []domain.Channel{domain.ChannelWeb, domain.ChannelAPI} {
			rep, _, err := w.submit(ch, "203.0.113.50", nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[ch] = rep.ID
		}
		for i, ch := range []domain.Channel{domain.ChannelSMS, domain.ChannelWhatsApp} {
			res, err := w.in.Handle(ctx, intake.Message{Key: fmt.Sprintf("%s:one-insert", ch), Channel: ch,
				From: fmt.Sprintf("+62812555501%02d", i), Text: "Anak ditelantarkan di pasar sejak kemarin"})
			if err != nil || res.Kind != intake.KindReport {
				t.Fatalf("%s: %+v %v", ch, res, err)
			}
			ids[ch] = res.ReportID
		}
		for ch, id := range ids {
			rep := w.report(id)
			if rep.Channel != ch || rep.Status != domain.ReportNew || rep.RegionCode == "" {
				t.Errorf("%s: report %+v", ch, rep)
			}
			if _, ok := domain.NormalizePublicCode(rep.Code); !ok {
				t.Errorf("%s: code %q", ch, rep.Code)
			}
			var due time.Time
			if err := w.st.QueryRowContext(ctx, `SELECT due_at FROM deadlines WHERE subject_type = 'report' AND subject_id = $1 AND kind = $2`,
				id, string(domain.DeadlineTriage)).Scan(&due); err != nil {
				t.Fatalf("%s: triage clock: %v", ch, err)
			}
			if !due.UTC().Equal(rep.ReceivedAt.Add(domain.TriageWindow)) {
				t.Errorf("%s: triage due %s for a report received %s", ch, due, rep.ReceivedAt)
			}
			es, err := w.st.ListAudit(ctx, sys(), domain.AuditFilter{ObjectID: id, Action: "report.create"})
			if err != nil || len(es) != 1 {
				t.Fatalf("%s: audit %+v %v", ch, es, err)
			}
			if e := es[0]; e.Detail != "channel="+string(ch) || e.IP != "" || e.UserAgent != "" {
				t.Errorf("%s: audited %+v", ch, e)
			}
		}
		// A region that does not exist is refused the same way.
		nowhere := &intake.Service{Store: w.st, Cases: w.cases, Region: "61.07.01.2999"}
		_, err := nowhere.Handle(ctx, intake.Message{Key: "kannel:nowhere", Channel: domain.ChannelSMS, From: public,
			Text: "Anak ditelantarkan di pasar sejak kemarin"})
		if e, ok := domain.AsError(err); !ok || e.Fields["region_code"].Key != "case.field.region_unknown" {
			t.Fatalf("SMS into an unknown region: %v", err)
		}
		_, _, err = w.submit(domain.ChannelAPI, "203.0.113.51", func(s *intake.Submission) { s.Report.RegionCode = "61.07.01.2999" })
		if e, ok := domain.AsError(err); !ok || e.Fields["region_code"].Key != "case.field.region_unknown" {
			t.Fatalf("API report into an unknown region: %v", err)
		}
	})
}

// Texts from one phone arriving together are handled one at a time: they
// make one report, the others join it.
func TestOnePhoneAtATime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		const n = 6
		kinds := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var res intake.Result
				res, errs[i] = w.in.Handle(ctx, intake.Message{Key: fmt.Sprintf("kannel:burst:%d", i), Channel: domain.ChannelSMS,
					From: public, Text: fmt.Sprintf("Bagian %d dari laporan saya", i)})
				kinds[i] = res.Kind
			}()
		}
		wg.Wait()
		reports := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("text %d: %v", i, errs[i])
			}
			if kinds[i] == intake.KindReport {
				reports++
			}
		}
		if reports != 1 {
			t.Fatalf("kinds %v: want one report and the rest appended", kinds)
		}
	})
}
