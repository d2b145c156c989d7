package store_test

import (
	"testing"
	"time"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

func TestRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		for i := 0; i < 3; i++ {
			if ok, _, _ := st.Allow(ctx, "ip:1", 3, time.Hour); !ok {
				t.Fatalf("hit %d refused", i+1)
			}
		}
		ok, reset, _ := st.Allow(ctx, "ip:1", 3, time.Hour)
		if ok || !reset.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("fourth hit: %v %v", ok, reset)
		}
		if ok, _, _ := st.Allow(ctx, "ip:2", 3, time.Hour); !ok {
			t.Fatal("other key limited")
		}
		clk.Advance(time.Hour)
		if ok, _, _ := st.Allow(ctx, "ip:1", 3, time.Hour); !ok {
			t.Fatal("window did not reset")
		}
	})
}
