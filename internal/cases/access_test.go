package cases_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// needWorld is a case in village 61.07.01.2001 routed to the village
// taskforce (responder satgas) with the district team (caseworker peksos)
// in support and caseworker lead as its lead; a caseworker of the same
// district in no team (bystander), two supervisors and an admin of the
// regency, and users who may not see the case at all.
type needWorld struct {
	st                                 *store.Store
	svc                                *cases.Service
	clk                                *storetest.Clock
	url                                string
	sup, supA, admin, peksos, satgas   domain.User
	lead, bystander                    domain.User
	satgasOther, cwOther, viewer, prov domain.User
	cs                                 domain.Case
}

const (
	needSummary = "RAHASIA-KRONOLOGI anak dikurung"
	needVictim  = "RAHASIA-KORBAN Ani"
	needPerp    = "RAHASIA-PELAKU Budi"
	needNote    = "RAHASIA-CATATAN kunjungan rumah"
	needReason  = "Satgas tidak dapat dihubungi, anak dilaporkan hilang malam ini"
)

func newNeedWorld(t *testing.T, d store.Dialect, ttl time.Duration) *needWorld {
	t.Helper()
	w := &needWorld{clk: storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)), url: storetest.URL(t, d)}
	w.st = storetest.Open(t, d, storetest.Options{Now: w.clk.Now, URL: w.url})
	w.svc = cases.New(w.st, cases.Options{EmergencyAccess: ttl})
	return fillNeedWorld(t, w)
}

// fillNeedWorld adds needWorld's users, teams and case to w.st.
func fillNeedWorld(t *testing.T, w *needWorld) *needWorld {
	t.Helper()
	w.sup = mkUser(t, w.st, "sup", domain.RoleSupervisor, "61.07")
	w.supA = mkUser(t, w.st, "sup-a", domain.RoleSupervisor, "61.07.01")
	w.admin = mkUser(t, w.st, "admin", domain.RoleAdmin, "61.07")
	w.satgas = mkUser(t, w.st, "satgas", domain.RoleResponder, "61.07.01.2001")
	w.peksos = mkUser(t, w.st, "peksos", domain.RoleCaseworker, "61.07.01")
	w.lead = mkUser(t, w.st, "peksos-lead", domain.RoleCaseworker, "61.07.01")
	w.bystander = mkUser(t, w.st, "peksos-lain", domain.RoleCaseworker, "61.07.01")
	w.satgasOther = mkUser(t, w.st, "satgas-lain", domain.RoleResponder, "61.07.01.2001")
	w.cwOther = mkUser(t, w.st, "cw-b", domain.RoleCaseworker, "61.07.02")
	w.viewer = mkUser(t, w.st, "bupati", domain.RoleViewer, "61.07")
	w.prov = mkUser(t, w.st, "admin-prov", domain.RoleAdmin, "13.01")
	if _, err := w.svc.CreateTeam(ctx, sys(), domain.Team{Name: "Satgas Desa", Kind: "village_taskforce", RegionCode: "61.07.01.2001",
		MemberIDs: []string{w.satgas.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateTeam(ctx, sys(), domain.Team{Name: "TRC Sungai Raya", Kind: "district_team", RegionCode: "61.07.01",
		MemberIDs: []string{w.peksos.ID}}); err != nil {
		t.Fatal(err)
	}
	age := 9
	rep, _, err := w.svc.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
		RegionCode: "61.07.01.2001", Description: needSummary + " di gudang", ChildAge: &age, ChildSex: domain.SexFemale}, "61.07")
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.VerifyReport(ctx, w.sc(w.sup), rep.ID, cases.VerifyInput{Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VPhysical}, Summary: needSummary})
	if err != nil {
		t.Fatal(err)
	}
	if c.TeamID == "" || c.SupportTeamID == "" {
		t.Fatalf("case not routed to both teams: %+v", c)
	}
	if _, err := w.svc.Reassign(ctx, w.sc(w.sup), c.ID, "", w.lead.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, dt := range []cases.CaseDetail{
		{Victim: &domain.Victim{Name: needVictim, Sex: domain.SexFemale, Age: &age}},
		{Perpetrator: &domain.Perpetrator{Name: needPerp, Sex: domain.SexMale, Relation: "parent"}},
		{Note: needNote},
	} {
		if err := w.svc.AddDetail(ctx, sys(), c.ID, dt); err != nil {
			t.Fatal(err)
		}
	}
	w.cs = c
	return w
}

func (w *needWorld) sc(u domain.User) domain.Scope { return access.ForUser(u, "10.0.0.9", "test") }

// personal lists the personal data of the case that c carries.
func needPersonal(c domain.Case) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	add(c.Summary)
	for _, v := range c.Victims {
		add(v.Name)
	}
	for _, p := range c.Perpetrators {
		add(p.Name)
	}
	for _, e := range c.Events {
		if strings.Contains(e.Note, "RAHASIA") {
			add(e.Note)
		}
		add(e.ActorName) // staff's full names are personal data too
	}
	for _, r := range c.Reports {
		add(r.Description)
	}
	return out
}

// isFull reports whether c carries every planted personal field.
func needFull(t *testing.T, who string, c domain.Case) {
	t.Helper()
	got := strings.Join(needPersonal(c), "|")
	for _, s := range []string{needSummary, needVictim, needPerp, needNote, "Nama sup"} {
		if !strings.Contains(got, s) {
			t.Errorf("%s: lacks %q (masked=%v)", who, s, c.PersonalMasked)
		}
	}
	if c.PersonalMasked || c.AccessRequestable {
		t.Errorf("%s: masked=%v requestable=%v", who, c.PersonalMasked, c.AccessRequestable)
	}
}

func needMasked(t *testing.T, who string, c domain.Case) {
	t.Helper()
	if p := needPersonal(c); len(p) > 0 || !c.PersonalMasked {
		t.Errorf("%s: sees %q (masked=%v)", who, p, c.PersonalMasked)
	}
	if !c.AccessRequestable || c.AccessUntil != nil {
		t.Errorf("%s: requestable=%v until=%v", who, c.AccessRequestable, c.AccessUntil)
	}
	// The case itself is there, without its personal data.
	if len(c.Victims) != 2 || len(c.Perpetrators) != 1 || len(c.Events) == 0 || c.Status == "" {
		t.Errorf("%s: the masked case lacks its facts: %+v", who, c)
	}
}

// Personal data of a case is for those who handle it (lead, members of
// its teams) and for the region's supervisors and admins; another
// caseworker of the region sees the case without it.
func TestCasePersonalDataNeedToKnow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		for _, x := range []struct {
			u    domain.User
			want string // full, masked, none
		}{
			{w.sup, "full"}, {w.supA, "full"}, {w.admin, "full"}, {w.lead, "full"}, {w.peksos, "full"}, {w.satgas, "full"},
			{w.bystander, "masked"},
			{w.satgasOther, "none"}, {w.cwOther, "none"}, {w.viewer, "none"}, {w.prov, "none"},
		} {
			c, err := w.svc.GetCase(ctx, w.sc(x.u), w.cs.ID)
			switch x.want {
			case "none":
				if !domain.IsNotFound(err) {
					t.Errorf("%s: %v, want not found", x.u.Username, err)
				}
				continue
			case "full":
				if err != nil {
					t.Fatalf("%s: %v", x.u.Username, err)
				}
				needFull(t, x.u.Username, c)
			case "masked":
				if err != nil {
					t.Fatalf("%s: %v", x.u.Username, err)
				}
				needMasked(t, x.u.Username, c)
			}
			// Lists never carry personal data, for anyone.
			list, _, err := w.svc.ListCases(ctx, w.sc(x.u), domain.CaseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, lc := range list {
				if p := needPersonal(lc); len(p) > 0 {
					t.Errorf("%s: list carries %q", x.u.Username, p)
				}
			}
		}
		// Only views that showed personal data are audited as such.
		es, err := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "case.view_personal", ObjectID: w.cs.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Actor == w.bystander.Username {
				t.Errorf("a masked view is audited as a view of personal data: %+v", e)
			}
		}
		if len(es) != 6 {
			t.Errorf("%d audited views of personal data, want 6", len(es))
		}
		// Changing the lead changes who sees: the former lead, in no team,
		// is a bystander now.
		if _, err := w.svc.Reassign(ctx, w.sc(w.sup), w.cs.ID, "", w.bystander.ID, ""); err != nil {
			t.Fatal(err)
		}
		for u, full := range map[*domain.User]bool{&w.lead: false, &w.bystander: true} {
			c, err := w.svc.GetCase(ctx, w.sc(*u), w.cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full {
				needFull(t, u.Username+" (new lead)", c)
			} else {
				needMasked(t, u.Username+" (former lead)", c)
			}
		}
	})
}

// Emergency access (akses darurat): a bystander opens the case by giving a
// reason; the grant is stored with the reason sealed, audited, shown on
// the timeline, the region's supervisors are notified, and it ends after
// the configured time.
func TestCaseEmergencyAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		by := w.sc(w.bystander)
		// Refusals change nothing.
		for _, x := range []struct {
			who    string
			sc     domain.Scope
			reason string
			code   domain.ErrorCode
		}{
			{"short reason", by, "darurat", domain.EInvalid},
			{"blank reason", by, "                                   ", domain.EInvalid},
			{"too long", by, strings.Repeat("alasan ", 200), domain.EInvalid},
			{"supervisor (sees it already)", w.sc(w.sup), needReason, domain.EConflict},
			{"lead (sees it already)", w.sc(w.lead), needReason, domain.EConflict},
			{"team member (sees it already)", w.sc(w.satgas), needReason, domain.EConflict},
			{"responder of no team", w.sc(w.satgasOther), needReason, domain.ENotFound},
			{"caseworker of another district", w.sc(w.cwOther), needReason, domain.ENotFound},
			{"viewer", w.sc(w.viewer), needReason, domain.ENotFound},
			{"admin of another province", w.sc(w.prov), needReason, domain.ENotFound},
		} {
			_, err := w.svc.GrantEmergencyAccess(ctx, x.sc, w.cs.ID, x.reason)
			if domain.CodeOf(err) != x.code {
				t.Errorf("%s: %v, want %s", x.who, err, x.code)
			}
			if x.code == domain.EInvalid {
				if e, _ := domain.AsError(err); e.Fields["reason"].Key == "" {
					t.Errorf("%s: no message at the reason field: %v", x.who, err)
				}
			}
		}
		if _, err := w.svc.GrantEmergencyAccess(ctx, by, "no-such-case", needReason); !domain.IsNotFound(err) {
			t.Errorf("unknown case: %v", err)
		}
		before, _ := w.svc.GetCase(ctx, sys(), w.cs.ID)
		if msgs, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{}); len(msgs) == 0 {
			t.Fatal("no assignment messages: the world is wrong")
		}
		outbox0, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})

		granted := w.clk.Now()
		g, err := w.svc.GrantEmergencyAccess(ctx, by, w.cs.ID, "  "+needReason+"  ")
		if err != nil {
			t.Fatal(err)
		}
		if !g.ExpiresAt.Equal(granted.Add(cases.DefaultEmergencyAccess)) || g.UserID != w.bystander.ID || g.CaseID != w.cs.ID ||
			g.Reason != needReason {
			t.Fatalf("grant %+v", g)
		}
		c, err := w.svc.GetCase(ctx, by, w.cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		needFull(t, "bystander with emergency access", c)
		if c.AccessUntil == nil || !c.AccessUntil.Equal(g.ExpiresAt) {
			t.Errorf("access until %v, want %v", c.AccessUntil, g.ExpiresAt)
		}
		// A second grant while one runs is refused: it would only extend.
		if _, err := w.svc.GrantEmergencyAccess(ctx, by, w.cs.ID, needReason); domain.CodeOf(err) != domain.EConflict {
			t.Errorf("second grant: %v", err)
		}

		// On the timeline, with the reason for those who see the case.
		sup, _ := w.svc.GetCase(ctx, w.sc(w.sup), w.cs.ID)
		var ev *domain.CaseEvent
		for i := range sup.Events {
			if sup.Events[i].Kind == "emergency_access" {
				ev = &sup.Events[i]
			}
		}
		if ev == nil || ev.Actor != w.bystander.Username || ev.Note != needReason || len(sup.Events) != len(before.Events)+1 {
			t.Fatalf("timeline: %+v", sup.Events)
		}
		if sup.Version != before.Version {
			t.Errorf("the grant changed the case's version: %d -> %d", before.Version, sup.Version)
		}
		// Audited, without the reason (free text stays sealed).
		es, err := w.st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "case.emergency_access", ObjectID: w.cs.ID})
		if err != nil || len(es) != 1 || es[0].Actor != w.bystander.Username || es[0].IP != "10.0.0.9" {
			t.Fatalf("audit: %+v %v", es, err)
		}
		if strings.Contains(es[0].Detail, "RAHASIA") || strings.Contains(es[0].Detail, "Satgas") {
			t.Errorf("audit detail carries the reason: %q", es[0].Detail)
		}
		// The region's supervisors (of the regency and of the district)
		// are told, nobody else, without personal data.
		outbox1, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})
		got := map[string]bool{}
		seen := map[string]bool{}
		for _, m := range outbox0 {
			seen[m.ID] = true
		}
		for _, m := range outbox1 {
			if seen[m.ID] {
				continue
			}
			got[m.RecipientID] = true
			if m.CaseID != w.cs.ID || !strings.Contains(m.Body, domain.FormatPublicCode(w.cs.Code)) ||
				!strings.Contains(m.Body, w.bystander.Username) || strings.Contains(m.Body, "RAHASIA") || strings.Contains(m.Body, "Satgas tidak") {
				t.Errorf("message %+v", m)
			}
		}
		if len(got) != 2 || !got[w.sup.ID] || !got[w.supA.ID] {
			t.Errorf("notified %v, want the two supervisors", got)
		}
		// Sealed at rest.
		var reasonEnc string
		if err := rawDB(t, d, w.url).QueryRow(`SELECT reason_enc FROM case_access_grants WHERE id = $1`, g.ID).Scan(&reasonEnc); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(reasonEnc, "Satgas") || !strings.HasPrefix(reasonEnc, "enc1:") {
			t.Errorf("reason not sealed: %q", reasonEnc)
		}
		// Others are not affected by the bystander's grant.
		other := mkUser(t, w.st, "peksos-ketiga", domain.RoleCaseworker, "61.07.01")
		c, _ = w.svc.GetCase(ctx, w.sc(other), w.cs.ID)
		needMasked(t, "another bystander", c)

		// Still open a minute before the end, closed at the end.
		w.clk.Advance(cases.DefaultEmergencyAccess - time.Minute)
		c, _ = w.svc.GetCase(ctx, by, w.cs.ID)
		needFull(t, "bystander a minute before expiry", c)
		w.clk.Advance(time.Minute)
		c, err = w.svc.GetCase(ctx, by, w.cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		needMasked(t, "bystander after expiry", c)
		// ... and may ask again.
		if _, err := w.svc.GrantEmergencyAccess(ctx, by, w.cs.ID, needReason); err != nil {
			t.Fatalf("grant after expiry: %v", err)
		}
	})
}

// The length of an emergency access is configurable.
func TestCaseEmergencyAccessDuration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 30*time.Minute)
		g, err := w.svc.GrantEmergencyAccess(ctx, w.sc(w.bystander), w.cs.ID, needReason)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.ExpiresAt.Sub(g.GrantedAt); got != 30*time.Minute {
			t.Fatalf("lasts %v", got)
		}
		w.clk.Advance(30 * time.Minute)
		c, _ := w.svc.GetCase(ctx, w.sc(w.bystander), w.cs.ID)
		needMasked(t, "after 30 minutes", c)
	})
}
