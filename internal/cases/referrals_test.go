package cases_test

import (
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// providers adds a puskesmas and a police PPA unit serving Bengkayang.
func (w *casesWorld) providers(t *testing.T) (pkm, polres domain.Provider) {
	t.Helper()
	var err error
	pkm, err = w.cs.SaveProvider(ctx, w.sc(w.sup), domain.Provider{RegionCode: "61.07", Name: "Puskesmas Sungai Raya", Kind: "health",
		Services: []string{"health", "psychosocial"}, Contact: "dr. Rahasia", Phone: "0812 9000 1001"})
	if err != nil {
		t.Fatal(err)
	}
	polres, err = w.cs.SaveProvider(ctx, w.sc(w.sup), domain.Provider{RegionCode: "61.07", Name: "Unit PPA Polres", Kind: "police",
		Services: []string{"law_enforcement"}, Phone: "0812 9000 2002"})
	if err != nil {
		t.Fatal(err)
	}
	return pkm, polres
}

// The referral's state machine: every step it lacks is refused and
// changes nothing; consent is required; a guardian who is the alleged
// perpetrator cannot consent; the sender is told each answer.
func TestReferralStateMachineAndConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk := w.sc(w.peksos)
		pkm, _ := w.providers(t)
		if err := w.cs.AddDetail(ctx, pk, c.ID, cases.CaseDetail{Perpetrator: &domain.Perpetrator{Name: "Budi Rahasia", Sex: domain.SexMale,
			Relation: "parent"}}); err != nil {
			t.Fatal(err)
		}
		nr := domain.NewReferral{ProviderID: pkm.ID, Service: "health", Urgency: "urgent", Reason: "Pemeriksaan luka"}
		_, err := w.cs.Refer(ctx, pk, c.ID, nr)
		wantCode(t, err, domain.EConflict, "referral without consent")
		today := w.clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")
		_, err = w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisGuardian, GivenBy: "Budi Rahasia", Relation: "father", GivenOn: today})
		wantCode(t, err, domain.EInvalid, "consent by the father who is the alleged perpetrator")
		_, err = w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisGuardian, GivenBy: "Nama Lain", Relation: "father", GivenOn: today})
		wantCode(t, err, domain.EInvalid, "consent by a father when the perpetrator is the father")
		con, err := w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisGuardian, GivenBy: "Siti Ibu", Relation: "mother", GivenOn: today})
		if err != nil {
			t.Fatalf("mother's consent: %v", err)
		}
		_, err = w.cs.Refer(ctx, pk, c.ID, domain.NewReferral{ProviderID: pkm.ID, Service: "law_enforcement", Urgency: "urgent", Reason: "x"})
		wantCode(t, err, domain.EInvalid, "a service the provider does not offer")
		rf, err := w.cs.Refer(ctx, pk, c.ID, nr)
		if err != nil || rf.Status != domain.ReferralSent || rf.Code == "" || rf.ConsentID != con.ID {
			t.Fatalf("refer: %+v %v", rf, err)
		}
		// The provider was texted the code, with no name in it.
		msgs, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})
		texted := false
		for _, m := range msgs {
			if contains(m.Body, "YA "+rf.Code) {
				texted = true
				if contains(m.Body, "Budi") || contains(m.Body, "Siti") {
					t.Errorf("provider text carries a name: %s", m.Body)
				}
			}
		}
		if !texted {
			t.Fatal("provider not texted")
		}
		// Steps the machine lacks.
		for _, to := range []domain.ReferralStatus{domain.ReferralDone, domain.ReferralSent, domain.ReferralRevoked, "bogus"} {
			_, err := w.cs.AnswerReferral(ctx, pk, rf.ID, cases.ReferralAnswer{To: to})
			if err == nil {
				t.Fatalf("answer %s from sent accepted", to)
			}
		}
		_, err = w.cs.AnswerReferral(ctx, pk, rf.ID, cases.ReferralAnswer{To: domain.ReferralDeclined})
		wantCode(t, err, domain.EInvalid, "decline without a reason")
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.Referrals[0].Status != domain.ReferralSent {
			t.Fatalf("refused answers changed the referral: %s", got.Referrals[0].Status)
		}
		// By SMS from the provider's phone (in the case area).
		var outcome string
		var st domain.ReferralStatus
		hash := w.st.LookupHash(store.HashPhone, "+6281290001001")
		other := w.st.LookupHash(store.HashPhone, "+6281290002002")
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			outcome, _, _, err = w.cs.AnswerBySMS(ctx, tx, other, rf.Code, cases.ReferralAnswer{To: domain.ReferralAccepted, Via: "sms"})
			return err
		}); err != nil || outcome != cases.ReplyUnknown {
			t.Fatalf("another provider's answer: %s %v", outcome, err)
		}
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			outcome, _, _, err = w.cs.AnswerBySMS(ctx, tx, w.st.LookupHash(store.HashPhone, "+6281299999999"), rf.Code,
				cases.ReferralAnswer{To: domain.ReferralAccepted, Via: "sms"})
			return err
		}); err != nil || outcome != cases.ReplyDenied {
			t.Fatalf("an unknown phone's answer: %s %v", outcome, err)
		}
		for i := 0; i < 2; i++ { // twice: the same answer is recorded once
			if err := w.st.InTx(ctx, func(tx *store.Tx) error {
				outcome, st, _, err = w.cs.AnswerBySMS(ctx, tx, hash, rf.Code, cases.ReferralAnswer{To: domain.ReferralAccepted, Via: "sms"})
				return err
			}); err != nil || outcome != cases.ReplyAnswered || st != domain.ReferralAccepted {
				t.Fatalf("YA: %s %s %v", outcome, st, err)
			}
		}
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			outcome, st, _, err = w.cs.AnswerBySMS(ctx, tx, hash, rf.Code, cases.ReferralAnswer{To: domain.ReferralDeclined, Reason: "penuh", Via: "sms"})
			return err
		}); err != nil || outcome != cases.ReplyRefused || st != domain.ReferralAccepted {
			t.Fatalf("TIDAK after YA: %s %s %v", outcome, st, err)
		}
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			outcome, st, _, err = w.cs.AnswerBySMS(ctx, tx, hash, rf.Code, cases.ReferralAnswer{To: domain.ReferralDone, Via: "sms"})
			return err
		}); err != nil || st != domain.ReferralDone {
			t.Fatalf("SELESAI: %s %s %v", outcome, st, err)
		}
		wantCode(t, w.cs.RevokeReferral(ctx, pk, c.ID, rf.ID, "salah kirim"), domain.EConflict, "revoke a done referral")
		// The sender was told of the acceptance and of the service given, once each.
		msgs, _ = outbox.List(ctx, w.st, sys(), outbox.Filter{})
		told := 0
		for _, m := range msgs {
			if m.RecipientID == w.peksos.ID && contains(m.Body, "Rujukan") || m.RecipientID == w.peksos.ID && contains(m.Body, "Layanan rujukan") {
				told++
			}
		}
		if told != 2 {
			t.Errorf("sender told %d times, want 2", told)
		}
		// Consent withdrawn: no new referral relies on it.
		if err := w.cs.WithdrawConsent(ctx, pk, c.ID, con.ID, "Ibu menarik persetujuan"); err != nil {
			t.Fatal(err)
		}
		_, err = w.cs.Refer(ctx, pk, c.ID, nr)
		wantCode(t, err, domain.EConflict, "referral after consent withdrawn")
		// A legal basis is enough.
		if _, err := w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisLegal, GivenBy: "UU 35/2014 Pasal 59A", GivenOn: today}); err != nil {
			t.Fatal(err)
		}
		rf2, err := w.cs.Refer(ctx, pk, c.ID, nr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.RevokeReferral(ctx, pk, c.ID, rf2.ID, "Anak dirujuk ke rumah sakit"); err != nil {
			t.Fatal(err)
		}
		_, err = w.cs.AnswerReferral(ctx, pk, rf2.ID, cases.ReferralAnswer{To: domain.ReferralAccepted})
		wantCode(t, err, domain.EConflict, "accept a revoked referral")
		// Someone who does not handle the case cannot refer or answer.
		cw2 := mkUser(t, w.st, "cw-2", domain.RoleCaseworker, "61.07.01")
		_, err = w.cs.Refer(ctx, w.sc(cw2), c.ID, nr)
		wantCode(t, err, domain.ENotFound, "refer by a non-handler")
	})
}

// A provider account sees only its provider's referrals, with the case's
// code and village and nothing else; it answers only those.
func TestProviderAccountSeesOnlyItsReferrals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk := w.sc(w.peksos)
		pkm, polres := w.providers(t)
		staff := mkUser(t, w.st, "pkm-staf", domain.RoleProvider, "61.07")
		police := mkUser(t, w.st, "polres-staf", domain.RoleProvider, "61.07")
		if err := w.cs.LinkProviderAccount(ctx, sys(), staff.ID, pkm.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.cs.LinkProviderAccount(ctx, sys(), police.ID, polres.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.LinkProviderAccount(ctx, sys(), w.peksos.ID, pkm.ID), domain.EInvalid, "link a caseworker")
		today := w.clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")
		if _, err := w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisVital, GivenBy: "Anak terluka", GivenOn: today}); err != nil {
			t.Fatal(err)
		}
		rf, err := w.cs.Refer(ctx, pk, c.ID, domain.NewReferral{ProviderID: pkm.ID, Service: "health", Urgency: "emergency", Reason: "Luka di kepala"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := w.cs.ProviderReferrals(ctx, w.sc(staff))
		if err != nil || len(list) != 1 || list[0].Reason != "Luka di kepala" || list[0].CaseCode != c.Code {
			t.Fatalf("provider list: %+v %v", list, err)
		}
		if l2, _ := w.cs.ProviderReferrals(ctx, w.sc(police)); len(l2) != 0 {
			t.Fatalf("police sees the puskesmas referral: %+v", l2)
		}
		_, err = w.cs.AnswerReferral(ctx, w.sc(police), rf.ID, cases.ReferralAnswer{To: domain.ReferralAccepted})
		wantCode(t, err, domain.ENotFound, "another provider answers")
		if _, err := w.cs.GetCase(ctx, w.sc(staff), c.ID); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("provider account opens the case: %v", err)
		}
		if st, err := w.cs.AnswerReferral(ctx, w.sc(staff), rf.ID, cases.ReferralAnswer{To: domain.ReferralAccepted}); err != nil || st != domain.ReferralAccepted {
			t.Fatalf("provider accepts: %s %v", st, err)
		}
	})
}

// An unanswered referral escalates once at its due time, to the sender
// first; an answered one does not.
func TestUnansweredReferralEscalates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk := w.sc(w.peksos)
		pkm, _ := w.providers(t)
		today := w.clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")
		if _, err := w.cs.RecordConsent(ctx, pk, c.ID, domain.NewConsent{Basis: domain.BasisChild, GivenBy: "Melati", GivenOn: today}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cs.Refer(ctx, pk, c.ID, domain.NewReferral{ProviderID: pkm.ID, Service: "health", Urgency: "emergency", Reason: "x"}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(5 * time.Hour)
		if _, err := w.cs.RunEscalations(ctx, "a", 100); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cs.RunEscalations(ctx, "b", 100); err != nil {
			t.Fatal(err)
		}
		msgs, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})
		n := 0
		for _, m := range msgs {
			if m.RecipientID == w.peksos.ID && contains(m.Body, "belum dijawab penyedia") {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("sender told %d times of the unanswered referral, want 1", n)
		}
	})
}
