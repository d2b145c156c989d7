package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Prepared reads on SQLite. Preparing a statement (parsing and planning
// its SQL) took about a third of lindu's CPU when reading a case record
// (fifteen short queries, each prepared anew by the driver). The read
// pool keeps each statement it has seen prepared, on each connection as
// it is used (database/sql does that); PostgreSQL's driver (pgx) keeps
// its own cache per connection, so there reads go straight through.
//
// Writes go through the single writer connection, which a transaction
// holds: a statement seen for the first time in a transaction runs
// unprepared and is prepared on the writer between transactions by a
// goroutine of its own; later transactions use it (Tx.StmtContext finds
// it prepared on their connection).
//
// The cache holds at most maxCachedStmts statements: SQL built with a
// varying shape (a list of placeholders of varying length) beyond that
// runs unprepared, as before. SQLite prepares a statement again by itself
// when the schema changed under it.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // being prepared for transactions
}

func newStmtCache() *stmtCache {
	return &stmtCache{m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

const maxCachedStmts = 512

// stmt is the prepared statement of q on db, or nil when it is not (to
// be) cached or cannot be prepared (the plain query then reports why).
func (c *stmtCache) stmt(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st, ok := c.m[q]
	full := c.m == nil || len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := db.PrepareContext(context.WithoutCancel(ctx), sqliteSQL(q))
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.m[q]; ok { // prepared meanwhile by another caller
		_ = st.Close()
		return have
	}
	if c.m == nil || len(c.m) >= maxCachedStmts {
		_ = st.Close()
		return nil
	}
	c.m[q] = st
	return st
}

// inTx is q's prepared statement for tx (whose database is db), or nil
// (not prepared yet: it will be, by a goroutine waiting for db's
// connection after tx; or not to be cached).
func (c *stmtCache) inTx(ctx context.Context, tx *sql.Tx, db *sql.DB, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st, ok := c.m[q]
	if !ok && !c.pending[q] && len(c.m)+len(c.pending) < maxCachedStmts {
		c.pending[q] = true
		go c.prepare(db, q)
	}
	c.mu.Unlock()
	if st == nil {
		return nil
	}
	return tx.StmtContext(ctx, st)
}

// prepare prepares q on db for later transactions.
func (c *stmtCache) prepare(db *sql.DB, q string) {
	st, err := db.PrepareContext(context.Background(), sqliteSQL(q))
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, q)
	if err != nil {
		return
	}
	if c.m == nil { // closed meanwhile
		_ = st.Close()
		return
	}
	c.m[q] = st
}

// close closes the cached statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m = nil
}

// txExec runs q in tx, prepared once on SQLite.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if tx == nil { // a Tx of a one-statement write (Committer.DoOneKey): by itself
		return s.execAlone(ctx, q, args...)
	}
	if st := s.wstmts.inTx(ctx, tx, s.w, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, s.sql(q), args...)
}

// txQuery runs the query q in tx, prepared once on SQLite.
func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if tx == nil { // a Tx of Committer.DoOneKey: one statement by itself
		return s.w.QueryContext(ctx, s.sql(q), args...)
	}
	if st := s.wstmts.inTx(ctx, tx, s.w, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, s.sql(q), args...)
}

// txQueryRow runs the one-row query q in tx, prepared once on SQLite.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if tx == nil { // a Tx of Committer.DoOneKey: one statement by itself
		return s.w.QueryRowContext(ctx, s.sql(q), args...)
	}
	if st := s.wstmts.inTx(ctx, tx, s.w, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, s.sql(q), args...)
}

// execAlone runs the statement q as a transaction of its own (autocommit)
// on the writer, prepared once on SQLite, again while SQLite reports the
// database busy (another process's write), as Store.tx does.
func (s *Store) execAlone(ctx context.Context, q string, args ...any) (sql.Result, error) {
	for attempt := 0; ; attempt++ {
		var res sql.Result
		var err error
		if st := s.wstmts.stmt(ctx, s.w, q); st != nil {
			res, err = st.ExecContext(ctx, args...)
		} else {
			res, err = s.w.ExecContext(ctx, s.sql(q), args...)
		}
		if err == nil || !isBusy(err) || attempt == 4 {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
}
