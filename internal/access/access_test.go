package access_test

import (
	"sort"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
)

// wantPolicy is the policy written out by hand. Changing what a role may do
// must change this table too.
var wantPolicy = map[domain.Role][]string{
	domain.RoleAdmin: {"view_users", "manage_users", "view_personal", "view_audit", "manage_tokens", "view_dashboard",
		"view_cases", "work_cases", "manage_cases", "manage_teams", "enter_kla", "verify_kla", "manage_kla", "run_audits", "answer_actions",
		"moderate_proposals", "plan_tickets", "publish_stats"},
	domain.RoleSupervisor: {"view_users", "view_personal", "manage_tokens", "view_dashboard",
		"view_cases", "work_cases", "manage_cases", "manage_teams"},
	domain.RoleCaseworker:  {"view_users", "view_personal", "view_dashboard", "view_cases", "work_cases"},
	domain.RoleResponder:   {"view_personal", "view_cases", "work_cases"},
	domain.RoleOPDOperator: {"view_dashboard", "manage_tokens", "enter_kla", "answer_actions", "plan_tickets"},
	domain.RoleFacilitator: {"view_dashboard", "run_audits", "moderate_proposals"},
	domain.RoleViewer:      {"view_dashboard", "verify_kla"},
	domain.RoleProvider:    {"answer_referrals"},
}

func wants(r domain.Role, name string) bool {
	for _, n := range wantPolicy[r] {
		if n == name {
			return true
		}
	}
	return false
}

// TestPolicyMatrix checks every role against every permission.
func TestPolicyMatrix(t *testing.T) {
	if len(wantPolicy) != len(domain.Roles) {
		t.Errorf("the expected table has %d roles, domain.Roles has %d: update the table", len(wantPolicy), len(domain.Roles))
	}
	if len(domain.PermNames) != 19 {
		t.Errorf("domain.PermNames has %d permissions, the expected table knows 19: update the table", len(domain.PermNames))
	}
	known := map[string]bool{}
	var allBits uint32
	for p, name := range domain.PermNames {
		known[name] = true
		allBits |= uint32(p)
	}
	for r, names := range wantPolicy {
		for _, n := range names {
			if !known[n] {
				t.Errorf("expected table: role %s has unknown permission %q", r, n)
			}
		}
	}

	cells := 0
	for _, r := range domain.Roles {
		if _, ok := wantPolicy[r]; !ok {
			t.Errorf("role %s is missing from the expected table", r)
		}
		ps := access.Perms(r)
		if uint32(ps)&^allBits != 0 {
			t.Errorf("role %s holds unnamed permission bits %#x", r, uint32(ps)&^allBits)
		}
		for p, name := range domain.PermNames {
			cells++
			want := wants(r, name)
			if got := ps.Has(p); got != want {
				t.Errorf("role %s, permission %s: Perms().Has = %v, want %v", r, name, got, want)
			}
			sc := access.ForUser(domain.User{ID: "u1", Username: "x", Role: r, RegionCode: "61.07"}, "", "")
			if got := sc.Can(p); got != want {
				t.Errorf("role %s, permission %s: ForUser().Can = %v, want %v", r, name, got, want)
			}
		}
	}
	if want := 8 * 19; cells != want {
		t.Errorf("checked %d role×permission cells, want %d", cells, want)
	}
}

// TestPolicySummary pins the policy as one readable string per role, in
// permission-bit order, so a diff shows exactly what changed.
func TestPolicySummary(t *testing.T) {
	want := map[domain.Role]string{
		domain.RoleAdmin:       "view_users manage_users view_personal view_audit manage_tokens view_dashboard view_cases work_cases manage_cases manage_teams enter_kla verify_kla manage_kla run_audits answer_actions moderate_proposals plan_tickets publish_stats",
		domain.RoleSupervisor:  "view_users view_personal manage_tokens view_dashboard view_cases work_cases manage_cases manage_teams",
		domain.RoleCaseworker:  "view_users view_personal view_dashboard view_cases work_cases",
		domain.RoleResponder:   "view_personal view_cases work_cases",
		domain.RoleOPDOperator: "manage_tokens view_dashboard enter_kla answer_actions plan_tickets",
		domain.RoleFacilitator: "view_dashboard run_audits moderate_proposals",
		domain.RoleViewer:      "view_dashboard verify_kla",
		domain.RoleProvider:    "answer_referrals",
	}
	perms := make([]domain.Perm, 0, len(domain.PermNames))
	for p := range domain.PermNames {
		perms = append(perms, p)
	}
	sort.Slice(perms, func(i, j int) bool { return perms[i] < perms[j] })
	for _, r := range domain.Roles {
		var got []string
		for _, p := range perms {
			if access.Perms(r).Has(p) {
				got = append(got, domain.PermNames[p])
			}
		}
		if strings.Join(got, " ") != want[r] {
			t.Errorf("role %s: %q, want %q", r, strings.Join(got, " "), want[r])
		}
	}
}

func TestViewerNeverSeesPersonalData(t *testing.T) {
	if access.Perms(domain.RoleViewer).Has(domain.PermViewPersonal) {
		t.Fatal("viewer holds view_personal")
	}
	for _, region := range []string{"", "61", "61.07", "61.07.01.2001"} {
		sc := access.ForUser(domain.User{Role: domain.RoleViewer, RegionCode: region}, "", "")
		if sc.Personal || sc.Can(domain.PermViewPersonal) {
			t.Errorf("viewer in %q: Personal = %v, Can(view_personal) = %v", region, sc.Personal, sc.Can(domain.PermViewPersonal))
		}
	}
}

func TestUnknownRoleHasNothing(t *testing.T) {
	for _, r := range []domain.Role{"", "Admin", "root", "system", "admin "} {
		if ps := access.Perms(r); ps != 0 {
			t.Errorf("Perms(%q) = %#x, want none", r, uint32(ps))
		}
		sc := access.ForUser(domain.User{Role: r, RegionCode: ""}, "", "")
		if sc.Personal || sc.System || sc.Perms != 0 {
			t.Errorf("ForUser(role %q) = %+v, want no permissions", r, sc)
		}
		for p := range domain.PermNames {
			if sc.Can(p) {
				t.Errorf("ForUser(role %q).Can(%s) = true", r, domain.PermNames[p])
			}
		}
	}
}

func TestForUser(t *testing.T) {
	for _, r := range domain.Roles {
		u := domain.User{ID: "01HX", Username: "siti", Role: r, RegionCode: "61.07.01", FullName: "Siti", Phone: "+6281234567890"}
		sc := access.ForUser(u, "203.0.113.9", "Mozilla/5.0")
		if sc.UserID != "01HX" || sc.Username != "siti" || sc.Role != r || sc.RegionCode != "61.07.01" {
			t.Errorf("%s: identity not copied: %+v", r, sc)
		}
		if sc.IP != "203.0.113.9" || sc.UserAgent != "Mozilla/5.0" {
			t.Errorf("%s: request origin not copied: %+v", r, sc)
		}
		if sc.System {
			t.Errorf("%s: a user scope is marked System", r)
		}
		if sc.Perms != access.Perms(r) {
			t.Errorf("%s: Perms = %#x, want %#x", r, uint32(sc.Perms), uint32(access.Perms(r)))
		}
		if want := wants(r, "view_personal"); sc.Personal != want {
			t.Errorf("%s: Personal = %v, want %v (iff view_personal)", r, sc.Personal, want)
		}
		if sc.Actor() != "siti" {
			t.Errorf("%s: Actor() = %q", r, sc.Actor())
		}
		if !sc.Contains("61.07.01.2001") || sc.Contains("61.07.02") || sc.Contains("61.07") {
			t.Errorf("%s: scope of 61.07.01 has the wrong reach", r)
		}
	}
}

// sampleCodes are region codes of every level, plus all of Indonesia.
var sampleCodes = []string{"", "11", "61", "61.07", "61.07.01", "61.07.01.2001", "35.13.15.2017", "99.99.99.9999"}

func TestPublic(t *testing.T) {
	sc := access.Public("198.51.100.7", "curl/8")
	for _, code := range sampleCodes {
		if sc.Contains(code) {
			t.Errorf("public scope contains region %q", code)
		}
	}
	for p, name := range domain.PermNames {
		if sc.Can(p) {
			t.Errorf("public scope can %s", name)
		}
	}
	if sc.System || sc.Personal || sc.Perms != 0 || sc.UserID != "" || sc.Username != "" || sc.Role != "" {
		t.Errorf("public scope is not anonymous and powerless: %+v", sc)
	}
	if sc.RegionCode == "" {
		t.Errorf("public scope has RegionCode \"\", which means all of Indonesia")
	}
	if sc.IP != "198.51.100.7" || sc.UserAgent != "curl/8" {
		t.Errorf("request origin not kept: %+v", sc)
	}
	if sc.Actor() != "anonymous" {
		t.Errorf("Actor() = %q, want anonymous", sc.Actor())
	}
}

func TestSystem(t *testing.T) {
	sc := access.System("migrate")
	for p, name := range domain.PermNames {
		if !sc.Can(p) {
			t.Errorf("system scope cannot %s", name)
		}
	}
	for _, code := range sampleCodes {
		if !sc.Contains(code) {
			t.Errorf("system scope does not contain %q", code)
		}
	}
	if !sc.System || !sc.Personal || sc.RegionCode != "" {
		t.Errorf("System() = %+v", sc)
	}
	if sc.Actor() != "system:migrate" {
		t.Errorf("Actor() = %q, want system:migrate", sc.Actor())
	}
}

func TestCanGrantRole(t *testing.T) {
	user := func(r domain.Role, region string) domain.Scope {
		return access.ForUser(domain.User{ID: "a", Username: "a", Role: r, RegionCode: region}, "", "")
	}
	admin := user(domain.RoleAdmin, "61.07")
	nationalAdmin := user(domain.RoleAdmin, "")
	tests := []struct {
		name  string
		actor domain.Scope
		role  domain.Role
		code  string
		want  bool
	}{
		{"admin, own district", admin, domain.RoleCaseworker, "61.07.01", true},
		{"admin, own village", admin, domain.RoleResponder, "61.07.01.2001", true},
		{"admin, own region", admin, domain.RoleSupervisor, "61.07", true},
		{"admin makes admin at own region", admin, domain.RoleAdmin, "61.07", true},
		{"admin makes admin below", admin, domain.RoleAdmin, "61.07.17", true},
		{"admin, sibling regency", admin, domain.RoleCaseworker, "61.08", false},
		{"admin, sibling's district", admin, domain.RoleCaseworker, "61.08.01", false},
		{"admin, parent province", admin, domain.RoleCaseworker, "61", false},
		{"admin makes admin above", admin, domain.RoleAdmin, "61", false},
		{"admin, all of Indonesia", admin, domain.RoleViewer, "", false},
		{"admin, other province", admin, domain.RoleViewer, "62.07", false},
		{"admin, character prefix only", admin, domain.RoleViewer, "61.070", false},
		{"admin, unknown role", admin, "root", "61.07.01", false},
		{"admin, empty role", admin, "", "61.07.01", false},
		{"admin, role in wrong case", admin, "Caseworker", "61.07.01", false},
		{"national admin, any province", nationalAdmin, domain.RoleAdmin, "11", true},
		{"national admin, village", nationalAdmin, domain.RoleViewer, "61.07.01.2001", true},
		{"national admin, unknown role", nationalAdmin, "root", "11", false},
		{"system, anywhere", access.System("cli"), domain.RoleAdmin, "61", true},
		{"system, unknown role", access.System("cli"), "root", "61", false},
		{"public", access.Public("", ""), domain.RoleViewer, "61.07", false},
		{"public, its own pseudo-region", access.Public("", ""), domain.RoleViewer, "-", false},
	}
	for _, tt := range tests {
		if got := access.CanGrantRole(tt.actor, tt.role, tt.code); got != tt.want {
			t.Errorf("%s: CanGrantRole(%s@%q, %q, %q) = %v, want %v", tt.name, tt.actor.Role, tt.actor.RegionCode, tt.role, tt.code, got, tt.want)
		}
	}

	// Only manage_users grants roles: every other role may grant nothing,
	// not even inside its own region, not even in all of Indonesia.
	for _, actorRole := range domain.Roles {
		for _, region := range []string{"61.07", ""} {
			actor := user(actorRole, region)
			for _, r := range domain.Roles {
				want := actorRole == domain.RoleAdmin
				if got := access.CanGrantRole(actor, r, "61.07.01"); got != want {
					t.Errorf("%s@%q granting %s in 61.07.01 = %v, want %v", actorRole, region, r, got, want)
				}
			}
		}
	}
}
