package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL copies are reused. CREATE DATABASE … TEMPLATE cost about a
// second of PostgreSQL's CPU for the template's 750 relations (catalogs
// included), and the test command made about 220 copies a run: a fifth
// of the CPU of a run that is CPU-bound. So a test's copy is not dropped
// when the test ends: it is reset to the template's state and handed to
// the process's next test that asks for the same template.
//
// A reset changes only what the test changed. One query reads every
// table's row count and hash of its rows, every sequence and a
// fingerprint of the schema. Tables that differ from the template are
// emptied (DELETE, children before parents; TRUNCATE for a table whose
// trigger refuses DELETE, as the audit log's does), the template's rows
// of those tables are put back (COPY, kept in memory since the template
// was read) and the sequences set back. The reset is checked, not
// trusted: it repeats until the same query reads exactly the template's
// state, or it gives up and the copy is dropped as before (a test that
// changed the schema, say). A copy another connection still uses after
// the test is dropped as well. Copies are shared between the processes
// of a run (pgshare.go).

// pgSnapshot is what a template database holds, as a reset needs it.
type pgSnapshot struct {
	check  string          // the query: one row (key, n, sum) per table, sequence and the schema
	want   map[string]pair // its result on the template
	tables []*pgTable      // parents before children
	byName map[string]*pgTable
}

type pair struct{ n, sum int64 }

// pgTable is one table of the template.
type pgTable struct {
	name     string
	quoted   string
	rows     []byte   // the template's rows, COPY text format (nil: none)
	truncate bool     // a trigger refuses DELETE: emptied by TRUNCATE
	refBy    []string // tables with a foreign key to this one
}

// schemaFingerprint hashes what defines the schema of the database's
// public schema (and which schemas and extensions exist).
const schemaFingerprint = `SELECT 'schema', count(*)::int8, coalesce(sum(hashtext(d)::int8), 0)::int8 FROM (
	SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS d FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
	UNION ALL SELECT 'col ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
		|| ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
		WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = 'public'::regnamespace
	UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
	UNION ALL SELECT 'trg ' || t.tgrelid::regclass::text || ' ' || t.tgname || ' ' || t.tgenabled::text
		FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
	UNION ALL SELECT 'fn ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
	UNION ALL SELECT 'view ' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname = 'public'
	UNION ALL SELECT 'ns ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
	UNION ALL SELECT 'ext ' || extname FROM pg_extension
	UNION ALL SELECT 'set ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
		WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) s`

// snapshotPG reads the template database at url.
func snapshotPG(ctx context.Context, url string) (*pgSnapshot, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close(ctx) }()
	s := &pgSnapshot{byName: map[string]*pgTable{}}
	rows, err := conn.Query(ctx, `SELECT c.relname, quote_ident(c.relname),
			EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
				AND t.tgtype & 10 = 10) -- BEFORE (2) and DELETE (8)
		FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	var all []*pgTable
	for rows.Next() {
		tb := &pgTable{}
		if err := rows.Scan(&tb.name, &tb.quoted, &tb.truncate); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, tb)
		s.byName[tb.name] = tb
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Foreign keys: child -> parents.
	parents := map[string][]string{}
	rows, err = conn.Query(ctx, `SELECT DISTINCT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = 'public'::regnamespace`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		child, parent = strings.Trim(child, `"`), strings.Trim(parent, `"`)
		if child == parent || s.byName[child] == nil || s.byName[parent] == nil {
			continue
		}
		parents[child] = append(parents[child], parent)
		s.byName[parent].refBy = append(s.byName[parent].refBy, child)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.tables = parentsFirst(all, parents)

	var q strings.Builder
	for i, tb := range all {
		if i > 0 {
			q.WriteString("\nUNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT 't %s', count(*)::int8, coalesce(sum(hashtext(x::text)::int8), 0)::int8 FROM %s x", tb.name, tb.quoted)
	}
	rows, err = conn.Query(ctx, `SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' ORDER BY relname`)
	if err != nil {
		return nil, err
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, name := range seqs {
		fmt.Fprintf(&q, "\nUNION ALL SELECT 's %s', last_value, is_called::int::int8 FROM %s", name, name)
	}
	s.check = q.String()
	if s.want, err = s.read(ctx, conn, true); err != nil {
		return nil, err
	}
	for _, tb := range all {
		if s.want["t "+tb.name].n == 0 {
			continue
		}
		var buf bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &buf, "COPY "+tb.quoted+" TO STDOUT"); err != nil {
			return nil, err
		}
		tb.rows = buf.Bytes()
	}
	return s, nil
}

// parentsFirst orders tables so that a table comes after those its
// foreign keys refer to (a cycle's tables keep their name order).
func parentsFirst(all []*pgTable, parents map[string][]string) []*pgTable {
	done := map[string]bool{}
	var out []*pgTable
	for len(out) < len(all) {
		progress := false
		for _, tb := range all {
			if done[tb.name] {
				continue
			}
			ready := true
			for _, p := range parents[tb.name] {
				if !done[p] {
					ready = false
					break
				}
			}
			if ready {
				done[tb.name], progress = true, true
				out = append(out, tb)
			}
		}
		if !progress { // a cycle: take the first remaining table
			for _, tb := range all {
				if !done[tb.name] {
					done[tb.name] = true
					out = append(out, tb)
					break
				}
			}
		}
	}
	return out
}

// read runs the check query, with the schema's fingerprint (about two
// thirds of its time) when schema is set.
func (s *pgSnapshot) read(ctx context.Context, conn *pgx.Conn, schema bool) (map[string]pair, error) {
	q := s.check
	if schema {
		q = schemaFingerprint + "\nUNION ALL " + q
	}
	rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[string]pair{}
	for rows.Next() {
		var k string
		var p pair
		if err := rows.Scan(&k, &p.n, &p.sum); err != nil {
			return nil, err
		}
		got[k] = p
	}
	return got, rows.Err()
}

// reset brings the database at url back to the template's state, or
// reports why it cannot.
func (s *pgSnapshot) reset(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	// Connections the test left open (a store it did not close) end now:
	// they would otherwise hold locks, or write into the next test's data.
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		return err
	}
	for pass := 0; ; pass++ {
		// A reset changes rows, never the schema: it is read once.
		got, err := s.read(ctx, conn, pass == 0)
		if err != nil {
			return err
		}
		if pass == 0 && got["schema"] != s.want["schema"] {
			return errors.New("the schema differs from the template's")
		}
		dirty, seqs := s.diff(got)
		if len(dirty) == 0 && len(seqs) == 0 {
			break
		}
		if pass == 3 {
			return fmt.Errorf("still differs from the template after %d passes: tables %v, sequences %v", pass, dirty, seqs)
		}
		if err := s.restore(ctx, conn, dirty, seqs); err != nil {
			return err
		}
	}
	// The terminated connections are gone before the copy is handed on.
	for wait := 0; ; wait++ {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if wait == 50 {
			return fmt.Errorf("%d other connections still open", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// diff lists the tables and sequences whose state got differs from the
// template's.
func (s *pgSnapshot) diff(got map[string]pair) (tables, seqs []string) {
	for k, want := range s.want {
		if k == "schema" || got[k] == want {
			continue
		}
		if name, ok := strings.CutPrefix(k, "t "); ok {
			tables = append(tables, name)
		} else if name, ok := strings.CutPrefix(k, "s "); ok {
			seqs = append(seqs, name)
		}
	}
	slices.Sort(tables)
	slices.Sort(seqs)
	return tables, seqs
}

// reach marks table name in seen and, through the tables that refer to
// it, every table follow leads to.
func (s *pgSnapshot) reach(seen map[string]bool, name string, follow func(tb *pgTable, child string) bool) {
	if seen[name] {
		return
	}
	seen[name] = true
	tb := s.byName[name]
	for _, child := range tb.refBy {
		if follow(tb, child) {
			s.reach(seen, child, follow)
		}
	}
}

// restore empties the dirty tables (and those whose rows refer to a
// table being refilled, or to one being truncated), puts the template's
// rows back and sets the sequences back, in one transaction.
func (s *pgSnapshot) restore(ctx context.Context, conn *pgx.Conn, dirty, seqs []string) error {
	// Emptied with a table: a child with rows of the template's, which
	// refer to rows that go away, and every table that refers to a
	// truncated one.
	empty := map[string]bool{}
	refill := func(tb *pgTable, child string) bool {
		return tb.truncate || tb.rows != nil || s.byName[child].rows != nil
	}
	for _, name := range dirty {
		if s.byName[name] == nil {
			return fmt.Errorf("unknown table %q", name)
		}
		s.reach(empty, name, refill)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// TRUNCATE takes, with a table, every table that refers to it.
	truncated := map[string]bool{}
	all := func(*pgTable, string) bool { return true }
	for name := range empty {
		if s.byName[name].truncate {
			s.reach(truncated, name, all)
		}
	}
	var trunc []string
	for _, tb := range s.tables {
		if truncated[tb.name] {
			trunc = append(trunc, tb.quoted)
		}
	}
	if len(trunc) > 0 {
		if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(trunc, ", ")); err != nil {
			return err
		}
	}
	for i := len(s.tables) - 1; i >= 0; i-- { // children first
		tb := s.tables[i]
		if empty[tb.name] && !truncated[tb.name] {
			if _, err := tx.Exec(ctx, "DELETE FROM "+tb.quoted); err != nil {
				return fmt.Errorf("empty %s: %w", tb.name, err)
			}
		}
	}
	for _, tb := range s.tables { // parents first
		if (empty[tb.name] || truncated[tb.name]) && tb.rows != nil {
			if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(tb.rows), "COPY "+tb.quoted+" FROM STDIN"); err != nil {
				return fmt.Errorf("refill %s: %w", tb.name, err)
			}
		}
	}
	for _, name := range seqs {
		w := s.want["s "+name]
		if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, $2, $3)`, name, w.n, w.sum == 1); err != nil {
			return fmt.Errorf("set back %s: %w", name, err)
		}
	}
	return tx.Commit(ctx)
}
