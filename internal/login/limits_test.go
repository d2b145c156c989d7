package login_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/login"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// TestLoginLimits: beyond the free failures an attempt is refused for a
// short, growing delay (never the old 24 hours); the guesser's address is
// delayed but the same username from another address is not; a right
// password takes its count back.
func TestLoginLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		attacker := login.LimitsFor("supervisor", "203.0.113.9")
		for i := 1; i <= 5; i++ {
			a, err := login.TakeAttempt(ctx, st, attacker)
			if err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		a, err := login.TakeAttempt(ctx, st, attacker)
		if err != nil || !a.Allowed || len(a.Locked) == 0 {
			t.Fatalf("6th attempt should be taken and start a delay: %+v %v", a, err)
		}
		a, err = login.TakeAttempt(ctx, st, attacker)
		if err != nil || a.Allowed {
			t.Fatalf("attempt during the delay taken: %+v %v", a, err)
		}
		if wait := a.Until.Sub(clk.Now()); wait <= 0 || wait > 15*time.Minute {
			t.Fatalf("delay %v, want a short one", wait)
		}
		// The real user at the office is not kept out.
		office := login.LimitsFor("supervisor", "198.51.100.7")
		if a, err := login.TakeAttempt(ctx, st, office); err != nil || !a.Allowed {
			t.Fatalf("the real user from another address is refused: %+v %v", a, err)
		}
		if err := login.Succeeded(ctx, st, office); err != nil {
			t.Fatal(err)
		}
		// Delays grow, but never beyond 15 minutes.
		var last time.Duration
		for i := 0; i < 12; i++ {
			clk.Advance(16 * time.Minute)
			a, err := login.TakeAttempt(ctx, st, attacker)
			if err != nil || !a.Allowed {
				t.Fatalf("attempt after the delay refused: %+v %v", a, err)
			}
			b, _ := login.TakeAttempt(ctx, st, attacker)
			if b.Allowed {
				t.Fatal("no delay after a failure beyond the free ones")
			}
			wait := b.Until.Sub(clk.Now())
			if wait < last || wait > 15*time.Minute {
				t.Fatalf("delay %v after %v: want growing, at most 15 min", wait, last)
			}
			last = wait
		}
		if last != 15*time.Minute {
			t.Fatalf("longest delay %v, want 15m", last)
		}
		// An hour without attempts forgets the failures.
		clk.Advance(loginWindowForTest + 16*time.Minute)
		for i := 1; i <= 5; i++ {
			if a, _ := login.TakeAttempt(ctx, st, attacker); !a.Allowed || len(a.Locked) > 0 {
				t.Fatalf("attempt %d after the window: %+v", i, a)
			}
		}
	})
}

const loginWindowForTest = time.Hour

// TestLoginLimitsAtomic: 200 parallel attempts for one username from one
// address are decided before any hashing; only the free ones are taken,
// on both databases (several lindu processes share these rows).
func TestLoginLimitsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		limits := login.LimitsFor("satgas-6107010001", "203.0.113.9")
		var mu sync.Mutex
		taken := 0
		var wg sync.WaitGroup
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := login.TakeAttempt(ctx, st, limits)
				if err != nil {
					t.Error(err)
					return
				}
				if a.Allowed {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// Five free failures and the sixth, which starts the delay.
		if taken != 6 {
			t.Fatalf("%d of 200 parallel attempts taken, want 6", taken)
		}
	})
}

// TestLoginAttemptGivenBack: an attempt that could not be judged (hashing
// busy, database error) is given back without lifting the delays already
// running or the failures counted before it: otherwise a guesser who keeps
// the password gate busy would wipe their own delay with every 503.
func TestLoginAttemptGivenBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		limits := login.LimitsFor("supervisor", "203.0.113.9")
		for i := 1; i <= 6; i++ {
			if a, err := login.TakeAttempt(ctx, st, limits); err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		// The sixth attempt started a delay; it was not judged and is given back.
		if err := login.GiveBack(ctx, st, limits); err != nil {
			t.Fatal(err)
		}
		if a, _ := login.TakeAttempt(ctx, st, limits); a.Allowed {
			t.Fatal("giving an attempt back lifted the running delay")
		}
		// After the delay the count still stands at five: the next
		// failure delays again at once.
		clk.Advance(16 * time.Minute)
		if a, _ := login.TakeAttempt(ctx, st, limits); !a.Allowed || len(a.Locked) == 0 {
			t.Fatalf("after the delay: %+v, want taken with a new delay (failures kept)", a)
		}
		// A fresh key given back is as if never tried.
		other := login.LimitsFor("peksos", "198.51.100.7")
		for i := 1; i <= 10; i++ {
			if a, _ := login.TakeAttempt(ctx, st, other); !a.Allowed || len(a.Locked) > 0 {
				t.Fatalf("given-back attempt %d counted: %+v", i, a)
			}
			if err := login.GiveBack(ctx, st, other); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestLoginLimitsIPv6Prefix: a guesser holds a whole IPv6 /64 (2^64
// addresses), so an IPv6 address is limited by its /64 prefix.
func TestLoginLimitsIPv6Prefix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		for i := 1; i <= 6; i++ {
			ip := "2001:db8:1:2::" + strings.Repeat("a", 1) + string(rune('0'+i))
			if a, err := login.TakeAttempt(ctx, st, login.LimitsFor("supervisor", ip)); err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		if a, _ := login.TakeAttempt(ctx, st, login.LimitsFor("supervisor", "2001:db8:1:2:ffff::99")); a.Allowed {
			t.Fatal("another address of the same /64 is not delayed")
		}
		// Another /64 and IPv4 are separate.
		if a, _ := login.TakeAttempt(ctx, st, login.LimitsFor("supervisor", "2001:db8:1:3::1")); !a.Allowed {
			t.Fatal("another /64 delayed")
		}
		if a, _ := login.TakeAttempt(ctx, st, login.LimitsFor("supervisor", "203.0.113.9")); !a.Allowed {
			t.Fatal("an IPv4 address delayed")
		}
	})
}

// TestLimitAddress: what a per-address limit counts; IPv4 (also written
// IPv4-mapped) whole, IPv6 by /64, anything else as it is.
func TestLimitAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"203.0.113.9", "203.0.113.9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"2001:db8:1:2::a1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := login.LimitAddress(c.in); got != c.want {
			t.Errorf("LimitAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
