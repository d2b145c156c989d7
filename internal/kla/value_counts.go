package kla

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// ValueCounts are the values a filter selects by verification state, and
// how many of the entered ones have evidence (a note, a link or a file).
type ValueCounts struct {
	All          int // every value the filter selects
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
// Limit and Offset aside) by state: from the roll-ups when the filter
// selects a province, regency or district and everything below it (see
// fromRollups), else in one scan of the values. Authorization: as
// ListValues.
func CountValueStates(ctx context.Context, st *store.Store, sc domain.Scope, f ValueFilter) (ValueCounts, error) {
	var c ValueCounts
	if err := mayRead(sc); err != nil {
		return c, err
	}
	f.Status = ""
	if r, ok, err := fromRollups(ctx, st, sc, f); err != nil || ok {
		return ValueCounts{All: r.n, Entered: r.selfN, Pending: r.pending, Verified: r.verified, Rejected: r.rejected, WithEvidence: r.evidence}, err
	}
	conds, args := valueConds(sc, f)
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN v.self_value IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'verified' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.verify_status = 'rejected' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.self_value IS NOT NULL AND v.has_evidence = 1 THEN 1 ELSE 0 END), 0)
		FROM kla_values v JOIN kla_indicators i ON i.regime = v.regime AND i.id = v.indicator_id
		WHERE `+strings.Join(conds, " AND "), args...).Scan(&c.All, &c.Entered, &c.Pending, &c.Verified, &c.Rejected, &c.WithEvidence); err != nil {
		return c, fmt.Errorf("kla: count values by state: %w", err)
	}
	return c, nil
}

// fromRollups sums the roll-up rows of the values f selects inside sc's
// region (its Order, Limit and Offset aside) when it can: f names a year
// and no single region, and the region it selects — the deeper of f.Within and
// the scope's region, or the whole country — has roll-ups (a province,
// regency or district; the country is its provinces). ok is false when
// the values must be counted instead. The caller checks authorization.
func fromRollups(ctx context.Context, st *store.Store, sc domain.Scope, f ValueFilter) (r rollupRow, ok bool, err error) {
	if f.RegionCode != "" || f.Year == 0 || (f.Status != "" && !oneOf(f.Status, []string{domain.KLAPending, domain.KLAVerified, domain.KLARejected})) {
		return r, false, nil
	}
	root := sc.RegionCode
	switch {
	case f.Within == "" || domain.RegionWithin(root, f.Within):
	case domain.RegionWithin(f.Within, root):
		root = f.Within
	default:
		return r, true, nil // nothing is inside both
	}
	conds, args := []string{"r.regime = $1"}, []any{f.Regime}
	switch {
	case root == "":
		conds = append(conds, "length(r.region_code) = 2")
	case rollupLevel(len(root)):
		args = append(args, root)
		conds = append(conds, "r.region_code = $2")
	default:
		return r, false, nil
	}
	args = append(args, f.Year)
	conds = append(conds, "r.year = $"+strconv.Itoa(len(args)))
	for _, c := range []struct {
		set  bool
		cond string
		arg  any
	}{
		{f.Agency != "", "i.agency", f.Agency},
		{f.Cluster != "", "i.cluster", f.Cluster},
		{f.Indicator != "", "r.indicator_id", f.Indicator},
	} {
		if c.set {
			args = append(args, c.arg)
			conds = append(conds, c.cond+" = $"+strconv.Itoa(len(args)))
		}
	}
	err = st.QueryRowContext(ctx, `SELECT COALESCE(SUM(r.n), 0), COALESCE(SUM(r.self_n), 0), COALESCE(SUM(r.evidence), 0),
		COALESCE(SUM(r.pending), 0), COALESCE(SUM(r.verified), 0), COALESCE(SUM(r.rejected), 0)
		FROM kla_rollups r JOIN kla_indicators i ON i.regime = r.regime AND i.id = r.indicator_id
		WHERE `+strings.Join(conds, " AND "), args...).Scan(&r.n, &r.selfN, &r.evidence, &r.pending, &r.verified, &r.rejected)
	if err != nil {
		return r, false, fmt.Errorf("kla: count values: %w", err)
	}
	switch f.Status {
	case domain.KLAPending:
		r.n = r.pending
	case domain.KLAVerified:
		r.n = r.verified
	case domain.KLARejected:
		r.n = r.rejected
	}
	return r, true, nil
}
