package kla_test

import (
	"errors"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A verdict on one value counts only for the value as the verifier saw
// it: entered again, or decided by another verifier, after the page was
// shown, the verdict (accept or reject) is refused as a conflict and
// nothing is written — no verdict, no history, no audit entry. A verdict
// at the current version is recorded.
func TestVerifyShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, _, adm := setup(t, d)
		sys := access.System("test")
		put := func(v float64) {
			t.Helper()
			if err := kla.PutValues(bg, st, sys, regime, []domain.KLAValueInput{{IndicatorID: "11", RegionCode: "61.07.01", Year: 2025,
				Value: v, Note: "laporan"}}); err != nil {
				t.Fatal(err)
			}
		}
		current := func() domain.KLAValue {
			t.Helper()
			vs, err := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, RegionCode: "61.07.01", Year: 2025, Indicator: "11"})
			if err != nil || len(vs) != 1 {
				t.Fatalf("values: %v %v", vs, err)
			}
			return vs[0]
		}
		audited := func() int {
			t.Helper()
			n := 0
			for _, action := range []string{"kla.value.verified", "kla.value.rejected"} {
				es, err := st.ListAudit(bg, sys, domain.AuditFilter{Action: action, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				n += len(es)
			}
			return n
		}
		history := func() int {
			t.Helper()
			h, err := kla.ValueHistory(bg, st, adm, regime, "61.07.01", 2025, "11")
			if err != nil {
				t.Fatal(err)
			}
			return len(h)
		}
		put(80)
		shown := kla.RefOf(current())
		// The operator corrects the value while the verifier reads it.
		put(60)
		for _, accept := range []bool{true, false} {
			err := kla.VerifyShown(bg, st, adm, regime, shown, accept, nil, "bukti lengkap")
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.EConflict || e.Key != "kla.err.value_changed" {
				t.Fatalf("accept=%v on a value entered again: %v", accept, err)
			}
		}
		noVersion := shown
		noVersion.Version = ""
		if err := kla.VerifyShown(bg, st, adm, regime, noVersion, true, nil, ""); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("without a version: %v", err)
		}
		if v := current(); v.Status != domain.KLAPending || v.VerifiedValue != nil || v.VerifiedBy != "" || history() != 2 || audited() != 0 {
			t.Fatalf("a refused verdict wrote: %s %v %q, %d history entries, %d audit entries", v.Status, v.VerifiedValue, v.VerifiedBy,
				history(), audited())
		}

		// Two verifiers open the same page; the first rejects, the
		// second's acceptance of what they saw is refused.
		both := kla.RefOf(current())
		if err := kla.VerifyShown(bg, st, adm, regime, both, false, nil, "bukti tidak ada"); err != nil {
			t.Fatal(err)
		}
		if err := kla.VerifyShown(bg, st, adm, regime, both, true, nil, ""); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("a value decided meanwhile: %v", err)
		}
		if v := current(); v.Status != domain.KLARejected || history() != 3 || audited() != 1 {
			t.Fatalf("after the second verdict: %s, %d history entries, %d audit entries", v.Status, history(), audited())
		}
		// At the version shown now, the verdict is recorded.
		cut := 55.0
		if err := kla.VerifyShown(bg, st, adm, regime, kla.RefOf(current()), true, &cut, "dicek ulang"); err != nil {
			t.Fatal(err)
		}
		if v := current(); v.Status != domain.KLAVerified || v.VerifiedValue == nil || *v.VerifiedValue != 55 || history() != 4 || audited() != 2 {
			t.Fatalf("verdict at the current version: %s %v", v.Status, v.VerifiedValue)
		}
		// The rules of every verdict still hold.
		if err := kla.VerifyShown(bg, st, adm, regime, kla.ValueRef{RegionCode: "13.01", Year: 2025, IndicatorID: "11", Version: "x"}, true, nil, ""); domain.CodeOf(err) != domain.ENotFound {
			t.Errorf("outside the region: %v", err)
		}
	})
}
