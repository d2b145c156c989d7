package intake_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

func sys() domain.Scope { return access.System("test") }

// world is a store on a test clock with the SMS intake filing in Bengkayang.
type world struct {
	t     *testing.T
	st    *store.Store
	clock *storetest.Clock
	in    *intake.Service
	cases *cases.Service
	seq   int
}

func newWorld(t *testing.T, d store.Dialect) *world {
	t.Helper()
	clk := storetest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
	area := cases.New(st, cases.Options{})
	return &world{t: t, st: st, clock: clk, cases: area, in: &intake.Service{Store: st, Cases: area, Region: "61.07"}}
}

// sms sends text from a phone under a fresh provider key.
func (w *world) sms(from, text string) intake.Result {
	w.t.Helper()
	w.seq++
	res, err := w.in.Handle(ctx, intake.Message{Key: fmt.Sprintf("kannel:test:%d", w.seq),
		Channel: domain.ChannelSMS, From: from, Text: text, ReceivedAt: w.clock.Now()})
	if err != nil {
		w.t.Fatalf("sms %q: %v", text, err)
	}
	if res.Duplicate {
		w.t.Fatalf("sms %q: a fresh key answered as a duplicate", text)
	}
	return res
}

func (w *world) report(id string) domain.Report {
	w.t.Helper()
	r, err := w.cases.GetReport(ctx, sys(), id)
	if err != nil {
		w.t.Fatalf("report %s: %v", id, err)
	}
	return r
}

const public = "+6281255550123"

// Free text is a report; the sender's next texts within JoinWindow join
// it, later ones or ones after triage start a new report; each gets its
// reply, enqueued to the sender's sealed number.
func TestFreeTextReportAndAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		first := w.sms("0812-5555-0123", "  Tolong, ada anak dipukul ayahnya tiap malam \x00")
		if first.Kind != intake.KindReport || first.ReportID == "" || first.ReplyID == "" {
			t.Fatalf("first text: %+v", first)
		}
		if _, ok := domain.NormalizePublicCode(first.ReportCode); !ok ||
			!strings.Contains(first.Reply, domain.FormatPublicCode(first.ReportCode)) || !strings.Contains(first.Reply, "STATUS "+first.ReportCode) {
			t.Fatalf("report reply %q for code %s", first.Reply, first.ReportCode)
		}
		rep := w.report(first.ReportID)
		if rep.Channel != domain.ChannelSMS || !rep.Anonymous || rep.RegionCode != "61.07" || rep.ContactPhone != "" || !rep.HasContact ||
			rep.Description != "Tolong, ada anak dipukul ayahnya tiap malam" {
			t.Fatalf("stored report %+v", rep)
		}
		// The reply goes to the sender's number, sealed on the outbox row.
		var to, body, key string
		if err := w.st.QueryRowContext(ctx, `SELECT to_phone_enc, body, idempotency_key FROM outbox WHERE id = $1`, first.ReplyID).
			Scan(&to, &body, &key); err != nil {
			t.Fatal(err)
		}
		if opened, err := w.st.Open(store.FieldOutboxPhone, to); err != nil || opened != public || strings.Contains(to, "5550123") ||
			body != first.Reply || !strings.HasPrefix(key, "reply:kannel:") {
			t.Fatalf("reply row: to %q (%q %v) body %q key %q", to, opened, err, body, key)
		}

		w.clock.Advance(20 * time.Minute)
		second := w.sms(public, "Rumahnya di dekat masjid")
		if second.Kind != intake.KindAppend || second.ReportID != first.ReportID || second.ReportCode != first.ReportCode ||
			!strings.Contains(second.Reply, "ditambahkan") {
			t.Fatalf("second text: %+v", second)
		}
		w.clock.Advance(25 * time.Minute) // 25 minutes after the last text: still joins
		third := w.sms(public, "Sekarang anaknya menangis")
		if third.Kind != intake.KindAppend || third.ReportID != first.ReportID {
			t.Fatalf("third text: %+v", third)
		}
		if got := w.report(first.ReportID).Description; got != "Tolong, ada anak dipukul ayahnya tiap malam\nRumahnya di dekat masjid\nSekarang anaknya menangis" {
			t.Fatalf("joined description %q", got)
		}
		// Another phone makes its own report.
		if other := w.sms("+6281255550999", "Anak terlantar di pasar"); other.Kind != intake.KindReport || other.ReportID == first.ReportID {
			t.Fatalf("another phone: %+v", other)
		}
		// Past the window: a new report.
		w.clock.Advance(intake.JoinWindow + time.Minute)
		late := w.sms(public, "Kejadian lagi malam ini")
		if late.Kind != intake.KindReport || late.ReportID == first.ReportID {
			t.Fatalf("after the window: %+v", late)
		}
		// Triaged meanwhile: a new report too.
		if err := w.cases.RejectReport(ctx, sys(), late.ReportID, "bukan kasus anak"); err != nil {
			t.Fatal(err)
		}
		after := w.sms(public, "Masih terjadi")
		if after.Kind != intake.KindReport || after.ReportID == late.ReportID {
			t.Fatalf("after triage: %+v", after)
		}
		// A long text is cut at the longest description.
		long := w.sms("+6281255550777", strings.Repeat("panjang ", cases.MaxDescription))
		if n := len([]rune(w.report(long.ReportID).Description)); n != cases.MaxDescription {
			t.Fatalf("long text stored with %d characters", n)
		}
	})
}

// A provider key seen before changes nothing and answers with the first
// result, also when the same message arrives several times at once.
func TestInboundExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		m := intake.Message{Key: "wa:wamid.ONCE", Channel: domain.ChannelWhatsApp, From: public, Text: "Ada anak dikurung di gudang"}
		const n = 8
		results := make([]intake.Result, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = w.in.Handle(ctx, m)
			}()
		}
		wg.Wait()
		fresh := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("delivery %d: %v", i, errs[i])
			}
			if !results[i].Duplicate {
				fresh++
			}
			if results[i].Kind != intake.KindReport || results[i].ReportID != results[0].ReportID ||
				results[i].ReportCode != results[0].ReportCode || results[i].Reply != results[0].Reply || results[i].ReplyID != results[0].ReplyID {
				t.Fatalf("delivery %d: %+v, first %+v", i, results[i], results[0])
			}
		}
		if fresh != 1 {
			t.Fatalf("%d deliveries handled as new, want 1", fresh)
		}
		msgs, reports, err := w.in.InboundCounts(ctx, domain.ChannelWhatsApp)
		if err != nil || msgs != 1 || reports != 1 {
			t.Fatalf("counts: %d messages, %d reports, %v", msgs, reports, err)
		}
		// Bad keys and numbers are refused before anything is stored.
		for _, bad := range []intake.Message{
			{Key: "", Channel: domain.ChannelSMS, From: public, Text: "x"},
			{Key: strings.Repeat("k", 201), Channel: domain.ChannelSMS, From: public, Text: "x"},
			{Key: "kannel:bad", Channel: domain.ChannelSMS, From: "not a number", Text: "x"},
		} {
			if _, err := w.in.Handle(ctx, bad); domain.CodeOf(err) != domain.EInvalid {
				t.Errorf("%q from %q: %v, want invalid", bad.Key, bad.From, err)
			}
		}
	})
}

// HELP, an empty text and a bare command are answered with help; STATUS
// tells the public status of a report; an unknown code is said to be
// unknown; a responder's command from a number that is no user's is
// denied.
func TestHelpStatusAndDenied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		for _, text := range []string{"HELP", "bantuan", "   ", "STATUS", "TERIMA"} {
			res := w.sms(public, text)
			want := intake.KindHelp
			if text == "TERIMA" {
				want = intake.KindDenied
			}
			if res.Kind != want || res.Reply == "" || res.ReportID != "" {
				t.Errorf("%q: %+v, want %s", text, res, want)
			}
		}
		rep := w.sms("+6281255550999", "Anak terlantar di pasar sejak kemarin")
		res := w.sms(public, "status "+domain.FormatPublicCode(rep.ReportCode))
		if res.Kind != intake.KindStatus || !strings.Contains(res.Reply, "sudah diterima") || res.ReportID != "" {
			t.Fatalf("status: %+v", res)
		}
		if err := w.cases.RejectReport(ctx, sys(), rep.ReportID, "bukan kasus anak"); err != nil {
			t.Fatal(err)
		}
		if res := w.sms(public, "STATUS "+rep.ReportCode); !strings.Contains(res.Reply, "tidak dilanjutkan") {
			t.Fatalf("status after rejection: %+v", res)
		}
		unknown := "482719538"
		if unknown == rep.ReportCode {
			unknown = "123456785"
		}
		if res := w.sms(public, "STATUS "+unknown); res.Kind != intake.KindUnknownCode || !strings.Contains(res.Reply, domain.FormatPublicCode(unknown)) {
			t.Fatalf("unknown code: %+v", res)
		}
		if res := w.sms(public, "TIBA "+rep.ReportCode); res.Kind != intake.KindDenied {
			t.Fatalf("TIBA from the public: %+v", res)
		}
	})
}

// A registered responder acknowledges (TERIMA) and reports first contact
// (TIBA) on a case assigned to them; a repeat changes nothing; INFO and
// STATUS of a case code tell its status; a case outside their region is
// unknown to them; a step the workflow refuses changes nothing.
func TestResponderCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		const phone = "+6281299990002"
		u, err := w.st.CreateUser(ctx, sys(), domain.NewUser{Username: "relawan", Role: domain.RoleResponder, RegionCode: "61.07",
			Phone: phone, Password: "correct horse battery", FullName: "Relawan Uji"})
		if err != nil {
			t.Fatal(err)
		}
		newCase := func(region string) domain.Case {
			t.Helper()
			c, err := w.cases.CreateCase(ctx, sys(), domain.NewCase{RegionCode: region, Priority: domain.PriorityHigh,
				Types: []domain.ViolenceType{domain.VPhysical}, Summary: "uji", ReportedAt: w.clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		assign := func(c domain.Case) {
			t.Helper()
			if _, err := w.cases.Transition(ctx, sys(), c.ID, domain.Transition{To: domain.StatusAssigned, AssigneeID: u.ID}); err != nil {
				t.Fatal(err)
			}
		}
		c := newCase("61.07.01.2001")
		// Not assigned to them yet: a responder does not see it.
		if res := w.sms(phone, "TERIMA "+c.Code); res.Kind != intake.KindUnknownCode || res.CaseID != "" {
			t.Fatalf("TERIMA before assignment: %+v", res)
		}
		assign(c)
		steps := []struct {
			text, kind, reply string
			status            domain.CaseStatus
		}{
			{"INFO " + c.Code, intake.KindInfo, "Kasus " + domain.FormatPublicCode(c.Code), domain.StatusAssigned},
			{"trima " + domain.FormatPublicCode(c.Code), intake.KindAck, "dikonfirmasi. Setelah", domain.StatusAcknowledged},
			{"TERIMA " + c.Code, intake.KindAck, "sudah dikonfirmasi", domain.StatusAcknowledged},
			{"STATUS " + c.Code, intake.KindInfo, "Kasus " + domain.FormatPublicCode(c.Code), domain.StatusAcknowledged},
			{"TIBA " + c.Code, intake.KindArrive, "Kontak pertama kasus", domain.StatusResponded},
			{"TIBA " + c.Code, intake.KindArrive, "sudah tercatat", domain.StatusResponded},
			{"TERIMA " + c.Code, intake.KindAck, "sudah dikonfirmasi", domain.StatusResponded},
		}
		for _, s := range steps {
			res := w.sms(phone, s.text)
			if res.Kind != s.kind || res.CaseID != c.ID || !strings.Contains(res.Reply, s.reply) {
				t.Fatalf("%q: %+v, want %s with %q", s.text, res, s.kind, s.reply)
			}
			got, err := w.cases.GetCase(ctx, sys(), c.ID)
			if err != nil || got.Status != s.status {
				t.Fatalf("after %q: case %s %v, want %s", s.text, got.Status, err, s.status)
			}
		}
		got, err := w.cases.GetCase(ctx, sys(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, e := range got.Events {
			if e.Kind == "transition" && e.Actor != "" && strings.HasPrefix(e.Note, "SMS ") {
				notes = append(notes, e.Note)
			}
		}
		if strings.Join(notes, ",") != "SMS TERIMA,SMS TIBA" && strings.Join(notes, ",") != "SMS TIBA,SMS TERIMA" {
			t.Errorf("timeline notes %v, want one SMS TERIMA and one SMS TIBA", notes)
		}
		// Closed before anyone acknowledged it: the workflow refuses TERIMA.
		closed := newCase("61.07.01.2001")
		assign(closed)
		if _, err := w.cases.Transition(ctx, sys(), closed.ID, domain.Transition{To: domain.StatusClosed, Note: "salah input"}); err != nil {
			t.Fatal(err)
		}
		if res := w.sms(phone, "TERIMA "+closed.Code); res.Kind != intake.KindRefused || res.CaseID != closed.ID || !strings.Contains(res.Reply, "tidak bisa") {
			t.Fatalf("TERIMA on a closed case: %+v", res)
		}
		if got, err := w.cases.GetCase(ctx, sys(), closed.ID); err != nil || got.Status != domain.StatusClosed {
			t.Fatalf("refused step changed the case: %s %v", got.Status, err)
		}
		// Outside the responder's region: as if the code did not exist.
		far := newCase("13.01")
		if res := w.sms(phone, "TERIMA "+far.Code); res.Kind != intake.KindUnknownCode || res.CaseID != "" {
			t.Fatalf("case outside the region: %+v", res)
		}
		if res := w.sms(phone, "INFO "+far.Code); res.Kind != intake.KindUnknownCode {
			t.Fatalf("INFO outside the region: %+v", res)
		}
	})
}

// A report by SMS leaves neither the number nor anything derived from it
// in the audit log (moved here from the case area's sealed tests).
func TestSMSReportAuditKeepsNoNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		res := w.sms(public, "Tolong ada anak dipukul ayahnya tiap malam")
		es, err := w.st.ListAudit(ctx, sys(), domain.AuditFilter{ObjectID: res.ReportID})
		if err != nil || len(es) != 1 {
			t.Fatalf("audit: %+v %v", es, err)
		}
		if e := es[0]; e.IP != "" || e.UserAgent != "" || strings.Contains(e.Actor+e.Detail, "5550123") {
			t.Errorf("SMS report audited with %q %q %q %q", e.IP, e.UserAgent, e.Actor, e.Detail)
		}
	})
}

// A message's transaction never waits for a second connection of the
// pool: with PostgreSQL's pool at two connections, sixteen first messages
// from sixteen phones at once (the deployment's region not yet read) all
// make their reports. A transaction that looked something up on the pool
// would wait for a connection the other transactions hold, and they for
// it.
func TestMessagesNeedOneConnectionEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		if d != store.Postgres {
			t.Skip("SQLite's writer is one connection anyway; reads have a pool of their own")
		}
		messagesNeedOneConnectionEach(t)
	})
}

func messagesNeedOneConnectionEach(t *testing.T) {
	clk := storetest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	st := storetest.Open(t, store.Postgres, storetest.Options{Now: clk.Now, MaxConns: 2})
	area := cases.New(st, cases.Options{})
	in := &intake.Service{Store: st, Cases: area, Region: "61.07"}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = in.Handle(c, intake.Message{Key: fmt.Sprintf("kannel:pool:%d", i), Channel: domain.ChannelSMS,
				From: fmt.Sprintf("+6281377%05d", i), Text: "anak dipukul di rumah tetangga"})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if _, reports, err := in.InboundCounts(ctx, domain.ChannelSMS); err != nil || reports != 16 {
		t.Errorf("%d reports, %v; want 16", reports, err)
	}
}
