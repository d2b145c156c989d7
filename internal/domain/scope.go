package domain

// Scope is who is asking and from where. Every store method takes one, and
// the store filters by it: a record outside RegionCode does not exist for
// the caller. It is built only by package access (from a session, a token or
// the command line); handlers pass it along and never widen it.
type Scope struct {
	UserID     string
	Username   string
	Role       Role
	RegionCode string // the caller's region; "" means all of Indonesia (system)
	// Personal says the role may see personal data (names, contacts,
	// narratives). Reading it is audited.
	Personal bool
	// Perms are the permissions of the role, decided by package access.
	Perms PermSet
	// IP and UserAgent say where the request came from, for the audit log.
	IP        string
	UserAgent string
	// System marks work lindu does itself (migrations, demo data, CLI).
	System bool
}

// Contains reports whether a record in region code is visible to the scope.
func (s Scope) Contains(code string) bool { return RegionWithin(code, s.RegionCode) }

// Can reports whether the scope holds permission p.
func (s Scope) Can(p Perm) bool { return s.System || s.Perms.Has(p) }

// Actor is the name written in the audit log.
func (s Scope) Actor() string {
	if s.Username != "" {
		return s.Username
	}
	if s.System {
		return "system"
	}
	return "anonymous"
}

// Perm is one thing a role may do.
type Perm uint32

const (
	PermViewUsers         Perm = 1 << iota // list and view users in scope
	PermManageUsers                        // create, change, disable users in scope
	PermViewPersonal                       // see personal fields (names, contacts, narratives)
	PermViewAudit                          // browse the audit log
	PermManageTokens                       // create API tokens for oneself
	PermViewDashboard                      // aggregates and dashboards
	PermViewCases                          // see cases in scope (responders: only those of their teams)
	PermWorkCases                          // act on cases they see: transitions, notes, services
	PermManageCases                        // triage reports, assign, any transition, enter cases
	PermManageTeams                        // teams, duty roster, deadline rules
	PermEnterKLA                           // enter KLA values, realisations, budgets (opd_operator: own agency only)
	PermVerifyKLA                          // verify or reject KLA values (the KLA task force)
	PermManageKLA                          // KLA catalogue, rubric, agreements and budgets of every agency
	PermAnswerReferrals                    // answer the referrals sent to one's provider (provider staff)
	PermRunAudits                          // plan and run children's forum audits of facilities (facilitators)
	PermAnswerActions                      // answer the audit actions of one's agency (opd_operator: own agency only)
	PermModerateProposals                  // register children and moderate their forums' proposals (facilitators)
	PermPlanTickets                        // select golden tickets and record their planning stages (opd_operator: the planning agency only)
	PermPublishStats                       // import historical tables, set validation rules and disclosure threshold, publish statistics releases
)

// PermSet is a set of permissions.
type PermSet uint32

// Has reports whether p is in the set.
func (ps PermSet) Has(p Perm) bool { return uint32(ps)&uint32(p) != 0 }

// With adds permissions.
func (ps PermSet) With(p ...Perm) PermSet {
	for _, x := range p {
		ps |= PermSet(x)
	}
	return ps
}

// PermNames names each permission, for docs and tests.
var PermNames = map[Perm]string{
	PermViewUsers:         "view_users",
	PermManageUsers:       "manage_users",
	PermViewPersonal:      "view_personal",
	PermViewAudit:         "view_audit",
	PermManageTokens:      "manage_tokens",
	PermViewDashboard:     "view_dashboard",
	PermViewCases:         "view_cases",
	PermWorkCases:         "work_cases",
	PermManageCases:       "manage_cases",
	PermManageTeams:       "manage_teams",
	PermEnterKLA:          "enter_kla",
	PermVerifyKLA:         "verify_kla",
	PermManageKLA:         "manage_kla",
	PermAnswerReferrals:   "answer_referrals",
	PermRunAudits:         "run_audits",
	PermAnswerActions:     "answer_actions",
	PermModerateProposals: "moderate_proposals",
	PermPlanTickets:       "plan_tickets",
	PermPublishStats:      "publish_stats",
}
