package sms_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// enqueueTo writes n SMS, message i to phones[i%len(phones)], in one
// transaction (so in order of their ids), and returns their ids.
func enqueueTo(t *testing.T, st *store.Store, n int, phones ...string) []string {
	t.Helper()
	var ids []string
	err := st.InTx(bg, func(tx *store.Tx) error {
		for i := range n {
			id, err := tx.EnqueueTo(bg, store.PhoneMessage{Key: fmt.Sprintf("reply:test:%03d", i), Channel: "sms",
				To: phones[i%len(phones)], Region: "61.07", Body: fmt.Sprintf("lindu: pesan %d", i)})
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

// The sender keeps several messages with the gateway at once (a gateway
// that answers in 20 ms would otherwise cap it at 50 a second), and still
// hands a recipient's messages over one at a time, in the order they
// were enqueued; every message goes once.
func TestConcurrentSendsKeepEachRecipientsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
		phones := []string{"+6281200000201", "+6281200000202", "+6281200000203", "+6281200000204", "+6281200000205",
			"+6281200000206", "+6281200000207", "+6281200000208"}
		ids := enqueueTo(t, st, 120, phones...)
		var mu sync.Mutex
		inflight, most := 0, 0
		busy := map[string]bool{} // recipients with a message at the gateway
		order := map[string][]string{}
		gw := &fakeGateway{send: func(_ int, id, to, _ string) (string, error) {
			mu.Lock()
			inflight++
			most = max(most, inflight)
			if busy[to] {
				t.Errorf("two messages to %s at the gateway at once", to)
			}
			busy[to] = true
			order[to] = append(order[to], id)
			mu.Unlock()
			time.Sleep(time.Duration(1+rand.IntN(5)) * time.Millisecond)
			mu.Lock()
			inflight--
			busy[to] = false
			mu.Unlock()
			return "kannel:" + id, nil
		}}
		s := newSender(st, gw)
		s.Batch = 25 // several claims
		sent := 0
		for range 10 {
			n, _ := s.Round(bg)
			sent += n
		}
		if sent != len(ids) || gw.count() != len(ids) {
			t.Fatalf("sent %d, gateway calls %d; want %d each", sent, gw.count(), len(ids))
		}
		if most < 2 {
			t.Errorf("at most %d message at the gateway at once; want several", most)
		}
		for i, p := range phones {
			var want []string
			for j := i; j < len(ids); j += len(phones) {
				want = append(want, ids[j])
			}
			if fmt.Sprint(order[p]) != fmt.Sprint(want) {
				t.Errorf("%s got its messages in the order %v, want %v", p, order[p], want)
			}
		}
		for _, r := range rows(t, st) {
			if r.Status != outbox.DeliverySent || r.Attempts != 1 {
				t.Errorf("%s: %s after %d attempts", r.Key, r.Status, r.Attempts)
			}
		}
	})
}

// A message claimed longer than half the claim timeout ago is renewed
// before it goes to the gateway; when another instance has taken it over
// meanwhile, it is not sent. (Younger claims go without a renewal: no one
// else can hold them.)
func TestOldClaimRenewedBeforeSending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
		ids := enqueueTo(t, st, 2, "+6281200000301") // one recipient: one after the other
		var takenOver []outbox.Send
		gw := &fakeGateway{send: func(n int, id, _, _ string) (string, error) {
			if n == 1 {
				// The first send takes so long that the claims expire and
				// instance "b" takes both messages over.
				clock.set(10 * time.Minute)
				ms, err := outbox.Claim(bg, st, "b", []string{"sms"}, 10, 5*time.Minute)
				if err != nil {
					t.Error(err)
				}
				takenOver = ms
			}
			return "kannel:" + id, nil
		}}
		s := newSender(st, gw)
		if sent, _ := s.Round(bg); sent != 1 || gw.count() != 1 {
			t.Fatalf("sent %d, gateway calls %d; want 1 each (the second message is b's)", sent, gw.count())
		}
		if len(takenOver) != 2 {
			t.Fatalf("b took over %d messages, want 2", len(takenOver))
		}
		if ok, _ := outbox.RenewClaim(bg, st, ids[1], "b"); !ok {
			t.Error("b lost the second message")
		}
	})
}
