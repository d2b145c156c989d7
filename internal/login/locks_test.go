package login_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/login"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// TestLoginLocksAdmin: admins of the whole deployment see running delays
// and lift them (audited); others may not.
func TestLoginLocksAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		if _, err := st.CreateUser(ctx, sys(), domain.NewUser{Username: "supervisor", Role: domain.RoleSupervisor,
			RegionCode: "61.07", Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		limits := login.LimitsFor("supervisor", "203.0.113.9")
		for i := 0; i < 7; i++ {
			login.TakeAttempt(ctx, st, limits)
		}
		// A password typed into the username field is never shown.
		login.TakeAttempt(ctx, st, login.LimitsFor("my secret pass 42", "203.0.113.9"))
		root := "61.07"
		admin := access.ForUser(domain.User{ID: "a1", Username: "admin", Role: domain.RoleAdmin, RegionCode: "61"}, "", "")
		district := access.ForUser(domain.User{ID: "a2", Username: "admin-kec", Role: domain.RoleAdmin, RegionCode: "61.07.01"}, "", "")
		cw := access.ForUser(domain.User{ID: "c1", Username: "cw", Role: domain.RoleCaseworker, RegionCode: "61"}, "", "")
		for _, sc := range []domain.Scope{district, cw} {
			if _, err := login.ListLocks(ctx, st, sc, root); domain.CodeOf(err) != domain.EForbidden {
				t.Fatalf("%s lists locks: %v", sc.Username, err)
			}
		}
		locks, err := login.ListLocks(ctx, st, admin, root)
		if err != nil {
			t.Fatal(err)
		}
		var ua *login.Lock
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
		if err := login.LiftLock(ctx, st, cw, root, ua.Key); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("caseworker lifts: %v", err)
		}
		if err := login.LiftLock(ctx, st, admin, root, ua.Key); err != nil {
			t.Fatal(err)
		}
		if err := login.LiftLock(ctx, st, admin, root, ua.Key); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("lifting twice: %v", err)
		}
		if a, _ := login.TakeAttempt(ctx, st, login.LimitsFor("supervisor", "203.0.113.9")[:1]); !a.Allowed {
			t.Fatal("lifted limit still refuses")
		}
		st.SealAudit(ctx)
		es, err := st.ListAudit(ctx, admin, domain.AuditFilter{Action: "auth.login_lock_lifted", Limit: 10})
		if err != nil || len(es) != 1 || strings.Contains(es[0].Detail, "203.0.113.9") {
			t.Fatalf("audit of the lift: %+v %v (one entry, no address)", es, err)
		}
	})
}

// TestLockRefusalsHaveTexts: the lock page's refusals carry message keys
// that both languages know, never an English sentence.
func TestLockRefusalsHaveTexts(t *testing.T) {
	st := storetest.Open(t, store.SQLite, storetest.Options{Regions: "-"})
	cw := access.ForUser(domain.User{ID: "c1", Username: "cw", Role: domain.RoleCaseworker, RegionCode: "61"}, "", "")
	admin := access.ForUser(domain.User{ID: "a1", Username: "admin", Role: domain.RoleAdmin}, "", "")
	_, forbidden := login.ListLocks(ctx, st, cw, "")
	for _, err := range []error{forbidden, login.LiftLock(ctx, st, cw, "", "ua:x|203.0.113.9"),
		login.LiftLock(ctx, st, admin, "", "nonsense"), login.LiftLock(ctx, st, admin, "", "ua:x|203.0.113.9")} {
		e, ok := domain.AsError(err)
		if !ok || e.Key == "" {
			t.Fatalf("refusal without a key: %v", err)
		}
		for _, lang := range []string{"id", "en"} {
			if !i18n.Has(lang, e.Key) {
				t.Errorf("%s: no %s text for %s", e.Code, lang, e.Key)
			}
		}
	}
}
