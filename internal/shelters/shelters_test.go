package shelters_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

// world is a regency with a supervisor, a caseworker, a viewer and their
// areas, on a clock the test moves.
type world struct {
	st            *store.Store
	clk           *storetest.Clock
	cs            *cases.Service
	sh            *shelters.Service
	sup, cw, view domain.Scope
	supU, cwU     domain.User
}

func newWorld(t *testing.T, d store.Dialect) *world {
	t.Helper()
	return newWorldAt(t, d, time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))
}

func newWorldAt(t *testing.T, d store.Dialect, start time.Time) *world {
	t.Helper()
	clk := storetest.NewClock(start)
	st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
	w := &world{st: st, clk: clk, cs: cases.New(st, cases.Options{})}
	w.sh = shelters.New(st, w.cs)
	w.supU = storetest.User(t, st, "supervisor", domain.RoleSupervisor, "61.07")
	w.cwU = storetest.User(t, st, "peksos", domain.RoleCaseworker, "61.07.01")
	view := storetest.User(t, st, "bupati", domain.RoleViewer, "61.07")
	w.sup, w.cw, w.view = access.ForUser(w.supU, "", "t"), access.ForUser(w.cwU, "", "t"), access.ForUser(view, "", "t")
	return w
}

// child opens a case in the caseworker's district with one child and
// makes the caseworker its lead; it returns the case and the child.
func (w *world) child(t *testing.T, i int) (string, string) {
	t.Helper()
	age := 9
	c, err := w.cs.CreateCase(ctx, w.sup, domain.NewCase{RegionCode: "61.07.01.2001", Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VPhysical}, Summary: fmt.Sprintf("Kasus uji penempatan %d", i),
		Victims: []domain.Victim{{Name: fmt.Sprintf("Anak %d", i), Sex: domain.SexFemale, Age: &age}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cs.Reassign(ctx, access.System("test"), c.ID, "", w.cwU.ID, "peksos"); err != nil {
		t.Fatal(err)
	}
	c, err = w.cs.GetCase(ctx, w.cw, c.ID)
	if err != nil || len(c.Victims) != 1 {
		t.Fatalf("case: %v %v", c.Victims, err)
	}
	return c.ID, c.Victims[0].ID
}

// house registers a community safe house, passes its checklist and
// activates it.
func (w *world) house(t *testing.T, name string, capacity int) domain.Place {
	t.Helper()
	p, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: name, RegionCode: "61.07.01.2001",
		Owner: domain.OwnerCommunity, Capacity: capacity, HostName: "Ibu Maria Goreti", HostPhone: "0812 5555 0101",
		Address: "RT 02 dekat gereja", Household: "Bapak Yohanes Ati\nIbu Maria Goreti"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sh.RecordChecks(ctx, w.sup, p.ID, allPass()); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, to, "diperiksa di lapangan", 0); err != nil {
			t.Fatalf("%s: %v", to, err)
		}
	}
	p, err = w.sh.GetPlace(ctx, w.sup, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func allPass() []domain.CheckResult {
	var out []domain.CheckResult
	for _, it := range shelters.DefaultChecklist {
		out = append(out, domain.CheckResult{Item: it.Key, Result: domain.CheckPass})
	}
	return out
}

func errKey(err error) string {
	if de, ok := domain.AsError(err); ok {
		if de.Code == domain.EInvalid {
			return "invalid"
		}
		return de.Key
	}
	return fmt.Sprint(err)
}

// D-T5: a house is verified only through its checklist (a failed required
// item, or an adult of the household recorded as a perpetrator in an open
// case, blocks it); a suspended house takes no child; a house with a child
// cannot be retired.
func TestSafeHouseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman Sebalo 1",
			RegionCode: "61.07.01.2001", Owner: domain.OwnerCommunity, Capacity: 2, HostName: "Ibu Maria", Household: "Bapak Yohanes Ati"})
		if err != nil || p.Status != domain.PlaceProposal {
			t.Fatalf("create: %+v %v", p, err)
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceActive, "langsung", 0); errKey(err) != "place.err.move" {
			t.Fatalf("proposal -> active: %v", err)
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceVerified, "cek", 0); errKey(err) != "place.err.not_checked" {
			t.Fatalf("verify unchecked: %v", err)
		}
		answers := allPass()
		answers[4].Result = domain.CheckFail // sleeping space
		if _, err := w.sh.RecordChecks(ctx, w.sup, p.ID, answers); err != nil {
			t.Fatal(err)
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceVerified, "cek", 0); errKey(err) != "place.err.checklist_failed" ||
			!strings.Contains(fmt.Sprint(err.(*domain.Error).Args), "Ruang tidur") {
			t.Fatalf("verify with a failed item: %v", err)
		}
		// An adult of the household is a perpetrator in an open case.
		age := 40
		c, err := w.cs.CreateCase(ctx, w.sup, domain.NewCase{RegionCode: "61.07.02.2001", Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}, Summary: "Kasus lain"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.AddDetail(ctx, access.System("test"), c.ID, cases.CaseDetail{Perpetrator: &domain.Perpetrator{Name: "bapak  yohanes ATI",
			Sex: domain.SexMale, Age: &age, Relation: "neighbour"}}); err != nil {
			t.Fatal(err)
		}
		res, err := w.sh.RecordChecks(ctx, w.sup, p.ID, allPass())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Item == "no_perpetrator" && (r.Result != domain.CheckFail || !strings.Contains(r.Note, domain.FormatPublicCode(c.Code))) {
				t.Fatalf("perpetrator check: %+v", r)
			}
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceVerified, "cek", 0); errKey(err) != "place.err.checklist_failed" {
			t.Fatalf("verify with a perpetrator in the household: %v", err)
		}
		// Once that case is closed, the household passes.
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'closed' WHERE id = $1`, c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.sh.RecordChecks(ctx, w.sup, p.ID, allPass()); err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
			if err := w.sh.MovePlace(ctx, w.sup, p.ID, to, "lolos pemeriksaan", 0); err != nil {
				t.Fatalf("%s: %v", to, err)
			}
		}
		caseID, child := w.child(t, 1)
		st, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: caseID, VictimID: child, Reason: "pelaku serumah"})
		if err != nil || st.Status != domain.StayActive || st.StayUntil == nil {
			t.Fatalf("place: %+v %v", st, err)
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceRetired, "tuan rumah pindah", 0); errKey(err) != "place.err.occupied" {
			t.Fatalf("retire with a child: %v", err)
		}
		if err := w.sh.MovePlace(ctx, w.sup, p.ID, domain.PlaceSuspended, "supervisi menemukan masalah", 0); err != nil {
			t.Fatal(err)
		}
		case2, child2 := w.child(t, 2)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: case2, VictimID: child2, Reason: "x"}); errKey(err) != "place.err.not_active" {
			t.Fatalf("suspended house took a child: %v", err)
		}
		hist, err := w.sh.PlaceHistory(ctx, w.sup, p.ID)
		if err != nil || len(hist) < 5 || hist[len(hist)-1].ToStatus != domain.PlaceSuspended || hist[len(hist)-1].Note != "supervisi menemukan masalah" {
			t.Fatalf("history %+v %v", hist, err)
		}
	})
}

// D-T1: 20 requests at once for different children into a house with one
// free place: exactly one is placed, 19 get "penuh", the house holds its
// capacity and no more.
func TestCapacityRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p := w.house(t, "Rumah Aman Sebalo 2", 2)
		first, c0 := w.child(t, 0)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: first, VictimID: c0, Reason: "aman"}); err != nil {
			t.Fatal(err)
		}
		type req struct{ caseID, child string }
		var reqs []req
		for i := 1; i <= 20; i++ {
			c, v := w.child(t, i)
			reqs = append(reqs, req{c, v})
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, full := 0, 0
		var other []error
		for _, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: r.caseID, VictimID: r.child, Reason: "darurat",
					Emergency: true})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errKey(err) == "stay.err.full":
					full++
				default:
					other = append(other, err)
				}
			}()
		}
		wg.Wait()
		if ok != 1 || full != 19 || len(other) > 0 {
			t.Fatalf("%d placed, %d full, other errors %v; want 1, 19, none", ok, full, other)
		}
		got, err := w.sh.GetPlace(ctx, w.sup, p.ID)
		if err != nil || got.Occupied != 2 || got.Free() != 0 {
			t.Fatalf("occupancy %d free %d (%v)", got.Occupied, got.Free(), err)
		}
		var rows int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM stays WHERE place_id = $1`, p.ID).Scan(&rows); err != nil || rows != 2 {
			t.Fatalf("%d stay rows (%v), want 2: no partial rows", rows, err)
		}
	})
}

// D-T2: a hold counts against capacity; an expired hold frees the place
// and cannot be admitted any more. D-T4: one held or active stay per child;
// moving a child ends one stay and starts the next in one step, linked,
// with no gap.
func TestHoldsAndOneStayPerChild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		a := w.house(t, "Rumah Aman A", 1)
		b := w.house(t, "Rumah Aman B", 1)
		c1, v1 := w.child(t, 1)
		c2, v2 := w.child(t, 2)
		hold, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: a.ID, CaseID: c1, VictimID: v1, Reason: "menunggu jemputan", Hold: true})
		if err != nil || hold.Status != domain.StayHeld || hold.HoldExpiresAt == nil {
			t.Fatalf("hold: %+v %v", hold, err)
		}
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: a.ID, CaseID: c2, VictimID: v2, Reason: "x"}); errKey(err) != "stay.err.full" {
			t.Fatalf("a held place was given to another child: %v", err)
		}
		w.clk.Advance(shelters.DefaultHold + time.Hour)
		if err := w.sh.AdmitHold(ctx, w.cw, hold.ID); errKey(err) != "stay.err.hold_expired" {
			t.Fatalf("admit an expired hold: %v", err)
		}
		in, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: a.ID, CaseID: c2, VictimID: v2, Reason: "pelaku ayah"})
		if err != nil {
			t.Fatalf("the freed place: %v", err)
		}
		// A second stay for the same child is refused; moving it works.
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: b.ID, CaseID: c2, VictimID: v2, Reason: "x"}); errKey(err) != "stay.err.child_placed" {
			t.Fatalf("second stay: %v", err)
		}
		w.clk.Advance(3 * 24 * time.Hour)
		moved, err := w.sh.MoveChild(ctx, w.cw, in.ID, b.ID, "lebih dekat sekolah", "")
		if err != nil || moved.PreviousID != in.ID || moved.Status != domain.StayActive {
			t.Fatalf("move: %+v %v", moved, err)
		}
		stays, err := w.sh.CaseStays(ctx, w.cw, c2)
		if err != nil || len(stays) != 2 {
			t.Fatalf("stays %+v %v", stays, err)
		}
		old := stays[0]
		if old.Status != domain.StayEnded || old.ExitDestination != "other_place" || old.ToAt == nil || !old.ToAt.Equal(*stays[1].FromAt) {
			t.Fatalf("history has a gap or the old stay is open: %+v / %+v", old, stays[1])
		}
		if got, _ := w.sh.GetPlace(ctx, w.sup, a.ID); got.Occupied != 0 {
			t.Fatalf("house A still counts %d", got.Occupied)
		}
	})
}

// D-T3: a stay in a safe house ends after 14 days: two days before, the
// placing worker is warned; at the limit the supervisor is alerted, once,
// however often the escalator runs; an extension needs a supervisor and a
// reason, and moves the limit.
func TestStayLimitWarnsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p := w.house(t, "Rumah Aman C", 2)
		c, v := w.child(t, 1)
		st, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c, VictimID: v, Reason: "aman"})
		if err != nil {
			t.Fatal(err)
		}
		if got := st.StayUntil.Sub(*st.FromAt); got != 14*24*time.Hour {
			t.Fatalf("limit %s, want 14 days", got)
		}
		messages := func(user string) []string {
			rows, err := w.st.QueryContext(ctx, `SELECT body FROM outbox WHERE recipient_user_id = $1 AND body LIKE '%enempatan%' ORDER BY created_at`, user)
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
		w.clk.Advance(12*24*time.Hour + time.Minute)
		for range 2 {
			if _, err := w.cs.RunEscalations(ctx, "a", 100); err != nil {
				t.Fatal(err)
			}
		}
		if got := messages(w.cwU.ID); len(got) != 1 || len(messages(w.supU.ID)) != 0 {
			t.Fatalf("day 12: worker %q, supervisor %q; want one warning to the worker", got, messages(w.supU.ID))
		}
		if err := w.sh.ExtendStay(ctx, w.cw, st.ID, st.StayUntil.Add(7*24*time.Hour), "anak belum aman"); errKey(err) != "stay.err.approver" {
			t.Fatalf("extension by the worker: %v", err)
		}
		w.clk.Advance(3 * 24 * time.Hour)
		for range 3 {
			if _, err := w.cs.RunEscalations(ctx, "b", 100); err != nil {
				t.Fatal(err)
			}
		}
		if got := messages(w.supU.ID); len(got) != 1 {
			t.Fatalf("day 15: supervisor got %q; want exactly one alert", got)
		}
		if err := w.sh.ExtendStay(ctx, w.sup, st.ID, st.StayUntil.Add(7*24*time.Hour), " "); errKey(err) != "invalid" {
			t.Fatalf("extension without a reason: %v", err)
		}
		if err := w.sh.ExtendStay(ctx, w.sup, st.ID, st.StayUntil.Add(7*24*time.Hour), "pelaku belum ditahan"); err != nil {
			t.Fatal(err)
		}
		got, err := w.sh.GetStay(ctx, w.sup, st.ID)
		if err != nil || got.ExtensionApprover != "supervisor" || got.ExtensionReason != "pelaku belum ditahan" || !got.StayUntil.Equal(st.StayUntil.Add(7*24*time.Hour)) {
			t.Fatalf("extended: %+v %v", got, err)
		}
		var audited int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'stay.extend'`).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("audit of the extension: %d %v", audited, err)
		}
		if err := w.sh.EndStay(ctx, w.cw, st.ID, "kembali ke nenek", "kin"); err != nil {
			t.Fatal(err)
		}
	})
}

// D-T6: a viewer never gets the host's name, phone or address (nor the
// registry: where safe houses are stays with those who place children);
// lists never carry hosts' data; a worker who places children gets them,
// the view audited; the phone is stored sealed.
func TestHostConfidential(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p := w.house(t, "Rumah Aman D", 1)
		if _, err := w.sh.GetPlace(ctx, w.view, p.ID); !domain.IsNotFound(err) {
			t.Fatalf("viewer reads a safe house: %v", err)
		}
		if _, err := w.sh.ListPlaces(ctx, w.view, shelters.PlaceFilter{}); err == nil {
			t.Fatal("viewer lists the safe houses")
		}
		list, err := w.sh.ListPlaces(ctx, w.cw, shelters.PlaceFilter{})
		if err != nil || len(list) != 1 || list[0].HostPhone != "" {
			t.Fatalf("list: %+v %v", list, err)
		}
		got, err := w.sh.GetPlace(ctx, w.cw, p.ID)
		if err != nil || got.HostPhone != "+6281255550101" || got.Address != "RT 02 dekat gereja" {
			t.Fatalf("worker: %+v %v", got, err)
		}
		var n int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'place.view_personal' AND object_id = $1`, p.ID).Scan(&n); err != nil || n == 0 {
			t.Fatalf("no audit of the host's data view (%v)", err)
		}
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE host_phone_enc LIKE '%5555%' OR address_enc LIKE '%gereja%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plaintext host data in the table (%d, %v)", n, err)
		}
	})
}

// D-T10: an LKSA's permit expiring within 60 days is listed; a placement
// into an LKSA needs the gatekeeping decision; an expired permit refuses
// placements; the third warning proposes revocation; a revoked LKSA takes
// no child.
func TestInstitutionPermits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		soon := w.clk.Now().AddDate(0, 0, 30).Format("2006-01-02")
		later := w.clk.Now().AddDate(2, 0, 0).Format("2006-01-02")
		lksa, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA Kasih Bunda", RegionCode: "61.07.01",
			Owner: domain.OwnerCommunity, Capacity: 40, PermitNumber: "503/12/DINSOS/2021", PermitExpires: soon, Accreditation: "B",
			AccreditationUntil: later})
		if err != nil || lksa.Status != domain.PlaceActive {
			t.Fatalf("create: %+v %v", lksa, err)
		}
		other, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA Harapan", RegionCode: "61.07.02",
			Owner: domain.OwnerGovernment, Capacity: 100, PermitExpires: later})
		if err != nil {
			t.Fatal(err)
		}
		exp, err := w.sh.ExpiringPermits(ctx, w.sup, 60)
		if err != nil || len(exp) != 1 || exp[0].ID != lksa.ID {
			t.Fatalf("expiring: %+v %v", exp, err)
		}
		c, v := w.child(t, 1)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: lksa.ID, CaseID: c, VictimID: v, Reason: "yatim"}); errKey(err) != "invalid" {
			t.Fatalf("LKSA without gatekeeping: %v", err)
		}
		st, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: lksa.ID, CaseID: c, VictimID: v, Reason: "yatim",
			Gatekeeping: "Tidak ada kerabat yang sanggup; calon orang tua asuh belum tersedia"})
		if err != nil || st.StayUntil != nil || st.GatekeepingBy != "peksos" {
			t.Fatalf("LKSA stay: %+v %v", st, err)
		}
		for i := 1; i <= 3; i++ {
			n, err := w.sh.AddWarning(ctx, w.sup, other.ID, fmt.Sprintf("teguran %d", i))
			if err != nil || n != i {
				t.Fatalf("warning %d: %d %v", i, n, err)
			}
		}
		if got, _ := w.sh.GetPlace(ctx, w.sup, other.ID); got.Status != domain.PlaceRevocationProposed {
			t.Fatalf("after three warnings: %s", got.Status)
		}
		if err := w.sh.MovePlace(ctx, w.sup, other.ID, domain.PlaceRevoked, "izin dicabut", 0); err != nil {
			t.Fatal(err)
		}
		c2, v2 := w.child(t, 2)
		if _, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: other.ID, CaseID: c2, VictimID: v2, Reason: "x", Gatekeeping: "y"}); errKey(err) != "place.err.not_active" {
			t.Fatalf("revoked LKSA took a child: %v", err)
		}
		w.clk.Advance(31 * 24 * time.Hour)
		c3, v3 := w.child(t, 3)
		_, err = w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: lksa.ID, CaseID: c3, VictimID: v3, Reason: "x", Gatekeeping: "y"})
		if errKey(err) != "place.err.permit_expired" {
			t.Fatalf("expired permit: %v", err)
		}
		_ = errors.New
	})
}

// An LKSA's permit is renewed by editing the place: placements are taken
// again; the capacity cannot drop below the children staying; the history
// says what changed.
func TestEditPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		expired := w.clk.Now().AddDate(0, 0, -1).Format("2006-01-02")
		l, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA Perpanjang", RegionCode: "61.07.01",
			Owner: domain.OwnerCommunity, Capacity: 2, PermitNumber: "1/2020", PermitExpires: expired})
		if err != nil {
			t.Fatal(err)
		}
		c, v := w.child(t, 1)
		ns := domain.NewStay{PlaceID: l.ID, CaseID: c, VictimID: v, Reason: "r", Gatekeeping: "g"}
		if _, err := w.sh.PlaceChild(ctx, w.cw, ns); errKey(err) != "place.err.permit_expired" {
			t.Fatalf("expired permit: %v", err)
		}
		renewed := w.clk.Now().AddDate(5, 0, 0).Format("2006-01-02")
		edit := domain.NewPlace{Name: "LKSA Perpanjang", Capacity: 2, PermitNumber: "7/2026", PermitExpires: renewed}
		if err := w.sh.EditPlace(ctx, w.cw, l.ID, edit, 0); err == nil {
			t.Fatal("a caseworker edited a place")
		}
		if err := w.sh.EditPlace(ctx, w.sup, l.ID, edit, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.sh.PlaceChild(ctx, w.cw, ns); err != nil {
			t.Fatalf("after the renewal: %v", err)
		}
		edit.Capacity = 0
		if err := w.sh.EditPlace(ctx, w.sup, l.ID, edit, 0); errKey(err) != "invalid" {
			t.Fatalf("capacity 0: %v", err)
		}
		edit.Capacity = 3
		if err := w.sh.EditPlace(ctx, w.sup, l.ID, edit, 1); errKey(err) != "error.conflict" {
			t.Fatalf("a stale version: %v", err)
		}
		hist, _ := w.sh.PlaceHistory(ctx, w.sup, l.ID)
		last := hist[len(hist)-1]
		if last.Kind != "edited" || !strings.Contains(last.Note, "permit_expires: "+expired+" → "+renewed) {
			t.Fatalf("history %+v", last)
		}
	})
}
