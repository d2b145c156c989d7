package shelters_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The host asked by SMS, on both databases: the text reaches the host's
// phone with a code and nothing about the child or the address; YA from
// the host's phone holds the place and tells the worker; the same YA again
// changes nothing; TIDAK declines; a YA after the house filled up, or
// after the request ran out, holds nothing; a YA with the code from
// another phone is not a host's answer.
func TestHostAnswersBySMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p := w.house(t, "Rumah Aman Tanya", 1)
		in := &intake.Service{Store: w.st, Cases: w.cs, Region: "61.07"}
		sms := func(key, from, text string) intake.Result {
			t.Helper()
			res, err := in.Handle(ctx, intake.Message{Key: key, Channel: domain.ChannelSMS, From: from, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		outboxTo := func(prefix string) []string {
			rows, err := w.st.QueryContext(ctx, `SELECT body FROM outbox WHERE idempotency_key LIKE $1 ORDER BY created_at, id`, prefix+"%")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var b string
				if err := rows.Scan(&b); err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
			return out
		}
		c1, v1 := w.child(t, 1)
		ask, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c1, VictimID: v1, Reason: "pelaku ayah", Ask: true})
		if err != nil || ask.Status != domain.StayAsked || ask.Code == "" {
			t.Fatalf("ask: %+v %v", ask, err)
		}
		texts := outboxTo("host-ask:")
		if len(texts) != 1 || !strings.Contains(texts[0], "YA "+ask.Code) || strings.Contains(texts[0], "Anak") || strings.Contains(texts[0], "gereja") {
			t.Fatalf("the host's SMS: %q", texts)
		}
		// Another phone with the code: not a host's answer.
		if res := sms("k0", "+6281299990000", "YA "+ask.Code); res.Kind == "host" {
			t.Fatalf("a stranger's YA was taken as the host's: %+v", res)
		}
		res := sms("k1", "+6281255550101", "ya "+ask.Code)
		if res.Kind != "host" || !strings.Contains(res.Reply, "dipesan") {
			t.Fatalf("YA: %+v", res)
		}
		got, _ := w.sh.GetStay(ctx, w.cw, ask.ID)
		if got.Status != domain.StayHeld || got.HoldExpiresAt == nil {
			t.Fatalf("after YA: %+v", got)
		}
		if told := outboxTo("host-answer:" + ask.ID); len(told) != 1 || !strings.Contains(told[0], "MENERIMA") {
			t.Fatalf("worker told %q", told)
		}
		if res := sms("k2", "+6281255550101", "YA "+ask.Code); !strings.Contains(res.Reply, "sudah dijawab") {
			t.Fatalf("YA again: %+v", res)
		}
		// The house is full now: a second request's YA holds nothing.
		c2, v2 := w.child(t, 2)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c2, VictimID: v2, Reason: "x", Ask: true}); err == nil {
			t.Fatal("asked a full house")
		}
		if err := w.sh.ReleaseHold(ctx, w.cw, ask.ID); err != nil {
			t.Fatal(err)
		}
		ask2, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c2, VictimID: v2, Reason: "x", Ask: true})
		if err != nil {
			t.Fatal(err)
		}
		c3, v3 := w.child(t, 3)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c3, VictimID: v3, Reason: "mendesak"}); err != nil {
			t.Fatal(err)
		}
		if res := sms("k3", "+6281255550101", "YA "+ask2.Code); !strings.Contains(res.Reply, "penuh") {
			t.Fatalf("YA to a full house: %+v", res)
		}
		if got, _ := w.sh.GetStay(ctx, w.cw, ask2.ID); got.Status != domain.StayDeclined {
			t.Fatalf("after YA to a full house: %s", got.Status)
		}
		// TIDAK, and a late answer.
		p2 := w.house(t, "Rumah Aman Tanya 2", 2)
		ask3, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p2.ID, CaseID: c2, VictimID: v2, Reason: "x", Ask: true})
		if err != nil {
			t.Fatal(err)
		}
		if res := sms("k4", "+6281255550101", "TIDAK "+ask3.Code); res.Kind != "host" {
			t.Fatalf("TIDAK: %+v", res)
		}
		if got, _ := w.sh.GetStay(ctx, w.cw, ask3.ID); got.Status != domain.StayDeclined {
			t.Fatalf("after TIDAK: %s", got.Status)
		}
		ask4, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p2.ID, CaseID: c2, VictimID: v2, Reason: "x", Ask: true})
		if err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(shelters.AskWindow + time.Minute)
		if res := sms("k5", "+6281255550101", "YA "+ask4.Code); !strings.Contains(res.Reply, "kedaluwarsa") {
			t.Fatalf("late YA: %+v", res)
		}
		if got, _ := w.sh.GetStay(ctx, w.cw, ask4.ID); got.Status != domain.StayExpired {
			t.Fatalf("after a late YA: %s", got.Status)
		}
	})
}
