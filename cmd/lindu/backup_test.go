package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/secret"
	"lindu/internal/store"
)

// TestBackupWhileWritingRestoresEverythingCommitted takes a backup while
// reports are being written, restores it into a fresh database, and checks
// that everything committed before the backup started is there (row counts,
// a checksum of the decrypted reports and cases), that the audit chain of
// the copy verifies, and that restore refuses a database that is not empty.
func TestBackupWhileWritingRestoresEverythingCommitted(t *testing.T) {
	t.Parallel() // each on its own data directory, database and ports
	t.Run("sqlite", func(t *testing.T) {
		src, dst := t.TempDir(), t.TempDir()
		testBackupRestore(t, dataEnv(src), dataEnv(dst), "sqlite:"+filepath.Join(src, "lindu.db"), "sqlite:"+filepath.Join(dst, "lindu.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("LINDU_TEST_POSTGRES")
		if base == "" {
			t.Skip("LINDU_TEST_POSTGRES not set")
		}
		if _, err := pgTool("pg_dump"); err != nil {
			t.Skip(err.Error())
		}
		srcURL, dstURL := freshPGDatabase(t, base), freshPGDatabase(t, base)
		src, dst := t.TempDir(), t.TempDir()
		envS, envD := dataEnv(src), dataEnv(dst)
		envS["LINDU_DB"], envD["LINDU_DB"] = srcURL, dstURL
		testBackupRestore(t, envS, envD, srcURL, dstURL)
	})
}

func testBackupRestore(t *testing.T, envS, envD map[string]string, srcURL, dstURL string) {
	ctx := context.Background()
	if r := runCmd(t, envS, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %s", r)
	}
	keyFile := filepath.Join(envS["LINDU_DATA_DIR"], "secret.key")
	keys, err := secret.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(keys)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, srcURL, store.Options{Box: box, RootRegion: demo.Region})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadCases(ctx, st, 40, 1); err != nil {
		t.Fatal(err)
	}
	reportIDs, caseIDs := tableIDs(t, srcURL, "reports"), tableIDs(t, srcURL, "cases")
	wantSum := decryptedDigest(t, st, reportIDs, caseIDs)
	baseline, err := st.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Writers: reports go on being committed during the backup.
	var mu sync.Mutex
	var committed []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			pub := access.Public("127.0.0.1", "backup-test")
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				rep, _, err := cases.New(st, cases.Options{}).CreateReport(ctx, pub, domain.NewReport{Channel: domain.ChannelAPI,
					IdempotencyKey: fmt.Sprintf("bk-%d-%d", g, i), RegionCode: "61.07.01.2001",
					Description: fmt.Sprintf("Laporan uji cadangan %d-%d: anak tidak sekolah", g, i), ContactPhone: "081234567890"}, demo.Region)
				if err != nil {
					t.Errorf("writer: %v", err)
					return
				}
				mu.Lock()
				committed = append(committed, rep.ID)
				mu.Unlock()
			}
		}(g)
	}
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 20 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), committed...)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "lindu.backup")
	r := runCmd(t, envS, "", "backup", "--out", out)
	close(stop)
	wg.Wait()
	if r.code != 0 {
		t.Fatalf("backup: %s", r)
	}
	if !strings.Contains(r.stdout, "key file is NOT in it") {
		t.Errorf("backup output does not warn about the key file: %s", r.stdout)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.Contains(string(raw), string(k.Enc)) || strings.Contains(string(raw), string(k.MAC)) ||
			strings.Contains(string(raw), base64.StdEncoding.EncodeToString(k.Enc)) {
			t.Fatal("the backup holds the encryption key")
		}
	}
	mu.Lock()
	all := map[string]bool{}
	for _, id := range committed {
		all[id] = true
	}
	mu.Unlock()
	t.Logf("%d reports committed before the backup started, %d by the end", len(before), len(all))

	// Restore into a fresh data directory / database, with the key file
	// kept apart from the backup.
	keyData, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(envD["LINDU_DATA_DIR"], "secret.key"), keyData, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, envD, "", "restore", "--in", out); r.code != 0 {
		t.Fatalf("restore: %s", r)
	}
	if r := runCmd(t, envD, "", "audit", "verify"); r.code != 0 || !strings.Contains(r.stdout, "intact") {
		t.Fatalf("audit verify on the restored copy: %s", r)
	}
	if r := runCmd(t, envD, "", "restore", "--in", out); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("restore into a non-empty database: want exit 1 and \"not empty\", got %s", r)
	}

	cp, err := store.Open(ctx, dstURL, store.Options{Box: box, RootRegion: demo.Region})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	got, err := cp.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range baseline {
		switch {
		case got[table] < n:
			t.Errorf("table %s: %d rows in the copy, %d committed before the backup", table, got[table], n)
		case got[table] != n && (table == "cases" || table == "users" || table == "regions" || table == "case_victims"):
			t.Errorf("table %s: %d rows in the copy, want %d (nothing wrote there)", table, got[table], n)
		}
	}
	copied := map[string]bool{}
	for _, id := range tableIDs(t, dstURL, "reports") {
		copied[id] = true
	}
	for _, id := range before {
		if !copied[id] {
			t.Errorf("report %s was committed before the backup started but is not in the copy", id)
		}
	}
	for id := range copied {
		if !all[id] && !contains(reportIDs, id) {
			t.Errorf("the copy holds a report %s that was never written", id)
		}
	}
	if got := decryptedDigest(t, cp, reportIDs, caseIDs); got != wantSum {
		t.Errorf("decrypted reports and cases differ after restore: %s, want %s", got, wantSum)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// tableIDs lists the ids of a table, sorted.
func tableIDs(t *testing.T, dbURL, table string) []string {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if strings.HasPrefix(dbURL, "sqlite:") {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM ` + table + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// decryptedDigest is a SHA-256 over the decrypted reports and cases.
func decryptedDigest(t *testing.T, st *store.Store, reportIDs, caseIDs []string) string {
	t.Helper()
	ctx := context.Background()
	sc := access.System("backup-test")
	h := sha256.New()
	for _, id := range reportIDs {
		r, err := cases.New(st, cases.Options{}).GetReport(ctx, sc, id)
		if err != nil {
			t.Fatalf("report %s: %v", id, err)
		}
		if r.Description == "" {
			t.Fatalf("report %s: description not decrypted", id)
		}
		json.NewEncoder(h).Encode(r)
	}
	for _, id := range caseIDs {
		c, err := cases.New(st, cases.Options{}).GetCase(ctx, sc, id)
		if err != nil {
			t.Fatalf("case %s: %v", id, err)
		}
		json.NewEncoder(h).Encode(c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// freshPGDatabase creates an empty database on the test server.
func freshPGDatabase(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 5)
	rand.Read(b)
	name := "lindu_bk_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
