package store_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/secret"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// demoWorld is the full demo data set (as `serve --demo` loads it) plus
// what the demo does not make: SMS reports and replies, a TOTP secret and
// an emergency access grant, so every sealed column holds values.
type demoWorld struct {
	url    string
	key    secret.Key
	st     *store.Store
	phones []string // SMS senders whose reports must still be found by phone
}

func loadDemoWorld(t *testing.T, d store.Dialect) *demoWorld {
	t.Helper()
	w := &demoWorld{url: storetest.URL(t, d), key: secret.NewKey(time.Now())}
	box, err := secret.NewBox([]secret.Key{w.key})
	if err != nil {
		t.Fatal(err)
	}
	w.st = storetest.Open(t, d, storetest.Options{URL: w.url, Box: box})
	if _, err := demo.Load(ctx, w.st); err != nil {
		t.Fatalf("demo accounts: %v", err)
	}
	if _, err := demo.LoadCases(ctx, w.st, 200, 1); err != nil {
		t.Fatalf("demo cases: %v", err)
	}
	if _, err := demo.LoadKLA(ctx, w.st, kla.CurrentYear(time.Now())); err != nil {
		t.Fatalf("demo KLA: %v", err)
	}
	for i := range 3 {
		phone := fmt.Sprintf("+62813999900%02d", i)
		w.phones = append(w.phones, phone)
		for j, text := range []string{"Anak tetangga dipukul setiap malam", "Tolong segera datang"} {
			if _, err := w.st.HandleInbound(ctx, store.InboundMessage{Key: fmt.Sprintf("kannel:rot:%d-%d", i, j),
				Channel: domain.ChannelSMS, From: phone, Text: text, Region: "61.07"}); err != nil {
				t.Fatalf("inbound: %v", err)
			}
		}
		if _, err := w.st.HandleInbound(ctx, store.InboundMessage{Key: fmt.Sprintf("kannel:rot:%d-help", i),
			Channel: domain.ChannelSMS, From: phone, Verb: "HELP", Region: "61.07"}); err != nil {
			t.Fatalf("inbound help: %v", err)
		}
	}
	u, err := w.st.CreateUser(ctx, sys(), domain.NewUser{Username: "peksos-rot", Role: domain.RoleCaseworker, RegionCode: "61.07",
		Password: "correct horse battery", FullName: "Peksos Rotasi", Email: "rot@example.org", Phone: "+6281399998888"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetTOTP(ctx, access.ForUser(u, "", ""), u.ID, "JBSWY3DPEHPK3PXP", 0); err != nil {
		t.Fatalf("totp: %v", err)
	}
	cs, _, err := w.st.ListCases(ctx, sys(), domain.CaseFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	granted := false
	for _, c := range cs {
		if _, err := w.st.GrantEmergencyAccess(ctx, access.ForUser(u, "", ""), c.ID,
			"Satgas tidak dapat dihubungi, anak dilaporkan hilang malam ini"); err == nil {
			granted = true
			break
		}
	}
	if !granted {
		t.Fatal("no demo case accepted an emergency access grant")
	}
	return w
}

// readable reads every report, case (with victims, perpetrators, services,
// referrals and notes) and user through the store's read functions, with
// the personal fields decrypted.
func readable(t *testing.T, st *store.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	for off := 0; ; off += 200 {
		reps, _, err := st.ListReports(ctx, sys(), store.ReportFilter{Limit: 200, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			full, err := st.GetReport(ctx, sys(), r.ID)
			if err != nil {
				t.Fatalf("read report %s: %v", r.Code, err)
			}
			out["report/"+r.ID] = full
		}
		if len(reps) < 200 {
			break
		}
	}
	for off := 0; ; off += 200 {
		cs, _, err := st.ListCases(ctx, sys(), domain.CaseFilter{Limit: 200, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			full, err := st.GetCase(ctx, sys(), c.ID)
			if err != nil {
				t.Fatalf("read case %s: %v", c.Code, err)
			}
			out["case/"+c.ID] = full
		}
		if len(cs) < 200 {
			break
		}
	}
	us, _, err := st.ListUsers(ctx, sys(), domain.UserFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		full, err := st.GetUser(ctx, sys(), u.ID)
		if err != nil {
			t.Fatalf("read user %s: %v", u.Username, err)
		}
		cr, err := st.CredentialsByID(ctx, u.ID)
		if err != nil {
			t.Fatalf("credentials of %s: %v", u.Username, err)
		}
		out["user/"+u.ID] = full
		out["totp/"+u.ID] = cr.TOTPSecret
	}
	return out
}

// TestKeyRotationKeepsDemoReadable rotates the key of the full demo data
// set and reopens the store with only the new key: every personal field of
// every report, case, victim, perpetrator, note, inbound message, outbox
// row, emergency access grant and user reads back identical, and lookups
// by phone find the same rows.
func TestKeyRotationKeepsDemoReadable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := loadDemoWorld(t, d)
		before := readable(t, w.st)
		nReports, nCases := 0, 0
		for k := range before {
			nReports += b2i(strings.HasPrefix(k, "report/"))
			nCases += b2i(strings.HasPrefix(k, "case/"))
		}
		if nReports < 200 || nCases < 100 {
			t.Fatalf("demo data too small: %d reports, %d cases", nReports, nCases)
		}

		newKey := secret.NewKey(time.Now())
		newKey.ID += "n"
		both, _ := secret.NewBox([]secret.Key{newKey, w.key})
		st2 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: both, Regions: "-"})
		if d, err := st2.KeyDependents(ctx); err != nil || d.Total() == 0 {
			t.Fatalf("before rotation nothing depends on the old key (err %v)", err)
		}
		counts, err := st2.Reencrypt(ctx, sys())
		if err != nil {
			t.Fatalf("rotate: %v", err)
		}
		for _, c := range counts {
			t.Logf("%-20s %6d rows: %6d values re-encrypted, %5d hashes recomputed, %5d cleared", c.Table, c.Checked, c.Values, c.Hashes, c.Cleared)
		}
		if d, err := st2.KeyDependents(ctx); err != nil || d.Total() != 0 {
			t.Fatalf("after rotation still depending on the old key (err %v):\n%s", err, d)
		}
		st2.Close()

		only, _ := secret.NewBox([]secret.Key{newKey})
		st3 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: only, Regions: "-"})
		after := readable(t, st3)
		if len(after) != len(before) {
			t.Fatalf("after rotation %d records, before %d", len(after), len(before))
		}
		for k, v := range before {
			if !reflect.DeepEqual(v, after[k]) {
				t.Errorf("%s reads differently after rotation:\nbefore %+v\nafter  %+v", k, v, after[k])
			}
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var _ = sql.ErrNoRows
