package kla

import (
	"context"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// ValueCounts are the values a filter selects by verification state, and
// how many of the entered ones have evidence (a note, a link or a file).
type ValueCounts struct {
	Entered      int // values with a self-assessed value
	Pending      int
	Verified     int
	Rejected     int
	WithEvidence int // entered values with evidence attached
}

// EvidenceShare is the share of entered values with evidence (0-1).
func (c ValueCounts) EvidenceShare() float64 {
	if c.Entered == 0 {
		return 0
	}
	return float64(c.WithEvidence) / float64(c.Entered)
}

// CountValueStates counts the values a filter selects (its Status, Order,
// Limit and Offset aside) by state in one scan. Authorization: as
// ListValues.
func CountValueStates(ctx context.Context, st *store.Store, sc domain.Scope, f ValueFilter) (ValueCounts, error) {
	var c ValueCounts
	if err := mayRead(sc); err != nil {
		return c, err
	}
	f.Status = ""
	conds, args := valueConds(sc, f)
	if err := st.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN v.self_value IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'verified' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'rejected' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.self_value IS NOT NULL AND v.has_evidence = 1 THEN 1 ELSE 0 END), 0)
		FROM kla_values v JOIN kla_indicators i ON i.regime = v.regime AND i.id = v.indicator_id
		WHERE `+strings.Join(conds, " AND "), args...).Scan(&c.Entered, &c.Pending, &c.Verified, &c.Rejected, &c.WithEvidence); err != nil {
		return c, fmt.Errorf("kla: count values by state: %w", err)
	}
	return c, nil
}
