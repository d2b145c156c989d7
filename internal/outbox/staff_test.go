package outbox_test

import (
	"errors"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The staff's view: a region's supervisor sees its messages, someone else's
// region sees none, and only lindu itself expires pending messages.
func TestStaffView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		enqueue(t, st, 3)
		sys := domain.Scope{System: true}
		sup := domain.Scope{UserID: "u1", RegionCode: "61", Perms: domain.PermSet(0).With(domain.PermManageCases)}
		other := domain.Scope{UserID: "u2", RegionCode: "62", Perms: domain.PermSet(0).With(domain.PermManageCases)}

		if ms, err := outbox.List(bg, st, sup, outbox.Filter{Status: "pending"}); err != nil || len(ms) != 3 {
			t.Fatalf("supervisor list = %d, %v; want 3", len(ms), err)
		}
		if ms, err := outbox.List(bg, st, other, outbox.Filter{}); err != nil || ms == nil || len(ms) != 0 {
			t.Fatalf("other region list = %v, %v; want empty", ms, err)
		}
		if ms, err := outbox.List(bg, st, sup, outbox.Filter{Mine: true}); err != nil || len(ms) != 0 {
			t.Fatalf("mine = %d, %v; want 0", len(ms), err)
		}
		if n, err := outbox.PendingCount(bg, st, sup, 99); err != nil || n != 3 {
			t.Fatalf("pending = %d, %v; want 3", n, err)
		}
		if n, err := outbox.PendingCount(bg, st, sup, 1); err != nil || n != 2 {
			t.Fatalf("pending up to 1 = %d, %v; want 2 (more than 1)", n, err)
		}

		_, err := outbox.Expire(bg, st, sup, st.Now().Add(time.Hour))
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.EForbidden || de.Key != "outbox.err.system_only" {
			t.Fatalf("expire by a user = %v; want forbidden outbox.err.system_only", err)
		}
		if n, err := outbox.Expire(bg, st, sys, st.Now().Add(time.Hour)); err != nil || n != 3 {
			t.Fatalf("expire = %d, %v; want 3", n, err)
		}
		c, err := outbox.Counts(bg, st)
		if err != nil || len(c) != 1 || c["expired"] != 3 {
			t.Fatalf("counts = %v, %v; want expired=3", c, err)
		}
		if n, err := outbox.PendingCount(bg, st, sup, 99); err != nil || n != 0 {
			t.Fatalf("pending after expiry = %d, %v; want 0", n, err)
		}
	})
}
