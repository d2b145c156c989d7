package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Routing: who a verified case goes to. The village taskforce leads with
// the district team in support; without a village team the district team
// leads; without any team the duty caseworker (SPEC B). An admin may
// change the order.

// Routing steps, in the default order; the setting "routing.steps" holds
// an admin's choice (a comma-separated subset in any order).
const (
	RouteVillage  = "village"  // the village's taskforce
	RouteDistrict = "district" // the district's rapid-response team
	RouteDuty     = "duty"     // the UPTD PPA duty caseworker
)

// DefaultRouting is the rule of SPEC B.
var DefaultRouting = []string{RouteVillage, RouteDistrict, RouteDuty}

const routingSetting = "routing.steps"

// RoutingSteps returns the configured routing order. Authorization: anyone
// who may see the teams page (it holds no personal data).
func (s *Service) RoutingSteps(ctx context.Context) ([]string, error) {
	v, err := s.st.GetSetting(ctx, routingSetting)
	if err != nil || v == "" {
		return DefaultRouting, err
	}
	return strings.Split(v, ","), nil
}

// SetRoutingSteps stores the routing order. Authorization: PermManageTeams
// for the whole deployment (store.DeploymentWide).
func (s *Service) SetRoutingSteps(ctx context.Context, sc domain.Scope, steps []string) error {
	if !sc.Can(domain.PermManageTeams) || !s.st.DeploymentWide(sc) {
		return domain.E(domain.EForbidden, "teams.err.deployment_wide")
	}
	seen := map[string]bool{}
	for _, st := range steps {
		if (st != RouteVillage && st != RouteDistrict && st != RouteDuty) || seen[st] {
			return domain.InvalidFields(domain.FieldErrors{"steps": domain.M("teams.field.steps_once")})
		}
		seen[st] = true
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, routingSetting, strings.Join(steps, ",")); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "routing.set", "setting", routingSetting, sc.RegionCode, strings.Join(steps, ","))
	})
}

// routeCase assigns a verified case by the routing rules, inside tx.
func (s *Service) routeCase(ctx context.Context, tx *store.Tx, caseID, region string) error {
	steps := DefaultRouting
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, routingSetting).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: route: %w", err)
	}
	if v != "" {
		steps = strings.Split(v, ",")
	}
	var lead, support, person string
	for _, st := range steps {
		switch st {
		case RouteVillage:
			if domain.RegionLevelOf(region) == domain.LevelVillage {
				id, err := teamFor(ctx, tx, "village_taskforce", region)
				if err != nil {
					return err
				}
				if lead == "" {
					lead = id
				}
			}
		case RouteDistrict:
			if domain.RegionLevelOf(region) >= domain.LevelDistrict {
				district := region
				for domain.RegionLevelOf(district) > domain.LevelDistrict {
					district = domain.ParentRegionCode(district)
				}
				id, err := teamFor(ctx, tx, "district_team", district)
				if err != nil {
					return err
				}
				if lead == "" {
					lead = id
				} else if id != "" {
					support = id
				}
			}
		case RouteDuty:
			if lead == "" {
				id, err := dutyFor(ctx, tx, region)
				if err != nil {
					return err
				}
				person = id
			}
		}
	}
	if lead == "" && person == "" {
		return nil // nobody: the supervisors get the ack escalations
	}
	sys := access.System("routing")
	lc, err := s.lockCase(ctx, tx, sys, caseID)
	if err != nil {
		return err
	}
	if support != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET support_team_id = $1 WHERE id = $2`, support, caseID); err != nil {
			return fmt.Errorf("cases: route: %w", err)
		}
	}
	return s.applyTransition(ctx, tx, sys, caseID, lc, domain.Transition{To: domain.StatusAssigned, TeamID: lead, AssigneeID: person,
		Note: "routing"})
}

// teamFor is the first team of a kind in region ("" for none).
func teamFor(ctx context.Context, tx *store.Tx, kind, region string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM teams WHERE kind = $1 AND region_code = $2 ORDER BY created_at, id LIMIT 1`, kind, region).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cases: route: %w", err)
	}
	return id, nil
}

// dutyFor finds the caseworker on duty now for region (the most specific
// shift wins; "" for none).
func dutyFor(ctx context.Context, tx *store.Tx, region string) (string, error) {
	var codes []any
	var ph []string
	for c := region; c != ""; c = domain.ParentRegionCode(c) {
		codes = append(codes, c)
		ph = append(ph, "$"+strconv.Itoa(len(codes)))
	}
	codes = append(codes, tx.Now(), false)
	n := len(codes)
	var id string
	err := tx.QueryRowContext(ctx, `SELECT d.user_id FROM duty_roster d JOIN users u ON u.id = d.user_id
		WHERE d.region_code IN (`+strings.Join(ph, ",")+`) AND d.starts_at <= $`+strconv.Itoa(n-1)+` AND d.ends_at > $`+strconv.Itoa(n-1)+
		` AND u.disabled = $`+strconv.Itoa(n)+` ORDER BY LENGTH(d.region_code) DESC, d.starts_at LIMIT 1`, codes...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cases: duty: %w", err)
	}
	return id, nil
}
