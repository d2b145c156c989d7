package auth

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy is returned when no password can be checked now because the
// memory set aside for hashing is in use for longer than a caller waits.
var ErrBusy = errors.New("auth: password hashing busy")

// DefaultHashMemory is the memory set aside for password hashing at once.
const DefaultHashMemory = 256 << 20

// Gate bounds the memory that concurrent Argon2id computations use: each
// check holds the memory its hash's parameters ask for, and waits at most
// a short time for it. Without it, 200 parallel logins hash 200 × 19 MiB at
// once and starve every other request.
type Gate struct {
	sem    *semaphore.Weighted
	budget int64 // KiB
	wait   time.Duration
}

// NewGate returns a gate over memBytes of hashing memory (DefaultHashMemory
// if 0), allowing at most 2 × CPUs hashes at once and at least one, whose
// callers wait at most wait (5 s if 0).
func NewGate(memBytes int64, wait time.Duration) *Gate {
	if memBytes <= 0 {
		memBytes = DefaultHashMemory
	}
	if wait <= 0 {
		wait = 5 * time.Second
	}
	budget := memBytes >> 10
	// Never more hashes at once than the CPUs can run usefully: beyond that
	// each only takes longer.
	if cpu := int64(2*runtime.NumCPU()) * int64(DefaultParams.Memory); budget > cpu {
		budget = cpu
	}
	if budget < int64(DefaultParams.Memory) {
		budget = int64(DefaultParams.Memory)
	}
	return &Gate{sem: semaphore.NewWeighted(budget), budget: budget, wait: wait}
}

// Slots is how many hashes of DefaultParams run at once.
func (g *Gate) Slots() int { return int(g.budget / int64(DefaultParams.Memory)) }

// cost is the memory (KiB) checking encoded takes, as much as the whole
// budget at most (a costlier hash runs alone).
func (g *Gate) cost(encoded string) int64 {
	m := int64(DefaultParams.Memory)
	if parts := strings.Split(encoded, "$"); len(parts) == 6 {
		for _, kv := range strings.Split(parts[3], ",") {
			if v, ok := strings.CutPrefix(kv, "m="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
					m = n
				}
			}
		}
	}
	return min(max(m, 1), g.budget)
}

// Verify is VerifyPassword within the gate; ErrBusy when it could not start
// in time (or ctx ended).
func (g *Gate) Verify(ctx context.Context, pw, encoded string) (bool, error) {
	n := g.cost(encoded)
	wctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	if err := g.sem.Acquire(wctx, n); err != nil {
		return false, ErrBusy
	}
	defer g.sem.Release(n)
	return VerifyPassword(pw, encoded)
}

// Burn spends the time of one password check (for unknown usernames), within
// the gate.
func (g *Gate) Burn(ctx context.Context, pw string) error {
	_, err := g.Verify(ctx, pw, dummyHash)
	return err
}
