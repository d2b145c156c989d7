package cases

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Deadline rules (SLA): how soon a case of a priority (and optionally a
// type) must be acknowledged and the child reached.

// SLARules returns the configured deadline rules, or the defaults.
// Authorization: anyone who may see the teams page (no personal data).
func (s *Service) SLARules(ctx context.Context) ([]domain.SLARule, error) {
	return slaRules(ctx, s.st)
}

func slaRules(ctx context.Context, q store.Querier) ([]domain.SLARule, error) {
	out, err := store.Rows(ctx, q, func(rows *sql.Rows) (domain.SLARule, error) {
		var r domain.SLARule
		err := rows.Scan(&r.Priority, &r.Type, &r.AckMinutes, &r.ResponseMinutes)
		return r, err
	}, `SELECT priority, type, ack_minutes, response_minutes FROM sla_rules ORDER BY priority, type`)
	if err != nil {
		return nil, fmt.Errorf("cases: sla rules: %w", err)
	}
	if len(out) == 0 {
		out = append(out, domain.DefaultSLA...)
	}
	return out, nil
}

// SLA limits (minutes).
const (
	maxAckMinutes      = 7 * 24 * 60
	maxResponseMinutes = 30 * 24 * 60
)

// SetSLARule stores a deadline rule (replacing the same priority and type).
// Authorization: PermManageTeams for the whole deployment
// (store.DeploymentWide).
func (s *Service) SetSLARule(ctx context.Context, sc domain.Scope, r domain.SLARule) error {
	if !sc.Can(domain.PermManageTeams) || !s.st.DeploymentWide(sc) {
		return domain.E(domain.EForbidden, "teams.err.deployment_wide")
	}
	f := domain.FieldErrors{}
	if !r.Priority.Valid() {
		f["priority"] = domain.M("case.field.priority")
	}
	if r.Type != "" && !r.Type.Valid() {
		f["type"] = domain.M("case.field.type_unknown")
	}
	if r.AckMinutes < 1 || r.AckMinutes > maxAckMinutes {
		f["ack_minutes"] = domain.M("teams.field.ack_minutes")
	}
	if r.ResponseMinutes < r.AckMinutes || r.ResponseMinutes > maxResponseMinutes {
		f["response_minutes"] = domain.M("teams.field.response_minutes")
	}
	if err := invalid(f); err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		// The first change turns the defaults into stored rules.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sla_rules`).Scan(&n); err != nil {
			return fmt.Errorf("cases: sla rules: %w", err)
		}
		if n == 0 {
			for _, d := range domain.DefaultSLA {
				if _, err := tx.ExecContext(ctx, `INSERT INTO sla_rules (priority, type, ack_minutes, response_minutes) VALUES ($1,$2,$3,$4)`,
					string(d.Priority), string(d.Type), d.AckMinutes, d.ResponseMinutes); err != nil {
					return fmt.Errorf("cases: sla rules: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_rules (priority, type, ack_minutes, response_minutes) VALUES ($1,$2,$3,$4)
			ON CONFLICT (priority, type) DO UPDATE SET ack_minutes = excluded.ack_minutes, response_minutes = excluded.response_minutes`,
			string(r.Priority), string(r.Type), r.AckMinutes, r.ResponseMinutes); err != nil {
			return fmt.Errorf("cases: set sla rule: %w", err)
		}
		return tx.Audit(ctx, sc, "sla.set", "sla_rule", string(r.Priority)+"/"+string(r.Type), sc.RegionCode,
			fmt.Sprintf("ack=%d response=%d", r.AckMinutes, r.ResponseMinutes))
	})
}

// slaFor picks the strictest rule for a priority among the rules for any
// type and for the case's types (1 h and 24 h when none applies).
func slaFor(rules []domain.SLARule, p domain.Priority, types []domain.ViolenceType) (ack, resp time.Duration) {
	has := map[domain.ViolenceType]bool{}
	for _, t := range types {
		has[t] = true
	}
	for _, r := range rules {
		if r.Priority != p || (r.Type != "" && !has[r.Type]) {
			continue
		}
		a, rs := time.Duration(r.AckMinutes)*time.Minute, time.Duration(r.ResponseMinutes)*time.Minute
		if ack == 0 || a < ack {
			ack = a
		}
		if resp == 0 || rs < resp {
			resp = rs
		}
	}
	if ack == 0 {
		ack, resp = time.Hour, 24*time.Hour
	}
	return ack, resp
}
