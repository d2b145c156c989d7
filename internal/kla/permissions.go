package kla

import (
	"context"
	"fmt"
	"slices"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Who may do what in the KLA module, beyond the permissions of a role.

// forbidden is the refusal of an action the caller's role may not do; key
// names the rule in the user's language.
func forbidden(key string, args ...any) error { return domain.E(domain.EForbidden, key, args...) }

// deploymentWide reports whether sc may change what applies to the whole
// deployment (the catalogue, the rubric, the agencies): the system, a
// national account, or one whose region covers the deployment's root
// region (a province when the deployment serves all of Indonesia).
// DeploymentWide reports whether sc covers the whole deployment (its root
// region), as editing shared reference data requires. Pure check.
func DeploymentWide(st *store.Store, sc domain.Scope) bool { return deploymentWide(st, sc) }

func deploymentWide(st *store.Store, sc domain.Scope) bool {
	if sc.System || sc.RegionCode == "" {
		return true
	}
	root := st.RootRegion()
	if root == "" {
		return domain.RegionLevelOf(sc.RegionCode) == domain.LevelProvince
	}
	return domain.RegionWithin(root, sc.RegionCode)
}

// mayManage checks PermManageKLA over the whole deployment; key says what
// was refused.
func mayManage(st *store.Store, sc domain.Scope, key string) error {
	if !sc.Can(domain.PermManageKLA) || !deploymentWide(st, sc) {
		return forbidden(key)
	}
	return nil
}

// mayRead checks that sc may read KLA figures (values, agreements,
// budgets): PermViewDashboard, PermEnterKLA or PermVerifyKLA.
func mayRead(sc domain.Scope) error {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) && !sc.Can(domain.PermVerifyKLA) {
		return forbidden("kla.err.no_access")
	}
	return nil
}

// mayActFor reports whether the caller may change the records of agency:
// PermManageKLA for every agency, PermEnterKLA for the agency bound to the
// account.
func mayActFor(ctx context.Context, st *store.Store, sc domain.Scope, agency string) error {
	if sc.Can(domain.PermManageKLA) {
		return nil
	}
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("kla.err.enter_forbidden")
	}
	mine, err := UserAgency(ctx, st, sc.UserID)
	if err != nil {
		return err
	}
	if mine == "" || mine != agency {
		return forbidden("kla.err.own_agency_only")
	}
	return nil
}

// subtreeClause restricts column to root and everything below it, as a
// range on the code so a B-tree index serves it on both engines (the
// PostgreSQL column uses the "C" collation). "/" is the byte after ".".
func subtreeClause(column, root string, n int) (string, []any) {
	if root == "" {
		return "1=1", nil
	}
	return fmt.Sprintf("(%s = $%d OR (%s >= $%d AND %s < $%d))", column, n, column, n+1, column, n+2),
		[]any{root, root + ".", root + "/"}
}

// below restricts column to strictly below root.
func below(column, root string, n int) (string, []any) {
	if root == "" {
		return "1=1", nil
	}
	return fmt.Sprintf("(%s >= $%d AND %s < $%d)", column, n, column, n+1), []any{root + ".", root + "/"}
}

// oneOf reports whether v is in list.
func oneOf(v string, list []string) bool { return slices.Contains(list, v) }
