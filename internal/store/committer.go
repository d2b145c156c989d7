package store

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"
)

// Committer writes small records for concurrent callers in shared
// transactions (group commit): that a gateway accepted a message, each
// delivery report, the channel log entry of each exchange, the audit entry
// of each read of personal data (Audit). Each caller waits until its own
// write is committed, and one commit serves every write that arrived
// while the one before was being made. On SQLite's single writer and PostgreSQL's flush per commit this
// is what lets many senders, delivery callbacks and readers go at once; nothing is
// answered or counted before it is durable.
//
// Writes go in lanes, one transaction at a time in each: one lane on
// SQLite (one writer), four on PostgreSQL, where a transaction's
// statements wait for the network one by one. The writes about one
// message (DoKey with its id) always take the same lane, so transactions
// of two lanes never wait for each other's rows.
//
// A write that fails does not fail the others: the shared transaction is
// rolled back and each of its writes runs again in a transaction of its
// own. A write may therefore run more than once, always in a transaction
// that is rolled back but for the last. The zero Committer is not usable:
// set Store.
type Committer struct {
	Store *Store
	Max   int // writes in one transaction, default 32
	Lanes int // default 1 on SQLite, 4 on PostgreSQL

	once  sync.Once
	lanes []*lane
	next  atomic.Uint32 // the lane of the next write without a key
}

// lane is a queue of writes committed one transaction at a time.
type lane struct {
	c     *Committer
	mu    sync.Mutex
	queue []*write
	busy  bool // a caller is committing a batch
}

type write struct {
	fn func(context.Context, *Tx) error
	// one says fn is a single statement: when it is its batch's only
	// write it runs on a Tx without a transaction, committing by itself
	// (autocommit), which saves the BEGIN and the COMMIT (two round trips
	// on PostgreSQL).
	one bool
	// kept says fn's writes are mostly kept statements (Tx.ExecLater,
	// Tx.Allow): when it is its batch's only write, on PostgreSQL, it is
	// tried as one statement that commits by itself (Tx.single), which
	// saves the BEGIN, the COMMIT and a round trip for each statement
	// before the last; when fn needs more (a read, a statement run at
	// once) or that statement fails, it runs again in a transaction.
	kept  bool
	st    *Store // whose clock the write's Tx reads (a WithClock copy); nil: the Committer's
	err   error
	done  chan bool   // false: written (err says how); true: commit the next batch
	later func(error) // a write no caller waits for (Later): told how it went
}

// commitTimeout bounds one shared transaction: it serves many callers, so
// none of their contexts may cancel it.
const commitTimeout = 15 * time.Second

// lane is the lane of key, or the next one in turn when key is "".
func (c *Committer) lane(key string) *lane {
	c.once.Do(func() {
		n := c.Lanes
		if n <= 0 {
			n = 1
			if c.Store.dialect == Postgres {
				n = 4
			}
		}
		for range n {
			c.lanes = append(c.lanes, &lane{c: c})
		}
	})
	if key == "" {
		return c.lanes[int(c.next.Add(1))%len(c.lanes)]
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key)) // a hash's Write never fails
	return c.lanes[int(h.Sum32()%uint32(len(c.lanes)))]
}

// Do runs fn in a transaction shared with other callers' writes and
// returns once that transaction committed (nil), or fn's own error, or the
// commit's. It waits for the commit even when ctx ends meanwhile.
func (c *Committer) Do(ctx context.Context, fn func(context.Context, *Tx) error) error {
	return c.DoKey(ctx, "", fn)
}

// DoKey is Do for a write about key (an outbox id): the writes about one
// key are committed in the order they were made.
func (c *Committer) DoKey(ctx context.Context, key string, fn func(context.Context, *Tx) error) error {
	return c.do(ctx, key, nil, fn)
}

// do is DoKey with the write's Tx on st's clock (nil: the Committer's).
func (c *Committer) do(ctx context.Context, key string, st *Store, fn func(context.Context, *Tx) error) error {
	return c.doWrite(ctx, key, &write{fn: fn, st: st})
}

// DoOneKey is DoKey for a write that is exactly one statement (an UPDATE
// of a message's row): when no other write shares its commit, fn runs on a
// Tx without a transaction, its statement committing by itself, which
// saves the BEGIN and the COMMIT. fn must not run a second statement:
// without a transaction the two would not commit together.
func (c *Committer) DoOneKey(ctx context.Context, key string, fn func(context.Context, *Tx) error) error {
	return c.doWrite(ctx, key, &write{fn: fn, one: true})
}

// doWrite queues w and returns once it was committed (or failed).
func (c *Committer) doWrite(ctx context.Context, key string, w *write) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := c.lane(key)
	w.done = make(chan bool, 1)
	l.mu.Lock()
	l.queue = append(l.queue, w)
	lead := !l.busy
	l.busy = true
	l.mu.Unlock()
	if !lead {
		if lead = <-w.done; !lead {
			return w.err
		}
	}
	// This caller commits the next batch; its own write is the first of it.
	l.commitNext()
	<-w.done
	return w.err
}

// Later queues fn for the next shared transaction and returns at once;
// failed, when not nil, is told if fn or its commit failed. For records
// that must never hold up a message (the channel log): one lost in a crash
// before its commit is not missed.
func (c *Committer) Later(fn func(context.Context, *Tx) error, failed func(error)) {
	w := &write{fn: fn, done: make(chan bool, 1), later: failed}
	if w.later == nil {
		w.later = func(error) {}
	}
	l := c.lane("")
	l.mu.Lock()
	l.queue = append(l.queue, w)
	lead := !l.busy
	l.busy = true
	l.mu.Unlock()
	if lead {
		go l.commitNext()
	}
}

// commitNext commits the writes waiting (up to Max), tells each how it
// went and hands the next batch to the first caller still waiting.
func (l *lane) commitNext() {
	max := l.c.Max
	if max <= 0 {
		max = 32
	}
	l.mu.Lock()
	n := min(len(l.queue), max)
	batch := make([]*write, n)
	copy(batch, l.queue)
	l.queue = l.queue[n:]
	l.mu.Unlock()

	l.c.commit(batch)

	l.mu.Lock()
	var next *write
	if len(l.queue) > 0 {
		next = l.queue[0]
	} else {
		l.busy = false
		l.queue = nil
	}
	l.mu.Unlock()
	for _, w := range batch {
		if w.later != nil {
			if w.err != nil {
				w.later(w.err)
			}
			continue
		}
		w.done <- false
	}
	switch {
	case next == nil:
	case next.later != nil:
		go l.commitNext() // nobody waits for it: a goroutine commits it
	default:
		next.done <- true
	}
}

// errOne marks the failure of one write in a shared transaction.
type errOne struct{ err error }

func (e errOne) Error() string { return e.err.Error() }

func (c *Committer) commit(batch []*write) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if w := batch[0]; len(batch) == 1 && w.one {
		st := w.st
		if st == nil {
			st = c.Store
		}
		w.err = w.fn(ctx, &Tx{st: st, now: st.utc()}) // no transaction: see write.one
		return
	}
	if w := batch[0]; len(batch) == 1 && w.kept && c.Store.dialect == Postgres && c.commitKept(ctx, w) {
		return
	}
	err := c.Store.InTx(ctx, func(tx *Tx) error {
		for _, w := range batch {
			t := tx.as(w.st)
			err := t.finish(ctx, w.fn(ctx, t)) // its own kept inserts: a failure is its own
			tx.newWindow = tx.newWindow || t.newWindow
			if err != nil {
				return errOne{err}
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		var one errOne
		if errors.As(err, &one) {
			err = one.err
		}
		for _, w := range batch {
			w.err = err
		}
		return
	}
	// One write failed, or the commit did: each on its own, so a failure
	// is only its own write's.
	for _, w := range batch {
		st := w.st
		if st == nil {
			st = c.Store
		}
		w.err = st.InTx(ctx, func(tx *Tx) error { return w.fn(ctx, tx) })
	}
}

// as is tx as a transaction of st (its clock), for one write of a shared
// transaction; st nil or tx's own store: tx itself.
func (tx *Tx) as(st *Store) *Tx {
	if st == nil || st == tx.st {
		return tx
	}
	return &Tx{tx: tx.tx, st: st, now: st.utc()}
}

// commitKept tries w as one statement without a transaction (write.kept)
// and reports whether that settled it: fn failed before any statement ran
// (its error is w's, as a rolled-back transaction's would be), or the
// statement committed. It did not when fn needed a transaction, or when
// the statement failed, which changed nothing: w then runs in one.
func (c *Committer) commitKept(ctx context.Context, w *write) bool {
	st := w.st
	if st == nil {
		st = c.Store
	}
	t := &Tx{st: st, now: st.utc(), single: true}
	err := t.finish(ctx, w.fn(ctx, t))
	if t.needTx || t.failed != nil {
		return false
	}
	w.err = err
	if err == nil {
		c.Store.keptCommits.Add(1)
		if t.newWindow {
			st.purgeSometimes(ctx)
		}
	}
	return true
}
