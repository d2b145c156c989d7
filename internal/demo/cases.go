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
}

// LoadCases writes n synthetic reports and cases over the two years before
// now across Bengkayang's villages, with teams, responders and a duty
// roster, through the same store calls the application makes (so every
// clock, escalation and audit entry is real). Messages of the history are
// expired, not sent. Deterministic for a seed.
func LoadCases(ctx context.Context, st *store.Store, n int, seed int64) (CasesResult, error) {
	var res CasesResult
	rng := rand.New(rand.NewSource(seed))
	sys := access.System("demo")
	end := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Minute)
	start := end.AddDate(-2, 0, 0)
	clk := &clock{t: start}
	hst := st.WithClock(clk.now)          // history store
	hs := cases.New(hst, cases.Options{}) // the case area on the history clock

	users, _, err := st.ListUsers(ctx, sys, domain.UserFilter{Limit: 200})
	if err != nil {
		return res, err
	}
	byName := map[string]domain.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	sup, ok := byName["supervisor"]
	if !ok {
		return res, fmt.Errorf("demo: load the demo accounts first")
	}
	districts, err := st.SearchRegions(ctx, store.RegionQuery{Parent: Region, Limit: 200})
	if err != nil {
		return res, err
	}
	var villages []domain.Region
	for _, d := range districts {
		vs, err := st.SearchRegions(ctx, store.RegionQuery{Parent: d.Code, Limit: 200})
		if err != nil {
			return res, err
		}
		villages = append(villages, vs...)
	}
	if len(villages) == 0 {
		return res, fmt.Errorf("demo: no villages under %s", Region)
	}
	// Teams: a rapid-response team per district, a taskforce in every
	// fourth village (and in the demo responder's village).
	mkResponder := func(name, region string, i int) (domain.User, error) {
		return st.CreateUser(ctx, sys, domain.NewUser{Username: name, Role: domain.RoleResponder, RegionCode: region,
			FullName: firstNames[i%len(firstNames)] + " " + lastNames[i%len(lastNames)], Phone: fmt.Sprintf("+628120001%04d", i),
			Password: auth.GeneratePassword()})
	}
	clk.set(start)
	k := 0
	for i, d := range districts {
		u, err := mkResponder(fmt.Sprintf("trc-%s", strings.ReplaceAll(d.Code, ".", "")), d.Code, 100+i)
		if err != nil {
			return res, err
		}
		res.Responders++
		if _, err := hs.CreateTeam(ctx, sys, domain.Team{Name: "TRC Kecamatan " + d.Name, Kind: "district_team", RegionCode: d.Code,
			MemberIDs: []string{u.ID}}); err != nil {
			return res, err
		}
		res.Teams++
	}
	satgas := byName["satgas"]
	for i, v := range villages {
		if i%4 != 0 && v.Code != satgas.RegionCode {
			continue
		}
		members := []string{}
		if v.Code == satgas.RegionCode && satgas.ID != "" {
			members = append(members, satgas.ID)
		} else {
			u, err := mkResponder(fmt.Sprintf("satgas-%s", strings.ReplaceAll(v.Code, ".", "")), v.Code, 200+k)
			if err != nil {
				return res, err
			}
			members = append(members, u.ID)
			res.Responders++
			k++
		}
		if _, err := hs.CreateTeam(ctx, sys, domain.Team{Name: "Satgas PPA Desa " + v.Name, Kind: "village_taskforce", RegionCode: v.Code,
			MemberIDs: members}); err != nil {
			return res, err
		}
		res.Teams++
	}
	if pk, ok := byName["peksos"]; ok {
		if _, err := hs.CreateTeam(ctx, sys, domain.Team{Name: "UPTD PPA Bengkayang", Kind: "uptd", RegionCode: Region, MemberIDs: []string{pk.ID}}); err != nil {
			return res, err
		}
		res.Teams++
		for t := start; t.Before(end.Add(60 * 24 * time.Hour)); t = t.Add(30 * 24 * time.Hour) {
			if _, err := hs.AddDuty(ctx, sys, domain.DutyShift{UserID: pk.ID, RegionCode: Region, StartsAt: t, EndsAt: t.Add(30 * 24 * time.Hour)}); err != nil {
				return res, err
			}
		}
	}

	// Plan every case's events, then play them in time order so each
	// escalation fires when it would have.
	type event struct {
		at time.Time
		do func() error
	}
	var events []event
	supSc := access.ForUser(sup, "10.0.0.2", "demo")
	for i := 0; i < n; i++ {
		i := i
		received := start.Add(time.Duration(rng.Int63n(int64(end.Sub(start)))))
		vt := pickType(rng)
		types := []domain.ViolenceType{vt}
		if rng.Intn(4) == 0 {
			types = append(types, domain.VPsychological)
		}
		if vt == domain.VPhysical && rng.Intn(3) == 0 {
			types = append(types, domain.VKDRT)
		}
		village := villages[rng.Intn(len(villages))]
		age := rng.Intn(18)
		sex := domain.SexFemale
		if rng.Intn(2) == 0 {
			sex = domain.SexMale
		}
		st := stories[vt]
		desc := st[rng.Intn(len(st))] + fmt.Sprintf(" Kejadian di sekitar %s. (data demo #%d)", village.Name, i+1)
		channel := []domain.Channel{domain.ChannelWeb, domain.ChannelWeb, domain.ChannelSMS, domain.ChannelWhatsApp, domain.ChannelStaff}[rng.Intn(5)]
		anonymous := rng.Intn(3) == 0
		prio := domain.PriorityMedium
		if vt == domain.VSexual || vt == domain.VTrafficking || age < 5 {
			prio = domain.PriorityHigh
		} else if rng.Intn(4) == 0 {
			prio = domain.PriorityLow
		}
		fate := rng.Intn(100) // <10 rejected, <15 merged, else a case
		// Triage within the 30-minute window mostly; acknowledgement and
		// first contact mostly within their clocks, a realistic share late.
		triage := time.Duration(3+rng.Intn(20)) * time.Minute
		if rng.Intn(6) == 0 {
			triage = time.Duration(30+rng.Intn(60)) * time.Minute
		}
		ackAfter := triage + time.Duration(2+rng.Intn(20))*time.Minute
		if rng.Intn(6) == 0 {
			ackAfter = triage + time.Duration(60+rng.Intn(180))*time.Minute
		}
		window := 20 * time.Hour
		if prio == domain.PriorityHigh {
			window = 5 * time.Hour
		}
		respAfter := ackAfter + time.Duration(30+rng.Int63n(int64(window/time.Minute)))*time.Minute
		if rng.Intn(7) == 0 {
			respAfter = ackAfter + time.Duration(24+rng.Intn(48))*time.Hour
		}
		closeAfter := respAfter + time.Duration(3+rng.Intn(60))*24*time.Hour
		var rep domain.Report
		var caseID string
		var responder domain.Scope
		events = append(events, event{received, func() error {
			nr := domain.NewReport{Channel: channel, RegionCode: village.Code, Description: desc, ChildAge: &age, ChildSex: sex,
				Anonymous: anonymous, IdempotencyKey: fmt.Sprintf("demo-%d-%d", seed, i)}
			if !anonymous {
				nr.ReporterName = firstNames[(i+3)%len(firstNames)] + " (demo)"
				nr.ContactPhone = fmt.Sprintf("+628130002%04d", i)
			}
			var err error
			rep, _, err = hs.CreateReport(ctx, access.Public("10.0.0.9", "demo"), nr, Region)
			res.Reports++
			return err
		}})
		events = append(events, event{received.Add(triage), func() error {
			switch {
			case fate < 10:
				res.Rejected++
				return hs.RejectReport(ctx, supSc, rep.ID, "Bukan kasus perlindungan anak (demo)")
			case fate < 15:
				cs, _, err := hs.ListCases(ctx, supSc, domain.CaseFilter{RegionCode: village.Code, Limit: 1})
				if err == nil && len(cs) > 0 {
					res.Merged++
					return hs.MergeReport(ctx, supSc, rep.ID, cs[0].ID)
				}
			}
			c, err := hs.VerifyReport(ctx, supSc, rep.ID, cases.VerifyInput{Priority: prio, Types: types})
			if err != nil {
				return err
			}
			res.Cases++
			caseID = c.ID
			who := c.AssigneeID
			if c.TeamID != "" {
				if t, err := hs.GetTeam(ctx, sys, c.TeamID); err == nil && len(t.Members) > 0 {
					who = t.Members[0].ID
				}
			}
			if who != "" {
				if u, err := hst.GetUser(ctx, access.System("demo"), who); err == nil {
					responder = access.ForUser(u, "10.0.0.3", "demo")
				}
			}
			return nil
		}})
		step := func(after time.Duration, fn func() error) {
			events = append(events, event{received.Add(after), func() error {
				if caseID == "" || responder.UserID == "" {
					return nil
				}
				return fn()
			}})
		}
		step(ackAfter, func() error {
			_, err := hs.Transition(ctx, responder, caseID, domain.Transition{To: domain.StatusAcknowledged, Note: "Diterima (demo)"})
			return err
		})
		if rng.Intn(10) == 0 {
			continue // never reached: the escalations show it
		}
		step(respAfter, func() error {
			_, err := hs.Transition(ctx, responder, caseID, domain.Transition{To: domain.StatusResponded, Note: "Anak sudah ditemui (demo)"})
			return err
		})
		step(respAfter+2*time.Hour, func() error {
			to := domain.StatusInService
			if rng.Intn(8) == 0 {
				to = domain.StatusReferred
			}
			_, err := hs.Transition(ctx, supSc, caseID, domain.Transition{To: to, Note: "Rencana layanan disusun (demo)"})
			if err != nil {
				return err
			}
			svc := []string{"complaint", "health", "psychosocial", "legal_aid", "social_rehabilitation"}[rng.Intn(5)]
			if err := hs.AddDetail(ctx, supSc, caseID, cases.CaseDetail{Service: &domain.Service{Type: svc, Provider: "UPTD PPA Bengkayang",
				GivenOn: clk.now().In(domain.WIB).Format("2006-01-02"), Note: "Layanan diberikan (demo)"}}); err != nil {
				return err
			}
			if vt == domain.VSexual {
				return hs.AddDetail(ctx, supSc, caseID, cases.CaseDetail{Referral: &domain.Referral{Agency: "Unit PPA Polres Bengkayang",
					Reason: "Laporan polisi sesuai UU TPKS (demo)"}})
			}
			return nil
		})
		if received.Add(closeAfter).Before(end) && rng.Intn(6) != 0 {
			step(closeAfter, func() error {
				_, err := hs.Transition(ctx, supSc, caseID, domain.Transition{To: domain.StatusClosed, Note: "Layanan selesai (demo)"})
				if err == nil {
					res.Closed++
				}
				return err
			})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	for _, e := range events {
		if e.at.After(end) {
			continue
		}
		clk.set(e.at)
		if _, err := hs.RunEscalations(ctx, "demo", 500); err != nil {
			return res, err
		}
		if err := e.do(); err != nil {
			if _, ok := domain.AsError(err); ok {
				continue // e.g. a transition that no longer applies: skip, like a person would
			}
			return res, err
		}
	}
	clk.set(end)
	if _, err := hs.RunEscalations(ctx, "demo", 5000); err != nil {
		return res, err
	}
	if _, err := st.ExpireOutbox(ctx, sys, end); err != nil {
		return res, err
	}
	return res, nil
}
