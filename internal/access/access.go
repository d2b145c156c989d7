// Package access decides what each role may do and builds the domain.Scope
// that every store call is filtered by. The policy is one table, tested
// exhaustively.
package access

import "lindu/internal/domain"

// policy is the permission set of each role.
var policy = map[domain.Role]domain.PermSet{
	domain.RoleAdmin: domain.PermSet(0).With(domain.PermViewUsers, domain.PermManageUsers,
		domain.PermViewPersonal, domain.PermViewAudit, domain.PermManageTokens, domain.PermViewDashboard,
		domain.PermViewCases, domain.PermWorkCases, domain.PermManageCases, domain.PermManageTeams,
		domain.PermEnterKLA, domain.PermVerifyKLA, domain.PermManageKLA, domain.PermRunAudits, domain.PermAnswerActions,
		domain.PermModerateProposals, domain.PermPlanTickets, domain.PermPublishStats),
	domain.RoleSupervisor: domain.PermSet(0).With(domain.PermViewUsers, domain.PermViewPersonal,
		domain.PermManageTokens, domain.PermViewDashboard,
		domain.PermViewCases, domain.PermWorkCases, domain.PermManageCases, domain.PermManageTeams),
	domain.RoleCaseworker: domain.PermSet(0).With(domain.PermViewUsers, domain.PermViewPersonal,
		domain.PermViewDashboard, domain.PermViewCases, domain.PermWorkCases),
	// Responders see and work only the cases of their teams (the store adds
	// that condition for this role).
	domain.RoleResponder: domain.PermSet(0).With(domain.PermViewPersonal, domain.PermViewCases, domain.PermWorkCases),
	// An opd_operator enters KLA data only for the agency bound to the
	// account (users.agency); the store checks that.
	// plan_tickets: the store allows it only to the planning agency's
	// (bappeda) operators.
	domain.RoleOPDOperator: domain.PermSet(0).With(domain.PermViewDashboard, domain.PermManageTokens, domain.PermEnterKLA,
		domain.PermAnswerActions, domain.PermPlanTickets),
	domain.RoleFacilitator: domain.PermSet(0).With(domain.PermViewDashboard, domain.PermRunAudits, domain.PermModerateProposals),
	// The KLA task force (Gugus Tugas KLA) has viewer accounts: it verifies
	// values but sees no personal data and changes nothing else.
	domain.RoleViewer: domain.PermSet(0).With(domain.PermViewDashboard, domain.PermVerifyKLA),
	// Staff of a service provider (puskesmas, police PPA unit, legal aid...)
	// answer the referrals sent to their provider (users.provider_id); they
	// see nothing else of a case.
	domain.RoleProvider: domain.PermSet(0).With(domain.PermAnswerReferrals),
}

// Perms returns the permissions of a role (none for an unknown role).
func Perms(r domain.Role) domain.PermSet { return policy[r] }

// ForUser builds the scope of a logged-in user.
func ForUser(u domain.User, ip, userAgent string) domain.Scope {
	ps := Perms(u.Role)
	return domain.Scope{
		UserID:     u.ID,
		Username:   u.Username,
		Role:       u.Role,
		RegionCode: u.RegionCode,
		Personal:   ps.Has(domain.PermViewPersonal),
		Perms:      ps,
		IP:         ip,
		UserAgent:  userAgent,
	}
}

// System is the scope of lindu itself (CLI, migrations, demo data): all
// regions, all permissions.
func System(what string) domain.Scope {
	return domain.Scope{Username: "system:" + what, RegionCode: "", Personal: true, System: true}
}

// Public is the scope of an anonymous visitor: no permissions, no region.
func Public(ip, userAgent string) domain.Scope {
	return domain.Scope{Username: "", RegionCode: "-", IP: ip, UserAgent: userAgent}
}

// CanGrantRole reports whether the actor may give role r to a user in region
// code: only admins, only inside their own region, and an admin may create
// another admin only strictly below or at their own region.
func CanGrantRole(actor domain.Scope, r domain.Role, code string) bool {
	if !actor.Can(domain.PermManageUsers) || !r.Valid() {
		return false
	}
	return actor.Contains(code)
}
