package demo

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"time"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// clock is the demo's moving "now" while it writes two years of history.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Synthetic words for narratives: no real person or event.
var (
	firstNames = []string{"Ayu", "Budi", "Citra", "Dedi", "Elisa", "Fajar", "Gita", "Hendra", "Intan", "Joni", "Kiki", "Lina",
		"Markus", "Nia", "Oktavianus", "Putri", "Rudi", "Sari", "Tomas", "Uli", "Vina", "Wawan", "Yohanes", "Zahra"}
	lastNames = []string{"(demo)", "Sintang (demo)", "Anyer (demo)", "Lim (demo)", "Kenyah (demo)", "Bujang (demo)"}
	stories   = map[domain.ViolenceType][]string{
		domain.VPhysical:      {"Anak sering terlihat memar di lengan dan menangis di malam hari.", "Tetangga mendengar anak dipukul dengan kayu."},
		domain.VPsychological: {"Anak sering dibentak dan dikurung di kamar.", "Anak takut pulang ke rumah dan tidak mau sekolah."},
		domain.VSexual:        {"Anak menceritakan kepada guru bahwa ia disentuh oleh orang dewasa.", "Ibu melaporkan anaknya mengalami pelecehan."},
		domain.VNeglect:       {"Anak ditinggal sendirian berhari-hari tanpa makanan.", "Anak balita terlihat berkeliaran di pasar tanpa pengasuh."},
		domain.VChildMarriage: {"Anak usia sekolah akan dinikahkan bulan depan.", "Anak berhenti sekolah karena dijodohkan."},
		domain.VChildLabour:   {"Anak bekerja di kebun sawit sampai malam.", "Anak dipekerjakan di warung hingga larut malam."},
		domain.VOnline:        {"Foto anak disebarkan di media sosial oleh orang tak dikenal.", "Anak diancam melalui pesan daring."},
		domain.VABH:           {"Anak ditahan di polsek karena dituduh mencuri.", "Anak terlibat perkelahian dan diperiksa polisi."},
		domain.VTrafficking:   {"Anak dijanjikan pekerjaan di kota dan tidak bisa dihubungi.", "Anak dibawa ke luar daerah oleh orang tak dikenal."},
		domain.VExploitation:  {"Anak disuruh mengemis di simpang jalan.", "Anak dipaksa berjualan sampai malam."},
	}
	typeWeights = []struct {
		t domain.ViolenceType
		w int
	}{
		{domain.VPhysical, 22}, {domain.VNeglect, 20}, {domain.VSexual, 16}, {domain.VPsychological, 12},
		{domain.VChildMarriage, 8}, {domain.VChildLabour, 6}, {domain.VOnline, 5}, {domain.VABH, 5},
		{domain.VExploitation, 4}, {domain.VTrafficking, 2},
	}
)

func pickType(r *rand.Rand) domain.ViolenceType {
	total := 0
	for _, x := range typeWeights {
		total += x.w
	}
	n := r.Intn(total)
	for _, x := range typeWeights {
		if n < x.w {
			return x.t
		}
		n -= x.w
	}
	return domain.VOther
}

// CasesResult summarises what LoadCases wrote.
type CasesResult struct {
	Reports, Cases, Rejected, Merged, Closed, Teams, Responders int
	// Case management: assessments, plans approved, visits made.
	Assessments, PlansApproved, Visits, Referrals int
}

// LoadCases writes n synthetic reports and cases over the two years before
// now across Bengkayang's villages, with teams, responders and a duty
// roster, through the same store calls the application makes (so every
// clock, escalation and audit entry is real). Messages of the history are
// expired, not sent. Deterministic for a seed.
func LoadCases(ctx context.Context, st *store.Store, n int, seed int64) (CasesResult, error) {
	end := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Minute)
	start := end.AddDate(-2, 0, 0)
	clk := &clock{t: start}
	hst := st.WithClock(clk.now) // history store
	h := &history{st: st, hst: hst, hs: cases.New(hst, cases.Options{}), clk: clk,
		rng: rand.New(rand.NewSource(seed)), seed: seed, sys: access.System("demo")}

	users, _, err := st.ListUsers(ctx, h.sys, domain.UserFilter{Limit: 200})
	if err != nil {
		return h.res, err
	}
	byName := map[string]domain.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	sup, ok := byName["supervisor"]
	if !ok {
		return h.res, fmt.Errorf("demo: load the demo accounts first")
	}
	districts, villages, err := demoRegions(ctx, st)
	if err != nil {
		return h.res, err
	}
	if len(villages) == 0 {
		return h.res, fmt.Errorf("demo: no villages under %s", Region)
	}
	if err := h.teams(ctx, byName, districts, villages, start, end); err != nil {
		return h.res, err
	}
	// Plan every case's events, then play them in time order so each
	// escalation fires when it would have.
	h.sup = access.ForUser(sup, "10.0.0.2", "demo")
	if err := h.addProviders(ctx, byName); err != nil {
		return h.res, err
	}
	for i := 0; i < n; i++ {
		h.schedule(ctx, h.draw(i, villages, start, end), end)
	}
	return h.res, h.play(ctx, end)
}

// demoRegions lists the demo regency's districts and all their villages.
func demoRegions(ctx context.Context, st *store.Store) (districts, villages []domain.Region, err error) {
	districts, err = st.SearchRegions(ctx, store.RegionQuery{Parent: Region, Limit: 200})
	if err != nil {
		return nil, nil, err
	}
	for _, d := range districts {
		vs, err := st.SearchRegions(ctx, store.RegionQuery{Parent: d.Code, Limit: 200})
		if err != nil {
			return nil, nil, err
		}
		villages = append(villages, vs...)
	}
	return districts, villages, nil
}

// history writes the demo's past: the case area on a moving clock, the
// events planned on it, and the tally of what was written.
type history struct {
	// providers are the demo's service providers, the puskesmas first;
	// pkmStaff is the puskesmas' account.
	providers []domain.Provider
	pkmStaff  domain.Scope
	st        *store.Store   // on the real clock
	hst       *store.Store   // the same store on the history clock
	hs        *cases.Service // the case area on the history clock
	clk       *clock
	rng       *rand.Rand // every draw in a fixed order: deterministic for a seed
	seed      int64
	sys       domain.Scope
	sup       domain.Scope // the demo supervisor, who triages
	events    []event
	res       CasesResult
}

// event is one planned step of the history.
type event struct {
	at time.Time
	do func() error
}

func (h *history) at(t time.Time, do func() error) { h.events = append(h.events, event{t, do}) }

// responder adds a responder account (invented name and number).
func (h *history) responder(ctx context.Context, name, region string, i int) (domain.User, error) {
	u, err := h.st.CreateUser(ctx, h.sys, domain.NewUser{Username: name, Role: domain.RoleResponder, RegionCode: region,
		FullName: firstNames[i%len(firstNames)] + " " + lastNames[i%len(lastNames)], Phone: fmt.Sprintf("+628120001%04d", i),
		Password: auth.GeneratePassword()})
	if err == nil {
		h.res.Responders++
	}
	return u, err
}

// teams adds a rapid-response team per district, a taskforce in every
// fourth village (and in the demo responder's village) and the UPTD team
// of the demo caseworker with two years of duty shifts.
func (h *history) teams(ctx context.Context, byName map[string]domain.User, districts, villages []domain.Region, start, end time.Time) error {
	h.clk.set(start)
	for i, d := range districts {
		u, err := h.responder(ctx, fmt.Sprintf("trc-%s", strings.ReplaceAll(d.Code, ".", "")), d.Code, 100+i)
		if err != nil {
			return err
		}
		if err := h.team(ctx, domain.Team{Name: "TRC Kecamatan " + d.Name, Kind: "district_team", RegionCode: d.Code,
			MemberIDs: []string{u.ID}}); err != nil {
			return err
		}
	}
	satgas := byName["satgas"]
	k := 0
	for i, v := range villages {
		if i%4 != 0 && v.Code != satgas.RegionCode {
			continue
		}
		members := []string{}
		if v.Code == satgas.RegionCode && satgas.ID != "" {
			members = append(members, satgas.ID)
		} else {
			u, err := h.responder(ctx, fmt.Sprintf("satgas-%s", strings.ReplaceAll(v.Code, ".", "")), v.Code, 200+k)
			if err != nil {
				return err
			}
			members = append(members, u.ID)
			k++
		}
		if err := h.team(ctx, domain.Team{Name: "Satgas PPA Desa " + v.Name, Kind: "village_taskforce", RegionCode: v.Code,
			MemberIDs: members}); err != nil {
			return err
		}
	}
	pk, ok := byName["peksos"]
	if !ok {
		return nil
	}
	if err := h.team(ctx, domain.Team{Name: "UPTD PPA Bengkayang", Kind: "uptd", RegionCode: Region, MemberIDs: []string{pk.ID}}); err != nil {
		return err
	}
	for t := start; t.Before(end.Add(60 * 24 * time.Hour)); t = t.Add(30 * 24 * time.Hour) {
		if _, err := h.hs.AddDuty(ctx, h.sys, domain.DutyShift{UserID: pk.ID, RegionCode: Region, StartsAt: t, EndsAt: t.Add(30 * 24 * time.Hour)}); err != nil {
			return err
		}
	}
	return nil
}

func (h *history) team(ctx context.Context, t domain.Team) error {
	if _, err := h.hs.CreateTeam(ctx, h.sys, t); err != nil {
		return err
	}
	h.res.Teams++
	return nil
}

// demoCase is one invented report and what becomes of it.
type demoCase struct {
	i         int
	received  time.Time
	vt        domain.ViolenceType
	types     []domain.ViolenceType
	village   domain.Region
	age       int
	sex       domain.Sex
	desc      string
	channel   domain.Channel
	anonymous bool
	prio      domain.Priority
	fate      int // <10 rejected, <15 merged, else a case
	// after received: triage, acknowledgement, first contact, closing
	triage, ackAfter, respAfter, closeAfter time.Duration
}

// draw invents case i, received between start and end. The order of the
// draws is part of the data set: changing it changes every later case.
func (h *history) draw(i int, villages []domain.Region, start, end time.Time) demoCase {
	rng := h.rng
	c := demoCase{i: i, received: start.Add(time.Duration(rng.Int63n(int64(end.Sub(start)))))}
	c.vt = pickType(rng)
	c.types = []domain.ViolenceType{c.vt}
	if rng.Intn(4) == 0 {
		c.types = append(c.types, domain.VPsychological)
	}
	if c.vt == domain.VPhysical && rng.Intn(3) == 0 {
		c.types = append(c.types, domain.VKDRT)
	}
	c.village = villages[rng.Intn(len(villages))]
	c.age = rng.Intn(18)
	c.sex = domain.SexFemale
	if rng.Intn(2) == 0 {
		c.sex = domain.SexMale
	}
	told := stories[c.vt]
	c.desc = told[rng.Intn(len(told))] + fmt.Sprintf(" Kejadian di sekitar %s. (data demo #%d)", c.village.Name, i+1)
	c.channel = []domain.Channel{domain.ChannelWeb, domain.ChannelWeb, domain.ChannelSMS, domain.ChannelWhatsApp, domain.ChannelStaff}[rng.Intn(5)]
	c.anonymous = rng.Intn(3) == 0
	c.prio = domain.PriorityMedium
	if c.vt == domain.VSexual || c.vt == domain.VTrafficking || c.age < 5 {
		c.prio = domain.PriorityHigh
	} else if rng.Intn(4) == 0 {
		c.prio = domain.PriorityLow
	}
	c.fate = rng.Intn(100)
	// Triage within the 30-minute window mostly; acknowledgement and
	// first contact mostly within their clocks, a realistic share late.
	c.triage = time.Duration(3+rng.Intn(20)) * time.Minute
	if rng.Intn(6) == 0 {
		c.triage = time.Duration(30+rng.Intn(60)) * time.Minute
	}
	c.ackAfter = c.triage + time.Duration(2+rng.Intn(20))*time.Minute
	if rng.Intn(6) == 0 {
		c.ackAfter = c.triage + time.Duration(60+rng.Intn(180))*time.Minute
	}
	window := 20 * time.Hour
	if c.prio == domain.PriorityHigh {
		window = 5 * time.Hour
	}
	c.respAfter = c.ackAfter + time.Duration(30+rng.Int63n(int64(window/time.Minute)))*time.Minute
	if rng.Intn(7) == 0 {
		c.respAfter = c.ackAfter + time.Duration(24+rng.Intn(48))*time.Hour
	}
	c.closeAfter = c.respAfter + time.Duration(3+rng.Intn(60))*24*time.Hour
	return c
}

// caseRun is what a case's earlier events hand on to its later ones.
type caseRun struct {
	rep       domain.Report
	caseID    string
	responder domain.Scope
}

// schedule plans c's events: the report, its triage and, once it is a
// case with a responder, the workflow steps until closing before end.
func (h *history) schedule(ctx context.Context, c demoCase, end time.Time) {
	run := &caseRun{}
	h.at(c.received, func() error { return h.report(ctx, c, run) })
	h.at(c.received.Add(c.triage), func() error { return h.triageReport(ctx, c, run) })
	step := func(after time.Duration, fn func() error) {
		h.at(c.received.Add(after), func() error {
			if run.caseID == "" || run.responder.UserID == "" {
				return nil
			}
			return fn()
		})
	}
	step(c.ackAfter, func() error {
		_, err := h.hs.Transition(ctx, run.responder, run.caseID, domain.Transition{To: domain.StatusAcknowledged, Note: "Diterima (demo)"})
		return err
	})
	if h.rng.Intn(10) == 0 {
		return // never reached: the escalations show it
	}
	step(c.respAfter, func() error {
		_, err := h.hs.Transition(ctx, run.responder, run.caseID, domain.Transition{To: domain.StatusResponded, Note: "Anak sudah ditemui (demo)"})
		return err
	})
	step(c.respAfter+2*time.Hour, func() error { return h.serve(ctx, c, run) })
	closes := c.received.Add(c.closeAfter).Before(end) && h.rng.Intn(6) != 0
	h.scheduleCasework(ctx, c, run, step, closes, end)
	if closes {
		step(c.closeAfter, func() error {
			_, err := h.hs.Transition(ctx, h.sup, run.caseID, domain.Transition{To: domain.StatusClosed, Note: "Layanan selesai (demo)"})
			if err == nil {
				h.res.Closed++
			}
			return err
		})
	}
}

// report files c's report from the public, anonymously or with a name
// and number.
func (h *history) report(ctx context.Context, c demoCase, run *caseRun) error {
	nr := domain.NewReport{Channel: c.channel, RegionCode: c.village.Code, Description: c.desc, ChildAge: &c.age, ChildSex: c.sex,
		Anonymous: c.anonymous, IdempotencyKey: fmt.Sprintf("demo-%d-%d", h.seed, c.i)}
	if !c.anonymous {
		nr.ReporterName = firstNames[(c.i+3)%len(firstNames)] + " (demo)"
		nr.ContactPhone = fmt.Sprintf("+628130002%04d", c.i)
	}
	var err error
	run.rep, _, err = h.hs.CreateReport(ctx, access.Public("10.0.0.9", "demo"), nr, Region)
	h.res.Reports++
	return err
}

// triageReport has the supervisor reject c's report, merge it into a case
// of its village, or verify it into a case, whose responder (the team's
// first member, else the assignee) then works it.
func (h *history) triageReport(ctx context.Context, c demoCase, run *caseRun) error {
	switch {
	case c.fate < 10:
		h.res.Rejected++
		return h.hs.RejectReport(ctx, h.sup, run.rep.ID, "Bukan kasus perlindungan anak (demo)")
	case c.fate < 15:
		cs, _, err := h.hs.ListCases(ctx, h.sup, domain.CaseFilter{RegionCode: c.village.Code, Limit: 1})
		if err == nil && len(cs) > 0 {
			h.res.Merged++
			return h.hs.MergeReport(ctx, h.sup, run.rep.ID, cs[0].ID)
		}
	}
	cs, err := h.hs.VerifyReport(ctx, h.sup, run.rep.ID, cases.VerifyInput{Priority: c.prio, Types: c.types, Child: childDetails(c)})
	if err != nil {
		return err
	}
	h.res.Cases++
	run.caseID = cs.ID
	if err := h.completeCase(ctx, c, cs); err != nil {
		return err
	}
	who := cs.AssigneeID
	if cs.TeamID != "" {
		if t, err := h.hs.GetTeam(ctx, h.sys, cs.TeamID); err == nil && len(t.Members) > 0 {
			who = t.Members[0].ID
		}
	}
	if who != "" {
		if u, err := h.hst.GetUser(ctx, access.System("demo"), who); err == nil {
			run.responder = access.ForUser(u, "10.0.0.3", "demo")
		}
	}
	return nil
}

// completeCase, for about one case in three, completes what the report
// did not say, as a supervisor does after the first call: the date of the
// incident and the narrative (kept in the case's history).
func (h *history) completeCase(ctx context.Context, c demoCase, cs domain.Case) error {
	// Drawn from the case's own source: the main sequence stays as it was.
	rng := rand.New(rand.NewSource(int64(c.i) + 15485863))
	if rng.Intn(3) != 0 {
		return nil
	}
	day := cs.ReportedAt.In(domain.WIB).AddDate(0, 0, -1-rng.Intn(3)).Format("2006-01-02")
	return h.hs.EditCase(ctx, h.sup, cs.ID, cs.Version, func(f *cases.CaseFields) {
		f.IncidentDate = day
		f.Summary += " Kronologi dilengkapi petugas setelah menghubungi pelapor (demo)."
	})
}

// serve moves c's case into service (now and then a referral instead),
// records a service and, for sexual violence, the police referral.
func (h *history) serve(ctx context.Context, c demoCase, run *caseRun) error {
	to := domain.StatusInService
	if h.rng.Intn(8) == 0 {
		to = domain.StatusReferred
	}
	_, err := h.hs.Transition(ctx, h.sup, run.caseID, domain.Transition{To: to, Note: "Rencana layanan disusun (demo)"})
	if err != nil {
		return err
	}
	svc := []string{"complaint", "health", "psychosocial", "legal_aid", "social_rehabilitation"}[h.rng.Intn(5)]
	sv := &domain.Service{Type: svc, Provider: "UPTD PPA Bengkayang", GivenOn: h.clk.now().In(domain.WIB).Format("2006-01-02"),
		Note: "Layanan diberikan (demo)"}
	// Details drawn from the case's own source, not h.rng: the main
	// sequence of draws stays as it was.
	rng := rand.New(rand.NewSource(int64(c.i) + 7919))
	if rng.Intn(2) == 0 {
		sv.EndedOn, sv.Outcome = sv.GivenOn, "Layanan selesai, anak didampingi keluarga (demo)"
	}
	if err := h.hs.AddDetail(ctx, h.sup, run.caseID, cases.CaseDetail{Service: sv}); err != nil {
		return err
	}
	if rng.Intn(3) > 0 {
		if err := h.hs.AddDetail(ctx, h.sup, run.caseID, cases.CaseDetail{Perpetrator: perpetratorDetails(rng)}); err != nil {
			return err
		}
	}
	if c.vt == domain.VSexual {
		return h.hs.AddDetail(ctx, h.sup, run.caseID, cases.CaseDetail{Referral: &domain.Referral{Agency: "Unit PPA Polres Bengkayang",
			Reason: "Laporan polisi sesuai UU TPKS (demo)"}})
	}
	return nil
}

// play runs the planned events in time order up to end, the escalation
// job before each, and expires the messages the history queued.
func (h *history) play(ctx context.Context, end time.Time) error {
	sort.SliceStable(h.events, func(i, j int) bool { return h.events[i].at.Before(h.events[j].at) })
	for _, e := range h.events {
		if e.at.After(end) {
			continue
		}
		h.clk.set(e.at)
		if _, err := h.hs.RunEscalations(ctx, "demo", 500); err != nil {
			return err
		}
		if err := e.do(); err != nil {
			if _, ok := domain.AsError(err); ok {
				continue // e.g. a transition that no longer applies: skip, like a person would
			}
			return err
		}
	}
	h.clk.set(end)
	if _, err := h.hs.RunEscalations(ctx, "demo", 5000); err != nil {
		return err
	}
	if _, err := outbox.Expire(ctx, h.st, h.sys, end); err != nil {
		return err
	}
	return nil
}

// Synthetic first names and family names for the children of the demo
// cases: common Indonesian names, combined at random; any likeness to a
// real child is chance.
var (
	demoGirls    = []string{"Melati", "Siti", "Putri", "Ayu", "Dewi", "Nur", "Rina", "Wulan", "Intan", "Sari", "Lestari", "Fitri"}
	demoBoys     = []string{"Budi", "Agus", "Rizki", "Dimas", "Yohanes", "Andi", "Fajar", "Hendra", "Stefanus", "Bayu", "Eko", "Arif"}
	demoFamilies = []string{"Rahmawati", "Lestari", "Simanjuntak", "Hidayat", "Saputra", "Nainggolan", "Pratama", "Wijaya", "Kurniawan", "Anggraini"}
)

// childDetails invents what a caseworker learns of c's child beyond the
// report: a name, schooling by age, and now and then a disability. Drawn
// from the case's own source so the main sequence of draws is unchanged.
func childDetails(c demoCase) domain.Victim {
	rng := rand.New(rand.NewSource(int64(c.i) + 104729))
	first := demoGirls
	if c.sex == domain.SexMale {
		first = demoBoys
	}
	v := domain.Victim{Name: first[rng.Intn(len(first))] + " " + demoFamilies[rng.Intn(len(demoFamilies))],
		MaritalStatus: "unmarried", Occupation: "student", Place: []string{"household", "household", "school", "public", "online"}[rng.Intn(5)]}
	switch {
	case c.age < 4:
		v.Education, v.Occupation = "none", "not_working"
	case c.age < 7:
		v.Education = "preschool"
	case c.age < 13:
		v.Education = "primary"
	case c.age < 16:
		v.Education = "junior"
	default:
		v.Education = "senior"
	}
	if rng.Intn(12) == 0 {
		v.Disabilities = []string{domain.Disabilities[rng.Intn(len(domain.Disabilities))]}
	}
	return v
}

// perpetratorDetails invents the person a case names as the perpetrator:
// mostly someone the child knows, as in the national figures.
func perpetratorDetails(rng *rand.Rand) *domain.Perpetrator {
	rel := []string{"parent", "step_parent", "family", "neighbour", "partner", "friend", "teacher", "stranger", "unknown"}[rng.Intn(9)]
	age := 18 + rng.Intn(45)
	p := &domain.Perpetrator{Sex: domain.SexMale, Age: &age, Relation: rel,
		Education: domain.Educations[rng.Intn(len(domain.Educations))], Occupation: domain.Occupations[rng.Intn(len(domain.Occupations))]}
	if rng.Intn(5) == 0 {
		p.Sex = domain.SexFemale
	}
	return p
}
