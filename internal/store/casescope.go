package store

import (
	"fmt"

	"lindu/internal/domain"
)

// caseScope returns the SQL condition that limits cases (table alias a) to
// what sc may see, numbering arguments from n: the region prefix, and for a
// responder only the cases of their teams or assigned to them. A scope
// without PermViewCases sees nothing.
func caseScope(sc domain.Scope, a string, n int) (string, []any) {
	if !sc.Can(domain.PermViewCases) {
		return "1=0", nil
	}
	cond, args := scopeClause(a+".region_code", sc.RegionCode, n)
	if sc.Role == domain.RoleResponder && !sc.System {
		k := n + len(args)
		cond += fmt.Sprintf(` AND (%[1]s.assignee_id = $%[2]d OR %[1]s.team_id IN (SELECT team_id FROM team_members WHERE user_id = $%[2]d)
			OR %[1]s.support_team_id IN (SELECT team_id FROM team_members WHERE user_id = $%[2]d))`, a, k)
		args = append(args, sc.UserID)
	}
	return cond, args
}

// reveal decrypts a personal field for a scope that may see it, or
// returns "" (and masked=true when there was something to hide).
func (s *Store) revealField(sc domain.Scope, field, ct string, masked *bool) (string, error) {
	if ct == "" {
		return "", nil
	}
	if !sc.Personal {
		*masked = true
		return "", nil
	}
	return s.box.Decrypt(field, ct)
}
