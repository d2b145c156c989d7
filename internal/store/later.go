package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Inserts sent together. On PostgreSQL every statement of a transaction is
// a round trip to the server, and a public report's transaction is mostly
// inserts whose outcome nobody reads back (the report, its deadline and
// escalation steps, its audit entry, the reply in the outbox, the message's
// row): each costs the server and lindu a network write and read. ExecLater
// keeps such inserts and sends them with the transaction's next statement
// or before its commit, several as one statement:
//
//	WITH w0 AS (INSERT ...), w1 AS (INSERT ...) INSERT ...
//
// PostgreSQL runs every data-modifying statement of a WITH exactly once and
// checks foreign keys at the end of the statement, so a row may refer to
// one inserted beside it. What such a statement cannot do is read a row
// inserted beside it (they share one snapshot): an insert that selects
// from a table another pending insert writes must not be deferred. An
// UPDATE may be kept too, of a row that existed before (one inserted
// beside it is not there for it) and that no other kept statement writes
// (PostgreSQL applies only one of two changes to a row in a statement).

// pending is a statement ExecLater keeps until the transaction's next one.
type pending struct {
	q    string
	args []any
}

// maxPending is how many inserts are kept before they are sent anyway.
const maxPending = 32

// ExecLater runs an INSERT or UPDATE whose outcome the caller does not
// need: on PostgreSQL it is sent with the transaction's next statement or
// before its commit, together with the other statements kept meanwhile, in one
// statement (see above); elsewhere (SQLite in the process; a Tx without a
// transaction) it runs at once. An error it causes (a unique violation)
// is the error of that next statement, or of the commit: the transaction
// fails with it, as InTx returns it. q must be one INSERT or UPDATE (no
// WITH of its own) that reads no row written by another statement still
// kept; an UPDATE must change only rows that existed before and that no
// other kept statement writes (see above). The transaction's reads see
// its changes, as they would have.
func (t *Tx) ExecLater(ctx context.Context, q string, args ...any) error {
	if q := strings.TrimSpace(q); !strings.HasPrefix(q, "INSERT") && !strings.HasPrefix(q, "UPDATE") {
		return fmt.Errorf("store: ExecLater takes an INSERT or an UPDATE, not %.30q", q)
	}
	if !t.single && (t.tx == nil || t.st.dialect != Postgres) {
		_, err := t.ExecContext(ctx, q, args...)
		return err
	}
	if t.failed != nil {
		return t.failed
	}
	t.pending = append(t.pending, pending{q: q, args: args})
	if len(t.pending) >= maxPending {
		if t.wantsTx() { // more than one statement holds
			return errNeedsTx
		}
		return t.flush(ctx)
	}
	return nil
}

// flush sends the inserts ExecLater kept, as one statement. Its failure is
// kept as the transaction's (failed): the transaction is aborted, and its
// later statements fail for that reason.
func (t *Tx) flush(ctx context.Context) error {
	if t.failed != nil {
		return t.failed
	}
	if len(t.pending) == 0 {
		return nil
	}
	q, args := combine(t.pending)
	t.pending = nil
	if _, err := t.st.txExec(ctx, t.tx, q, args...); err != nil {
		t.failed = fmt.Errorf("store: kept inserts: %w", err)
		return t.failed
	}
	return nil
}

// finish ends the work of fn on t, which returned err: the kept inserts
// are sent when fn succeeded, and when they failed (now or earlier) theirs
// is the error, since fn only saw the aborted transaction after that.
func (t *Tx) finish(ctx context.Context, err error) error {
	if err == nil {
		err = t.flush(ctx)
	}
	if t.failed != nil {
		return t.failed
	}
	return err
}

// combine makes one statement of several inserts: all but the last as
// data-modifying WITH queries, their parameters renumbered after those of
// the ones before.
func combine(ps []pending) (string, []any) {
	if len(ps) == 1 {
		return ps[0].q, ps[0].args
	}
	var b strings.Builder
	var args []any
	b.WriteString("WITH ")
	for i, p := range ps[:len(ps)-1] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("w" + strconv.Itoa(i) + " AS (")
		b.WriteString(shiftParams(strings.TrimSpace(p.q), len(args)))
		b.WriteString("\n)") // on a line of its own: q may end in a comment
		args = append(args, p.args...)
	}
	last := ps[len(ps)-1]
	b.WriteString(" ")
	b.WriteString(shiftParams(strings.TrimSpace(last.q), len(args)))
	return b.String(), append(args, last.args...)
}

// shiftParams adds by to the number of every $n parameter of q, leaving
// string literals, quoted names and comments as they are.
func shiftParams(q string, by int) string {
	if by == 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // a doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(q))
			b.WriteString(q[i:j])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(q[i+1 : j]) // digits only
			b.WriteString("$" + strconv.Itoa(n+by))
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
