package server_test

// The access matrix of the report and case pages, the HTML side of
// TestAPICaseAccessMatrix: every case-related route x every user x a case
// (and its reports) in village A (61.07.01.2001) and in village B
// (61.07.02.2001). The expected statuses are written out by hand; refused
// forms change nothing; planted personal data reaches nobody who may not
// see it, in any body.

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var uimSys = access.System("test")

// ab is an expected status on side A and on side B.
type ab [2]int

// uimRow is what one user gets from the case pages. Written out by hand,
// not derived from the policy, so that a change of the policy shows here.
//
// Side-independent: GET /kasus, GET /kasus/baru, GET /laporan, GET /tim,
// GET /notifikasi, POST /tim/tenggat (deadline rules) and POST /tim/rute
// (routing order); both are deployment-wide settings.
//
// Per side (A, B):
//   - cas: GET /kasus/{id} on every tab (ringkasan, orang, layanan, linimasa)
//   - work: POST /kasus/{id}/status (acknowledge), note, korban, pelaku,
//     layanan, rujukan, penempatan
//   - step: POST /kasus/{id}/status with a step the workflow refuses
//   - assign: POST /kasus/{id}/assign
//   - create: POST /kasus/baru in the side's village
//   - rep: GET /laporan/{id} (the untriaged report and the report the case
//     came from)
//   - triage: POST /laporan/{id}/verify, merge and reject
//   - teamNew: POST /tim (a team in the side's district)
//   - members: POST /tim/{id}/anggota (a team in the side's district)
//   - duty: POST /tim/piket (a shift in the side's village)
//   - full: the case page (200) shows the case's personal data; a
//     caseworker who does not handle the case sees it masked (need to
//     know, SPEC B)
//   - emerg: POST /kasus/{id}/akses-darurat with a reason (303: opened;
//     409: the user sees the personal data already; 404: not visible)
type uimRow struct {
	user                                           string
	personal                                       bool // may see personal data at all
	list, form, reports, teams, outbox, sla, route int
	cas, work, step, assign, create, rep, triage   ab
	teamNew, members, duty                         ab
	full                                           [2]bool
	emerg                                          ab
}

// yes and no are the full column's values.
var yy, yn, ny, nn = [2]bool{true, true}, [2]bool{true, false}, [2]bool{false, true}, [2]bool{false, false}

var uimMatrix = []uimRow{
	// Columns: user, personal; GET /kasus, GET /kasus/baru, GET /laporan, GET /tim, GET /notifikasi, POST /tim/tenggat,
	// POST /tim/rute; then {A, B} for: case (GET), work (forms), step (refused), assign, create (POST /kasus/baru),
	// report (GET), triage (verify|merge|reject), POST /tim, POST /tim/{id}/anggota, POST /tim/piket.
	{"reg-admin", true, 200, 200, 200, 200, 200, 303, 303, ab{200, 200}, ab{303, 303}, ab{409, 409}, ab{303, 303}, ab{303, 303}, ab{200, 200}, ab{303, 303}, ab{303, 303}, ab{303, 303}, ab{303, 303}, yy, ab{409, 409}}, // admin 61.07
	// District admins manage their teams but not the deployment-wide
	// deadline rules and routing (403).
	{"admin-a", true, 200, 200, 200, 200, 200, 403, 403, ab{200, 404}, ab{303, 404}, ab{409, 404}, ab{303, 404}, ab{303, 422}, ab{200, 404}, ab{303, 404}, ab{303, 422}, ab{303, 404}, ab{303, 422}, yn, ab{409, 404}}, // admin 61.07.01
	{"admin-b", true, 200, 200, 200, 200, 200, 403, 403, ab{404, 200}, ab{404, 303}, ab{404, 409}, ab{404, 303}, ab{422, 303}, ab{404, 200}, ab{404, 303}, ab{422, 303}, ab{404, 303}, ab{422, 303}, ny, ab{404, 409}}, // admin 61.07.02
	{"sup", true, 200, 200, 200, 200, 200, 303, 303, ab{200, 200}, ab{303, 303}, ab{409, 409}, ab{303, 303}, ab{303, 303}, ab{200, 200}, ab{303, 303}, ab{303, 303}, ab{303, 303}, ab{303, 303}, yy, ab{409, 409}},     // supervisor 61.07
	// cw-a sees case A masked (it handles neither the case nor its teams)
	// and opens it with emergency access; cw-lead leads case A.
	{"cw-a", true, 200, 200, 403, 200, 200, 403, 403, ab{200, 404}, ab{303, 404}, ab{409, 404}, ab{404, 404}, ab{303, 422}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, nn, ab{303, 404}},      // caseworker 61.07.01.2001
	{"cw-lead", true, 200, 200, 403, 200, 200, 403, 403, ab{200, 404}, ab{303, 404}, ab{409, 404}, ab{404, 404}, ab{303, 422}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, yn, ab{409, 404}},   // caseworker 61.07.01, lead of case A
	{"cw-b", true, 200, 200, 403, 200, 200, 403, 403, ab{404, 200}, ab{404, 303}, ab{404, 409}, ab{404, 404}, ab{422, 303}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, ny, ab{404, 409}},      // caseworker 61.07.02 (member of team B)
	{"satgas-in", true, 200, 200, 403, 200, 200, 403, 403, ab{200, 404}, ab{303, 404}, ab{409, 404}, ab{404, 404}, ab{303, 422}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, yn, ab{409, 404}}, // responder 61.07.01.2001, member of team A
	// A responder in no team sees no case; an entered case waits for
	// review and the form says so (303 to /kasus, flash case_created_review).
	{"satgas-out", true, 200, 200, 403, 200, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{303, 422}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, nn, ab{404, 404}},
	// An admin of another province: lists answer (empty), objects of
	// 61.07 are not found, forms naming a region of 61.07 are refused at
	// the field (422); the deployment-wide settings belong to users whose
	// region covers the deployment (61.07): refused (403).
	{"other-prov", true, 200, 200, 200, 200, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{422, 422}, ab{404, 404}, ab{404, 404}, ab{422, 422}, ab{404, 404}, ab{422, 422}, nn, ab{404, 404}},
	// No case permission: collections 403, objects 404 (as in the API);
	// /notifikasi lists only the caller's own messages, to anyone.
	{"viewer", false, 403, 403, 403, 403, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, nn, ab{404, 404}}, // viewer 61.07
	{"opd", false, 403, 403, 403, 403, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, nn, ab{404, 404}},    // OPD operator 61.07
	{"fasil", false, 403, 403, 403, 403, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{403, 403}, nn, ab{404, 404}},  // facilitator 61.07.01
}

// uimSide is one village of the matrix: its taskforce, a spare team for
// the members form, the case with personal data in every field, the report
// it came from, an untriaged report, and a case to merge reports into.
type uimSide struct {
	name, village, district string
	team, spare             domain.Team
	cs                      domain.Case
	origin, pending         domain.Report
	mergeInto               domain.Case
	caseSecrets             []string // shown with the case
	reportSecrets           []string // shown with the reports
	dutyUser                string
	editCase                string // the case the edit forms change (uimEdits)
}

// uimState is what a refused form must leave as it was.
type uimState struct {
	Version                                                 int
	Status                                                  domain.CaseStatus
	Events, Victims, Perps, Services, Referrals, Placements int
	Team, Assignee                                          string
}

func uimCaseState(t *testing.T, st *store.Store, id string) uimState {
	t.Helper()
	c, err := cases.New(st, cases.Options{}).GetCase(bg, uimSys, id)
	if err != nil {
		t.Fatal(err)
	}
	return uimState{c.Version, c.Status, len(c.Events), len(c.Victims), len(c.Perpetrators), len(c.Services), len(c.Referrals),
		len(c.Placements), c.TeamID, c.AssigneeID}
}

func uimReportStatus(t *testing.T, st *store.Store, id string) domain.ReportStatus {
	t.Helper()
	r, err := cases.New(st, cases.Options{}).GetReport(bg, uimSys, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

func uimNewReport(t *testing.T, st *store.Store, village, desc, name, phone string) domain.Report {
	t.Helper()
	age := 8
	rep, _, err := cases.New(st, cases.Options{}).CreateReport(bg, access.Public("10.0.0.7", "test"), domain.NewReport{Channel: domain.ChannelWeb, RegionCode: village,
		Description: desc, ChildAge: &age, ChildSex: domain.SexFemale, Anonymous: name == "" && phone == "", ContactPhone: phone,
		ReporterName: name}, "61.07")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// uimFreshCase is a case without personal data in the side's village,
// routed to the side's taskforce like the original.
func uimFreshCase(t *testing.T, st *store.Store, s *uimSide) domain.Case {
	t.Helper()
	c, err := cases.New(st, cases.Options{}).CreateCase(bg, uimSys, domain.NewCase{RegionCode: s.village, Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VNeglect}, Summary: "Kasus uji tanpa data pribadi"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusAssigned || c.TeamID != s.team.ID {
		t.Fatalf("fresh case %s: %s team %q", s.name, c.Status, c.TeamID)
	}
	return c
}

func uimPlant(t *testing.T, w *world, name, village, district, phoneDigit string, members []string, dutyUser string) *uimSide {
	t.Helper()
	st := w.st
	s := &uimSide{name: name, village: village, district: district, dutyUser: dutyUser}
	var err error
	if s.team, err = cases.New(st, cases.Options{}).CreateTeam(bg, uimSys, domain.Team{Name: "Satgas Desa " + name, Kind: "village_taskforce", RegionCode: village,
		MemberIDs: members}); err != nil {
		t.Fatal(err)
	}
	// The spare team is a UPTD of the district: routing never picks it.
	if s.spare, err = cases.New(st, cases.Options{}).CreateTeam(bg, uimSys, domain.Team{Name: "UPTD Cadangan " + name, Kind: "uptd", RegionCode: district}); err != nil {
		t.Fatal(err)
	}
	tag := func(what string) string { return "RHS-" + what + "-" + name }
	phone1, phone2 := "0812 7777 "+phoneDigit+"101", "0812 7777 "+phoneDigit+"202"
	s.origin = uimNewReport(t, st, village, tag("CERITA")+" anak dipukul setiap malam oleh orang dewasa di rumahnya", tag("PELAPOR"), phone1)
	s.cs, err = cases.New(st, cases.Options{}).VerifyReport(bg, uimSys, s.origin.ID, cases.VerifyInput{Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VPhysical, domain.VNeglect}})
	if err != nil {
		t.Fatal(err)
	}
	if s.cs.Status != domain.StatusAssigned || s.cs.TeamID != s.team.ID {
		t.Fatalf("case %s not routed to its taskforce: %s %q", name, s.cs.Status, s.cs.TeamID)
	}
	age := 9
	for _, d := range []cases.CaseDetail{
		{Victim: &domain.Victim{Name: tag("KORBAN"), Sex: domain.SexFemale, Age: &age, Types: []domain.ViolenceType{domain.VPhysical}}},
		{Perpetrator: &domain.Perpetrator{Name: tag("PELAKU"), Sex: domain.SexMale, Relation: "parent"}},
		{Service: &domain.Service{Type: "health", Provider: "Puskesmas", Note: tag("LAYANAN")}},
		{Referral: &domain.Referral{Agency: "Dinas Sosial", Reason: tag("RUJUKAN")}},
		{Note: tag("CATATAN")},
	} {
		if err := cases.New(st, cases.Options{}).AddDetail(bg, uimSys, s.cs.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	s.pending = uimNewReport(t, st, village, tag("TUNDA")+" anak tidak pulang sejak kemarin dan tidak sekolah", tag("PENGADU"), phone2)
	s.mergeInto = uimFreshCase(t, st, s)
	digits := func(p string) string { return strings.ReplaceAll(p, " ", "")[1:] }
	s.caseSecrets = []string{tag("CERITA"), tag("KORBAN"), tag("PELAKU"), tag("LAYANAN"), tag("RUJUKAN"), tag("CATATAN")}
	s.reportSecrets = []string{tag("CERITA"), tag("PELAPOR"), digits(phone1), tag("TUNDA"), tag("PENGADU"), digits(phone2)}
	return s
}

// uimUser is a logged-in browser and what it may receive.
type uimUser struct {
	name    string
	b       *browser
	allowed map[string]bool // planted strings it may receive
}

// Every case-related HTML route x every user x side A and side B; then
// every route without a session.
func TestUICaseAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		start := time.Now()
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		w.addUser("satgas-in", domain.RoleResponder, "61.07.01.2001")
		w.addUser("satgas-out", domain.RoleResponder, "61.07.01.2001")
		w.addUser("opd", domain.RoleOPDOperator, "61.07")
		w.addUser("fasil", domain.RoleFacilitator, "61.07.01")
		w.addUser("cw-lead", domain.RoleCaseworker, "61.07.01")
		if len(uimMatrix) != len(w.users) {
			t.Fatalf("matrix has %d rows for %d users", len(uimMatrix), len(w.users))
		}
		sides := []*uimSide{
			uimPlant(t, w, "A", "61.07.01.2001", "61.07.01", "1", []string{w.users["satgas-in"].ID}, "cw-a"),
			uimPlant(t, w, "B", "61.07.02.2001", "61.07.02", "2", []string{w.users["cw-b"].ID}, "cw-b"),
		}
		if _, err := w.srv.Cases.Reassign(bg, uimSys, sides[0].cs.ID, "", w.users["cw-lead"].ID, "peksos utama"); err != nil {
			t.Fatal(err)
		}

		// Every planted string, and the staff's own personal data.
		var secrets []string
		for _, s := range sides {
			secrets = append(secrets, s.caseSecrets...)
			secrets = append(secrets, s.reportSecrets...)
		}
		var staffPersonal []string
		for _, p := range people {
			staffPersonal = append(staffPersonal, p.full, p.phone[1:])
		}
		for _, n := range []string{"satgas-in", "satgas-out", "opd", "fasil", "cw-lead"} {
			staffPersonal = append(staffPersonal, "Rahasia "+n)
		}

		// What must never change: the two original cases, their reports,
		// the spare teams' members, the routing order.
		snap := map[string]uimState{}
		for _, s := range sides {
			snap[s.name] = uimCaseState(t, w.st, s.cs.ID)
		}
		invariants := func(after string) {
			t.Helper()
			for _, s := range sides {
				if got := uimCaseState(t, w.st, s.cs.ID); got != snap[s.name] {
					t.Errorf("%s: case %s changed: %+v -> %+v", after, s.name, snap[s.name], got)
					snap[s.name] = got
				}
				if st := uimReportStatus(t, w.st, s.pending.ID); st != domain.ReportNew {
					t.Errorf("%s: pending report %s is %s", after, s.name, st)
				}
				if st := uimReportStatus(t, w.st, s.origin.ID); st != domain.ReportVerified {
					t.Errorf("%s: origin report %s is %s", after, s.name, st)
				}
				if tm, err := w.srv.Cases.GetTeam(bg, uimSys, s.spare.ID); err != nil || len(tm.MemberIDs) != 0 {
					t.Errorf("%s: spare team %s has members %v (%v)", after, s.name, tm.MemberIDs, err)
				}
			}
			if steps, err := w.srv.Cases.RoutingSteps(bg); err != nil || !reflect.DeepEqual(steps, cases.DefaultRouting) {
				t.Errorf("%s: routing %v (%v)", after, steps, err)
			}
		}

		requests := 0
		check := func(u *uimUser, what string, want, got int, body string, h http.Header) {
			t.Helper()
			requests++
			if got != want {
				t.Errorf("%s %s: %d, want %d: %.200s", u.name, what, got, want, body)
			}
			loc := h.Get("Location")
			if u.name == "anonymous" {
				if got == http.StatusSeeOther && !strings.HasPrefix(loc, "/login") {
					t.Errorf("%s %s: redirected to %q, not to the login", u.name, what, loc)
				}
			} else if got == http.StatusSeeOther && strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s: session lost, redirected to %q", u.name, what, loc)
			}
			for _, s := range secrets {
				if strings.Contains(body, s) && !u.allowed[s] {
					t.Errorf("%s %s (%d) receives %q", u.name, what, got, s)
				}
			}
			if !u.allowed["staff"] {
				for _, s := range staffPersonal {
					if strings.Contains(body, s) {
						t.Errorf("%s %s (%d) receives staff personal data %q", u.name, what, got, s)
					}
				}
			}
		}
		mustShow := func(u *uimUser, what, body string, want ...string) {
			t.Helper()
			for _, s := range want {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s lacks %q", u.name, what, s)
				}
			}
		}
		noneOf := func(u *uimUser, what, body string) {
			t.Helper()
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("%s %s is a list, yet carries %q", u.name, what, s)
				}
			}
		}
		listed := func(body string, code string) bool {
			return strings.Contains(body, domain.FormatPublicCode(code)) || strings.Contains(body, code)
		}
		form := func(u *uimUser, kv ...string) url.Values {
			v := url.Values{}
			if u.b != nil {
				v.Set("csrf", u.b.csrf)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
		countCases := func() int {
			t.Helper()
			_, n, err := w.srv.Cases.ListCases(bg, uimSys, domain.CaseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		countTeams := func() int {
			t.Helper()
			ts, err := w.srv.Cases.ListTeams(bg, uimSys)
			if err != nil {
				t.Fatal(err)
			}
			return len(ts)
		}
		countDuty := func() int {
			t.Helper()
			ds, err := w.srv.Cases.ListDuty(bg, uimSys, w.clock.Now().Add(-48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return len(ds)
		}
		slaRules := func() string {
			t.Helper()
			rs, err := w.srv.Cases.SLARules(bg)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(rs)
		}
		ok := func(code int) bool { return code >= 200 && code < 400 }

		// One session per user, logged in when its row starts (the
		// emergency-access expiry moves the clock on).
		users := map[string]*uimUser{}
		for _, e := range uimMatrix {
			u := &uimUser{name: e.user, allowed: map[string]bool{}}
			if e.personal {
				u.allowed["staff"] = true
				for i, s := range sides {
					if e.cas[i] == 200 && e.full[i] {
						for _, x := range s.caseSecrets {
							u.allowed[x] = true
						}
					}
					if e.rep[i] == 200 {
						for _, x := range s.reportSecrets {
							u.allowed[x] = true
						}
					}
				}
			}
			users[e.user] = u
		}

		for ui, e := range uimMatrix {
			u := users[e.user]
			u.b = w.loggedIn(e.user)
			b := u.b

			// ---- side-independent pages and settings ----
			code, body, h := b.get("/kasus")
			check(u, "GET /kasus", e.list, code, body, h)
			noneOf(u, "GET /kasus", body)
			if code == 200 {
				for i, s := range sides {
					if listed(body, s.cs.Code) != (e.cas[i] == 200) {
						t.Errorf("%s GET /kasus: case %s listed %v", u.name, s.name, listed(body, s.cs.Code))
					}
				}
			}
			code, body, h = b.get("/kasus/baru")
			check(u, "GET /kasus/baru", e.form, code, body, h)
			code, body, h = b.get("/laporan")
			check(u, "GET /laporan", e.reports, code, body, h)
			noneOf(u, "GET /laporan", body)
			if code == 200 {
				for i, s := range sides {
					if listed(body, s.pending.Code) != (e.rep[i] == 200) {
						t.Errorf("%s GET /laporan: report %s listed %v", u.name, s.name, listed(body, s.pending.Code))
					}
				}
			}
			code, body, h = b.get("/tim")
			check(u, "GET /tim", e.teams, code, body, h)
			noneOf(u, "GET /tim", body)
			for _, p := range []string{"/notifikasi", "/notifikasi?status=all"} {
				code, body, h = b.get(p)
				check(u, "GET "+p, e.outbox, code, body, h)
				noneOf(u, "GET "+p, body)
				for i, s := range sides {
					if listed(body, s.cs.Code) && e.cas[i] != 200 {
						t.Errorf("%s GET %s: a message about case %s, which the user may not see", u.name, p, s.name)
					}
				}
			}

			// Deadline rules: a rule only this user would write.
			ack := 200 + ui
			before := slaRules()
			code, body, h = b.post("/tim/tenggat", form(u, "priority", "low", "type", "trafficking", "ack_minutes", fmt.Sprint(ack),
				"response_minutes", "3000"))
			check(u, "POST /tim/tenggat", e.sla, code, body, h)
			after := slaRules()
			if ok(e.sla) {
				if !strings.Contains(after, fmt.Sprintf("{low trafficking %d 3000}", ack)) {
					t.Errorf("%s POST /tim/tenggat: rule not stored: %s", u.name, after)
				}
			} else if after != before {
				t.Errorf("%s refused POST /tim/tenggat changed the rules: %s -> %s", u.name, before, after)
			}
			// Routing: a different order; restored after a success.
			code, body, h = b.post("/tim/rute", form(u, "step1", "district", "step2", "village", "step3", "duty"))
			check(u, "POST /tim/rute", e.route, code, body, h)
			if ok(e.route) {
				if steps, _ := w.srv.Cases.RoutingSteps(bg); strings.Join(steps, ",") != "district,village,duty" {
					t.Errorf("%s POST /tim/rute: routing %v", u.name, steps)
				}
				if err := w.srv.Cases.SetRoutingSteps(bg, uimSys, cases.DefaultRouting); err != nil {
					t.Fatal(err)
				}
			}
			invariants(u.name + " settings")

			for i, s := range sides {
				where := " " + s.name
				id := s.cs.ID

				// ---- reading the case ----
				for _, tab := range []struct {
					name string
					show []string
				}{
					{"ringkasan", s.caseSecrets[:1]},
					{"orang", s.caseSecrets[1:3]},
					{"layanan", s.caseSecrets[3:5]},
					{"linimasa", s.caseSecrets[5:6]},
				} {
					path := "/kasus/" + id + "?tab=" + tab.name
					code, body, h := b.get(path)
					check(u, "GET case"+where+" tab "+tab.name, e.cas[i], code, body, h)
					if code == 200 && e.personal && e.full[i] {
						mustShow(u, "GET case"+where+" tab "+tab.name, body, tab.show...)
					}
					if shown := strings.Contains(body, `action="/kasus/`+id+`/akses-darurat"`); code == 200 && shown != (e.emerg[i] == 303) {
						t.Errorf("%s GET case%s tab %s: emergency-access form shown %v", u.name, where, tab.name, shown)
					}
				}

				// The printable case file: the same access as the case
				// page, every section on one page.
				{
					code, body, h := b.get("/kasus/" + id + "/cetak")
					check(u, "GET case file"+where, e.cas[i], code, body, h)
					if code == 200 && e.personal && e.full[i] {
						mustShow(u, "GET case file"+where, body, s.caseSecrets[:6]...)
					}
				}

				// ---- changing the case ----
				// Successful forms go to a fresh case of the same village
				// (same routing, same visibility); refused ones to the
				// original, which must not change.
				var fresh *domain.Case
				target := func(want int) (string, *domain.Case) {
					if !ok(want) {
						return id, nil
					}
					if fresh == nil {
						c := uimFreshCase(t, w.st, s)
						fresh = &c
					}
					return fresh.ID, fresh
				}
				casePost := func(what, path string, want int, f url.Values) {
					t.Helper()
					tid, tc := target(want)
					var before uimState
					if tc != nil {
						before = uimCaseState(t, w.st, tid)
					}
					code, body, h := b.post("/kasus/"+tid+path, f)
					check(u, "POST "+what+where, want, code, body, h)
					if tc != nil && code == http.StatusSeeOther {
						got := uimCaseState(t, w.st, tid)
						if got.Version != before.Version+1 || got.Events != before.Events+1 {
							t.Errorf("%s POST %s%s: version %d -> %d, events %d -> %d", u.name, what, where, before.Version,
								got.Version, before.Events, got.Events)
						}
						if !strings.HasPrefix(h.Get("Location"), "/kasus/"+tid) {
							t.Errorf("%s POST %s%s: redirected to %s", u.name, what, where, h.Get("Location"))
						}
					}
					invariants(u.name + " POST " + what + where)
				}
				casePost("status (refused step)", "/status", e.step[i], form(u, "to", "new", "note", "kembali"))
				casePost("status", "/status", e.work[i], form(u, "to", "acknowledged", "note", "diterima petugas"))
				casePost("note", "/note", e.work[i], form(u, "note", "Catatan kunjungan rumah"))
				casePost("korban", "/korban", e.work[i], form(u, "name", "Adik", "sex", "L", "age", "4", "disability", "", "types", "neglect"))
				casePost("pelaku", "/pelaku", e.work[i], form(u, "name", "Paman", "sex", "L", "age", "40", "relation", "family"))
				casePost("layanan", "/layanan", e.work[i], form(u, "type", "psychosocial", "provider", "UPTD PPA", "given_on", "", "note", "konseling"))
				casePost("rujukan", "/rujukan", e.work[i], form(u, "agency", "Dinas Sosial", "referred_on", "", "reason", "pendampingan"))
				casePost("penempatan", "/penempatan", e.work[i], form(u, "kind", "safe_house", "place_name", "Rumah Aman", "from_date", "", "to_date", ""))
				casePost("assign", "/assign", e.assign[i], form(u, "team_id", s.team.ID, "assignee_id", "", "note", "tetap satgas desa"))
				if fresh != nil {
					if c := uimCaseState(t, w.st, fresh.ID); c.Status != domain.StatusAcknowledged {
						t.Errorf("%s%s: fresh case is %s after the forms", u.name, where, c.Status)
					}
				}
				uimEdits(t, w, u, uimEdit[e.user][i], s, check)
				invariants(u.name + " edit forms" + where)

				// ---- entering a case ----
				n0 := countCases()
				code, body, h := b.post("/kasus/baru", form(u, "region_code", s.village, "priority", "medium", "types", "neglect",
					"summary", "Anak terlantar", "place", "household", "incident_date", "", "legal_basis", "", "victim_name", "",
					"victim_sex", "", "victim_age", "", "victim_disability", ""))
				check(u, "POST /kasus/baru"+where, e.create[i], code, body, h)
				if n := countCases(); n != n0+map[bool]int{true: 1, false: 0}[ok(e.create[i])] {
					t.Errorf("%s POST /kasus/baru%s: %d -> %d cases", u.name, where, n0, n)
				}
				invariants(u.name + " POST /kasus/baru" + where)

				// ---- reports ----
				for _, r := range []struct {
					name string
					rep  domain.Report
					show []string
				}{{"pending", s.pending, s.reportSecrets[3:]}, {"origin", s.origin, s.reportSecrets[:3]}} {
					code, body, h := b.get("/laporan/" + r.rep.ID)
					check(u, "GET report "+r.name+where, e.rep[i], code, body, h)
					if code == 200 && e.personal {
						mustShow(u, "GET report "+r.name+where, body, r.show...)
					}
				}
				for _, act := range []struct {
					name   string
					f      url.Values
					status domain.ReportStatus
				}{
					{"verify", form(u, "priority", "medium", "types", "neglect", "summary", ""), domain.ReportVerified},
					{"merge", form(u, "case_id", s.mergeInto.ID, "case_code", ""), domain.ReportMerged},
					{"reject", form(u, "reason", "bukan kasus anak"), domain.ReportRejected},
				} {
					rid := s.pending.ID
					if ok(e.triage[i]) {
						rid = uimNewReport(t, w.st, s.village, "Laporan uji tanpa data pribadi tentang anak di desa", "", "").ID
					}
					m0 := uimCaseState(t, w.st, s.mergeInto.ID)
					n0 := countCases()
					code, body, h := b.post("/laporan/"+rid+"/"+act.name, act.f)
					check(u, "POST report "+act.name+where, e.triage[i], code, body, h)
					m1 := uimCaseState(t, w.st, s.mergeInto.ID)
					n1 := countCases()
					if ok(e.triage[i]) {
						if st := uimReportStatus(t, w.st, rid); st != act.status {
							t.Errorf("%s POST report %s%s: report is %s", u.name, act.name, where, st)
						}
						if act.name == "merge" && m1.Events != m0.Events+1 {
							t.Errorf("%s merge%s: target events %d -> %d", u.name, where, m0.Events, m1.Events)
						}
						if act.name == "verify" && n1 != n0+1 {
							t.Errorf("%s verify%s: %d -> %d cases", u.name, where, n0, n1)
						}
					} else if m1 != m0 || n1 != n0 {
						t.Errorf("%s refused %s%s: merge target %+v -> %+v, cases %d -> %d", u.name, act.name, where, m0, m1, n0, n1)
					}
					invariants(u.name + " POST report " + act.name + where)
				}

				// ---- teams, members, duty ----
				t0 := countTeams()
				code, body, h = b.post("/tim", form(u, "name", "UPTD Uji "+u.name+" "+s.name, "kind", "uptd", "region_code", s.district))
				check(u, "POST /tim"+where, e.teamNew[i], code, body, h)
				if n := countTeams(); n != t0+map[bool]int{true: 1, false: 0}[ok(e.teamNew[i])] {
					t.Errorf("%s POST /tim%s: %d -> %d teams", u.name, where, t0, n)
				}
				member := w.users[s.dutyUser].ID
				code, body, h = b.post("/tim/"+s.spare.ID+"/anggota", form(u, "members", member))
				check(u, "POST /tim/{id}/anggota"+where, e.members[i], code, body, h)
				if ok(e.members[i]) {
					if tm, _ := w.srv.Cases.GetTeam(bg, uimSys, s.spare.ID); len(tm.MemberIDs) != 1 || tm.MemberIDs[0] != member {
						t.Errorf("%s POST members%s: members %v", u.name, where, tm.MemberIDs)
					}
					if err := w.srv.Cases.SetTeamMembers(bg, uimSys, s.spare.ID, nil); err != nil {
						t.Fatal(err)
					}
				}
				d0 := countDuty()
				from := w.clock.Now().In(domain.WIB).Add(time.Hour)
				code, body, h = b.post("/tim/piket", form(u, "user_id", member, "duty_region", s.village,
					"starts_at", from.Format("2006-01-02T15:04"), "ends_at", from.Add(8*time.Hour).Format("2006-01-02T15:04")))
				check(u, "POST /tim/piket"+where, e.duty[i], code, body, h)
				if n := countDuty(); n != d0+map[bool]int{true: 1, false: 0}[ok(e.duty[i])] {
					t.Errorf("%s POST /tim/piket%s: %d -> %d shifts", u.name, where, d0, n)
				}
				invariants(u.name + " teams" + where)

				// ---- emergency access (akses darurat) ----
				if e.emerg[i] == http.StatusSeeOther {
					code, body, h := b.post("/kasus/"+id+"/akses-darurat", form(u, "reason", "darurat"))
					check(u, "POST akses-darurat (short reason)"+where, 422, code, body, h)
					invariants(u.name + " POST akses-darurat (short reason)" + where)
				}
				before := uimCaseState(t, w.st, id)
				code, body, h = b.post("/kasus/"+id+"/akses-darurat", form(u, "reason", "Satgas tidak dapat dihubungi dan anak dilaporkan hilang"))
				check(u, "POST akses-darurat"+where, e.emerg[i], code, body, h)
				if got := uimCaseState(t, w.st, id); e.emerg[i] != http.StatusSeeOther && got != before {
					t.Errorf("%s refused akses-darurat%s changed the case: %+v -> %+v", u.name, where, before, got)
				}
				if e.emerg[i] == http.StatusSeeOther {
					// On the timeline; the case itself is unchanged.
					got := uimCaseState(t, w.st, id)
					want := before
					want.Events++
					if got != want {
						t.Errorf("%s akses-darurat%s: %+v -> %+v", u.name, where, before, got)
					}
					snap[s.name] = got
					// The region's supervisor is told.
					msgs, err := outbox.List(bg, w.st, uimSys, outbox.Filter{})
					if err != nil {
						t.Fatal(err)
					}
					told := false
					for _, m := range msgs {
						if m.RecipientID == w.users["sup"].ID && m.CaseID == id && strings.Contains(m.Body, u.name) {
							told = true
						}
					}
					if !told {
						t.Errorf("%s akses-darurat%s: the supervisor is not notified", u.name, where)
					}
					// Full until the grant ends ...
					for _, x := range s.caseSecrets {
						u.allowed[x] = true
					}
					for ti, tab := range []string{"ringkasan", "orang", "layanan", "linimasa"} {
						code, body, h := b.get("/kasus/" + id + "?tab=" + tab)
						check(u, "GET case with emergency access"+where+" tab "+tab, 200, code, body, h)
						mustShow(u, "GET case with emergency access"+where+" tab "+tab, body, s.caseSecrets[[]int{0, 1, 3, 5}[ti]], `id="emergency-until"`)
						checkPage(t, u.name+" case with emergency access"+where+" tab "+tab, body)
					}
					// ... masked again after it (the clock moves on; log in again).
					w.clock.Advance(cases.DefaultEmergencyAccess)
					for _, x := range s.caseSecrets {
						delete(u.allowed, x)
					}
					u.b = w.loggedIn(e.user)
					b = u.b
					for _, tab := range []string{"ringkasan", "orang", "layanan", "linimasa"} {
						code, body, h := b.get("/kasus/" + id + "?tab=" + tab)
						check(u, "GET case after emergency access"+where+" tab "+tab, 200, code, body, h)
						mustShow(u, "GET case after emergency access"+where+" tab "+tab, body, `action="/kasus/`+id+`/akses-darurat"`)
						checkPage(t, u.name+" case after emergency access"+where+" tab "+tab, body)
					}
				}
			}
		}

		// ---- without a session: every route sends to the login ----
		anon := &uimUser{name: "anonymous", b: w.browser(), allowed: map[string]bool{}}
		anon.b.get("/login") // an anonymous CSRF token, as a visitor would have
		for _, p := range []string{"/kasus", "/kasus/baru", "/laporan", "/tim", "/notifikasi", "/kasus/ekspor.csv", "/kasus/ekspor.xlsx",
			"/laporan/ekspor.csv", "/laporan/ekspor.xlsx"} {
			code, body, h := anon.b.get(p)
			check(anon, "GET "+p, 303, code, body, h)
		}
		anonForm := url.Values{"csrf": {anon.b.csrf}, "to": {"acknowledged"}, "note": {"x"}, "name": {"x"}, "reason": {"x"},
			"priority": {"low"}, "types": {"neglect"}, "region_code": {"61.07.01.2001"}, "ack_minutes": {"5"}, "response_minutes": {"9"},
			"step1": {"district"}}
		for _, p := range []string{"/kasus/baru", "/tim", "/tim/tenggat", "/tim/rute", "/tim/piket"} {
			n0, t0 := countCases(), countTeams()
			code, body, h := anon.b.post(p, anonForm)
			check(anon, "POST "+p, 303, code, body, h)
			if countCases() != n0 || countTeams() != t0 {
				t.Errorf("anonymous POST %s changed something", p)
			}
		}
		for _, s := range sides {
			for _, tab := range []string{"ringkasan", "orang", "layanan", "linimasa"} {
				code, body, h := anon.b.get("/kasus/" + s.cs.ID + "?tab=" + tab)
				check(anon, "GET case "+s.name+" tab "+tab, 303, code, body, h)
			}
			{
				code, body, h := anon.b.get("/kasus/" + s.cs.ID + "/cetak")
				check(anon, "GET case file "+s.name, 303, code, body, h)
			}
			for _, p := range []string{"status", "assign", "note", "korban", "pelaku", "layanan", "rujukan", "penempatan", "akses-darurat",
				"ubah", "korban/" + s.cs.Victims[0].ID + "/ubah", "korban/" + s.cs.Victims[0].ID + "/hapus"} {
				code, body, h := anon.b.post("/kasus/"+s.cs.ID+"/"+p, anonForm)
				check(anon, "POST case "+s.name+" "+p, 303, code, body, h)
			}
			for _, r := range []domain.Report{s.pending, s.origin} {
				code, body, h := anon.b.get("/laporan/" + r.ID)
				check(anon, "GET report "+s.name, 303, code, body, h)
			}
			for _, p := range []string{"verify", "merge", "reject"} {
				code, body, h := anon.b.post("/laporan/"+s.pending.ID+"/"+p, url.Values{"csrf": {anon.b.csrf}, "priority": {"low"},
					"types": {"neglect"}, "case_id": {s.mergeInto.ID}, "reason": {"x"}})
				check(anon, "POST report "+s.name+" "+p, 303, code, body, h)
			}
			code, body, h := anon.b.post("/tim/"+s.spare.ID+"/anggota", url.Values{"csrf": {anon.b.csrf}, "members": {w.users[s.dutyUser].ID}})
			check(anon, "POST /tim/{id}/anggota "+s.name, 303, code, body, h)
		}
		invariants("anonymous")
		t.Logf("%d requests checked for %d users and anonymous in %v", requests, len(uimMatrix), time.Since(start).Round(time.Millisecond))
	})
}

// uimEdit is what each user gets from the edit and removal forms of a case
// like the side's (same teams, same lead): 303 for those who handle it, 404
// for everyone else, a caseworker who sees it masked included. Written out
// by hand, like uimMatrix.
var uimEdit = map[string]ab{
	"reg-admin": {303, 303}, "admin-a": {303, 404}, "admin-b": {404, 303}, "sup": {303, 303},
	"cw-a": {404, 404}, "cw-lead": {303, 404}, "cw-b": {404, 303}, "satgas-in": {303, 404}, "satgas-out": {404, 404},
	"other-prov": {404, 404}, "viewer": {404, 404}, "opd": {404, 404}, "fasil": {404, 404},
}

// uimEdits posts every edit and removal form of the side's edit case as u,
// first with a stale version (409 for those who may edit, 404 for the
// others; nothing changes), then with the current one (want). The edit
// forms are on the page exactly for those who may use them.
func uimEdits(t *testing.T, w *world, u *uimUser, want int, s *uimSide, check func(*uimUser, string, int, int, string, http.Header)) {
	t.Helper()
	cs := cases.New(w.st, cases.Options{})
	if s.editCase == "" {
		c := uimFreshCase(t, w.st, s)
		if s.name == "A" {
			if _, err := w.srv.Cases.Reassign(bg, uimSys, c.ID, "", w.users["cw-lead"].ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		s.editCase = c.ID
	}
	id, age := s.editCase, 7
	for _, d := range []cases.CaseDetail{{Victim: &domain.Victim{Name: "Anak uji", Sex: domain.SexFemale, Age: &age}},
		{Perpetrator: &domain.Perpetrator{Name: "Pelaku uji", Relation: "unknown"}}, {Service: &domain.Service{Type: "complaint"}}} {
		if err := cs.AddDetail(bg, uimSys, id, d); err != nil {
			t.Fatal(err)
		}
	}
	c, err := cs.GetCase(bg, uimSys, id)
	if err != nil {
		t.Fatal(err)
	}
	vid, pid, sid := c.Victims[0].ID, c.Perpetrators[0].ID, c.Services[0].ID
	lv, lp, ls := c.Victims[len(c.Victims)-1].ID, c.Perpetrators[len(c.Perpetrators)-1].ID, c.Services[len(c.Services)-1].ID
	_, body, _ := u.b.get("/kasus/" + id + "?tab=orang")
	if shown := strings.Contains(body, `action="/kasus/`+id+`/korban/`+vid+`/ubah"`); shown != (want == 303) {
		t.Errorf("%s case %s: victim edit form shown %v", u.name, s.name, shown)
	}
	vals := func(kv ...string) url.Values {
		v := url.Values{"csrf": {u.b.csrf}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	for _, x := range []struct {
		what, path string
		f          url.Values
	}{
		{"ubah", "/ubah", vals("region_code", s.village, "priority", "high", "types", "neglect", "types", "physical", "kdrt", "1",
			"summary", "Kasus uji diubah", "place", "school", "incident_date", "2026-01-02", "legal_basis", "UU 35/2014 "+u.name)},
		{"korban ubah", "/korban/" + vid + "/ubah", vals("name", "Anak uji "+u.name, "sex", "P", "age", "8", "education", "primary",
			"occupation", "student", "marital_status", "unmarried", "place", "household", "disabilities", "hearing", "types", "neglect")},
		{"pelaku ubah", "/pelaku/" + pid + "/ubah", vals("name", "Pelaku uji "+u.name, "sex", "L", "age", "41", "relation", "step_parent",
			"education", "senior", "occupation", "labourer")},
		{"layanan ubah", "/layanan/" + sid + "/ubah", vals("type", "health", "provider", "Puskesmas "+u.name, "given_on", "2026-01-03",
			"ended_on", "2026-01-04", "outcome", "pulih")},
		{"korban hapus", "/korban/" + lv + "/hapus", vals("reason", "salah input uji")},
		{"pelaku hapus", "/pelaku/" + lp + "/hapus", vals("reason", "salah input uji")},
		{"layanan hapus", "/layanan/" + ls + "/hapus", vals("reason", "salah input uji")},
	} {
		what := "POST " + x.what + " (edit case " + s.name + ")"
		before := uimCaseState(t, w.st, id)
		x.f.Set("version", fmt.Sprint(before.Version-1))
		code, body, h := u.b.post("/kasus/"+id+x.path, x.f)
		check(u, what+" stale", map[bool]int{true: 409, false: 404}[want == 303], code, body, h)
		if code == 409 && !strings.Contains(body, "sudah diubah oleh orang lain") {
			t.Errorf("%s %s stale: no conflict message", u.name, what)
		}
		if got := uimCaseState(t, w.st, id); got != before {
			t.Errorf("%s %s stale changed the case: %+v -> %+v", u.name, what, before, got)
		}
		x.f.Set("version", fmt.Sprint(before.Version))
		code, body, h = u.b.post("/kasus/"+id+x.path, x.f)
		check(u, what, want, code, body, h)
		after := uimCaseState(t, w.st, id)
		if code == 303 && (after.Version != before.Version+1 || after.Events != before.Events+1 || !strings.HasPrefix(h.Get("Location"), "/kasus/"+id)) {
			t.Errorf("%s %s: version %d -> %d, events %d -> %d, to %s", u.name, what, before.Version, after.Version, before.Events,
				after.Events, h.Get("Location"))
		}
		if code != 303 && after != before {
			t.Errorf("%s refused %s changed the case: %+v -> %+v", u.name, what, before, after)
		}
	}
}
