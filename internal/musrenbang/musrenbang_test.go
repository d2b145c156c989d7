package musrenbang_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/media/mediatest"
	"lindu/internal/musrenbang"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

const village = "61.07.01.2001"

type world struct {
	st                  *store.Store
	mr                  *musrenbang.Service
	fas, admin, planner domain.Scope
	forum               musrenbang.Forum
	clk                 *storetest.Clock
}

func newWorld(t *testing.T, d store.Dialect) *world {
	t.Helper()
	clk := storetest.NewClock(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
	st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
	w := &world{st: st, mr: musrenbang.New(st), clk: clk}
	w.fas = access.ForUser(storetest.User(t, st, "fasilitator", domain.RoleFacilitator, "61.07"), "", "t")
	w.admin = access.ForUser(storetest.User(t, st, "adminkab", domain.RoleAdmin, "61.07"), "", "t")
	pu := storetest.User(t, st, "bappeda", domain.RoleOPDOperator, "61.07")
	if err := kla.UpsertAgencies(ctx, st, access.System("t"), []domain.KLAAgency{{Code: "bappeda", Name: "Bappeda", Kind: "opd"}}); err != nil {
		t.Fatal(err)
	}
	if err := kla.SetUserAgency(ctx, st, access.System("t"), pu.ID, "bappeda"); err != nil {
		t.Fatal(err)
	}
	w.planner = access.ForUser(pu, "", "t")
	var err error
	if w.forum, err = w.mr.CreateForum(ctx, w.fas, "Forum Anak Bengkayang", "61.07"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) child(t *testing.T, nick, guardian string) musrenbang.Child {
	t.Helper()
	c, code, err := w.mr.RegisterChild(ctx, w.fas, musrenbang.NewChild{ForumID: w.forum.ID, Nickname: nick, AgeGroup: "13-15",
		VillageCode: village, ConsentBy: "ibu", GuardianPhone: guardian})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, got, err := w.mr.SignIn(ctx, code); err != nil || got.ID != c.ID {
		t.Fatalf("sign in with the new code: %v", err)
	}
	return c
}

func (w *world) approved(t *testing.T, c musrenbang.Child, title string) musrenbang.Proposal {
	t.Helper()
	p, err := w.mr.Submit(ctx, &c, musrenbang.NewProposal{Title: title, Body: "Kami ingin " + strings.ToLower(title) + " di desa kami.", Cluster: "IV"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.mr.Approve(ctx, w.fas, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

// G-T1 and G-T4: a child's proposal with a phone number, a full name and a
// school is not public; the facilitator sees the flags, approval is
// refused until they are edited out; the public listing and the tracking
// page then show none of it; the edit is in the audit log. The child (no
// e-mail) reads each change in the inbox; the guardian's phone gets one
// SMS per change.
func TestModerationAndPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		rina := w.child(t, "Rina", "081234500001")
		p, err := w.mr.Submit(ctx, &rina, musrenbang.NewProposal{Title: "Perbaiki taman desa",
			Body: "tolong perbaiki taman, hubungi saya 0812-3456-7890, nama saya Rina Wulandari kelas 8 SMPN 1 Bengkayang", Cluster: "IV"})
		if err != nil || p.Status != musrenbang.StatusPending || len(p.Flags) != 3 {
			t.Fatalf("submit: %+v %v", p, err)
		}
		if pub, _ := w.mr.Public(ctx, musrenbang.PublicFilter{Region: "61.07"}); len(pub) != 0 {
			t.Fatal("a pending proposal is public")
		}
		if tr, _, err := w.mr.Track(ctx, p.Code); err != nil || tr.Body != "" || tr.Status != musrenbang.StatusPending {
			t.Fatalf("tracking a pending proposal: %+v %v", tr, err)
		}
		q, err := w.mr.Queue(ctx, w.fas, musrenbang.StatusPending)
		if err != nil || len(q) != 1 || len(q[0].Flags) != 3 {
			t.Fatalf("the facilitator's queue: %+v %v", q, err)
		}
		if g, err := w.mr.Get(ctx, w.fas, p.ID); err != nil || len(g.Flags) != 3 {
			t.Fatalf("the facilitator's view: %v", err)
		}
		var views int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'proposal.view' AND object_id = $1 AND detail = 'personal_data=3'`,
			p.ID).Scan(&views); err != nil || views != 1 {
			t.Fatalf("the view audited: %d %v", views, err)
		}
		if err := w.mr.Approve(ctx, w.fas, p.ID); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("approved with personal data: %v", err)
		}
		if err := w.mr.Edit(ctx, w.fas, p.ID, "Perbaiki taman desa", "Tolong perbaiki taman desa kami, ayunannya rusak. (Rina, kelas 8)", q[0].Version); err != nil {
			t.Fatal(err)
		}
		if err := w.mr.Approve(ctx, w.fas, p.ID); err != nil {
			t.Fatal(err)
		}
		pub, _ := w.mr.Public(ctx, musrenbang.PublicFilter{Region: "61.07"})
		if len(pub) != 1 {
			t.Fatalf("public: %d", len(pub))
		}
		all := fmt.Sprintf("%+v", pub)
		for _, s := range []string{"0812", "Wulandari", "SMPN", rina.ID} {
			if strings.Contains(all, s) {
				t.Errorf("the public listing shows %q", s)
			}
		}
		var n int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'proposal.edit' AND object_id = $1 AND detail = 'personal_data_removed=3'`, p.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the edit in the audit log: %d %v", n, err)
		}
		// A second proposal rejected with a reason.
		p2, _ := w.mr.Submit(ctx, &rina, musrenbang.NewProposal{Title: "Kolam renang", Body: "Kami mau kolam renang besar sekali.", Cluster: "IV"})
		if err := w.mr.Reject(ctx, w.fas, p2.ID, ""); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a rejection without a reason: %v", err)
		}
		if err := w.mr.Reject(ctx, w.fas, p2.ID, "Sudah ada di rencana desa tahun ini"); err != nil {
			t.Fatal(err)
		}
		inbox, err := w.mr.Inbox(ctx, rina.ID)
		if err != nil || len(inbox) != 2 || !strings.Contains(inbox[0].Text, "Sudah ada di rencana desa") || !strings.Contains(inbox[1].Text, "tampil untuk umum") {
			t.Fatalf("the inbox: %+v %v", inbox, err)
		}
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'guardian:%'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("guardian SMS: %d %v", n, err)
		}
		// Another forum's facilitator sees nothing.
		other := access.ForUser(storetest.User(t, w.st, "fasilitatorlain", domain.RoleFacilitator, "61.07"), "", "t")
		if q, _ := w.mr.Queue(ctx, other, ""); len(q) != 0 {
			t.Fatalf("another facilitator's queue: %d", len(q))
		}
		if err := w.mr.Approve(ctx, other, p2.ID); !domain.IsNotFound(err) {
			t.Fatalf("another facilitator approved: %v", err)
		}
		// The regency's admin adds them to the forum: now they moderate it.
		if err := w.mr.AddFacilitator(ctx, w.fas, w.forum.ID, other.UserID); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("a facilitator added another: %v", err)
		}
		if err := w.mr.AddFacilitator(ctx, w.admin, w.forum.ID, w.planner.UserID); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("an operator added as a facilitator: %v", err)
		}
		if err := w.mr.AddFacilitator(ctx, w.admin, w.forum.ID, other.UserID); err != nil {
			t.Fatal(err)
		}
		if q, _ := w.mr.Queue(ctx, other, ""); len(q) != 2 {
			t.Fatalf("the added facilitator's queue: %d", len(q))
		}
		// No surname can be registered.
		if _, _, err := w.mr.RegisterChild(ctx, w.fas, musrenbang.NewChild{ForumID: w.forum.ID, Nickname: "Rina Wulandari", AgeGroup: "13-15",
			VillageCode: village, ConsentBy: "ibu"}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a full name registered: %v", err)
		}
	})
}

// G-T2: 50 concurrent supports by one child count once; 50 children count
// 50; a pending proposal takes none.
func TestOneSupportEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		a := w.child(t, "Ayu", "")
		p := w.approved(t, a, "Lampu jalan ke sekolah")
		var wg sync.WaitGroup
		added := make(chan bool, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := w.mr.Support(ctx, a.ID, p.ID, "web")
				if err != nil {
					t.Error(err)
				}
				added <- ok
			}()
		}
		wg.Wait()
		close(added)
		n := 0
		for ok := range added {
			if ok {
				n++
			}
		}
		tr, _, _ := w.mr.Track(ctx, p.Code)
		if n != 1 || tr.Supports != 1 {
			t.Fatalf("one child, 50 clicks: %d added, %d supports", n, tr.Supports)
		}
		var kids []musrenbang.Child
		for i := range 49 {
			kids = append(kids, w.child(t, fmt.Sprintf("Anak%c%c", 'a'+i/26, 'a'+i%26), ""))
		}
		for _, k := range kids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.mr.Support(ctx, k.ID, p.ID, "web"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if tr, _, _ := w.mr.Track(ctx, p.Code); tr.Supports != 50 {
			t.Fatalf("50 children: %d supports", tr.Supports)
		}
		pending, _ := w.mr.Submit(ctx, &a, musrenbang.NewProposal{Title: "Taman baca", Body: "Kami ingin taman baca di balai desa.", Cluster: "IV"})
		if _, err := w.mr.Support(ctx, a.ID, pending.ID, "web"); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("support of a pending proposal: %v", err)
		}
	})
}

// G-T3: A (supports c1,c2,c3) and B (c3,c4) merged into M: 4 supporters,
// both authors credited, A and B read-only "merged into M", every child
// told once; a support for A now goes to M; split restores A and B with
// their supports (and the one given meanwhile); all in the audit log.
func TestMergeAndSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		aa, ba := w.child(t, "Putri", ""), w.child(t, "Bayu", "")
		c := []musrenbang.Child{w.child(t, "Cici", ""), w.child(t, "Dodi", ""), w.child(t, "Eka", ""), w.child(t, "Fajar", ""), w.child(t, "Gita", "")}
		a := w.approved(t, aa, "Tempat sampah di taman")
		b := w.approved(t, ba, "Tong sampah taman desa")
		for _, k := range c[:3] {
			if _, err := w.mr.Support(ctx, k.ID, a.ID, "web"); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range c[2:4] {
			if _, err := w.mr.Support(ctx, k.ID, b.ID, "web"); err != nil {
				t.Fatal(err)
			}
		}
		m, err := w.mr.Merge(ctx, w.fas, []string{a.ID, b.ID}, "Tempat sampah di taman desa", "Kami ingin tempat sampah terpilah di taman desa.")
		if err != nil || m.Supports != 4 || len(m.Authors) != 2 {
			t.Fatalf("merged: %+v %v", m, err)
		}
		ta, _, _ := w.mr.Track(ctx, a.Code)
		if ta.Status != musrenbang.StatusMerged || ta.MergedInto != m.Code {
			t.Fatalf("A after the merge: %+v", ta)
		}
		if err := w.mr.Edit(ctx, w.fas, a.ID, "x x x x x", "yyyyyyyyyyyy", 0); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("a merged proposal edited: %v", err)
		}
		var told int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM child_messages WHERE proposal_id = $1`, m.ID).Scan(&told); err != nil || told != 6 {
			t.Fatalf("children told of the merge: %d %v", told, err)
		}
		// Gita supports A (merged): the support goes to M.
		if ok, err := w.mr.Support(ctx, c[4].ID, a.ID, "web"); err != nil || !ok {
			t.Fatalf("support of a merged proposal: %v", err)
		}
		if tm, _, _ := w.mr.Track(ctx, m.Code); tm.Supports != 5 {
			t.Fatalf("M after one more: %d", tm.Supports)
		}
		w.clk.Advance(time.Minute)
		if err := w.mr.Split(ctx, w.fas, m.ID); err != nil {
			t.Fatal(err)
		}
		ta, _, _ = w.mr.Track(ctx, a.Code)
		tb, _, _ := w.mr.Track(ctx, b.Code)
		if ta.Status != musrenbang.StatusApproved || tb.Status != musrenbang.StatusApproved || ta.Supports != 4 || tb.Supports != 3 {
			t.Fatalf("after the split: A %s %d, B %s %d", ta.Status, ta.Supports, tb.Status, tb.Supports)
		}
		if _, _, err := w.mr.Track(ctx, m.Code); !domain.IsNotFound(err) {
			t.Fatalf("the merged proposal after the split: %v", err)
		}
		var n int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('proposal.merge', 'proposal.split')`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("merge and split audited: %d %v", n, err)
		}
	})
}

// G-T5 and G-T6: every stage needs its evidence and may only follow the
// one before; the children see each step; the yearly figure counts
// distinct APBD lines (a ticket on two lines counts twice, two tickets
// on one line once) against a hand-computed table; a district planner's
// operator of another agency may not record.
func TestTicketsAndTheBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		k := w.child(t, "Hana", "081234500009")
		var ps []musrenbang.Proposal
		for _, title := range []string{"Taman bermain", "Perpustakaan desa", "Lampu jalan", "Posyandu remaja"} {
			ps = append(ps, w.approved(t, k, title))
		}
		dinkes := storetest.User(t, w.st, "opddinkes", domain.RoleOPDOperator, "61.07")
		if _, err := w.mr.SelectTicket(ctx, access.ForUser(dinkes, "", "t"), ps[0].ID, 2026); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("another agency's operator gave a ticket: %v", err)
		}
		var ts []musrenbang.Ticket
		for _, p := range ps {
			tk, err := w.mr.SelectTicket(ctx, w.planner, p.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, tk)
		}
		step := func(i int, in musrenbang.StepInput) error { return w.mr.RecordStep(ctx, w.planner, ts[i].ID, in, 0) }
		// Stages out of order, and stages without their evidence.
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageRKPD, Year: 2027, Agency: "dpupr", SubActivity: "x"}); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("RKPD before the Musrenbang: %v", err)
		}
		for i := range ts {
			if err := step(i, musrenbang.StepInput{Stage: musrenbang.StageDiscussed, Level: "kabupaten", Date: "2026-04-15"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []musrenbang.StepInput{{Stage: musrenbang.StageRKPD, Year: 2027}, {Stage: musrenbang.StageNotRKPD}} {
			if err := step(0, bad); domain.CodeOf(err) != domain.EInvalid {
				t.Fatalf("%s without evidence: %v", bad.Stage, err)
			}
		}
		for i := range 3 {
			if err := step(i, musrenbang.StepInput{Stage: musrenbang.StageRKPD, Year: 2027, Agency: "dpupr", SubActivity: "Pembangunan taman"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := step(3, musrenbang.StepInput{Stage: musrenbang.StageNotRKPD, Reason: "Sudah dibiayai dana desa"}); err != nil {
			t.Fatal(err)
		}
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: 2027, Lines: []musrenbang.Line{{Code: "1.03.02.2.01.0001"}}}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("APBD without an amount: %v", err)
		}
		// Ticket 0 on two lines; tickets 1 and 2 on one shared line.
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: 2027, Lines: []musrenbang.Line{
			{Code: "1.03.02.2.01.0001", Amount: 150_000_000}, {Code: "1.03.02.2.01.0002", Amount: 50_000_000}}}); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 2; i++ {
			if err := step(i, musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: 2027, Lines: []musrenbang.Line{{Code: "2.07.01.2.02.0005", Amount: 80_000_000}}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageDone, Evidence: "x"}); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("done before implemented: %v", err)
		}
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageImplemented}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("implemented without evidence: %v", err)
		}
		if err := step(0, musrenbang.StepInput{Stage: musrenbang.StageImplemented, Evidence: "SPK 12/2027", Lines: []musrenbang.Line{{Code: "1.03.02.2.01.0001", Realised: 140_000_000}}}); err != nil {
			t.Fatal(err)
		}
		byYear, err := w.mr.APBDLinesByYear(ctx, w.admin)
		if err != nil || len(byYear) != 1 || byYear[2027] != 3 {
			t.Fatalf("APBD lines from children's proposals: %v %v", byYear, err)
		}
		f, err := w.mr.FunnelFor(ctx, w.admin, "", 2026)
		if err != nil || f.Proposals != 4 || f.Tickets != 4 || f.RKPD != 3 || f.APBD != 3 || f.APBDLines != 3 || f.Amount != 280_000_000 {
			t.Fatalf("funnel: %+v %v", f, err)
		}
		if r := musrenbang.Rate(44, 462); r != 9.52 {
			t.Fatalf("Manggarai Barat's rate: %v", r)
		}
		// The child sees every step of ticket 3, with the reason.
		_, evs, err := w.mr.Track(ctx, ps[3].Code)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, ","); got != "submitted,approved,ticket.selected,ticket.discussed,ticket.not_rkpd" || !strings.Contains(evs[4].Detail, "dana desa") {
			t.Fatalf("the timeline: %s %+v", got, evs)
		}
	})
}

// G-T7: tickets still undecided from seven days before the regency
// Musrenbang remind the planners, once per ticket however often the job
// runs; decided ones do not; nothing before the window.
func TestUndecidedReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		k := w.child(t, "Intan", "")
		a, b := w.approved(t, k, "Taman bermain"), w.approved(t, k, "Ruang baca")
		cal := musrenbang.DefaultCalendar(2026)
		cal["kabupaten"] = "2026-04-20"
		if err := w.mr.SetCalendar(ctx, w.planner, "61.07", 2026, cal); err != nil {
			t.Fatal(err)
		}
		bad := musrenbang.DefaultCalendar(2026)
		bad["kecamatan"] = "2026-01-01"
		if err := w.mr.SetCalendar(ctx, w.planner, "61.07", 2026, bad); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a calendar out of order: %v", err)
		}
		ta, _ := w.mr.SelectTicket(ctx, w.planner, a.ID, 2026)
		tb, _ := w.mr.SelectTicket(ctx, w.planner, b.ID, 2026)
		count := func() int {
			var n int
			if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'ticket-undecided:%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		w.clk.Advance(time.Date(2026, 4, 12, 2, 0, 0, 0, time.UTC).Sub(w.clk.Now())) // 8 days before
		if n, _ := w.mr.RemindUndecided(ctx); n != 0 {
			t.Fatalf("before the window: %d", n)
		}
		if err := w.mr.RecordStep(ctx, w.planner, tb.ID, musrenbang.StepInput{Stage: musrenbang.StageDiscussed, Level: "kecamatan", Date: "2026-02-20"}, 0); err != nil {
			t.Fatal(err)
		}
		if err := w.mr.RecordStep(ctx, w.planner, tb.ID, musrenbang.StepInput{Stage: musrenbang.StageRKPD, Year: 2027, Agency: "disdik", SubActivity: "Perpustakaan"}, 0); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(4 * 24 * time.Hour) // a missed day: 4 days before
		for range 3 {
			if _, err := w.mr.RemindUndecided(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// Ticket A only, to the admin and the planner.
		if n := count(); n != 2 {
			t.Fatalf("reminders: %d", n)
		}
		_ = ta
	})
}

// G-T8: the public listing filters by cluster, age group and status and
// never carries a child's account id, phone or surname; the open-data rows
// neither.
func TestPublicListing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		k := w.child(t, "Joko", "081234500077")
		p1 := w.approved(t, k, "Taman bermain")
		p2, _ := w.mr.Submit(ctx, &k, musrenbang.NewProposal{Title: "Posyandu remaja", Body: "Kami ingin posyandu remaja tiap bulan.", Cluster: "III"})
		if err := w.mr.Approve(ctx, w.fas, p2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.mr.SelectTicket(ctx, w.planner, p1.ID, 2026); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    musrenbang.PublicFilter
			want int
		}{{musrenbang.PublicFilter{Region: "61.07"}, 2}, {musrenbang.PublicFilter{Region: "61.07", Cluster: "III"}, 1},
			{musrenbang.PublicFilter{Region: "61.07", Status: "ticket"}, 1}, {musrenbang.PublicFilter{Region: "61.07", AgeGroup: "6-9"}, 0},
			{musrenbang.PublicFilter{Region: "61.07.02"}, 0}} {
			if got, err := w.mr.Public(ctx, c.f); err != nil || len(got) != c.want {
				t.Errorf("%+v: %d, want %d (%v)", c.f, len(got), c.want, err)
			}
		}
		rows, err := w.mr.OpenData(ctx, "61.07")
		if err != nil || len(rows) != 2 {
			t.Fatalf("open data: %d %v", len(rows), err)
		}
		all := fmt.Sprint(rows)
		for _, s := range []string{k.ID, "Joko", "0812", "+62"} {
			if strings.Contains(all, s) {
				t.Errorf("the open data carries %q", s)
			}
		}
	})
}

// A ticket's APBD line given by its code only takes its amount and name
// from the KLA area's budget (module E), and the ticket shows the budget's
// realisation; a code the budget lacks still needs its amount.
func TestTicketLineFromKLABudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		sys := access.System("t")
		if err := kla.UpsertAgencies(ctx, w.st, sys, []domain.KLAAgency{{Code: "dpupr", Name: "DPUPR", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		parent := ""
		for _, lv := range []struct{ level, code, name string }{{domain.BudgetProgramme, "1.03.10", "Program penataan"},
			{domain.BudgetActivity, "1.03.10.2.01", "Kegiatan ruang terbuka"}, {domain.BudgetSubActivity, "1.03.10.2.01.0013", "Taman bermain ramah anak"}} {
			item := domain.KLABudgetItem{RegionCode: "61.07", Year: 2027, Agency: "dpupr", ParentID: parent, Level: lv.level, Code: lv.code, Name: lv.name}
			if lv.level == domain.BudgetSubActivity {
				item.Budget, item.Realised = 185_000_000, 60_000_000
			}
			id, err := kla.AddBudgetItem(ctx, w.st, sys, item)
			if err != nil {
				t.Fatal(err)
			}
			parent = id
		}
		k := w.child(t, "Lina", "")
		p := w.approved(t, k, "Taman bermain")
		tk, err := w.mr.SelectTicket(ctx, w.planner, p.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []musrenbang.StepInput{{Stage: musrenbang.StageDiscussed, Level: "kabupaten", Date: "2026-04-15"},
			{Stage: musrenbang.StageRKPD, Year: 2027, Agency: "DPUPR", SubActivity: "Taman bermain ramah anak"}} {
			if err := w.mr.RecordStep(ctx, w.planner, tk.ID, in, 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.mr.RecordStep(ctx, w.planner, tk.ID, musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: 2027,
			Lines: []musrenbang.Line{{Code: "9.99.99.9.99.9999"}}}, 0); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a code the budget lacks, without an amount: %v", err)
		}
		if err := w.mr.RecordStep(ctx, w.planner, tk.ID, musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: 2027,
			Lines: []musrenbang.Line{{Code: "1.03.10.2.01.0013"}}}, 0); err != nil {
			t.Fatal(err)
		}
		got, err := w.mr.Ticket(ctx, w.admin, tk.ID)
		if err != nil || len(got.Lines) != 1 {
			t.Fatalf("the ticket: %+v %v", got, err)
		}
		l := got.Lines[0]
		if l.Amount != 185_000_000 || l.Name != "Taman bermain ramah anak" || !l.InKLA || l.KLARealised != 60_000_000 {
			t.Fatalf("the line from the KLA budget: %+v", l)
		}
	})
}

// A proposal's photo loses its GPS position and camera data before it is
// sealed; it is public only once the proposal is; a PDF is refused; the
// facilitator removes a photo from a pending proposal; moderators' views
// are audited.
func TestProposalPhoto(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		k := w.child(t, "Maya", "")
		if _, err := w.mr.Submit(ctx, &k, musrenbang.NewProposal{Title: "Taman", Body: "Taman desa rusak sekali.", Cluster: "IV",
			Photo: mediatest.PDF("bukan foto")}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a PDF as a photo: %v", err)
		}
		p, err := w.mr.Submit(ctx, &k, musrenbang.NewProposal{Title: "Taman", Body: "Taman desa rusak sekali.", Cluster: "IV", Photo: mediatest.GPSJPEG()})
		if err != nil || !p.HasPhoto {
			t.Fatalf("with a photo: %+v %v", p, err)
		}
		if _, _, err := w.mr.Photo(ctx, nil, p.Code); !domain.IsNotFound(err) {
			t.Fatalf("a pending proposal's photo is public: %v", err)
		}
		mime, data, err := w.mr.Photo(ctx, &w.fas, p.ID)
		if err != nil || mime != "image/jpeg" || bytes.Contains(data, mediatest.GPS) || bytes.Contains(data, []byte(mediatest.XMPText)) {
			t.Fatalf("the moderator's view: %s %v", mime, err)
		}
		if err := w.mr.Approve(ctx, w.fas, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, data, err := w.mr.Photo(ctx, nil, p.Code); err != nil || bytes.Contains(data, mediatest.GPS) {
			t.Fatalf("the public photo: %v", err)
		}
		var n int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'proposal.photo_view'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("photo views audited: %d %v", n, err)
		}
		q, _ := w.mr.Submit(ctx, &k, musrenbang.NewProposal{Title: "Jembatan", Body: "Jembatan ke sekolah goyang.", Cluster: "V", Photo: mediatest.MetaPNG()})
		if err := w.mr.RemovePhoto(ctx, w.fas, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.mr.Photo(ctx, &w.fas, q.ID); !domain.IsNotFound(err) {
			t.Fatalf("a removed photo: %v", err)
		}
	})
}
