package store

import (
	"testing"
	"time"
)

// IDs made in one millisecond sort in the order they were made, also when
// IDs of other milliseconds are made in between (stores with different
// clocks side by side, as parallel tests run them).
func TestNewIDOrderedWithinAMillisecond(t *testing.T) {
	a := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	b := time.Now()
	var prevA, prevB string
	for i := range 3000 {
		ida, idb := newID(a), newID(b.Add(time.Duration(i%7)*time.Millisecond))
		if prevA != "" && ida <= prevA {
			t.Fatalf("id %d of one millisecond %s after %s: out of order", i, ida, prevA)
		}
		prevA = ida
		if i%7 == 0 {
			if prevB != "" && idb <= prevB {
				t.Fatalf("id %d %s after %s: out of order", i, idb, prevB)
			}
			prevB = idb
		}
	}
}
