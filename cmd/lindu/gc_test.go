package main

import (
	"runtime/debug"
	"testing"
)

// lindu collects garbage less often than Go's default unless GOGC or
// GOMEMLIMIT say otherwise, and then leaves the runtime's reading of them.
func TestTuneGC(t *testing.T) {
	pct, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() { debug.SetGCPercent(pct); debug.SetMemoryLimit(limit) }()

	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("memory limit %d, want %d", got, memoryLimit)
	}

	debug.SetGCPercent(77)
	debug.SetMemoryLimit(123 << 20)
	tuneGC(func(k string) string { return map[string]string{"GOGC": "77", "GOMEMLIMIT": "123MiB"}[k] })
	if got := debug.SetGCPercent(100); got != 77 {
		t.Errorf("GOGC set: GC percent changed to %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 123<<20 {
		t.Errorf("GOMEMLIMIT set: memory limit changed to %d", got)
	}
}
