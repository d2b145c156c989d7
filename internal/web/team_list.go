package web

import (
	"net/http"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Teams and routing (/tim): village taskforces, district rapid-response
// teams and the UPTD PPA, the duty roster, the deadline rules and the
// routing order. Everyone who sees cases may look; PermManageTeams edits.

// TeamsPage is the teams page.
type TeamsPage struct {
	Base
	kit
	Teams      []domain.Team
	Duty       []domain.DutyShift
	Rules      []domain.SLARule
	Steps      []string
	CanManage  bool
	Candidates []domain.User
	UserOpts   []FormOption
	// Casework are the office's case management rules (approvals and
	// the clocks restarted on reopening).
	Casework domain.CaseworkRules
}

// ApproveKinds lists what may need a supervisor's approval.
func (TeamsPage) ApproveKinds() []string { return stringsOf(domain.ApprovalKinds) }

// ApprovedKinds are the kinds the rules approve, for the checkboxes.
func (p TeamsPage) ApprovedKinds() []string {
	var out []string
	for _, k := range domain.ApprovalKinds {
		if p.Casework.Approve[k] {
			out = append(out, string(k))
		}
	}
	return out
}

// ReopenPolicies lists the reopen clock policies.
func (TeamsPage) ReopenPolicies() []string { return domain.ReopenPolicies }

// ReopenOf is the policy for a violence type.
func (p TeamsPage) ReopenOf(t string) string {
	if v, ok := p.Casework.Reopen[domain.ViolenceType(t)]; ok {
		return v
	}
	return domain.ReopenResponse
}

// StepAt is the routing step in position i ("" when none).
func (p TeamsPage) StepAt(i int) string {
	if i < len(p.Steps) {
		return p.Steps[i]
	}
	return ""
}

// MembersFor lists the users who may join a team of region code.
func (p TeamsPage) MembersFor(code string) []domain.User {
	var out []domain.User
	for _, u := range p.Candidates {
		if code == "" || domain.RegionWithin(code, u.RegionCode) || domain.RegionWithin(u.RegionCode, code) {
			out = append(out, u)
		}
	}
	return out
}

// IsMember reports whether user id is in team t.
func (TeamsPage) IsMember(t domain.Team, id string) bool {
	for _, m := range t.MemberIDs {
		if m == id {
			return true
		}
	}
	return false
}

// MemberNames lists a team's members.
func (p TeamsPage) MemberNames(t domain.Team) string {
	if len(t.Members) == 0 {
		return p.T("teams.no_members")
	}
	names := make([]string, len(t.Members))
	for i, m := range t.Members {
		names[i] = m.Username
	}
	return strings.Join(names, ", ")
}

// Checked says whether a member box is ticked: as posted, else as stored.
func (p TeamsPage) Checked(form string, t domain.Team, id string) bool {
	if p.which == form {
		return p.FChk(form, "members", id)
	}
	return p.IsMember(t, id)
}

// RuleType names the violence type of a rule, or "any type".
func (p TeamsPage) RuleType(t domain.ViolenceType) string {
	if t == "" {
		return p.T("teams.any_type")
	}
	return p.Lbl("vtype", t)
}

func (s *Server) teamsList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "teams.title")
	s.teamsPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) teamsPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx := r.Context()
	teams, err := s.cases.ListTeams(ctx, b.Scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := TeamsPage{Base: b, kit: k, Teams: teams, CanManage: b.Scope.Can(domain.PermManageTeams)}
	if p.Duty, err = s.cases.ListDuty(ctx, b.Scope, s.now().Add(-24*time.Hour)); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Rules, err = s.cases.SLARules(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Steps, err = s.cases.RoutingSteps(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Casework, err = s.cases.CaseworkRules(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.CanManage && b.Scope.Can(domain.PermViewUsers) {
		if p.Candidates, err = s.caseHandlers(r, b); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range p.Candidates {
			p.UserOpts = append(p.UserOpts, FormOption{Value: u.ID, Label: u.Username + " (" + b.RoleName(u.Role) + ", " + u.RegionName + ")"})
		}
	}
	s.render(w, r, status, "teams", p)
}

// teamsFailed re-renders the page after refused input.
func (s *Server) teamsFailed(w http.ResponseWriter, r *http.Request, form string, err error, rename map[string]string) {
	b := s.base(w, r, "teams.title")
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		out := domain.FieldErrors{}
		for key, msg := range f {
			if n, ok := rename[key]; ok {
				key = n
			}
			out[key] = msg
		}
		k.withForm(&b, form, r.PostForm, out)
		s.teamsPage(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		s.teamsPage(w, r, b, k, status)
		return
	}
	s.fail(w, r, err)
}

// Minutes shows a duration in minutes as hours and minutes.
func (k kit) Minutes(n int) string {
	h, m := n/60, n%60
	switch {
	case h == 0:
		return k.tr("dur.m", m)
	case m == 0:
		return k.tr("dur.h", h)
	}
	return k.tr("dur.hm", h, m)
}

// TeamKindList lists the kinds of team, for the create form.
func (kit) TeamKindList() []string { return domain.TeamKinds }

// RouteSteps lists the routing steps, for the routing form.
func (kit) RouteSteps() []string {
	return []string{cases.RouteVillage, cases.RouteDistrict, cases.RouteDuty}
}
