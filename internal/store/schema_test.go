package store_test

// Schema parity: the migrations of both dialects must build the same schema.
// The test migrates a fresh SQLite database and (when LINDU_TEST_POSTGRES is
// set) a fresh PostgreSQL schema, reads back what the engines made of them
// and compares, per table: the columns, each column's nullability and type
// family, and the primary and unique keys (by their columns, not their names).
//
// Type families (what a value of the column is in Go, whatever the engine
// calls it):
//
//	family        SQLite declared type              PostgreSQL data_type
//	text          TEXT, *CHAR*, CLOB                text, character varying, character
//	integer       *INT*                             smallint, integer, bigint
//	real-numeric  REAL, FLOA*, DOUB*, NUMERIC,      real, double precision, numeric
//	              DECIMAL
//	boolean       BOOLEAN, BOOL (none used: see     boolean
//	              below)
//	timestamp     TIMESTAMP, DATETIME, DATE         timestamp with(out) time zone, date
//	blob          BLOB                              bytea
//
// SQLite's declared types are read with its affinity rules (a name holding
// INT is an integer, ...) after the names the modernc driver itself treats
// specially (TIMESTAMP, DATETIME and DATE scan into time.Time). SQLite has no
// boolean type: lindu declares its booleans INTEGER (0/1) there, which
// database/sql scans into a bool, so an integer SQLite column matches a
// boolean PostgreSQL one. A primary key column counts as NOT NULL on both:
// SQLite would accept a NULL in a non-INTEGER primary key (a documented
// quirk), PostgreSQL would not, and lindu always sets its ids.
//
// A difference that is no defect goes into schemaAllowed with its reason.

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

type family string

const (
	famText    family = "text"
	famInteger family = "integer"
	famReal    family = "real-numeric"
	famBool    family = "boolean"
	famTime    family = "timestamp"
	famBlob    family = "blob"
)

// sqliteFamily maps a SQLite declared type to its family.
func sqliteFamily(decl string) (family, bool) {
	t := strings.ToUpper(strings.TrimSpace(decl))
	if i := strings.IndexByte(t, '('); i >= 0 { // VARCHAR(20), NUMERIC(10,2)
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "TIMESTAMP", "DATETIME", "DATE":
		return famTime, true
	case "BOOLEAN", "BOOL":
		return famBool, true
	case "":
		return "", false // no declared type: anything goes, lindu declares all
	}
	switch {
	case strings.Contains(t, "INT"):
		return famInteger, true
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return famText, true
	case strings.Contains(t, "BLOB"):
		return famBlob, true
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"),
		t == "NUMERIC", t == "DECIMAL":
		return famReal, true
	}
	return "", false
}

// postgresFamily maps information_schema.columns.data_type to its family.
func postgresFamily(dataType string) (family, bool) {
	switch dataType {
	case "text", "character varying", "character":
		return famText, true
	case "smallint", "integer", "bigint":
		return famInteger, true
	case "real", "double precision", "numeric":
		return famReal, true
	case "boolean":
		return famBool, true
	case "timestamp with time zone", "timestamp without time zone", "date":
		return famTime, true
	case "bytea":
		return famBlob, true
	}
	return "", false
}

// sameFamily says whether a SQLite column of family a holds what a
// PostgreSQL column of family b does.
func sameFamily(a, b family) bool {
	return a == b || (a == famInteger && b == famBool)
}

type columnInfo struct {
	Type    string // as the engine names it
	Family  family
	NotNull bool
}

type tableInfo struct {
	Columns map[string]columnInfo
	// Keys and indexes by their columns: "primary key (a, b)", "unique (a)",
	// "index (a, b) partial", "foreign key (a) references t (id) on delete cascade".
	Keys map[string]bool
}

type schemaInfo map[string]*tableInfo

func (s schemaInfo) table(name string) *tableInfo {
	t := s[name]
	if t == nil {
		t = &tableInfo{Columns: map[string]columnInfo{}, Keys: map[string]bool{}}
		s[name] = t
	}
	return t
}

func keyName(kind string, cols []string, partial bool) string {
	k := kind + " (" + strings.Join(cols, ", ") + ")"
	if partial {
		k += " partial"
	}
	return k
}

func foreignKey(from []string, ref string, to []string, onDelete string) string {
	return fmt.Sprintf("foreign key (%s) references %s (%s) on delete %s",
		strings.Join(from, ", "), ref, strings.Join(to, ", "), strings.ToLower(onDelete))
}

// schemaAllowed lists known differences that are no defect, each with its
// reason; the test fails if one of them disappears (so the list stays true).
// Keys are the difference lines the test prints.
var schemaAllowed = map[string]string{
	// 0001_foundation (postgres): regions_code_pattern. The region-scope
	// filter is "code LIKE '61.07.%'"; PostgreSQL's primary key index follows
	// the database collation and cannot serve a LIKE prefix, a
	// text_pattern_ops index can. SQLite's LIKE is case-insensitive and no
	// BINARY index serves it, so the same index would be dead weight there.
	"regions index (code) only in PostgreSQL": "a LIKE-prefix index PostgreSQL needs and SQLite cannot use",
}

func TestSchemaParity(t *testing.T) {
	engines := storetest.Engines(t)
	lite := readSchema(t, storetest.Open(t, store.SQLite, storetest.Options{Regions: "-"}))
	if len(lite) < 10 {
		t.Fatalf("SQLite schema has %d tables: not read right", len(lite))
	}
	if !slices.Contains(engines, store.Postgres) {
		t.Log("LINDU_TEST_POSTGRES not set: SQLite schema read, not compared")
		return
	}
	pg := readSchema(t, storetest.Open(t, store.Postgres, storetest.Options{Regions: "-"}))

	diffs := compareSchemas(lite, pg)
	seen := map[string]bool{}
	for _, d := range diffs {
		if _, ok := schemaAllowed[d]; ok {
			seen[d] = true
			continue
		}
		t.Errorf("schema differs: %s", d)
	}
	for d := range schemaAllowed {
		if !seen[d] {
			t.Errorf("allowed difference no longer found (remove it from schemaAllowed): %s", d)
		}
	}
}

// Both dialects have the same migrations, version for version: the schema
// is compared above, this keeps the steps in line (and runs without
// PostgreSQL).
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	a, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Version != b[i].Version || a[i].Name != b[i].Name {
			t.Errorf("migration %d: %s vs %s", i, a[i].Name, b[i].Name)
		}
	}
}

// compareSchemas returns one line per difference, sorted.
func compareSchemas(lite, pg schemaInfo) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(lite)) {
		lt, pt := lite[name], pg[name]
		if pt == nil {
			out = append(out, fmt.Sprintf("table %s only in SQLite", name))
			continue
		}
		for _, col := range slices.Sorted(maps.Keys(lt.Columns)) {
			lc := lt.Columns[col]
			pc, ok := pt.Columns[col]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s.%s only in SQLite", name, col))
				continue
			case !sameFamily(lc.Family, pc.Family):
				out = append(out, fmt.Sprintf("%s.%s type: SQLite %s (%s), PostgreSQL %s (%s)",
					name, col, lc.Type, lc.Family, pc.Type, pc.Family))
			}
			if lc.NotNull != pc.NotNull {
				out = append(out, fmt.Sprintf("%s.%s NOT NULL: SQLite %v, PostgreSQL %v", name, col, lc.NotNull, pc.NotNull))
			}
		}
		for _, col := range slices.Sorted(maps.Keys(pt.Columns)) {
			if _, ok := lt.Columns[col]; !ok {
				out = append(out, fmt.Sprintf("%s.%s only in PostgreSQL", name, col))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(lt.Keys)) {
			if !pt.Keys[k] {
				out = append(out, fmt.Sprintf("%s %s only in SQLite", name, k))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(pt.Keys)) {
			if !lt.Keys[k] {
				out = append(out, fmt.Sprintf("%s %s only in PostgreSQL", name, k))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pg)) {
		if lite[name] == nil {
			out = append(out, fmt.Sprintf("table %s only in PostgreSQL", name))
		}
	}
	return out
}

func readSchema(t *testing.T, st *store.Store) schemaInfo {
	t.Helper()
	ctx := context.Background()
	s := schemaInfo{}
	var err error
	switch st.Dialect() {
	case store.SQLite:
		err = readSQLite(ctx, st, s)
	case store.Postgres:
		err = readPostgres(ctx, st, s)
	}
	if err != nil {
		t.Fatalf("read %s schema: %v", st.Dialect(), err)
	}
	for name, tab := range s {
		for col, c := range tab.Columns {
			if c.Family == "" {
				t.Errorf("%s: %s.%s has type %q, which no family in schema_test.go holds: add it to the mapping",
					st.Dialect(), name, col, c.Type)
			}
		}
	}
	return s
}

func readSQLite(ctx context.Context, st *store.Store, s schemaInfo) error {
	type col struct {
		table, name, typ string
		notNull          bool
		pk               int
	}
	cols, err := store.Rows(ctx, st, func(r *sql.Rows) (col, error) {
		var c col
		err := r.Scan(&c.table, &c.name, &c.typ, &c.notNull, &c.pk)
		return c, err
	}, `SELECT m.name, c.name, c.type, c."notnull", c.pk
		FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.hidden <> 1
		ORDER BY m.name, c.cid`)
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	pks := map[string][]string{} // table -> columns by position in the key
	for _, c := range cols {
		fam, _ := sqliteFamily(c.typ)
		s.table(c.table).Columns[c.name] = columnInfo{Type: c.typ, Family: fam, NotNull: c.notNull || c.pk > 0}
		if c.pk > 0 {
			k := pks[c.table]
			for len(k) < c.pk {
				k = append(k, "")
			}
			k[c.pk-1] = c.name
			pks[c.table] = k
		}
	}
	for table, k := range pks {
		s.table(table).Keys[keyName("primary key", k, false)] = true
	}

	type index struct {
		table, name     string
		unique, partial bool
	}
	idx, err := store.Rows(ctx, st, func(r *sql.Rows) (index, error) {
		var i index
		err := r.Scan(&i.table, &i.name, &i.unique, &i.partial)
		return i, err
	}, `SELECT m.name, il.name, il."unique", il.partial
		FROM sqlite_master m JOIN pragma_index_list(m.name) il
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND il.origin <> 'pk'
		ORDER BY m.name, il.name`)
	if err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	for _, i := range idx {
		names, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
			var n sql.NullString
			err := r.Scan(&n)
			if !n.Valid {
				return "(expression)", err
			}
			return n.String, err
		}, `SELECT name FROM pragma_index_info($1) ORDER BY seqno`, i.name)
		if err != nil {
			return fmt.Errorf("index %s: %w", i.name, err)
		}
		kind := "index"
		if i.unique {
			kind = "unique"
		}
		s.table(i.table).Keys[keyName(kind, names, i.partial)] = true
	}

	type fk struct {
		table, from, ref, to, onDelete string
		id                             int
	}
	fks, err := store.Rows(ctx, st, func(r *sql.Rows) (fk, error) {
		var f fk
		var to sql.NullString // NULL: the referenced table's primary key
		err := r.Scan(&f.table, &f.id, &f.from, &f.ref, &to, &f.onDelete)
		f.to = to.String
		return f, err
	}, `SELECT m.name, f.id, f."from", f."table", f."to", f.on_delete
		FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		ORDER BY m.name, f.id, f.seq`)
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	type fkKey struct {
		table string
		id    int
	}
	var order []fkKey
	from, to := map[fkKey][]string{}, map[fkKey][]string{}
	ref, onDelete := map[fkKey]string{}, map[fkKey]string{}
	for _, f := range fks {
		k := fkKey{f.table, f.id}
		if _, ok := ref[k]; !ok {
			order = append(order, k)
		}
		from[k] = append(from[k], f.from)
		target := f.to
		if target == "" {
			target = pks[f.ref][len(from[k])-1]
		}
		to[k] = append(to[k], target)
		ref[k], onDelete[k] = f.ref, f.onDelete
	}
	for _, k := range order {
		s.table(k.table).Keys[foreignKey(from[k], ref[k], to[k], onDelete[k])] = true
	}
	return nil
}

func readPostgres(ctx context.Context, st *store.Store, s schemaInfo) error {
	type col struct {
		table, name, typ string
		nullable         string
	}
	cols, err := store.Rows(ctx, st, func(r *sql.Rows) (col, error) {
		var c col
		err := r.Scan(&c.table, &c.name, &c.typ, &c.nullable)
		return c, err
	}, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	for _, c := range cols {
		fam, _ := postgresFamily(c.typ)
		s.table(c.table).Columns[c.name] = columnInfo{Type: c.typ, Family: fam, NotNull: c.nullable == "NO"}
	}

	type index struct {
		table, cols              string
		primary, unique, partial bool
	}
	// indkey holds 0 for an expression; key columns come before INCLUDE ones.
	idx, err := store.Rows(ctx, st, func(r *sql.Rows) (index, error) {
		var i index
		err := r.Scan(&i.table, &i.primary, &i.unique, &i.partial, &i.cols)
		return i, err
	}, `SELECT t.relname, ix.indisprimary, ix.indisunique, ix.indpred IS NOT NULL,
			COALESCE((SELECT string_agg(COALESCE(a.attname, '(expression)'), ',' ORDER BY k.ord)
				FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
				LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
				WHERE k.ord <= ix.indnkeyatts), '')
		FROM pg_index ix
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()
		ORDER BY 1, 5`)
	if err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	for _, i := range idx {
		kind := "index"
		switch {
		case i.primary:
			kind = "primary key"
		case i.unique:
			kind = "unique"
		}
		s.table(i.table).Keys[keyName(kind, strings.Split(i.cols, ","), i.partial)] = true
	}

	type fk struct {
		table, from, ref, to, onDelete string
	}
	// confdeltype: a no action, r restrict, c cascade, n set null, d set default.
	fks, err := store.Rows(ctx, st, func(r *sql.Rows) (fk, error) {
		var f fk
		err := r.Scan(&f.table, &f.ref, &f.onDelete, &f.from, &f.to)
		return f, err
	}, `SELECT t.relname, rt.relname,
			CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
				WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum)
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class rt ON rt.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND c.contype = 'f'
		ORDER BY 1, 4`)
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	for _, f := range fks {
		s.table(f.table).Keys[foreignKey(strings.Split(f.from, ","), f.ref, strings.Split(f.to, ","), f.onDelete)] = true
	}
	return nil
}

// compareSchemas reports each kind of difference, and nothing for equal
// schemas.
func TestCompareSchemas(t *testing.T) {
	mk := func(edit func(s schemaInfo)) schemaInfo {
		s := schemaInfo{}
		tab := s.table("cases")
		tab.Columns["id"] = columnInfo{Type: "TEXT", Family: famText, NotNull: true}
		tab.Columns["closed"] = columnInfo{Type: "INTEGER", Family: famInteger, NotNull: true}
		tab.Columns["note"] = columnInfo{Type: "TEXT", Family: famText}
		tab.Keys[keyName("primary key", []string{"id"}, false)] = true
		s.table("regions").Columns["code"] = columnInfo{Type: "TEXT", Family: famText, NotNull: true}
		if edit != nil {
			edit(s)
		}
		return s
	}
	pgBool := func(s schemaInfo) {
		s["cases"].Columns["closed"] = columnInfo{Type: "boolean", Family: famBool, NotNull: true}
	}
	if d := compareSchemas(mk(nil), mk(pgBool)); len(d) != 0 {
		t.Errorf("equal schemas (boolean as SQLite integer): %q", d)
	}
	for _, c := range []struct {
		name string
		lite func(schemaInfo)
		pg   func(schemaInfo)
		want string
	}{
		{"table", func(s schemaInfo) { s.table("extra") }, nil, "table extra only in SQLite"},
		{"table pg", nil, func(s schemaInfo) { s.table("extra") }, "table extra only in PostgreSQL"},
		{"column", nil, func(s schemaInfo) { delete(s["cases"].Columns, "note") }, "cases.note only in SQLite"},
		{"family", nil, func(s schemaInfo) {
			s["cases"].Columns["note"] = columnInfo{Type: "bigint", Family: famInteger}
		}, "cases.note type: SQLite TEXT (text), PostgreSQL bigint (integer)"},
		{"bool the other way", func(s schemaInfo) {
			s["cases"].Columns["closed"] = columnInfo{Type: "BOOLEAN", Family: famBool, NotNull: true}
		}, nil, "cases.closed type: SQLite BOOLEAN (boolean), PostgreSQL INTEGER (integer)"},
		{"null", func(s schemaInfo) {
			s["cases"].Columns["note"] = columnInfo{Type: "TEXT", Family: famText, NotNull: true}
		}, nil, "cases.note NOT NULL: SQLite true, PostgreSQL false"},
		{"key", nil, func(s schemaInfo) { s["cases"].Keys["unique (note)"] = true }, "cases unique (note) only in PostgreSQL"},
	} {
		lite, pg := mk(c.lite), mk(c.pg)
		if d := compareSchemas(lite, pg); len(d) != 1 || d[0] != c.want {
			t.Errorf("%s: differences %q, want [%q]", c.name, d, c.want)
		}
	}
}

// The mapping itself: every type the migrations use lands in the family a
// reader expects, and an unknown type is reported, not guessed.
func TestSchemaFamilies(t *testing.T) {
	for decl, want := range map[string]family{
		"TEXT": famText, "VARCHAR(20)": famText, "INTEGER": famInteger, "BIGINT": famInteger,
		"REAL": famReal, "DOUBLE PRECISION": famReal, "NUMERIC(10,2)": famReal, "TIMESTAMP": famTime,
		"DATE": famTime, "BLOB": famBlob, "BOOLEAN": famBool,
	} {
		if got, ok := sqliteFamily(decl); !ok || got != want {
			t.Errorf("sqliteFamily(%q) = %q, %v; want %q", decl, got, ok, want)
		}
	}
	for dt, want := range map[string]family{
		"text": famText, "integer": famInteger, "bigint": famInteger, "double precision": famReal,
		"timestamp with time zone": famTime, "bytea": famBlob, "boolean": famBool,
	} {
		if got, ok := postgresFamily(dt); !ok || got != want {
			t.Errorf("postgresFamily(%q) = %q, %v; want %q", dt, got, ok, want)
		}
	}
	for _, bad := range []string{"", "JSONB", "GEOMETRY"} {
		if f, ok := sqliteFamily(bad); ok {
			t.Errorf("sqliteFamily(%q) = %q, want unknown", bad, f)
		}
	}
	if f, ok := postgresFamily("jsonb"); ok {
		t.Errorf("postgresFamily(jsonb) = %q, want unknown", f)
	}
	if !sameFamily(famInteger, famBool) || sameFamily(famBool, famInteger) || sameFamily(famText, famTime) {
		t.Error("sameFamily: SQLite integer holds a PostgreSQL boolean, nothing else crosses")
	}
}
