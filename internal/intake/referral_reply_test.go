package intake_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A provider answers a referral by WhatsApp: YA from its registered phone
// accepts it once (a redelivered message is the same result), TIDAK needs
// a reason and is refused after YA, a stranger and another provider get
// nothing; every message is stored once with what it did.
func TestProviderAnswersByWhatsApp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		worker, err := w.st.CreateUser(ctx, sys(), domain.NewUser{Username: "peksos", Role: domain.RoleCaseworker, RegionCode: "61.07",
			Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		wsc := access.ForUser(worker, "", "test")
		c, err := w.cases.CreateCase(ctx, sys(), domain.NewCase{RegionCode: "61.07", Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}, Summary: "uji"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.Reassign(ctx, sys(), c.ID, "", worker.ID, ""); err != nil {
			t.Fatal(err)
		}
		pkm, err := w.cases.SaveProvider(ctx, sys(), domain.Provider{RegionCode: "61.07", Name: "Puskesmas", Kind: "health", Phone: "+6281200001111"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.SaveProvider(ctx, sys(), domain.Provider{RegionCode: "61.07", Name: "LBH", Kind: "legal_aid", Phone: "+6281200002222"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.RecordConsent(ctx, wsc, c.ID, domain.NewConsent{Basis: domain.BasisVital, GivenBy: "Luka", GivenOn: "2026-03-04"}); err != nil {
			t.Fatal(err)
		}
		rf, err := w.cases.Refer(ctx, wsc, c.ID, domain.NewReferral{ProviderID: pkm.ID, Service: "health", Urgency: "urgent", Reason: "x"})
		if err != nil {
			t.Fatal(err)
		}
		wa := func(key, from, text string) intake.Result {
			t.Helper()
			res, err := w.in.Handle(ctx, intake.Message{Key: key, Channel: domain.ChannelWhatsApp, From: from, Text: text, ReceivedAt: w.clock.Now()})
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			return res
		}
		status := func() domain.ReferralStatus {
			got, _ := w.cases.GetCase(ctx, sys(), c.ID)
			return got.Referrals[0].Status
		}
		if r := wa("wa:1", "+6281299999999", "YA "+rf.Code); r.Kind != intake.KindDenied || status() != domain.ReferralSent {
			t.Fatalf("a stranger: %+v %s", r, status())
		}
		if r := wa("wa:2", "+6281200002222", "YA "+rf.Code); r.Kind != intake.KindUnknownCode || status() != domain.ReferralSent {
			t.Fatalf("another provider: %+v", r)
		}
		if r := wa("wa:3", "+6281200001111", "TIDAK "+rf.Code); r.Kind != intake.KindRefused || status() != domain.ReferralSent {
			t.Fatalf("TIDAK without a reason: %+v", r)
		}
		r := wa("wa:4", "+6281200001111", "ya "+domain.FormatPublicCode(rf.Code))
		if r.Kind != intake.KindReferral || r.CaseID != c.ID || !strings.Contains(r.Reply, "diterima") || status() != domain.ReferralAccepted {
			t.Fatalf("YA: %+v %s", r, status())
		}
		if again := wa("wa:4", "+6281200001111", "ya "+rf.Code); !again.Duplicate || again.Reply != r.Reply {
			t.Fatalf("the same message again: %+v", again)
		}
		if r := wa("wa:5", "+6281200001111", "TIDAK "+rf.Code+" dokter cuti"); r.Kind != intake.KindRefused || status() != domain.ReferralAccepted {
			t.Fatalf("TIDAK after YA: %+v %s", r, status())
		}
		if n, reports, err := w.in.InboundCounts(ctx, domain.ChannelWhatsApp); err != nil || n != 5 || reports != 0 {
			t.Fatalf("inbound %d reports %d %v", n, reports, err)
		}
	})
}
