package kannel_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Issue 12's acceptance through the real Kannel: a caseworker refers a
// child to the puskesmas; the referral's SMS reaches the provider's phone
// through bearerbox and the fake SMSC; the provider answers YA and then
// SELESAI from that phone; lindu records both and replies; the same code
// from an unknown phone is refused and changes nothing.
func TestKannelReferralAnsweredBySMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		l, g := startLindu(t, d)
		sys := access.System("test")
		cs := cases.New(l.st, cases.Options{})
		const pkmPhone, stranger = "+6281299990101", "+6281299990102"
		worker, err := l.st.CreateUser(bg, sys, domain.NewUser{Username: "peksos", Role: domain.RoleCaseworker, RegionCode: "61.07",
			Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		wsc := access.ForUser(worker, "", "test")
		c, err := cs.CreateCase(bg, sys, domain.NewCase{RegionCode: "61.07", Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}, Summary: "uji"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Reassign(bg, sys, c.ID, "", worker.ID, ""); err != nil {
			t.Fatal(err)
		}
		p, err := cs.SaveProvider(bg, sys, domain.Provider{RegionCode: "61.07", Name: "Puskesmas Uji", Kind: "health",
			Services: []string{"health"}, Phone: pkmPhone})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.RecordConsent(bg, wsc, c.ID, domain.NewConsent{Basis: domain.BasisVital, GivenBy: "Luka perlu diperiksa",
			GivenOn: time.Now().In(domain.WIB).Format("2006-01-02")}); err != nil {
			t.Fatal(err)
		}
		rf, err := cs.Refer(bg, wsc, c.ID, domain.NewReferral{ProviderID: p.ID, Service: "health", Urgency: "urgent", Reason: "Periksa luka"})
		if err != nil {
			t.Fatal(err)
		}
		status := func() domain.ReferralStatus {
			got, err := cs.GetCase(bg, sys, c.ID)
			if err != nil || len(got.Referrals) != 1 {
				t.Fatalf("case: %v", err)
			}
			return got.Referrals[0].Status
		}
		// The fake SMSC keeps a connection while it has sent something: a
		// stranger tries the code first.
		g.phone(1, 0.1, stranger+" 1234 text YA "+rf.Code)
		l.sender.Wake()
		eventually(t, 20*time.Second, "the referral SMS on the provider's phone", func() bool {
			for _, m := range g.received(pkmPhone) {
				if strings.Contains(m, "YA "+rf.Code) {
					return true
				}
			}
			return false
		})
		eventually(t, 20*time.Second, "the reply to an unknown phone", func() bool {
			for _, m := range g.received(stranger) {
				if strings.Contains(m, "tidak terdaftar sebagai penyedia") {
					return true
				}
			}
			return false
		})
		if st := status(); st != domain.ReferralSent {
			t.Fatalf("an unknown phone changed the referral: %s", st)
		}
		g.phone(1, 0.1, pkmPhone+" 1234 text ya "+domain.FormatPublicCode(rf.Code))
		eventually(t, 20*time.Second, "the YA reply", func() bool {
			for _, m := range g.received(pkmPhone) {
				if strings.Contains(m, "Rujukan "+rf.Code+" diterima") {
					return true
				}
			}
			return false
		})
		if st := status(); st != domain.ReferralAccepted {
			t.Fatalf("after YA: %s", st)
		}
		g.phone(1, 0.1, pkmPhone+" 1234 text SELESAI "+rf.Code)
		eventually(t, 20*time.Second, "the SELESAI reply", func() bool {
			for _, m := range g.received(pkmPhone) {
				if strings.Contains(m, "dicatat selesai") {
					return true
				}
			}
			return false
		})
		if st := status(); st != domain.ReferralDone {
			t.Fatalf("after SELESAI: %s", st)
		}
	})
}
