package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Teams that handle cases: village taskforces (satgas desa), district
// rapid-response teams (TRC) and the UPTD PPA, with their members.

// CreateTeam adds a team in the caller's region. Authorization:
// PermManageTeams.
func (s *Service) CreateTeam(ctx context.Context, sc domain.Scope, t domain.Team) (domain.Team, error) {
	if !sc.Can(domain.PermManageTeams) {
		return t, domain.E(domain.EForbidden, "teams.err.forbidden_manage")
	}
	if err := invalid(teamFields(sc, &t)); err != nil {
		return t, err
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		t.ID = tx.NewID()
		if err := s.regionExists(ctx, tx, t.RegionCode); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, kind, region_code, created_at) VALUES ($1,$2,$3,$4,$5)`,
			t.ID, t.Name, t.Kind, t.RegionCode, tx.Now()); err != nil {
			return fmt.Errorf("cases: create team: %w", err)
		}
		if err := setMembers(ctx, tx, t.ID, t.RegionCode, t.MemberIDs); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "team.create", "team", t.ID, t.RegionCode, "kind="+t.Kind)
	})
	if err != nil {
		return t, err
	}
	return s.GetTeam(ctx, sc, t.ID)
}

// teamFields checks a new team: a name, a kind, and a region inside sc's
// that fits the kind.
func teamFields(sc domain.Scope, t *domain.Team) domain.FieldErrors {
	f := domain.FieldErrors{}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || len(t.Name) > maxName {
		f["name"] = domain.M("teams.field.name")
	}
	switch t.Kind {
	case "village_taskforce":
		if domain.RegionLevelOf(t.RegionCode) != domain.LevelVillage {
			f["region_code"] = domain.M("teams.field.village_region")
		}
	case "district_team":
		if domain.RegionLevelOf(t.RegionCode) != domain.LevelDistrict {
			f["region_code"] = domain.M("teams.field.district_region")
		}
	case "uptd":
	default:
		f["kind"] = domain.M("teams.field.kind")
	}
	if !domain.ValidRegionCode(t.RegionCode) {
		f["region_code"] = domain.M("teams.field.region_code")
	} else if !sc.Contains(t.RegionCode) {
		f["region_code"] = domain.M("case.field.region_outside")
	}
	return f
}

// setMembers replaces a team's members with case-handling users of its
// region (or of a region it lies in).
func setMembers(ctx context.Context, tx *store.Tx, teamID, region string, ids []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("cases: members: %w", err)
	}
	bad := domain.InvalidFields(domain.FieldErrors{"members": domain.M("teams.field.members")})
	seen := map[string]bool{}
	for _, uid := range ids {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		var ur, role string
		err := tx.QueryRowContext(ctx, `SELECT region_code, role FROM users WHERE id = $1`, uid).Scan(&ur, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return bad
		}
		if err != nil {
			return fmt.Errorf("cases: members: %w", err)
		}
		if !(domain.RegionWithin(region, ur) || domain.RegionWithin(ur, region)) || !canWork(domain.Role(role)) {
			return bad
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`, teamID, uid); err != nil {
			return fmt.Errorf("cases: members: %w", err)
		}
	}
	return nil
}

// SetTeamMembers replaces a team's members. Authorization: PermManageTeams
// on a team in the caller's region.
func (s *Service) SetTeamMembers(ctx context.Context, sc domain.Scope, teamID string, ids []string) error {
	if !sc.Can(domain.PermManageTeams) {
		return domain.NotFound("team")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var region string
		where, args := store.ScopeClause("region_code", sc.RegionCode, 2)
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM teams WHERE id = $1 AND `+where, append([]any{teamID}, args...)...).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("team")
		}
		if err != nil {
			return fmt.Errorf("cases: team: %w", err)
		}
		if err := setMembers(ctx, tx, teamID, region, ids); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "team.members", "team", teamID, region, fmt.Sprintf("members=%d", len(ids)))
	})
}

const teamCols = `t.id, t.name, t.kind, t.region_code, COALESCE(g.name, '') FROM teams t
	LEFT JOIN regions g ON g.code = t.region_code`

func scanTeam(row scanner) (domain.Team, error) {
	var t domain.Team
	err := row.Scan(&t.ID, &t.Name, &t.Kind, &t.RegionCode, &t.RegionName)
	return t, err
}

// TeamChoices lists the teams sc sees, in ListTeams' order, with their
// id, name, kind and region code only: what the inbox's team filter shows
// and checks a filter against on every view, where the members were a
// second query and the region names a join for every team (a regency has
// one team for each of its villages).
// Authorization: PermViewCases.
func (s *Service) TeamChoices(ctx context.Context, sc domain.Scope) ([]domain.Team, error) {
	return s.teams(ctx, sc, `t.id, t.name, t.kind, t.region_code FROM teams t`, func(rows *sql.Rows) (domain.Team, error) {
		var t domain.Team
		err := rows.Scan(&t.ID, &t.Name, &t.Kind, &t.RegionCode)
		return t, err
	})
}

// teams reads the teams sc sees with cols (and their FROM), in order.
func (s *Service) teams(ctx context.Context, sc domain.Scope, cols string, scan func(*sql.Rows) (domain.Team, error)) ([]domain.Team, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.E(domain.EForbidden, "teams.err.forbidden_view")
	}
	where, args := store.ScopeClause("t.region_code", sc.RegionCode, 1)
	out, err := store.Rows(ctx, s.st, scan, `SELECT `+cols+` WHERE `+where+` ORDER BY t.region_code, t.kind, t.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: teams: %w", err)
	}
	if out == nil {
		out = []domain.Team{}
	}
	return out, nil
}

// ListTeams lists teams in sc's region with their members. Authorization:
// PermViewCases.
func (s *Service) ListTeams(ctx context.Context, sc domain.Scope) ([]domain.Team, error) {
	out, err := s.teams(ctx, sc, teamCols, func(rows *sql.Rows) (domain.Team, error) { return scanTeam(rows) })
	if err != nil {
		return nil, err
	}
	where, args := store.ScopeClause("t.region_code", sc.RegionCode, 1)
	// The members of every listed team in one query (a query per team made
	// the inbox's filter read a regency's teams one by one).
	type member struct {
		team string
		u    domain.User
	}
	members, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (member, error) {
		var m member
		err := rows.Scan(&m.team, &m.u.ID, &m.u.Username, &m.u.Role, &m.u.RegionCode)
		return m, err
	}, `SELECT m.team_id, u.id, u.username, u.role, u.region_code FROM team_members m JOIN users u ON u.id = m.user_id
		JOIN teams t ON t.id = m.team_id WHERE `+where+` ORDER BY u.username`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: members: %w", err)
	}
	idx := make(map[string]int, len(out))
	for i, t := range out {
		idx[t.ID] = i
	}
	for _, m := range members {
		if i, ok := idx[m.team]; ok {
			out[i].Members = append(out[i].Members, m.u)
			out[i].MemberIDs = append(out[i].MemberIDs, m.u.ID)
		}
	}
	return out, nil
}

// loadMembers fills a team's members, by username.
func (s *Service) loadMembers(ctx context.Context, t *domain.Team) error {
	members, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.User, error) {
		var u domain.User
		err := rows.Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode)
		return u, err
	}, `SELECT u.id, u.username, u.role, u.region_code FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 ORDER BY u.username`, t.ID)
	if err != nil {
		return fmt.Errorf("cases: members: %w", err)
	}
	for _, u := range members {
		t.Members = append(t.Members, u)
		t.MemberIDs = append(t.MemberIDs, u.ID)
	}
	return nil
}

// GetTeam returns a team in sc's region with its members. Authorization:
// PermViewCases.
func (s *Service) GetTeam(ctx context.Context, sc domain.Scope, id string) (domain.Team, error) {
	if !sc.Can(domain.PermViewCases) {
		return domain.Team{}, domain.NotFound("team")
	}
	where, args := store.ScopeClause("t.region_code", sc.RegionCode, 2)
	t, err := scanTeam(s.st.QueryRowContext(ctx, `SELECT `+teamCols+` WHERE t.id = $1 AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, domain.NotFound("team")
	}
	if err != nil {
		return t, fmt.Errorf("cases: team: %w", err)
	}
	return t, s.loadMembers(ctx, &t)
}
