package kla_test

import (
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Accepting all values shown: every value is accepted with its self-
// assessed value, with a history and an audit entry each, as a single
// acceptance; a value entered again since it was shown, a value outside
// the verifier's region or a caller without the permission refuses the
// whole batch and nothing is written.
func TestAcceptValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		sys := access.System("test")
		var in []domain.KLAValueInput
		for _, r := range []string{"61.07.01", "61.07.02"} {
			for _, id := range []string{"11", "12", "13"} {
				in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: r, Year: 2025, Value: 80, Note: "laporan"})
			}
		}
		if err := kla.PutValues(bg, st, sys, regime, in); err != nil {
			t.Fatal(err)
		}
		// The task force of district 61.07.01 and of the regency.
		mk := func(name, region string) domain.Scope {
			u, err := st.CreateUser(bg, sys, domain.NewUser{Username: name, Role: domain.RoleViewer, RegionCode: region, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			return access.ForUser(u, "", "")
		}
		district, regency := mk("gugus-kec", "61.07.01"), mk("gugus-kab", "61.07")
		shown := func(region string) []kla.ValueRef {
			vs, err := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, Within: region, Year: 2025, Status: domain.KLAPending})
			if err != nil {
				t.Fatal(err)
			}
			var refs []kla.ValueRef
			for _, v := range vs {
				refs = append(refs, kla.RefOf(v))
			}
			return refs
		}
		pending := func() int {
			n, err := kla.CountValues(bg, st, adm, kla.ValueFilter{Regime: regime, Year: 2025, Status: domain.KLAPending})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := shown("61.07")
		if len(all) != 6 {
			t.Fatalf("%d values shown", len(all))
		}

		// Refused: no permission, a region outside the caller's, a value
		// twice; nothing written.
		for name, c := range map[string]struct {
			sc   domain.Scope
			refs []kla.ValueRef
			code domain.ErrorCode
		}{
			"operator":         {op, all, domain.EForbidden},
			"outside district": {district, all, domain.ENotFound},
			"twice":            {regency, append(shown("61.07.01"), shown("61.07.01")[0]), domain.EInvalid},
			"none":             {regency, nil, domain.EInvalid},
		} {
			if n, err := kla.AcceptValues(bg, st, c.sc, regime, c.refs, ""); domain.CodeOf(err) != c.code || n != 0 {
				t.Errorf("%s: %d %v", name, n, err)
			}
		}
		if n := pending(); n != 6 {
			t.Fatalf("after refused batches: %d pending, want 6", n)
		}

		// A value entered again after the page was shown: the batch is
		// refused as a whole (the other five stay pending).
		stale := shown("61.07")
		if err := kla.PutValues(bg, st, sys, regime, []domain.KLAValueInput{{IndicatorID: "12", RegionCode: "61.07.02", Year: 2025, Value: 60}}); err != nil {
			t.Fatal(err)
		}
		if n, err := kla.AcceptValues(bg, st, regency, regime, stale, ""); domain.CodeOf(err) != domain.EConflict || n != 0 {
			t.Fatalf("stale version: %d %v", n, err)
		}
		if n := pending(); n != 6 {
			t.Fatalf("after a stale batch: %d pending, want 6 (nothing partial)", n)
		}

		// The district's task force accepts its own district's page.
		if n, err := kla.AcceptValues(bg, st, district, regime, shown("61.07.01"), "bukti lengkap"); err != nil || n != 3 {
			t.Fatalf("district page: %d %v", n, err)
		}
		// Accepting the same page again: the values are verified now.
		if _, err := kla.AcceptValues(bg, st, regency, regime, stale[:1], ""); domain.CodeOf(err) != domain.EConflict {
			t.Errorf("accepted twice: %v", err)
		}
		// The regency's task force accepts the rest as shown now.
		if n, err := kla.AcceptValues(bg, st, regency, regime, shown("61.07"), ""); err != nil || n != 3 {
			t.Fatalf("regency page: %d %v", n, err)
		}
		if n := pending(); n != 0 {
			t.Fatalf("%d still pending", n)
		}
		vs, err := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Status != domain.KLAVerified || v.VerifiedValue == nil || *v.VerifiedValue != *v.SelfValue || v.VerifiedBy == "" {
				t.Errorf("%s/%s: %s %v", v.RegionCode, v.IndicatorID, v.Status, v.VerifiedValue)
			}
		}
		h, err := kla.ValueHistory(bg, st, adm, regime, "61.07.01", 2025, "11")
		if err != nil || len(h) != 2 || h[1].Kind != "verified" || h[1].Note != "bukti lengkap" || *h[1].Value != 80 {
			t.Fatalf("history: %+v %v", h, err)
		}
		audit, err := st.ListAudit(bg, sys, domain.AuditFilter{Action: "kla.value.verified", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 6 {
			t.Fatalf("%d audit entries, want one per value (6)", len(audit))
		}
		for _, e := range audit {
			if e.ObjectType != "kla_value" || e.Detail != "year 2025" || e.RegionCode == "" {
				t.Errorf("audit entry: %+v", e)
			}
		}

		// The dashboard's counts by state.
		c, err := kla.CountValueStates(bg, st, adm, kla.ValueFilter{Regime: regime, Within: "61.07", Year: 2025})
		if err != nil || c.Entered != 6 || c.Verified != 6 || c.Pending != 0 || c.WithEvidence != 5 {
			t.Errorf("counts: %+v %v", c, err)
		}
	})
}
