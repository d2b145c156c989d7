package cases_test

import (
	"math/rand"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// casesWorld has Bengkayang's village 61.07.01.2001 with a village
// taskforce (responder "satgas"), the district team of 61.07.01 (caseworker
// "peksos"), a supervisor and an out-of-district caseworker.
type casesWorld struct {
	st                     *store.Store
	cs                     *cases.Service
	clk                    *storetest.Clock
	sup, satgas, peksos    domain.User
	other, viewer, satgas2 domain.User
	village, district      domain.Team
}

func newCasesWorld(t *testing.T, d store.Dialect, url string, box interface{}) *casesWorld {
	t.Helper()
	clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	o := storetest.Options{Now: clk.Now}
	st := storetest.Open(t, d, o)
	w := &casesWorld{st: st, cs: area(st), clk: clk}
	w.sup = mkUser(t, st, "sup", domain.RoleSupervisor, "61.07")
	w.satgas = mkUser(t, st, "satgas", domain.RoleResponder, "61.07.01.2001")
	w.satgas2 = mkUser(t, st, "satgas-lain", domain.RoleResponder, "61.07.02")
	w.peksos = mkUser(t, st, "peksos", domain.RoleCaseworker, "61.07.01")
	w.other = mkUser(t, st, "cw-lain", domain.RoleCaseworker, "61.07.02")
	w.viewer = mkUser(t, st, "bupati", domain.RoleViewer, "61.07")
	var err error
	w.village, err = w.cs.CreateTeam(ctx, sys(), domain.Team{Name: "Satgas Desa", Kind: "village_taskforce", RegionCode: "61.07.01.2001", MemberIDs: []string{w.satgas.ID}})
	if err != nil {
		t.Fatal(err)
	}
	w.district, err = w.cs.CreateTeam(ctx, sys(), domain.Team{Name: "TRC Sungai Raya", Kind: "district_team", RegionCode: "61.07.01", MemberIDs: []string{w.peksos.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *casesWorld) sc(u domain.User) domain.Scope { return access.ForUser(u, "127.0.0.1", "test") }

func (w *casesWorld) report(t *testing.T, region string, types ...domain.ViolenceType) (domain.Report, domain.Case) {
	t.Helper()
	age := 9
	rep, created, err := w.cs.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
		RegionCode: region, Description: "Anak tetangga sering dipukul dan ditinggal sendirian di rumah", ChildAge: &age,
		ChildSex: domain.SexFemale, ContactPhone: "0812 5555 6666"}, "61.07")
	if err != nil || !created {
		t.Fatalf("report: %v", err)
	}
	if len(types) == 0 {
		types = []domain.ViolenceType{domain.VPhysical, domain.VNeglect}
	}
	c, err := w.cs.VerifyReport(ctx, w.sc(w.sup), rep.ID, cases.VerifyInput{Priority: domain.PriorityMedium, Types: types})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep, c
}

func TestReportIntakeValidationAndIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		pub := access.Public("1.2.3.4", "x")
		bad := []domain.NewReport{
			{RegionCode: "61.07", Description: "short"},
			{RegionCode: "13.01", Description: "outside the deployment region entirely"},
			{RegionCode: "61.7", Description: "a bad region code is refused"},
			{RegionCode: "61.07.99", Description: "a region that does not exist is refused"},
			{RegionCode: "61.07", Description: "a bad phone number is refused", ContactPhone: "12ab"},
			{RegionCode: "61.07", Description: "a bad sex is refused here", ChildSex: "X"},
		}
		for _, nr := range bad {
			if _, _, err := area(st).CreateReport(ctx, pub, nr, "61.07"); domain.CodeOf(err) != domain.EInvalid {
				t.Errorf("%+v: %v", nr, err)
			}
		}
		list, total, _ := area(st).ListReports(ctx, sys(), cases.ReportFilter{})
		if total != 0 || len(list) != 0 {
			t.Fatalf("bad input stored %d reports", total)
		}
		nr := domain.NewReport{Channel: domain.ChannelAPI, IdempotencyKey: "req-1", RegionCode: "61.07.01.2001",
			Description: "Seorang anak terlantar di pasar", Anonymous: true, ContactPhone: "081299990000", ReporterName: "Pelapor"}
		r1, created, err := area(st).CreateReport(ctx, pub, nr, "61.07")
		if err != nil || !created {
			t.Fatal(err)
		}
		if _, ok := domain.NormalizePublicCode(r1.Code); !ok {
			t.Fatalf("code %q fails its own check digit", r1.Code)
		}
		r2, created, err := area(st).CreateReport(ctx, pub, nr, "61.07")
		if err != nil || created || r2.Code != r1.Code {
			t.Fatalf("repeat: %+v created=%v %v", r2, created, err)
		}
		if _, total, _ := area(st).ListReports(ctx, sys(), cases.ReportFilter{}); total != 1 {
			t.Fatalf("idempotency key stored %d reports", total)
		}
		// Anonymous: the reporter's number and name are never shown, even to the system.
		got, err := area(st).GetReport(ctx, sys(), r1.ID)
		if err != nil || got.ContactPhone != "" || got.ReporterName != "" || !got.HasContact || got.Description == "" {
			t.Fatalf("anonymous report: %+v %v", got, err)
		}
		v, err := area(st).PublicReportStatus(ctx, domain.FormatPublicCode(r1.Code))
		if err != nil || v.Status != "received" {
			t.Fatalf("status: %+v %v", v, err)
		}
		if _, err := area(st).PublicReportStatus(ctx, "123-456-789"); !domain.IsNotFound(err) {
			t.Fatalf("unknown code: %v", err)
		}
	})
}

func TestConcurrentSameKeyMakesOneReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		var wg sync.WaitGroup
		codes := make([]string, 8)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _, err := area(st).CreateReport(ctx, access.Public("", ""), domain.NewReport{Channel: domain.ChannelSMS, IdempotencyKey: "kannel-42",
					RegionCode: "61.07", Description: "pesan yang dikirim ulang oleh gateway"}, "")
				if err != nil {
					t.Error(err)
				}
				codes[i] = r.Code
			}()
		}
		wg.Wait()
		for _, c := range codes {
			if c != codes[0] {
				t.Fatalf("different codes for one key: %v", codes)
			}
		}
		if _, total, _ := area(st).ListReports(ctx, sys(), cases.ReportFilter{}); total != 1 {
			t.Fatalf("%d reports for one key", total)
		}
	})
}

func TestVerifyRoutesToTeamsWithDeadlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		rep, c := w.report(t, "61.07.01.2001", domain.VSexual)
		if c.Status != domain.StatusAssigned || c.TeamID != w.village.ID || c.SupportTeamID != w.district.ID {
			t.Fatalf("routing: %+v", c)
		}
		if !c.ReportedAt.Equal(rep.ReceivedAt) {
			t.Fatalf("clock does not start at the report: %v vs %v", c.ReportedAt, rep.ReceivedAt)
		}
		due := map[domain.DeadlineKind]time.Duration{}
		for _, dl := range c.Deadlines {
			due[dl.Kind] = dl.DueAt.Sub(rep.ReceivedAt)
		}
		if due[domain.DeadlineAck] != time.Hour || due[domain.DeadlineResponse] != 24*time.Hour || due[domain.DeadlinePolice] != 72*time.Hour {
			t.Fatalf("deadlines %v", due)
		}
		if c.NextDueAt == nil || c.NextDueKind != domain.DeadlineAck {
			t.Fatalf("next due %v %s", c.NextDueAt, c.NextDueKind)
		}
		msgs, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})
		got := map[string]bool{}
		for _, m := range msgs {
			got[m.RecipientID] = true
			if m.Status != "pending" || m.CaseID != c.ID {
				t.Errorf("message %+v", m)
			}
		}
		if !got[w.satgas.ID] || !got[w.peksos.ID] || len(msgs) != 2 {
			t.Fatalf("assignment messages: %+v", msgs)
		}
		// The report's status page follows the case.
		v, _ := w.cs.PublicReportStatus(ctx, rep.Code)
		if v.Status != "in_review" || v.ReviewedAt == nil {
			t.Fatalf("public status %+v", v)
		}
		// Already triaged: cannot be verified again.
		if _, err := w.cs.VerifyReport(ctx, w.sc(w.sup), rep.ID, cases.VerifyInput{Priority: domain.PriorityHigh, Types: []domain.ViolenceType{domain.VOther}}); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("second verify: %v", err)
		}
	})
}

func TestCaseAccessByRoleAndRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		_, c := w.report(t, "61.07.01.2001")
		cases := []struct {
			u      domain.User
			see    bool
			listed bool
		}{
			{w.sup, true, true}, {w.peksos, true, true}, {w.satgas, true, true},
			{w.other, false, false}, {w.satgas2, false, false}, {w.viewer, false, false},
		}
		for _, x := range cases {
			got, err := w.cs.GetCase(ctx, w.sc(x.u), c.ID)
			if x.see != (err == nil) {
				t.Errorf("%s GetCase: %v", x.u.Username, err)
			}
			if err == nil && (got.Summary == "" || got.PersonalMasked) {
				t.Errorf("%s sees no narrative", x.u.Username)
			}
			if err != nil && !domain.IsNotFound(err) {
				t.Errorf("%s: want not found, got %v", x.u.Username, err)
			}
			list, _, err := w.cs.ListCases(ctx, w.sc(x.u), domain.CaseFilter{})
			if x.u.Role == domain.RoleViewer {
				if domain.CodeOf(err) != domain.EForbidden {
					t.Errorf("viewer lists cases: %v", err)
				}
				continue
			}
			if (len(list) == 1) != x.listed {
				t.Errorf("%s lists %d cases", x.u.Username, len(list))
			}
			for _, lc := range list {
				if lc.Summary != "" {
					t.Errorf("list carries the narrative")
				}
			}
			_, err = w.cs.Transition(ctx, w.sc(x.u), c.ID, domain.Transition{To: domain.StatusAcknowledged})
			if !x.see && !domain.IsNotFound(err) {
				t.Errorf("%s transitions a case it cannot see: %v", x.u.Username, err)
			}
		}
		// Viewing personal data is audited.
		es, _ := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "case.view_personal", ObjectID: c.ID})
		if len(es) != 3 {
			t.Fatalf("%d audited views, want 3", len(es))
		}
	})
}

// Random sequences of actions by random roles never reach an illegal
// state: every accepted change is a step of the workflow, refused ones
// change nothing, and the timeline has one entry per accepted transition.
func TestStateMachineProperty(t *testing.T) {
	w := newCasesWorld(t, store.SQLite, "", nil)
	rng := rand.New(rand.NewSource(7))
	actors := []domain.User{w.sup, w.peksos, w.satgas, w.other}
	for round := 0; round < 12; round++ {
		_, c := w.report(t, "61.07.01.2001")
		accepted := 0
		for step := 0; step < 25; step++ {
			before, err := w.cs.GetCase(ctx, sys(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			to := domain.CaseStatuses[rng.Intn(len(domain.CaseStatuses))]
			tr := domain.Transition{To: to}
			if rng.Intn(2) == 0 {
				tr.Note = "catatan"
			}
			if to == domain.StatusAssigned && rng.Intn(2) == 0 {
				tr.AssigneeID = w.peksos.ID
			}
			actor := actors[rng.Intn(len(actors))]
			after, err := w.cs.Transition(ctx, w.sc(actor), c.ID, tr)
			if err == nil {
				accepted++
				if !domain.CanTransition(before.Status, to) || after.Status != to || after.Version != before.Version+1 {
					t.Fatalf("accepted %s -> %s by %s: now %s v%d", before.Status, to, actor.Username, after.Status, after.Version)
				}
			} else {
				now, _ := w.cs.GetCase(ctx, sys(), c.ID)
				if now.Status != before.Status || now.Version != before.Version || len(now.Events) != len(before.Events) {
					t.Fatalf("refused %s -> %s changed the case", before.Status, to)
				}
				if code := domain.CodeOf(err); code == domain.EInternal {
					t.Fatalf("internal error: %v", err)
				}
			}
			cur, _ := w.cs.GetCase(ctx, sys(), c.ID)
			if !cur.Status.Valid() {
				t.Fatalf("illegal status %q", cur.Status)
			}
			switch cur.Status {
			case domain.StatusAcknowledged, domain.StatusResponded, domain.StatusInService, domain.StatusReferred:
				if cur.AcknowledgedAt == nil {
					t.Fatalf("%s without acknowledged_at", cur.Status)
				}
			}
			if (cur.Status == domain.StatusResponded || cur.Status == domain.StatusInService) && cur.RespondedAt == nil {
				t.Fatalf("%s without responded_at", cur.Status)
			}
			if (cur.Status == domain.StatusClosed) != (cur.ClosedAt != nil) {
				t.Fatalf("closed_at %v with status %s", cur.ClosedAt, cur.Status)
			}
			if cur.Status == domain.StatusClosed && cur.NextDueAt != nil {
				t.Fatalf("closed case keeps a next deadline")
			}
		}
		final, _ := w.cs.GetCase(ctx, sys(), c.ID)
		n := 0
		for _, e := range final.Events {
			if (e.Kind == "transition" || e.Kind == "reopened") && e.Note != "routing" {
				n++
			}
		}
		if n != accepted {
			t.Fatalf("timeline has %d transitions, %d accepted", n, accepted)
		}
	}
}

func TestEscalationsWithClockAndRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		u := storetest.URL(t, d)
		box := storetest.Box(t)
		st := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now})
		sup := mkUser(t, st, "sup", domain.RoleSupervisor, "61.07")
		satgas := mkUser(t, st, "satgas", domain.RoleResponder, "61.07.01.2001")
		if _, err := area(st).CreateTeam(ctx, sys(), domain.Team{Name: "Satgas", Kind: "village_taskforce", RegionCode: "61.07.01.2001", MemberIDs: []string{satgas.ID}}); err != nil {
			t.Fatal(err)
		}
		w := &casesWorld{st: st, cs: area(st), clk: clk, sup: sup}
		_, c := w.report(t, "61.07.01.2001")
		count := func(st *store.Store) map[string]int {
			msgs, _ := outbox.List(ctx, st, sys(), outbox.Filter{})
			out := map[string]int{}
			for _, m := range msgs {
				out[m.RecipientID]++
			}
			return out
		}
		if r, _ := area(st).RunEscalations(ctx, "a", 100); r.Fired != 0 {
			t.Fatalf("fired before time: %+v", r)
		}
		clk.Advance(31 * time.Minute) // half the ack window: remind the team
		r, err := area(st).RunEscalations(ctx, "a", 100)
		if err != nil || r.Fired != 1 || r.Messages != 1 {
			t.Fatalf("reminder: %+v %v", r, err)
		}
		if got := count(st); got[satgas.ID] != 2 || got[sup.ID] != 0 {
			t.Fatalf("after reminder: %v", got)
		}
		// Restart: a new store (process) on the same database picks up the
		// stored clocks; the breach escalates to the supervisor once.
		st.Close()
		st2 := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now, Regions: "-"})
		clk.Advance(30 * time.Minute)
		r, err = area(st2).RunEscalations(ctx, "b", 100)
		if err != nil || r.Fired != 1 {
			t.Fatalf("breach: %+v %v", r, err)
		}
		if got := count(st2); got[sup.ID] != 1 {
			t.Fatalf("supervisor not told: %v", got)
		}
		if r, _ := area(st2).RunEscalations(ctx, "b", 100); r.Fired != 0 {
			t.Fatalf("fired twice: %+v", r)
		}
		// The responder arrives: the response reminder is skipped, not sent.
		if _, err := area(st2).Transition(ctx, access.ForUser(satgas, "", ""), c.ID, domain.Transition{To: domain.StatusResponded}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(24 * time.Hour)
		r, _ = area(st2).RunEscalations(ctx, "b", 100)
		if r.Fired != 0 || r.Skipped != 2 {
			t.Fatalf("met deadline escalated: %+v", r)
		}
		got, _ := area(st2).GetCase(ctx, sys(), c.ID)
		for _, dl := range got.Deadlines {
			if dl.Kind == domain.DeadlineAck && !dl.Breached {
				t.Errorf("late acknowledgement not shown as breached")
			}
			if dl.Kind == domain.DeadlineResponse && (dl.Breached || dl.MetAt == nil) {
				t.Errorf("response deadline %+v", dl)
			}
		}
	})
}

// Two lindu instances run the escalator at the same time on one database:
// every step fires exactly once and the outbox holds each message once.
func TestEscalationsExactlyOnceAcrossInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		u := storetest.URL(t, d)
		box := storetest.Box(t)
		a := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now})
		b := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now, Regions: "-"})
		sup := mkUser(t, a, "sup", domain.RoleSupervisor, "61.07")
		w := &casesWorld{st: a, cs: area(a), clk: clk, sup: sup}
		const n = 15
		for i := 0; i < n; i++ {
			w.report(t, "61.07.02.2001") // no team: reminders go to the supervisor
		}
		clk.Advance(2 * time.Hour)
		var wg sync.WaitGroup
		results := make([]cases.EscalationResult, 4)
		for i, st := range []*store.Store{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 3; k++ {
					r, err := area(st).RunEscalations(ctx, string(rune('a'+i)), 7)
					if err != nil {
						t.Error(err)
						return
					}
					results[i].Fired += r.Fired
					results[i].Messages += r.Messages
				}
			}()
		}
		wg.Wait()
		for { // drain what the bounded runs left
			r, err := area(a).RunEscalations(ctx, "drain", 100)
			if err != nil {
				t.Fatal(err)
			}
			if r.Fired == 0 {
				break
			}
			results[0].Fired += r.Fired
			results[0].Messages += r.Messages
		}
		fired, msgs := 0, 0
		for _, r := range results {
			fired += r.Fired
			msgs += r.Messages
		}
		// Per case: ack step 1 (to supervisor, no team) + ack step 2 = 2 steps.
		if fired != 2*n {
			t.Fatalf("fired %d steps, want %d", fired, 2*n)
		}
		out, _ := outbox.List(ctx, a, sys(), outbox.Filter{Limit: 500})
		if len(out) != msgs || msgs != 2*n {
			t.Fatalf("outbox %d, messages reported %d, want %d", len(out), msgs, 2*n)
		}
	})
}

// A case can only be given to a team whose area covers it, and who
// reported it stays with the supervisors.
func TestAssignmentAreaAndReporterPrivacy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		other, err := w.cs.CreateTeam(ctx, sys(), domain.Team{Name: "Satgas lain", Kind: "village_taskforce", RegionCode: "61.07.02.2001"})
		if err != nil {
			t.Fatal(err)
		}
		_, c := w.report(t, "61.07.01.2001")
		_, err = w.cs.Reassign(ctx, w.sc(w.sup), c.ID, other.ID, "", "salah desa")
		if e, ok := domain.AsError(err); !ok || e.Fields["team_id"].Key == "" {
			t.Fatalf("team of another village accepted: %v", err)
		}
		for _, u := range []domain.User{w.peksos, w.satgas} {
			got, err := w.cs.GetCase(ctx, w.sc(u), c.ID)
			if err != nil || len(got.Reports) != 1 {
				t.Fatalf("%s: %v", u.Username, err)
			}
			if r := got.Reports[0]; r.ContactPhone != "" || r.ReporterName != "" || r.Description == "" {
				t.Fatalf("%s sees the reporter: %+v", u.Username, r)
			}
		}
		got, _ := w.cs.GetCase(ctx, w.sc(w.sup), c.ID)
		if got.Reports[0].ContactPhone == "" {
			t.Fatal("the supervisor cannot call the reporter back")
		}
		if _, err := w.cs.Reassign(ctx, w.sc(w.sup), c.ID, w.district.ID, "", "kecamatan"); err != nil {
			t.Fatalf("district team refused: %v", err)
		}
	})
}

// Deadline rules and routing apply to the whole deployment: only users
// whose region covers the deployment's root may change them.
func TestDeploymentWideSettings(t *testing.T) {
	for _, c := range []struct {
		root, user string
		ok         bool
	}{
		{"61.07", "61.07", true}, {"61.07", "61", true}, {"61.07", "61.07.01", false}, {"61.07", "13.01", false},
		{"61", "61.07", false}, {"61", "61", true}, {"-", "61", true}, {"-", "61.07", false},
	} {
		st := storetest.Open(t, store.SQLite, storetest.Options{RootRegion: c.root})
		u := mkUser(t, st, "sup", domain.RoleSupervisor, c.user)
		err := area(st).SetSLARule(ctx, access.ForUser(u, "", ""), domain.SLARule{Priority: domain.PriorityHigh, AckMinutes: 20, ResponseMinutes: 300})
		err2 := area(st).SetRoutingSteps(ctx, access.ForUser(u, "", ""), []string{cases.RouteDistrict, cases.RouteVillage})
		if (err == nil) != c.ok || (err2 == nil) != c.ok {
			t.Errorf("root %s, user %s: %v / %v, want ok=%v", c.root, c.user, err, err2, c.ok)
		}
	}
}

// A step whose report is gone (deleted outside lindu) is skipped, and it
// does not hold up the steps due after it: the escalator once stopped at
// such a step, round after round.
func TestEscalationSkipsAGoneSubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		file := func() domain.Report {
			rep, created, err := w.cs.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
				RegionCode: "61.07.01.2001", Description: "Anak tetangga sering dipukul dan ditinggal sendirian di rumah"}, "61.07")
			if err != nil || !created {
				t.Fatalf("report: %v", err)
			}
			return rep
		}
		gone := file()
		w.clk.Advance(time.Minute)
		kept := file()
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM reports WHERE id = $1`, gone.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(30 * 24 * time.Hour) // every step of both clocks is due
		r, err := w.cs.RunEscalations(ctx, "a", 100)
		if err != nil {
			t.Fatalf("round: %+v, %v", r, err)
		}
		if r.Fired == 0 || r.Skipped == 0 {
			t.Fatalf("round: %+v: want the kept report's steps fired and the gone one's skipped", r)
		}
		var left int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE fired_at IS NULL`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d steps left unfired (%v)", left, err)
		}
		var firedKept int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations e JOIN deadlines d ON d.id = e.deadline_id
			WHERE d.subject_id = $1 AND e.outcome = 'sent'`, kept.ID).Scan(&firedKept); err != nil || firedKept == 0 {
			t.Fatalf("the kept report's steps sent: %d (%v)", firedKept, err)
		}
		if r, err := w.cs.RunEscalations(ctx, "a", 100); err != nil || r.Fired+r.Skipped != 0 {
			t.Fatalf("second round: %+v, %v", r, err)
		}
	})
}
