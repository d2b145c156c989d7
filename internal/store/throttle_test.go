package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
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
		attacker := store.LoginLimitsFor("supervisor", "203.0.113.9")
		for i := 1; i <= 5; i++ {
			a, err := st.TakeLoginAttempt(ctx, attacker)
			if err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		a, err := st.TakeLoginAttempt(ctx, attacker)
		if err != nil || !a.Allowed || len(a.Locked) == 0 {
			t.Fatalf("6th attempt should be taken and start a delay: %+v %v", a, err)
		}
		a, err = st.TakeLoginAttempt(ctx, attacker)
		if err != nil || a.Allowed {
			t.Fatalf("attempt during the delay taken: %+v %v", a, err)
		}
		if wait := a.Until.Sub(clk.Now()); wait <= 0 || wait > 15*time.Minute {
			t.Fatalf("delay %v, want a short one", wait)
		}
		// The real user at the office is not kept out.
		office := store.LoginLimitsFor("supervisor", "198.51.100.7")
		if a, err := st.TakeLoginAttempt(ctx, office); err != nil || !a.Allowed {
			t.Fatalf("the real user from another address is refused: %+v %v", a, err)
		}
		if err := st.LoginSucceeded(ctx, office); err != nil {
			t.Fatal(err)
		}
		// Delays grow, but never beyond 15 minutes.
		var last time.Duration
		for i := 0; i < 12; i++ {
			clk.Advance(16 * time.Minute)
			a, err := st.TakeLoginAttempt(ctx, attacker)
			if err != nil || !a.Allowed {
				t.Fatalf("attempt after the delay refused: %+v %v", a, err)
			}
			b, _ := st.TakeLoginAttempt(ctx, attacker)
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
			if a, _ := st.TakeLoginAttempt(ctx, attacker); !a.Allowed || len(a.Locked) > 0 {
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
		limits := store.LoginLimitsFor("satgas-6107010001", "203.0.113.9")
		var mu sync.Mutex
		taken := 0
		var wg sync.WaitGroup
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := st.TakeLoginAttempt(ctx, limits)
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

// TestLoginLocksAdmin: admins of the whole deployment see running delays
// and lift them (audited); others may not.
func TestLoginLocksAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		if _, err := st.CreateUser(ctx, sys(), domain.NewUser{Username: "supervisor", Role: domain.RoleSupervisor,
			RegionCode: "61.07", Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		limits := store.LoginLimitsFor("supervisor", "203.0.113.9")
		for i := 0; i < 7; i++ {
			st.TakeLoginAttempt(ctx, limits)
		}
		// A password typed into the username field is never shown.
		st.TakeLoginAttempt(ctx, store.LoginLimitsFor("my secret pass 42", "203.0.113.9"))
		root := "61.07"
		admin := access.ForUser(domain.User{ID: "a1", Username: "admin", Role: domain.RoleAdmin, RegionCode: "61"}, "", "")
		district := access.ForUser(domain.User{ID: "a2", Username: "admin-kec", Role: domain.RoleAdmin, RegionCode: "61.07.01"}, "", "")
		cw := access.ForUser(domain.User{ID: "c1", Username: "cw", Role: domain.RoleCaseworker, RegionCode: "61"}, "", "")
		for _, sc := range []domain.Scope{district, cw} {
			if _, err := st.ListLoginLocks(ctx, sc, root); domain.CodeOf(err) != domain.EForbidden {
				t.Fatalf("%s lists locks: %v", sc.Username, err)
			}
		}
		locks, err := st.ListLoginLocks(ctx, admin, root)
		if err != nil {
			t.Fatal(err)
		}
		var ua *store.LoginLock
		for i := range locks {
			if strings.Contains(locks[i].Username+locks[i].Key, "secret") {
				t.Fatalf("a username that is no account is shown: %+v", locks[i])
			}
			if locks[i].Kind == "user_address" && locks[i].Username == "supervisor" {
				ua = &locks[i]
			}
		}
		if ua == nil || ua.Username != "supervisor" || ua.Address != "203.0.113.9" || ua.Until.IsZero() {
			t.Fatalf("locks %+v: want the running delay of supervisor at 203.0.113.9", locks)
		}
		if err := st.LiftLoginLock(ctx, cw, root, ua.Key); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("caseworker lifts: %v", err)
		}
		if err := st.LiftLoginLock(ctx, admin, root, ua.Key); err != nil {
			t.Fatal(err)
		}
		if err := st.LiftLoginLock(ctx, admin, root, ua.Key); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("lifting twice: %v", err)
		}
		if a, _ := st.TakeLoginAttempt(ctx, store.LoginLimitsFor("supervisor", "203.0.113.9")[:1]); !a.Allowed {
			t.Fatal("lifted limit still refuses")
		}
		st.SealAudit(ctx)
		es, err := st.ListAudit(ctx, admin, domain.AuditFilter{Action: "auth.login_lock_lifted", Limit: 10})
		if err != nil || len(es) != 1 || strings.Contains(es[0].Detail, "203.0.113.9") {
			t.Fatalf("audit of the lift: %+v %v (one entry, no address)", es, err)
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
		limits := store.LoginLimitsFor("supervisor", "203.0.113.9")
		for i := 1; i <= 6; i++ {
			if a, err := st.TakeLoginAttempt(ctx, limits); err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		// The sixth attempt started a delay; it was not judged and is given back.
		if err := st.GiveBackLoginAttempt(ctx, limits); err != nil {
			t.Fatal(err)
		}
		if a, _ := st.TakeLoginAttempt(ctx, limits); a.Allowed {
			t.Fatal("giving an attempt back lifted the running delay")
		}
		// After the delay the count still stands at five: the next
		// failure delays again at once.
		clk.Advance(16 * time.Minute)
		if a, _ := st.TakeLoginAttempt(ctx, limits); !a.Allowed || len(a.Locked) == 0 {
			t.Fatalf("after the delay: %+v, want taken with a new delay (failures kept)", a)
		}
		// A fresh key given back is as if never tried.
		other := store.LoginLimitsFor("peksos", "198.51.100.7")
		for i := 1; i <= 10; i++ {
			if a, _ := st.TakeLoginAttempt(ctx, other); !a.Allowed || len(a.Locked) > 0 {
				t.Fatalf("given-back attempt %d counted: %+v", i, a)
			}
			if err := st.GiveBackLoginAttempt(ctx, other); err != nil {
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
			if a, err := st.TakeLoginAttempt(ctx, store.LoginLimitsFor("supervisor", ip)); err != nil || !a.Allowed {
				t.Fatalf("attempt %d refused: %+v %v", i, a, err)
			}
		}
		if a, _ := st.TakeLoginAttempt(ctx, store.LoginLimitsFor("supervisor", "2001:db8:1:2:ffff::99")); a.Allowed {
			t.Fatal("another address of the same /64 is not delayed")
		}
		// Another /64 and IPv4 are separate.
		if a, _ := st.TakeLoginAttempt(ctx, store.LoginLimitsFor("supervisor", "2001:db8:1:3::1")); !a.Allowed {
			t.Fatal("another /64 delayed")
		}
		if a, _ := st.TakeLoginAttempt(ctx, store.LoginLimitsFor("supervisor", "203.0.113.9")); !a.Allowed {
			t.Fatal("an IPv4 address delayed")
		}
	})
}
