package kla

import (
	"context"
	"reflect"
	"testing"

	"lindu/internal/access"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The kept readings stay within their bound: a new one pushes older ones
// out, one larger than the bound is given but not kept (and pushes none
// out), and what is given is what the database holds either way.
func TestBelowCacheBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite, storetest.Options{})
	if _, err := EnsureShipped(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateValues(ctx, st, Regime2011, []int{2025}, nil); err != nil {
		t.Fatal(err)
	}
	sc := access.System("test")
	c := newBelowCache()
	read := func(root string) map[string][]agg {
		t.Helper()
		got, err := c.below(ctx, st, sc, Regime2011, root, 13, 2025)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := aggregateBelow(ctx, st, sc, Regime2011, root, 13, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if want := groupBelow(rows); !reflect.DeepEqual(got, want) || len(got) < 5 {
			t.Fatalf("%s: %d villages kept, %d in the database", root, len(got), len(want))
		}
		return got
	}
	count := func(g map[string][]agg) (n int) {
		for _, rows := range g {
			n += len(rows)
		}
		return n
	}
	regency := count(read("61.07"))
	if c.rows != regency || len(c.m) != 1 {
		t.Fatalf("kept %d rows in %d readings, want %d in 1", c.rows, len(c.m), regency)
	}
	c.max = regency // room for the regency's villages or a district's, not both
	district := count(read("61.07.01"))
	if c.rows != district || len(c.m) != 1 || district >= regency {
		t.Fatalf("kept %d rows in %d readings, want the district's %d", c.rows, len(c.m), district)
	}
	c.max = district // a regency's villages do not fit: given, not kept
	read("61.07")
	if _, ok := c.m[belowKey{regime: Regime2011, root: "61.07.01", groupLen: 13, year: 2025}]; !ok || c.rows != district || len(c.m) != 1 {
		t.Fatalf("kept %d rows in %d readings, want the district's %d", c.rows, len(c.m), district)
	}
}
