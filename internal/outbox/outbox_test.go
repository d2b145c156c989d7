package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

// enqueue writes n SMS messages to numbers +62812000001xx.
func enqueue(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	var ids []string
	err := st.InTx(bg, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			id, err := tx.EnqueueTo(bg, store.PhoneMessage{Key: fmt.Sprintf("test:%d", i), Channel: "sms",
				To: fmt.Sprintf("+62812000001%02d", i), Region: "61.07", Body: "lindu: uji"})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Instances claiming at the same time never get the same message, and
// between them get every message once, its number opened for the sender.
func TestClaimsAreExclusive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		ids := enqueue(t, st, 40)
		var mu sync.Mutex
		got := map[string]string{}
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func(inst string) {
				defer wg.Done()
				for {
					ms, err := outbox.Claim(bg, st, inst, []string{"sms"}, 3, time.Minute)
					if err != nil {
						t.Errorf("%s: %v", inst, err)
						return
					}
					if len(ms) == 0 {
						return
					}
					mu.Lock()
					for _, m := range ms {
						if prev, dup := got[m.ID]; dup {
							t.Errorf("%s claimed by %s and %s", m.ID, prev, inst)
						}
						if len(m.To) != 14 || m.To[:4] != "+628" {
							t.Errorf("%s: number not opened: %q", m.ID, m.To)
						}
						got[m.ID] = inst
					}
					mu.Unlock()
				}
			}(fmt.Sprintf("i%d", i))
		}
		wg.Wait()
		if len(got) != len(ids) {
			t.Fatalf("claimed %d of %d messages", len(got), len(ids))
		}
	})
}

// A claim gives the due messages in the order they are due, each with its
// attempt counted and its number opened; a message not yet due is not
// claimed; a claim left by an instance that died is taken over once it
// is stale (and not before).
func TestClaimOrderAttemptsAndStaleClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Regions: "-", Now: clk.Now})
		ids := enqueue(t, st, 4)
		// Due in the order 2, 0, 3; message 1 not yet.
		for i, at := range map[int]time.Duration{2: -3 * time.Minute, 0: -2 * time.Minute, 3: -time.Minute, 1: time.Hour} {
			if err := st.InTx(bg, func(tx *store.Tx) error {
				_, err := tx.ExecContext(bg, `UPDATE outbox SET next_attempt_at = $1 WHERE id = $2`, clk.Now().Add(at), ids[i])
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := outbox.Claim(bg, st, "dead", []string{"sms"}, 10, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.ID)
			if m.Attempts != 1 || m.To == "" || !m.ClaimedAt.Equal(clk.Now()) || m.Body != "lindu: uji" {
				t.Errorf("%s: %+v", m.ID, m)
			}
		}
		if want := []string{ids[2], ids[0], ids[3]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("claimed %v, want %v (in the order due)", got, want)
		}
		// "dead" never sends them. Before the claims are stale nothing is
		// claimed again; after, they are, with a second attempt.
		clk.Advance(4 * time.Minute)
		if ms, err := outbox.Claim(bg, st, "b", []string{"sms"}, 10, 5*time.Minute); err != nil || len(ms) != 0 {
			t.Fatalf("claims before stale: %v, %v", ms, err)
		}
		clk.Advance(2 * time.Minute)
		ms, err = outbox.Claim(bg, st, "b", []string{"sms"}, 10, 5*time.Minute)
		if err != nil || len(ms) != 3 {
			t.Fatalf("after the claims went stale: %d messages, %v; want 3", len(ms), err)
		}
		for _, m := range ms {
			if m.Attempts != 2 {
				t.Errorf("%s: attempt %d, want 2", m.ID, m.Attempts)
			}
		}
		var by string
		if err := st.QueryRowContext(bg, `SELECT claimed_by FROM outbox WHERE id = $1`, ids[2]).Scan(&by); err != nil || by != "b" {
			t.Fatalf("claimed by %q, %v", by, err)
		}
	})
}

// A claim takes at most its limit, the first due, whatever plan
// PostgreSQL picks. Its locking SELECT once sat in "id IN (subquery)";
// under a nested loop without a Materialize node PostgreSQL ran it again
// for every row it updated, each run skipping the rows already locked
// and taking the next ones: one claim took every due message, and a
// sender's claims came out of due order (seen in CI, about one run in
// twelve of TestConcurrentSendsKeepEachRecipientsOrder). The planner
// settings on the connection force that plan.
func TestClaimTakesAtMostItsLimitWhateverThePlan(t *testing.T) {
	u := storetest.URL(t, store.Postgres)
	u += "&enable_hashagg=off&enable_hashjoin=off&enable_mergejoin=off&enable_material=off&enable_sort=off"
	st := storetest.Open(t, store.Postgres, storetest.Options{URL: u, Regions: "-"})
	var on string
	if err := st.QueryRowContext(bg, `SHOW enable_material`).Scan(&on); err != nil || on != "off" {
		t.Fatalf("enable_material = %q, %v: the planner settings did not reach the connection", on, err)
	}
	ids := enqueue(t, st, 40)
	for from := 0; from < len(ids); from += 10 {
		ms, err := outbox.Claim(bg, st, "a", []string{"sms"}, 10, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.ID)
		}
		if want := ids[from : from+10]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("claim %d took %d messages %v, want the next 10 due %v", from/10+1, len(got), got, want)
		}
	}
}

// Delivery reports move a message forward, never back, and the same report
// twice is stored once.
func TestDeliveryReportsOnlyMoveForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		id := enqueue(t, st, 1)[0]
		ms, err := outbox.Claim(bg, st, "a", []string{"sms"}, 10, time.Minute)
		if err != nil || len(ms) != 1 {
			t.Fatalf("claim: %v %v", ms, err)
		}
		if err := outbox.Sent(bg, st, id, "kannel:"+id); err != nil {
			t.Fatal(err)
		}
		steps := []struct{ code, status string }{
			{"1", outbox.DeliveryDelivered},
			{"1", outbox.DeliveryDelivered}, // repeated by the gateway
			{"8", outbox.DeliverySent},      // late: must not move it back
			{"16", outbox.DeliveryFailed},   // late: must not move it back
		}
		for _, s := range steps {
			found, err := outbox.RecordDelivery(bg, st, id, "kannel", s.code, s.status, "")
			if err != nil || !found {
				t.Fatalf("record %s: %v %v", s.code, found, err)
			}
		}
		ds, err := outbox.Deliveries(bg, st, id)
		if err != nil || len(ds) != 3 {
			t.Fatalf("deliveries = %v, %v; want 3 (one per code)", ds, err)
		}
		if found, err := outbox.RecordDelivery(bg, st, "no-such-id", "kannel", "1", outbox.DeliveryDelivered, ""); err != nil || found {
			t.Fatalf("unknown message: %v %v", found, err)
		}
		var status string
		if err := st.QueryRowContext(bg, `SELECT status FROM outbox WHERE id = $1`, id).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != "delivered" {
			t.Fatalf("status = %q after late reports, want delivered", status)
		}
	})
}

// A late "queued" after "sent" does not step the delivery status back; a
// message in three parts is delivered when all three parts are, and a
// failure keeps the gateway's reason.
func TestDeliveryNeverStepsBackAndCountsParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		ids := enqueue(t, st, 3)
		if _, err := outbox.Claim(bg, st, "a", []string{"sms"}, 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		state := func(id string) (string, string, string) {
			var s, ds, le string
			if err := st.QueryRowContext(bg, `SELECT status, delivery_status, last_error FROM outbox WHERE id = $1`, id).Scan(&s, &ds, &le); err != nil {
				t.Fatal(err)
			}
			return s, ds, le
		}
		rec := func(id, code, part, status, detail string) {
			t.Helper()
			if found, err := outbox.RecordDeliveryPart(bg, st, id, "kannel", code, part, status, detail); err != nil || !found {
				t.Fatalf("record: %v %v", found, err)
			}
		}
		// 1: sent, then a late queued.
		if err := outbox.Sent(bg, st, ids[0], "k"); err != nil {
			t.Fatal(err)
		}
		rec(ids[0], "8", "", outbox.DeliverySent, "")
		rec(ids[0], "4", "", outbox.DeliveryQueued, "")
		if _, ds, _ := state(ids[0]); ds != outbox.DeliverySent {
			t.Fatalf("delivery status after a late queued = %q, want sent", ds)
		}
		// A message in one part, reported by its part (as Kannel does).
		rec(ids[0], "1", "p0", outbox.DeliveryDelivered, "")
		if s, ds, _ := state(ids[0]); s != "delivered" || ds != outbox.DeliveryDelivered {
			t.Fatalf("one part delivered: %s/%s, want delivered", s, ds)
		}
		// 2: three parts.
		if err := outbox.SentParts(bg, st, ids[1], "k", 3); err != nil {
			t.Fatal(err)
		}
		rec(ids[1], "1", "p1", outbox.DeliveryDelivered, "")
		rec(ids[1], "1", "p2", outbox.DeliveryDelivered, "")
		rec(ids[1], "1", "p2", outbox.DeliveryDelivered, "") // repeated
		if s, ds, _ := state(ids[1]); s != "sent" || ds != outbox.DeliverySent {
			t.Fatalf("after two of three parts: %s/%s, want sent/sent", s, ds)
		}
		rec(ids[1], "1", "p3", outbox.DeliveryDelivered, "")
		if s, ds, _ := state(ids[1]); s != "delivered" || ds != outbox.DeliveryDelivered {
			t.Fatalf("after three parts: %s/%s, want delivered", s, ds)
		}
		// 3: failed with the SMSC's answer.
		if err := outbox.Sent(bg, st, ids[2], "k"); err != nil {
			t.Fatal(err)
		}
		rec(ids[2], "16", "", outbox.DeliveryFailed, "NACK/0x0000000b/Invalid Destination Address")
		if s, _, le := state(ids[2]); s != "failed" || !strings.Contains(le, "Invalid Destination Address") {
			t.Fatalf("failed: %s %q", s, le)
		}
	})
}
