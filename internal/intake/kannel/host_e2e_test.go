package kannel_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/shelters"
	"lindu/internal/store"
)

// Issue 13's acceptance through the real Kannel: the worker asks a safe
// house's host; the SMS reaches the host's phone through bearerbox and the
// fake SMSC, with a code and nothing about the child; the host answers YA
// from that phone; lindu holds the place and tells the host.
func TestKannelHostAcceptsBySMS(t *testing.T) {
	l, g := startLindu(t, store.SQLite)
	sys := access.System("test")
	cs := cases.New(l.st, cases.Options{})
	sh := shelters.New(l.st, cs)
	const host = "+6281299990303"
	p, err := sh.CreatePlace(bg, sys, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman Kannel", RegionCode: "61.07",
		Owner: domain.OwnerCommunity, Capacity: 1, HostName: "Ibu Uji", HostPhone: host, Address: "Jalan Rahasia Kannel"})
	if err != nil {
		t.Fatal(err)
	}
	var answers []domain.CheckResult
	for _, it := range shelters.DefaultChecklist {
		answers = append(answers, domain.CheckResult{Item: it.Key, Result: domain.CheckPass})
	}
	if _, err := sh.RecordChecks(bg, sys, p.ID, answers); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
		if err := sh.MovePlace(bg, sys, p.ID, to, "uji", 0); err != nil {
			t.Fatal(err)
		}
	}
	c, err := cs.CreateCase(bg, sys, domain.NewCase{RegionCode: "61.07", Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VPhysical}, Summary: "uji", Victims: []domain.Victim{{Name: "Anak Uji"}}})
	if err != nil {
		t.Fatal(err)
	}
	ask, err := sh.PlaceChild(bg, sys, domain.NewStay{PlaceID: p.ID, CaseID: c.ID, VictimID: c.Victims[0].ID, Reason: "darurat", Ask: true})
	if err != nil {
		t.Fatal(err)
	}
	// The fake SMSC keeps its connection while it has sent something.
	g.phone(1, 0.1, "+6281299990399 1234 text halo")
	l.sender.Wake()
	eventually(t, 20*time.Second, "the request on the host's phone", func() bool {
		for _, m := range g.received(host) {
			if strings.Contains(m, "YA "+ask.Code) {
				if strings.Contains(m, "Anak") || strings.Contains(m, "Rahasia") {
					t.Fatalf("the host's SMS names the child or the address: %q", m)
				}
				return true
			}
		}
		return false
	})
	g.phone(1, 0.1, host+" 1234 text YA "+ask.Code)
	eventually(t, 20*time.Second, "the host's confirmation", func() bool {
		for _, m := range g.received(host) {
			if strings.Contains(m, "dipesan untuk 1 anak") {
				return true
			}
		}
		return false
	})
	got, err := sh.GetStay(bg, sys, ask.ID)
	if err != nil || got.Status != domain.StayHeld {
		t.Fatalf("after the host's YA: %+v %v", got, err)
	}
}
