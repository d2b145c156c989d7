package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The blind name index: names are sealed, so SQL cannot search them.
// Instead each name is cut into normalised tokens ("Siti Rahmawati" →
// "siti", "rahmawati"), and the index keeps a keyed hash (HMAC under the
// active key) of every token and of every token prefix from
// minPrefix letters on, in name_tokens. A query is cut the same way; a
// row matches when every query token's hash is among its rows. The hashes
// say nothing without the key; they do reveal that two rows share a
// token, which is why only staff who may search names can query them.

// NameSource is a sealed column whose names are indexed.
type NameSource struct {
	Table, Column, Field string
}

// Name sources: a case's children (victims) and the reporters of reports.
var (
	NamesVictims  = NameSource{"victims", "name_enc", FieldVictimName}
	NamesReporter = NameSource{"reports", "reporter_name_enc", FieldReportReporter}
	nameSources   = []NameSource{NamesVictims, NamesReporter}
)

const (
	hashNameToken = "name_token" // the lookup-hash field of index entries
	minPrefix     = 3            // shortest prefix indexed ("sit" finds "siti")
	maxPrefix     = 20           // longer tokens are indexed (and queried) up to this many letters
	minToken      = 2            // shorter tokens are ignored ("A.", initials)
)

// NameTokens cuts a name into its search tokens: lower case, without
// diacritics, split on anything that is not a letter or digit, tokens
// shorter than minToken dropped, each once.
func NameTokens(name string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining mark: é → e
		}
		b.WriteRune(unicode.ToLower(r))
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.FieldsFunc(b.String(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(t)) >= minToken && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// indexEntries are the plaintext entries of one name: "w:" + each whole
// token, "p:" + each prefix of minPrefix..maxPrefix letters.
func indexEntries(name string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(e string) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for _, t := range NameTokens(name) {
		r := []rune(t)
		add("w:" + t)
		for n := minPrefix; n <= len(r) && n <= maxPrefix; n++ {
			add("p:" + string(r[:n]))
		}
	}
	return out
}

// NameQuery is the hashes a name query must all match, one per query token
// (a prefix hash for tokens of minPrefix letters or more, else the whole
// token); nil when the query has no token.
func (s *Store) NameQuery(q string) []string {
	var out []string
	for _, t := range NameTokens(q) {
		r := []rune(t)
		e := "w:" + t
		if len(r) >= minPrefix {
			e = "p:" + string(r[:min(len(r), maxPrefix)])
		}
		out = append(out, s.box.Hash(hashNameToken, e))
	}
	return out
}

// IndexNames replaces the index entries of row rowID of src with those of
// name (its plaintext). An empty name, or one without tokens, leaves one
// empty entry: the row is indexed and finds nothing.
func (t *Tx) IndexNames(ctx context.Context, src NameSource, rowID, name string) error {
	if err := t.DropNames(ctx, src, rowID); err != nil {
		return err
	}
	q, args := t.nameEntries(src, rowID, name)
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: index names: %w", err)
	}
	return nil
}

// nameEntries is the one INSERT of the index entries of row rowID of src
// for name: one entry per token, or one empty entry.
func (t *Tx) nameEntries(src NameSource, rowID, name string) (string, []any) {
	kid := t.st.box.ActiveKeyID()
	entries := indexEntries(name)
	if len(entries) == 0 {
		entries = []string{""}
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO name_tokens (source, row_id, token, key_id) VALUES `)
	args := make([]any, 0, 4*len(entries))
	for i, e := range entries {
		h := ""
		if e != "" {
			h = t.st.box.Hash(hashNameToken, e)
		}
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4)
		args = append(args, src.Table, rowID, h, kid)
	}
	return q.String(), args
}

// IndexNewNames is IndexNames for a row inserted in this transaction,
// which has no entries yet: its entries are one kept insert (ExecLater),
// sent with the row's own, so that a named public report is still one
// statement (InSharedTx).
func (t *Tx) IndexNewNames(ctx context.Context, src NameSource, rowID, name string) error {
	q, args := t.nameEntries(src, rowID, name)
	if err := t.ExecLater(ctx, q, args...); err != nil {
		return fmt.Errorf("store: index names: %w", err)
	}
	return nil
}

// DropNames removes a row's index entries (the row is gone).
func (t *Tx) DropNames(ctx context.Context, src NameSource, rowID string) error {
	if _, err := t.ExecContext(ctx, `DELETE FROM name_tokens WHERE source = $1 AND row_id = $2`, src.Table, rowID); err != nil {
		return fmt.Errorf("store: index names: %w", err)
	}
	return nil
}

// nameRow is a row whose index entries are missing or made with an old key.
type nameRow struct{ id, ct string }

// IndexMissingNames indexes every row of the name sources that has a name
// and no index entry, or entries made with a key other than the active
// one, in batches of rotateBatch rows, one transaction each. It runs on
// every start (after the migrations: rows written before the index
// existed, or by an older version sharing the database) and after key
// rotation. It returns the number of rows indexed.
func (s *Store) IndexMissingNames(ctx context.Context) (int, error) {
	total := 0
	for _, src := range nameSources {
		after := ""
		for {
			rows, err := Rows(ctx, s, func(rs *sql.Rows) (nameRow, error) {
				var r nameRow
				return r, rs.Scan(&r.id, &r.ct)
			}, `SELECT x.id, x.`+src.Column+` FROM `+src.Table+` x WHERE x.id > $1
				AND ((x.`+src.Column+` <> '' AND NOT EXISTS (SELECT 1 FROM name_tokens t WHERE t.source = $2 AND t.row_id = x.id))
				OR EXISTS (SELECT 1 FROM name_tokens t WHERE t.source = $2 AND t.row_id = x.id AND t.key_id <> $3))
				ORDER BY x.id LIMIT $4`, after, src.Table, s.box.ActiveKeyID(), rotateBatch)
			if err != nil {
				return total, fmt.Errorf("store: index names of %s: %w", src.Table, err)
			}
			if len(rows) == 0 {
				break
			}
			err = s.InTx(ctx, func(tx *Tx) error {
				for _, r := range rows {
					name, err := s.Open(src.Field, r.ct)
					if err != nil {
						return err
					}
					if err := tx.IndexNames(ctx, src, r.id, name); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
			total += len(rows)
			after = rows[len(rows)-1].id
		}
	}
	return total, nil
}

// staleNames counts, per source, rows whose index entries were made with a
// key other than the active one.
func (s *Store) staleNames(ctx context.Context, d *KeyDependents) error {
	for _, src := range nameSources {
		var n int
		if err := s.QueryRowContext(ctx, `SELECT COUNT(DISTINCT row_id) FROM name_tokens WHERE source = $1 AND key_id <> $2`,
			src.Table, s.box.ActiveKeyID()).Scan(&n); err != nil {
			return fmt.Errorf("store: key dependents: %w", err)
		}
		if n > 0 {
			d.Hashes["name_tokens."+src.Table] = n
		}
	}
	return nil
}
