package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
)

// Routing steps, in the default order; the setting "routing.steps" holds
// an admin's choice (a comma-separated subset in any order).
const (
	RouteVillage  = "village"  // the village's taskforce
	RouteDistrict = "district" // the district's rapid-response team
	RouteDuty     = "duty"     // the UPTD PPA duty caseworker
)

// DefaultRouting is the rule of SPEC B.
var DefaultRouting = []string{RouteVillage, RouteDistrict, RouteDuty}

// RoutingSteps returns the configured routing order.
func (s *Store) RoutingSteps(ctx context.Context) ([]string, error) {
	v, err := s.GetSetting(ctx, "routing.steps")
	if err != nil || v == "" {
		return DefaultRouting, err
	}
	return strings.Split(v, ","), nil
}

// SetRoutingSteps stores the routing order. Authorization: PermManageTeams.
func (s *Store) SetRoutingSteps(ctx context.Context, sc domain.Scope, steps []string) error {
	if !sc.Can(domain.PermManageTeams) || !s.deploymentWide(sc) {
		return domain.Errorf(domain.EForbidden, "only a regency-level supervisor or administrator may change routing")
	}
	seen := map[string]bool{}
	for _, st := range steps {
		if (st != RouteVillage && st != RouteDistrict && st != RouteDuty) || seen[st] {
			return domain.Invalid("bad routing", map[string]string{"steps": "village, district and duty, each at most once"})
		}
		seen[st] = true
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setSetting(ctx, tx, "routing.steps", strings.Join(steps, ","), s.utc()); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "routing.set", "setting", "routing.steps", sc.RegionCode, strings.Join(steps, ","))
	})
}

// routeCase assigns a verified case by the routing rules: the village
// taskforce leads with the district team in support; without a village
// team the district team leads; without any team the duty caseworker.
func (s *Store) routeCase(ctx context.Context, tx *sql.Tx, caseID, region string) error {
	steps := DefaultRouting
	var v string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'routing.steps'`).Scan(&v); err == nil && v != "" {
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
				id, err := s.dutyFor(ctx, tx, region)
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
			return fmt.Errorf("store: route: %w", err)
		}
	}
	return s.applyTransition(ctx, tx, sys, caseID, lc, domain.Transition{To: domain.StatusAssigned, TeamID: lead, AssigneeID: person,
		Note: "routing"})
}

// deploymentWide reports whether a scope may change settings that apply to
// the whole deployment (deadline rules, routing, the KLA catalogue and
// rubric): lindu itself, or a user whose region covers the deployment's
// root region (for a nationwide deployment: a province-level user).
func (s *Store) deploymentWide(sc domain.Scope) bool {
	if sc.System || sc.RegionCode == "" {
		return true
	}
	if s.root == "" {
		return domain.RegionLevelOf(sc.RegionCode) == domain.LevelProvince
	}
	return domain.RegionWithin(s.root, sc.RegionCode)
}

func teamFor(ctx context.Context, tx *sql.Tx, kind, region string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM teams WHERE kind = $1 AND region_code = $2 ORDER BY created_at, id LIMIT 1`, kind, region).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: route: %w", err)
	}
	return id, nil
}

// dutyFor finds the caseworker on duty now for region (the most specific
// shift wins).
func (s *Store) dutyFor(ctx context.Context, tx *sql.Tx, region string) (string, error) {
	now := s.utc()
	var codes []any
	var ph []string
	for c := region; c != ""; c = domain.ParentRegionCode(c) {
		codes = append(codes, c)
		ph = append(ph, "$"+strconv.Itoa(len(codes)))
	}
	codes = append(codes, now, false)
	n := len(codes)
	var id string
	err := tx.QueryRowContext(ctx, `SELECT d.user_id FROM duty_roster d JOIN users u ON u.id = d.user_id
		WHERE d.region_code IN (`+strings.Join(ph, ",")+`) AND d.starts_at <= $`+strconv.Itoa(n-1)+` AND d.ends_at > $`+strconv.Itoa(n-1)+
		` AND u.disabled = $`+strconv.Itoa(n)+` ORDER BY LENGTH(d.region_code) DESC, d.starts_at LIMIT 1`, codes...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: duty: %w", err)
	}
	return id, nil
}

// CreateTeam adds a team in the caller's region. Authorization:
// PermManageTeams.
func (s *Store) CreateTeam(ctx context.Context, sc domain.Scope, t domain.Team) (domain.Team, error) {
	if !sc.Can(domain.PermManageTeams) {
		return t, domain.Errorf(domain.EForbidden, "your role may not manage teams")
	}
	f := map[string]string{}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || len(t.Name) > 200 {
		f["name"] = "give the team a name"
	}
	switch t.Kind {
	case "village_taskforce":
		if domain.RegionLevelOf(t.RegionCode) != domain.LevelVillage {
			f["region_code"] = "a village taskforce belongs to a village"
		}
	case "district_team":
		if domain.RegionLevelOf(t.RegionCode) != domain.LevelDistrict {
			f["region_code"] = "a district team belongs to a district"
		}
	case "uptd":
	default:
		f["kind"] = "village_taskforce, district_team or uptd"
	}
	if !domain.ValidRegionCode(t.RegionCode) {
		f["region_code"] = "not a region code"
	} else if !sc.Contains(t.RegionCode) {
		f["region_code"] = "outside your region"
	}
	if len(f) > 0 {
		return t, domain.Invalid("please correct the marked fields", f)
	}
	now := s.utc()
	t.ID = newID(now)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := regionExists(ctx, tx, t.RegionCode); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, kind, region_code, created_at) VALUES ($1,$2,$3,$4,$5)`,
			t.ID, t.Name, t.Kind, t.RegionCode, now); err != nil {
			return fmt.Errorf("store: create team: %w", err)
		}
		if err := s.setMembers(ctx, tx, t.ID, t.RegionCode, t.MemberIDs); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "team.create", "team", t.ID, t.RegionCode, "kind="+t.Kind)
	})
	if err != nil {
		return t, err
	}
	return s.GetTeam(ctx, sc, t.ID)
}

func (s *Store) setMembers(ctx context.Context, tx *sql.Tx, teamID, region string, ids []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("store: members: %w", err)
	}
	seen := map[string]bool{}
	for _, uid := range ids {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		var ur, role string
		err := tx.QueryRowContext(ctx, `SELECT region_code, role FROM users WHERE id = $1`, uid).Scan(&ur, &role)
		if err != nil || !(domain.RegionWithin(region, ur) || domain.RegionWithin(ur, region)) || !access_canWork(domain.Role(role)) {
			return domain.Invalid("please correct the marked fields", map[string]string{"members": "a member is not a case-handling user of this region"})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`, teamID, uid); err != nil {
			return fmt.Errorf("store: members: %w", err)
		}
	}
	return nil
}

// SetTeamMembers replaces a team's members. Authorization: PermManageTeams.
func (s *Store) SetTeamMembers(ctx context.Context, sc domain.Scope, teamID string, ids []string) error {
	if !sc.Can(domain.PermManageTeams) {
		return domain.NotFound("team")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var region string
		where, args := scopeClause("region_code", sc.RegionCode, 2)
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM teams WHERE id = $1 AND `+where, append([]any{teamID}, args...)...).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("team")
		}
		if err != nil {
			return fmt.Errorf("store: team: %w", err)
		}
		if err := s.setMembers(ctx, tx, teamID, region, ids); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "team.members", "team", teamID, region, fmt.Sprintf("members=%d", len(ids)))
	})
}

// ListTeams lists teams in sc's region. Authorization: PermViewCases.
func (s *Store) ListTeams(ctx context.Context, sc domain.Scope) ([]domain.Team, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.Errorf(domain.EForbidden, "your role may not see teams")
	}
	where, args := scopeClause("t.region_code", sc.RegionCode, 1)
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.name, t.kind, t.region_code, COALESCE(g.name, '') FROM teams t
		LEFT JOIN regions g ON g.code = t.region_code WHERE `+where+` ORDER BY t.region_code, t.kind, t.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	out := []domain.Team{}
	for rows.Next() {
		var t domain.Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Kind, &t.RegionCode, &t.RegionName); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.loadMembers(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) loadMembers(ctx context.Context, t *domain.Team) error {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.username, u.role, u.region_code FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 ORDER BY u.username`, t.ID)
	if err != nil {
		return fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u domain.User
		if err := rows.Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode); err != nil {
			return err
		}
		t.Members = append(t.Members, u)
		t.MemberIDs = append(t.MemberIDs, u.ID)
	}
	return rows.Err()
}

// GetTeam returns a team in sc's region.
func (s *Store) GetTeam(ctx context.Context, sc domain.Scope, id string) (domain.Team, error) {
	if !sc.Can(domain.PermViewCases) {
		return domain.Team{}, domain.NotFound("team")
	}
	where, args := scopeClause("t.region_code", sc.RegionCode, 2)
	var t domain.Team
	err := s.r.QueryRowContext(ctx, `SELECT t.id, t.name, t.kind, t.region_code, COALESCE(g.name, '') FROM teams t
		LEFT JOIN regions g ON g.code = t.region_code WHERE t.id = $1 AND `+where, append([]any{id}, args...)...).
		Scan(&t.ID, &t.Name, &t.Kind, &t.RegionCode, &t.RegionName)
	if errors.Is(err, sql.ErrNoRows) {
		return t, domain.NotFound("team")
	}
	if err != nil {
		return t, fmt.Errorf("store: team: %w", err)
	}
	return t, s.loadMembers(ctx, &t)
}

// AddDuty puts a user on duty for a region. Authorization: PermManageTeams.
func (s *Store) AddDuty(ctx context.Context, sc domain.Scope, d domain.DutyShift) (domain.DutyShift, error) {
	if !sc.Can(domain.PermManageTeams) {
		return d, domain.Errorf(domain.EForbidden, "your role may not manage the duty roster")
	}
	f := map[string]string{}
	if !domain.ValidRegionCode(d.RegionCode) || !sc.Contains(d.RegionCode) {
		f["region_code"] = "a region inside yours"
	}
	if d.StartsAt.IsZero() || !d.EndsAt.After(d.StartsAt) || d.EndsAt.Sub(d.StartsAt) > 31*24*time.Hour {
		f["ends_at"] = "the end must follow the start, at most 31 days later"
	}
	if len(f) > 0 {
		return d, domain.Invalid("please correct the marked fields", f)
	}
	d.ID = newID(s.utc())
	d.StartsAt, d.EndsAt = d.StartsAt.UTC(), d.EndsAt.UTC()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var ur, role string
		var disabled bool
		if err := tx.QueryRowContext(ctx, `SELECT region_code, role, disabled FROM users WHERE id = $1`, d.UserID).Scan(&ur, &role, &disabled); err != nil ||
			disabled || !domain.RegionWithin(d.RegionCode, ur) || !access_canWork(domain.Role(role)) {
			return domain.Invalid("please correct the marked fields", map[string]string{"user_id": "an active case-handling user of this region"})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO duty_roster (id, user_id, region_code, starts_at, ends_at) VALUES ($1,$2,$3,$4,$5)`,
			d.ID, d.UserID, d.RegionCode, d.StartsAt, d.EndsAt); err != nil {
			return fmt.Errorf("store: add duty: %w", err)
		}
		return s.audit(ctx, tx, sc, "duty.add", "duty", d.ID, d.RegionCode, "user="+d.UserID)
	})
	return d, err
}

// ListDuty lists shifts in sc's region that end after from.
func (s *Store) ListDuty(ctx context.Context, sc domain.Scope, from time.Time) ([]domain.DutyShift, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.Errorf(domain.EForbidden, "your role may not see the duty roster")
	}
	where, args := scopeClause("d.region_code", sc.RegionCode, 1)
	args = append(args, from.UTC())
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.user_id, u.username, d.region_code, d.starts_at, d.ends_at FROM duty_roster d
		JOIN users u ON u.id = d.user_id WHERE `+where+` AND d.ends_at > $`+strconv.Itoa(len(args))+` ORDER BY d.starts_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: duty: %w", err)
	}
	defer rows.Close()
	out := []domain.DutyShift{}
	for rows.Next() {
		var d domain.DutyShift
		if err := rows.Scan(&d.ID, &d.UserID, &d.Username, &d.RegionCode, &d.StartsAt, &d.EndsAt); err != nil {
			return nil, err
		}
		d.StartsAt, d.EndsAt = d.StartsAt.UTC(), d.EndsAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
