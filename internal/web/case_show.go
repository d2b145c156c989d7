package web

import (
	"net/http"
	"strconv"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// The case page (/kasus/{id}): quick actions on top, then one of four
// tabs chosen by ?tab= and rendered on the server, so it works without
// JavaScript: summary, people, services, timeline.

var caseTabs = []string{"ringkasan", "orang", "rencana", "layanan", "linimasa"}

// CasePage shows a case.
type CasePage struct {
	Base
	kit
	C         domain.Case
	Tab       string
	Tabs      []string
	Region    domain.Region
	Next      []CaseAction
	CanWork   bool
	CanManage bool
	Teams     []FormOption
	People    []FormOption
	Victims   []FormOption
	// CW is the case's management after the first contact (assessment,
	// plan, visits, approvals) and the office's rules.
	CW cases.Casework
	// Providers are the active service providers a referral may go to.
	Providers []domain.Provider
	// TransferTo are the regencies a case may be transferred to.
	TransferTo []FormOption
	// Stays are the case's children's stays in safe houses and
	// institutions, and the places with room (shelters.go).
	Stays stayData
	// Workers are the active workers of the case's region, for the
	// casework forms (responsible for an action, visitor).
	Workers []FormOption
	// emergencyTTL is how long an emergency access lasts.
	emergencyTTL time.Duration
	// maxDocument is the largest file a case document may be.
	maxDocument int64
}

// CaseAction is a status the caller may move the case to.
type CaseAction struct {
	To     domain.CaseStatus
	Label  string
	Danger bool
	Note   bool // a note is required
}

// tabFor picks the tab: the asked one, or the one of the form posted.
func tabFor(q string) string {
	for _, t := range caseTabs {
		if t == q {
			return t
		}
	}
	return "ringkasan"
}

// formTab is the tab holding each form of the case page.
var formTab = map[string]string{"victim": "orang", "perpetrator": "orang", "service": "layanan", "referral": "layanan",
	"placement": "layanan"}

func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "case.title")
	s.casePage(w, r, b, s.kit(b), http.StatusOK, tabFor(r.URL.Query().Get("tab")))
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int, tab string) {
	ctx := r.Context()
	c, err := s.cases.GetCase(ctx, b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b.Title = b.T("case.heading", domain.FormatPublicCode(c.Code))
	p := CasePage{Base: b, kit: k, C: c, Tab: tab, Tabs: caseTabs,
		CanWork: b.Scope.Can(domain.PermWorkCases), CanManage: b.Scope.Can(domain.PermManageCases),
		emergencyTTL: s.cases.EmergencyAccessTTL()}
	if reg, err := s.st.GetRegion(ctx, c.RegionCode); err == nil {
		p.Region = reg
	}
	if p.CW, err = s.cases.CaseworkOnPage(ctx, b.Scope, c.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if c.ReadOnly {
		p.CanWork, p.CanManage = false, false
	}
	p.Next = p.withoutApprovalSteps(caseActions(b, c))
	if p.CW.CanWork && c.Status.Open() && p.PendingTransfer() == nil {
		p.TransferTo = s.transferTargets(r, c)
	}
	if tab == "layanan" && p.CW.CanWork && c.Status.Open() {
		if p.Providers, err = s.cases.ListProviders(ctx, b.Scope, true); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if tab == "layanan" && p.CW.CanWork && !c.ReadOnly {
		if p.Stays, err = s.caseStays(r, b, c); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if tab == "rencana" && p.CW.CanWork && b.Scope.Can(domain.PermViewUsers) {
		users, err := s.caseHandlers(r, b)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range users {
			if domain.RegionWithin(c.RegionCode, u.RegionCode) {
				p.Workers = append(p.Workers, FormOption{Value: u.ID, Label: u.Username + " (" + b.RoleName(u.Role) + ")"})
			}
		}
	}
	p.maxDocument = s.cases.MaxDocumentBytes()
	for i, v := range c.Victims {
		label := b.T("case.victim_n", i+1)
		if v.Name != "" {
			label += " — " + v.Name
		}
		p.Victims = append(p.Victims, FormOption{Value: v.ID, Label: label})
	}
	if p.CanManage && c.Status.Open() && c.Status != domain.StatusNew {
		teams, err := s.cases.ListTeams(ctx, b.Scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, t := range teams {
			if domain.RegionWithin(c.RegionCode, t.RegionCode) || domain.RegionWithin(t.RegionCode, c.RegionCode) {
				p.Teams = append(p.Teams, FormOption{Value: t.ID, Label: t.Name + " (" + k.Lbl("teamkind", t.Kind) + ", " + t.RegionName + ")"})
			}
		}
		if b.Scope.Can(domain.PermViewUsers) {
			users, err := s.caseHandlers(r, b)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, u := range users {
				if domain.RegionWithin(c.RegionCode, u.RegionCode) {
					p.People = append(p.People, FormOption{Value: u.ID, Label: u.Username + " (" + b.RoleName(u.Role) + ", " + u.RegionName + ")"})
				}
			}
		}
	}
	s.render(w, r, status, "case", p)
}

// caseHandlers lists the active users in the caller's region who may handle
// cases (the case area checks again when one is chosen).
func (s *Server) caseHandlers(r *http.Request, b Base) ([]domain.User, error) {
	var out []domain.User
	for _, role := range []domain.Role{domain.RoleSupervisor, domain.RoleCaseworker, domain.RoleResponder, domain.RoleAdmin} {
		users, _, err := s.st.ListUsers(r.Context(), b.Scope, domain.UserFilter{Role: role, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !u.Disabled {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// caseActions lists the statuses the caller may move the case to now
// (none for a read-only case: p.CanWork is false then).
// Assignment has its own form; the case area decides again on submit.
func caseActions(b Base, c domain.Case) []CaseAction {
	if !b.Scope.Can(domain.PermWorkCases) || c.ReadOnly {
		return nil
	}
	manage := b.Scope.Can(domain.PermManageCases)
	var out []CaseAction
	for _, to := range domain.NextStatuses(c.Status) {
		a := CaseAction{To: to, Label: b.T("caseact." + string(to))}
		switch {
		case to == domain.StatusAssigned:
			continue
		case c.Status == domain.StatusClosed:
			if !manage || (to == domain.StatusInService) != (c.RespondedAt != nil) {
				continue
			}
			a.Label, a.Note = b.T("caseact.reopen."+string(to)), true
		case to == domain.StatusVerified && !manage:
			continue
		case to == domain.StatusClosed:
			early := c.Status != domain.StatusInService && c.Status != domain.StatusReferred && c.Status != domain.StatusResponded
			if early && !manage {
				continue
			}
			a.Danger, a.Note = true, true
		}
		out = append(out, a)
	}
	return out
}

// withoutApprovalSteps drops the buttons the casework forms replace: the
// reopening of a closed case (a form with the reason and whether the child
// must be reached again) and the closing the reader must ask for.
func (p CasePage) withoutApprovalSteps(next []CaseAction) []CaseAction {
	var out []CaseAction
	for _, a := range next {
		if p.C.Status == domain.StatusClosed {
			continue
		}
		if a.To == domain.StatusClosed && p.ClosureNeedsRequest() {
			continue
		}
		out = append(out, a)
	}
	return out
}

// TabLabel names a tab with a count where it helps.
func (p CasePage) TabLabel(t string) string {
	switch t {
	case "orang":
		return p.T("case.tab_orang", len(p.C.Victims)+len(p.C.Perpetrators))
	case "layanan":
		return p.T("case.tab_layanan", len(p.C.Services)+len(p.C.Referrals)+len(p.C.Placements))
	case "linimasa":
		return p.T("case.tab_linimasa", len(p.C.Events))
	case "rencana":
		n := len(p.CW.Visits)
		if p.CW.Plan != nil {
			n += len(p.CW.Plan.Actions)
		}
		return p.T("case.tab_rencana", n)
	}
	return p.T("case.tab_ringkasan")
}

// VictimLabel names the victim a service or placement is for.
func (p CasePage) VictimLabel(id string) string {
	for _, v := range p.Victims {
		if v.Value == id {
			return v.Label
		}
	}
	return "—"
}

// Open reports whether the case still takes additions.
func (p CasePage) Open() bool { return p.C.Status.Open() }

// EventNote shows a timeline note (routing notes are translated).
func (p CasePage) EventNote(e domain.CaseEvent) string {
	switch e.Note {
	case "routing":
		return p.T("case.routing_note")
	}
	return e.Note
}

// Itoa is strconv.Itoa for templates.
func (CasePage) Itoa(n int) string { return strconv.Itoa(n) }

// NewestFirst is the timeline, latest event first.
func (p CasePage) NewestFirst() []domain.CaseEvent {
	out := make([]domain.CaseEvent, len(p.C.Events))
	for i, e := range p.C.Events {
		out[len(out)-1-i] = e
	}
	return out
}

// Day shows a YYYY-MM-DD date as DD-MM-YYYY.
func (k kit) Day(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		if d == "" {
			return "—"
		}
		return d
	}
	return t.Format("02-01-2006")
}

// DLState describes one clock of a case: met, met_late, breached, soon,
// running, or stopped (unmet on a closed case).
func (k kit) DLState(d domain.Deadline, open bool) string {
	switch {
	case d.MetAt != nil && d.Breached:
		return "met_late"
	case d.MetAt != nil:
		return "met"
	case !open:
		return "stopped"
	case d.Breached || d.DueAt.Before(k.now):
		return "breached"
	case d.DueAt.Sub(k.now) < 2*time.Hour:
		return "soon"
	}
	return "running"
}

// RelationList, ServiceList and PlacementList are the choices of the
// perpetrator, service and placement forms.
func (kit) RelationList() []string  { return domain.Relations }
func (kit) ServiceList() []string   { return domain.ServiceTypes }
func (kit) PlacementList() []string { return domain.PlacementKinds }
