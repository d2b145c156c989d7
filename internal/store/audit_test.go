package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// auditEntries appends n test entries and seals them.
func auditEntries(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := st.Audit(ctx, sys(), "test.event", "thing", "id", "61.07", "n"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SealAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// disableAuditGuard lets the test do what an attacker with full database
// access can: edit and delete audit rows.
func disableAuditGuard(t *testing.T, d store.Dialect, raw *sql.DB) {
	t.Helper()
	if d == store.SQLite {
		mustExec(t, raw, `DROP TRIGGER audit_log_no_update`)
		mustExec(t, raw, `DROP TRIGGER audit_log_no_delete`)
	} else {
		mustExec(t, raw, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)
	}
}

// head is the chain head as a checkpoint would record it.
func head(t *testing.T, st *store.Store, at time.Time) store.AuditAnchor {
	t.Helper()
	pos, hash, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return store.AuditAnchor{Pos: pos, Hash: hash, At: at}
}

// Deleting the newest entries leaves a chain that is intact in itself; only
// a checkpoint taken before shows that it was cut short.
func TestAuditCheckpointDetectsTruncation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		auditEntries(t, st, 40)
		cp := head(t, st, time.Now())
		if cp.Pos != 40 {
			t.Fatalf("head at %d, want 40", cp.Pos)
		}
		if n, prob, err := st.VerifyAudit(ctx, cp); err != nil || prob != nil || n != 40 {
			t.Fatalf("untouched log against its checkpoint: n=%d %+v %v", n, prob, err)
		}
		raw := rawDB(t, d, u)
		disableAuditGuard(t, d, raw)
		mustExec(t, raw, `DELETE FROM audit_log WHERE pos > 15`)
		if _, prob, err := st.VerifyAudit(ctx); err != nil || prob != nil {
			t.Fatalf("the chain alone should look intact after truncation (that is why checkpoints exist): %+v %v", prob, err)
		}
		n, prob, err := st.VerifyAudit(ctx, cp)
		if err != nil || prob == nil || prob.Kind != store.AuditTruncated || prob.Seq != 40 || n != 15 {
			t.Fatalf("truncation not named: n=%d %+v %v", n, prob, err)
		}
		if !strings.Contains(prob.Reason, "15") {
			t.Errorf("reason does not say where the chain ends: %q", prob.Reason)
		}
		// New entries sealed over the cut do not hide it.
		auditEntries(t, st, 30)
		_, prob, err = st.VerifyAudit(ctx, cp)
		if err != nil || prob == nil || prob.Kind != store.AuditTruncated || prob.Seq != 40 {
			t.Fatalf("truncation hidden by new entries: %+v %v", prob, err)
		}
	})
}

// Editing an entry and recomputing every hash after it gives a chain that
// is intact in itself; the checkpoint's hash shows the rewriting.
func TestAuditCheckpointDetectsRewriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		auditEntries(t, st, 20)
		early := head(t, st, time.Now())
		auditEntries(t, st, 10)
		cp := head(t, st, time.Now())
		raw := rawDB(t, d, u)
		disableAuditGuard(t, d, raw)
		// Rewrite entry 25 and re-chain 25..30.
		entries, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		byPos := map[int64]domain.AuditEntry{}
		for _, e := range entries {
			byPos[e.Pos] = e
		}
		prev := byPos[24].Hash
		for p := int64(25); p <= 30; p++ {
			e := byPos[p]
			if p == 25 {
				e.Detail = "nothing to see"
			}
			e.PrevHash = prev
			e.Hash = store.AuditHash(e)
			prev = e.Hash
			if _, err := raw.Exec(`UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE pos = $4`,
				e.Detail, e.PrevHash, e.Hash, p); err != nil {
				t.Fatal(err)
			}
		}
		if _, prob, err := st.VerifyAudit(ctx); err != nil || prob != nil {
			t.Fatalf("the chain alone should look intact after re-chaining: %+v %v", prob, err)
		}
		if _, prob, err := st.VerifyAudit(ctx, early); err != nil || prob != nil {
			t.Fatalf("a checkpoint before the rewritten part still holds: %+v %v", prob, err)
		}
		_, prob, err := st.VerifyAudit(ctx, early, cp)
		if err != nil || prob == nil || prob.Kind != store.AuditRewritten || prob.Seq != 30 {
			t.Fatalf("rewriting not named: %+v %v", prob, err)
		}
	})
}

// Entries are written pending and sealed in order afterwards; the sealer
// leaves no gap and verify seals what is pending before it checks.
func TestAuditSealer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		for i := 0; i < 3; i++ {
			if err := st.Audit(ctx, sys(), "test.event", "", "", "", ""); err != nil {
				t.Fatal(err)
			}
		}
		es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{})
		if err != nil || len(es) != 3 {
			t.Fatalf("pending entries not listed: %v %v", es, err)
		}
		for _, e := range es {
			if e.Pos != 0 || e.Hash != "" {
				t.Fatalf("entry sealed before the sealer ran: %+v", e)
			}
		}
		// A pending entry cannot be edited, only sealed.
		raw := rawDB(t, d, u)
		if _, err := raw.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = $1`, es[0].Seq); err == nil {
			t.Fatal("a pending entry accepted an edit")
		}
		if n, err := st.SealAudit(ctx); err != nil || n != 3 {
			t.Fatalf("sealed %d, %v; want 3", n, err)
		}
		if n, err := st.SealAudit(ctx); err != nil || n != 0 {
			t.Fatalf("sealed again %d, %v; want 0", n, err)
		}
		if _, err := raw.Exec(`UPDATE audit_log SET pos = 7 WHERE pos = 1`); err == nil {
			t.Fatal("a sealed entry accepted a new position")
		}
		es, _ = st.ListAudit(ctx, sys(), domain.AuditFilter{})
		for i, e := range es {
			if want := int64(3 - i); e.Pos != want || e.Hash == "" {
				t.Fatalf("entry %d: pos %d hash %q, want pos %d", i, e.Pos, e.Hash, want)
			}
		}
		st.Audit(ctx, sys(), "test.event", "", "", "", "")
		if n, prob, err := st.VerifyAudit(ctx); err != nil || prob != nil || n != 4 {
			t.Fatalf("verify did not seal the pending entry first: n=%d %+v %v", n, prob, err)
		}
	})
}

// On PostgreSQL numbers from a sequence can commit out of order: an entry
// whose transaction commits after a later-numbered one is still sealed
// (after it), and none is skipped.
func TestAuditSealerOutOfOrderCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		if d != store.Postgres {
			t.Skip("SQLite has one writer: transactions commit in the order they write")
		}
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		raw := rawDB(t, d, u)
		slow, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Rollback()
		var slowSeq int64
		if err := slow.QueryRow(`INSERT INTO audit_log (at, actor, action, prev_hash, hash)
			VALUES (CURRENT_TIMESTAMP, 'slow', 'test.slow', '', '') RETURNING seq`).Scan(&slowSeq); err != nil {
			t.Fatal(err)
		}
		if err := st.Audit(ctx, sys(), "test.fast", "", "", "", ""); err != nil {
			t.Fatal(err)
		}
		if n, err := st.SealAudit(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d, %v; want the one committed entry", n, err)
		}
		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		if n, prob, err := st.VerifyAudit(ctx); err != nil || prob != nil || n != 2 {
			t.Fatalf("late commit: n=%d %+v %v", n, prob, err)
		}
		es, _ := st.ListAudit(ctx, sys(), domain.AuditFilter{})
		for _, e := range es {
			if e.Seq == slowSeq && e.Pos != 2 {
				t.Fatalf("late entry at pos %d, want 2", e.Pos)
			}
		}
	})
}

// Audit entries written on their own share commits under load (one
// commit each would cap reads of personal data at the database's commit
// rate), yet each caller returns only once its own entry has committed,
// and one entry that cannot be written fails alone.
func TestAuditConcurrentCallsShareCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		raw := rawDB(t, d, u)
		hold := func() func() { return holdAuditLog(t, d, raw) }
		// run makes the calls (the first alone, then the others while it
		// waits) and returns each call's error.
		run := func(details []string) []error {
			release := hold()
			errs := make([]error, len(details))
			var wg sync.WaitGroup
			call := func(i int) {
				defer wg.Done()
				errs[i] = st.Audit(ctx, sys(), "test.batch", "thing", "obj-"+strconv.Itoa(i), "61.07", details[i])
			}
			wg.Add(len(details))
			go call(0)
			time.Sleep(100 * time.Millisecond)
			for i := 1; i < len(details); i++ {
				go call(i)
			}
			time.Sleep(200 * time.Millisecond)
			release()
			wg.Wait()
			return errs
		}
		details := make([]string, 31)
		for _, err := range run(details) {
			if err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "test.batch", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			seen[e.ObjectID]++
		}
		for i := range details {
			if n := seen["obj-"+strconv.Itoa(i)]; n != 1 {
				t.Errorf("entry %d written %d times", i, n)
			}
		}
		if d == store.SQLite {
			return // SQLite takes any bytes; the commit count is PostgreSQL's xmin below
		}
		var commits int
		if err := raw.QueryRow(`SELECT COUNT(DISTINCT xmin::text) FROM audit_log WHERE action = 'test.batch'`).Scan(&commits); err != nil {
			t.Fatal(err)
		}
		if commits > 8 { // four lanes on PostgreSQL: a first entry, then the rest, in each
			t.Errorf("31 concurrent entries took %d commits", commits)
		}
		// PostgreSQL refuses invalid UTF-8: that entry fails, the ones
		// that were to share its commit do not.
		details = make([]string, 10)
		details[5] = "bad \xff byte"
		errs := run(details)
		for i, err := range errs {
			if (err != nil) != (i == 5) {
				t.Errorf("entry %d: %v", i, err)
			}
		}
		if n, prob, err := st.VerifyAudit(ctx); err != nil || prob != nil || n != 31+9 {
			t.Errorf("verify: %d entries, %+v, %v; want 40", n, prob, err)
		}
	})
}

// holdAuditLog keeps every write to audit_log waiting until the returned
// func is called.
func holdAuditLog(t *testing.T, d store.Dialect, raw *sql.DB) func() {
	t.Helper()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := `BEGIN IMMEDIATE`
	if d == store.Postgres {
		lock = `BEGIN; LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE`
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			t.Error(err)
		}
		conn.Close()
	}
}

// Writes sharing a transaction (InSharedTx) each see their own store's
// clock, and one that fails fails alone, with its own error, while the
// others commit.
func TestSharedTxOwnClockOwnFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		raw := rawDB(t, d, u)
		errBad := errors.New("this write is refused")
		base := time.Date(2031, 3, 1, 8, 0, 0, 0, time.UTC)
		release := holdAuditLog(t, d, raw)
		const n = 12
		errs := make([]error, n)
		seen := make([]time.Time, n)
		var wg sync.WaitGroup
		call := func(i int) {
			defer wg.Done()
			at := base.Add(time.Duration(i) * time.Hour)
			own := st.WithClock(func() time.Time { return at })
			errs[i] = own.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				seen[i] = tx.Now()
				if err := tx.Audit(ctx, sys(), "test.shared", "thing", "obj-"+strconv.Itoa(i), "61.07", ""); err != nil {
					return err
				}
				if i == 7 {
					return errBad
				}
				return nil
			})
		}
		wg.Add(n)
		go call(0)
		time.Sleep(100 * time.Millisecond)
		for i := 1; i < n; i++ {
			go call(i)
		}
		time.Sleep(200 * time.Millisecond)
		release()
		wg.Wait()
		for i, err := range errs {
			if i == 7 {
				if !errors.Is(err, errBad) {
					t.Errorf("write 7: %v, want its own error", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			if want := base.Add(time.Duration(i) * time.Hour); !seen[i].Equal(want) {
				t.Errorf("write %d ran at %s, want its own clock's %s", i, seen[i], want)
			}
		}
		es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "test.shared", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]time.Time{}
		for _, e := range es {
			got[e.ObjectID] = e.At
		}
		for i := range n {
			at, ok := got["obj-"+strconv.Itoa(i)]
			if ok != (i != 7) {
				t.Errorf("entry %d stored: %v", i, ok)
			}
			if ok && !at.Equal(base.Add(time.Duration(i)*time.Hour)) {
				t.Errorf("entry %d at %s", i, at)
			}
		}
	})
}

// A write of one statement (Committer.DoOneKey, Store.Audit) that has no
// other write to share its commit with runs by itself, without BEGIN and
// COMMIT: it is committed when the call returns, and when it fails it
// changes nothing. Writes that arrive together still share transactions
// and each is applied once.
func TestOneStatementWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		raw := rawDB(t, d, u)
		if _, err := raw.Exec(`CREATE TABLE one_writes (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO one_writes (id, n) VALUES ('a', 0)`); err != nil {
			t.Fatal(err)
		}
		c := &store.Committer{Store: st}
		add := func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE one_writes SET n = n + 1 WHERE id = 'a'`)
			return err
		}
		n := func() int {
			var n int
			if err := raw.QueryRow(`SELECT n FROM one_writes WHERE id = 'a'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := c.DoOneKey(ctx, "a", add); err != nil {
			t.Fatal(err)
		}
		if got := n(); got != 1 { // read on another connection: committed
			t.Fatalf("after one write n = %d, want 1", got)
		}
		err := c.DoOneKey(ctx, "a", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE one_writes SET n = NULL WHERE id = 'a'`)
			return err
		})
		if err == nil {
			t.Fatal("a write that breaks NOT NULL succeeded")
		}
		if got := n(); got != 1 {
			t.Fatalf("after a failed write n = %d, want 1", got)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 20; i++ {
			wg.Add(2)
			go func() { defer wg.Done(); errs <- c.DoOneKey(ctx, "a", add) }()
			go func() {
				defer wg.Done()
				errs <- st.Audit(ctx, sys(), "test.one", "thing", "obj-"+strconv.Itoa(i), "61.07", "")
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := n(); got != 21 {
			t.Fatalf("after 20 more writes n = %d, want 21", got)
		}
		es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "test.one", Limit: 100})
		if err != nil || len(es) != 20 {
			t.Fatalf("%d audit entries, %v; want 20", len(es), err)
		}
		if d == store.Postgres {
			// PostgreSQL refuses invalid UTF-8: a lone entry that cannot be
			// written returns the error and leaves nothing.
			if err := st.Audit(ctx, sys(), "test.one.bad", "thing", "x", "61.07", "bad \xff byte"); err == nil {
				t.Fatal("an entry with invalid UTF-8 was accepted")
			}
			if es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Action: "test.one.bad", Limit: 10}); err != nil || len(es) != 0 {
				t.Fatalf("the failed entry left %d entries, %v", len(es), err)
			}
		}
	})
}
