package domain_test

import (
	"math/bits"
	"testing"

	"lindu/internal/domain"
)

// allPerms lists the permissions in a fixed order.
var allPerms = []domain.Perm{domain.PermViewUsers, domain.PermManageUsers, domain.PermViewPersonal,
	domain.PermViewAudit, domain.PermManageTokens, domain.PermViewDashboard, domain.PermViewCases,
	domain.PermWorkCases, domain.PermManageCases, domain.PermManageTeams, domain.PermEnterKLA, domain.PermVerifyKLA,
	domain.PermManageKLA}

func TestPermNames(t *testing.T) {
	want := map[domain.Perm]string{
		domain.PermViewUsers:         "view_users",
		domain.PermManageUsers:       "manage_users",
		domain.PermViewPersonal:      "view_personal",
		domain.PermViewAudit:         "view_audit",
		domain.PermManageTokens:      "manage_tokens",
		domain.PermViewDashboard:     "view_dashboard",
		domain.PermViewCases:         "view_cases",
		domain.PermWorkCases:         "work_cases",
		domain.PermManageCases:       "manage_cases",
		domain.PermManageTeams:       "manage_teams",
		domain.PermEnterKLA:          "enter_kla",
		domain.PermVerifyKLA:         "verify_kla",
		domain.PermManageKLA:         "manage_kla",
		domain.PermAnswerReferrals:   "answer_referrals",
		domain.PermRunAudits:         "run_audits",
		domain.PermAnswerActions:     "answer_actions",
		domain.PermModerateProposals: "moderate_proposals",
		domain.PermPlanTickets:       "plan_tickets",
		domain.PermPublishStats:      "publish_stats",
	}
	if len(domain.PermNames) != len(want) {
		t.Errorf("PermNames has %d entries, want %d", len(domain.PermNames), len(want))
	}
	var union uint32
	for p, name := range want {
		if got := domain.PermNames[p]; got != name {
			t.Errorf("PermNames[%d] = %q, want %q", p, got, name)
		}
		if bits.OnesCount32(uint32(p)) != 1 {
			t.Errorf("permission %s = %#x is not a single bit", name, uint32(p))
		}
		if union&uint32(p) != 0 {
			t.Errorf("permission %s = %#x shares a bit with another permission", name, uint32(p))
		}
		union |= uint32(p)
	}
}

func TestPermSet(t *testing.T) {
	var none domain.PermSet
	for _, p := range allPerms {
		if none.Has(p) {
			t.Errorf("the empty set has %s", domain.PermNames[p])
		}
	}

	one := none.With(domain.PermViewPersonal)
	if none != 0 {
		t.Errorf("With changed its receiver: %#x", uint32(none))
	}
	for _, p := range allPerms {
		if got, want := one.Has(p), p == domain.PermViewPersonal; got != want {
			t.Errorf("{view_personal}.Has(%s) = %v, want %v", domain.PermNames[p], got, want)
		}
	}

	two := one.With(domain.PermViewDashboard, domain.PermViewPersonal) // adding twice is harmless
	for _, p := range allPerms {
		want := p == domain.PermViewPersonal || p == domain.PermViewDashboard
		if got := two.Has(p); got != want {
			t.Errorf("{view_personal,view_dashboard}.Has(%s) = %v, want %v", domain.PermNames[p], got, want)
		}
	}
	if one.With() != one {
		t.Errorf("With() without arguments changed the set")
	}

	all := none.With(allPerms...)
	for _, p := range allPerms {
		if !all.Has(p) {
			t.Errorf("the full set lacks %s", domain.PermNames[p])
		}
	}
	if all.Has(0) {
		t.Errorf("Has(0) = true; the zero permission must never be held")
	}
}

func TestScopeCan(t *testing.T) {
	user := domain.Scope{Perms: domain.PermSet(0).With(domain.PermViewDashboard)}
	sys := domain.Scope{System: true}
	for _, p := range allPerms {
		if got, want := user.Can(p), p == domain.PermViewDashboard; got != want {
			t.Errorf("user.Can(%s) = %v, want %v", domain.PermNames[p], got, want)
		}
		if !sys.Can(p) {
			t.Errorf("system.Can(%s) = false", domain.PermNames[p])
		}
	}
	if (domain.Scope{}).Can(domain.PermViewUsers) {
		t.Errorf("the zero scope can view users")
	}
}

func TestScopeContains(t *testing.T) {
	regency := domain.Scope{RegionCode: "61.07"}
	national := domain.Scope{RegionCode: ""}
	tests := []struct {
		sc   domain.Scope
		code string
		want bool
	}{
		{regency, "61.07", true},
		{regency, "61.07.01.2001", true},
		{regency, "61", false},
		{regency, "61.08", false},
		{regency, "61.0", false},
		{national, "11", true},
		{national, "61.07.01", true},
	}
	for _, tt := range tests {
		if got := tt.sc.Contains(tt.code); got != tt.want {
			t.Errorf("Scope{RegionCode: %q}.Contains(%q) = %v, want %v", tt.sc.RegionCode, tt.code, got, tt.want)
		}
	}
}

func TestScopeActor(t *testing.T) {
	tests := []struct {
		sc   domain.Scope
		want string
	}{
		{domain.Scope{Username: "budi"}, "budi"},
		{domain.Scope{Username: "system:migrate", System: true}, "system:migrate"},
		{domain.Scope{System: true}, "system"},
		{domain.Scope{}, "anonymous"},
	}
	for _, tt := range tests {
		if got := tt.sc.Actor(); got != tt.want {
			t.Errorf("%+v.Actor() = %q, want %q", tt.sc, got, tt.want)
		}
	}
}

func TestRoleValid(t *testing.T) {
	want := []domain.Role{"admin", "supervisor", "caseworker", "responder", "opd_operator", "facilitator", "viewer", "provider"}
	if len(domain.Roles) != len(want) {
		t.Fatalf("Roles = %v, want %v", domain.Roles, want)
	}
	for i, r := range want {
		if domain.Roles[i] != r {
			t.Errorf("Roles[%d] = %q, want %q", i, domain.Roles[i], r)
		}
		if !r.Valid() {
			t.Errorf("Role(%q).Valid() = false", r)
		}
	}
	for _, r := range []domain.Role{"", "Admin", "ADMIN", " admin", "admin ", "root", "system", "anonymous"} {
		if r.Valid() {
			t.Errorf("Role(%q).Valid() = true", r)
		}
	}
}
