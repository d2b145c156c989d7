package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/secret"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The audit log against signed checkpoints, through the commands, on each
// database: untouched it verifies; a forged checkpoint line is a signature
// error; deleting the newest 25 entries is named truncation; editing an
// entry and recomputing every hash after it is named rewriting.
func TestAuditCheckpointCommands(t *testing.T) {
	t.Parallel() // each on its own data directory, database and ports
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		dir := t.TempDir()
		env := dataEnv(dir)
		dbURL := "sqlite:" + filepath.Join(dir, "lindu.db")
		if d == store.Postgres {
			dbURL = storetest.URL(t, d)
			env["LINDU_DB"] = dbURL
		}
		step := func(name string, fn func(t *testing.T)) {
			t.Helper()
			if !t.Run(name, fn) {
				t.FailNow()
			}
		}
		if r := runCmd(t, env, "", "migrate"); r.code != 0 {
			t.Fatalf("migrate: %v", r)
		}
		keys, err := secret.Load(filepath.Join(dir, "secret.key"))
		if err != nil {
			t.Fatal(err)
		}
		box, _ := secret.NewBox(keys)
		ctx := context.Background()
		st, err := store.Open(ctx, dbURL, store.Options{Box: box})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for i := 0; i < 60; i++ {
			if err := st.Audit(ctx, access.System("test"), "test.event", "thing", strconv.Itoa(i), "61.07", ""); err != nil {
				t.Fatal(err)
			}
		}
		var raw *sql.DB
		if d == store.SQLite {
			raw, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "lindu.db")+"?_pragma=busy_timeout(10000)")
		} else {
			raw, err = sql.Open("pgx", dbURL)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := raw.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		lineRE := regexp.MustCompile(`\Alindu-audit-checkpoint v1 pos=(\d+) hash=[0-9a-f]{64} at=\S+ key=[0-9a-f]{16} sig=\S+\n\z`)
		var head int64

		step("checkpoint", func(t *testing.T) {
			r := runCmd(t, env, "", "audit", "checkpoint")
			m := lineRE.FindStringSubmatch(r.stdout)
			if r.code != 0 || m == nil {
				t.Fatalf("lindu audit checkpoint: got %v, want exit 0 and one signed line", r)
			}
			head, _ = strconv.ParseInt(m[1], 10, 64)
			if head < 60 {
				t.Fatalf("checkpoint at %d, want the head (60 entries or more)", head)
			}
			for _, f := range []string{"audit-signing.key", "audit-checkpoints.txt"} {
				fi, err := os.Stat(filepath.Join(dir, f))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: %v %v, want mode 600", f, fi, err)
				}
			}
			b, _ := os.ReadFile(filepath.Join(dir, "audit-checkpoints.txt"))
			if string(b) != r.stdout {
				t.Errorf("checkpoint file %q, want the printed line", b)
			}
		})

		step("verify untouched", func(t *testing.T) {
			r := runCmd(t, env, "", "audit", "verify")
			if r.code != 0 || !strings.HasPrefix(r.stdout, "ok:") || !strings.Contains(r.stdout, "1 signed checkpoints") {
				t.Fatalf("lindu audit verify: got %v, want exit 0 and ok against 1 checkpoint", r)
			}
		})

		step("forged checkpoint", func(t *testing.T) {
			b, _ := os.ReadFile(filepath.Join(dir, "audit-checkpoints.txt"))
			forged := filepath.Join(t.TempDir(), "forged.txt")
			os.WriteFile(forged, []byte(strings.Replace(string(b), "pos="+strconv.FormatInt(head, 10), "pos=10", 1)), 0o600)
			r := runCmd(t, env, "", "audit", "verify", "--checkpoint", forged)
			if r.code != 1 || !strings.Contains(r.stdout, "BAD CHECKPOINT") || !strings.Contains(r.stdout, "signature") {
				t.Fatalf("verify against a forged line: got %v, want exit 1 and a signature error", r)
			}
		})

		if d == store.SQLite {
			exec(`DROP TRIGGER audit_log_no_update`)
			exec(`DROP TRIGGER audit_log_no_delete`)
		} else {
			exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)
		}

		step("truncation", func(t *testing.T) {
			exec(`DELETE FROM audit_log WHERE pos > $1`, head-25)
			r := runCmd(t, env, "", "audit", "verify")
			want := "TAMPERED: truncation at audit entry " + strconv.FormatInt(head, 10)
			if r.code != 1 || !strings.Contains(r.stdout, want) {
				t.Fatalf("verify after deleting the newest 25 entries: got %v, want exit 1 and %q", r, want)
			}
		})

		step("rewriting", func(t *testing.T) {
			other := filepath.Join(t.TempDir(), "b.txt")
			r := runCmd(t, env, "", "audit", "checkpoint", "--audit-checkpoint-file", other)
			if r.code != 0 {
				t.Fatalf("checkpoint: %v", r)
			}
			top := head - 25
			es, err := st.ListAudit(ctx, access.System("test"), domain.AuditFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			byPos := map[int64]domain.AuditEntry{}
			for _, e := range es {
				byPos[e.Pos] = e
			}
			prev := byPos[top-10].Hash
			for p := top - 9; p <= top; p++ {
				e := byPos[p]
				if p == top-9 {
					e.ObjectID = "someone-else"
				}
				e.PrevHash = prev
				e.Hash = store.AuditHash(e)
				prev = e.Hash
				exec(`UPDATE audit_log SET object_id = $1, prev_hash = $2, hash = $3 WHERE pos = $4`, e.ObjectID, e.PrevHash, e.Hash, p)
			}
			r = runCmd(t, env, "", "audit", "verify", "--checkpoint", other)
			want := "TAMPERED: rewriting at audit entry " + strconv.FormatInt(top, 10)
			if r.code != 1 || !strings.Contains(r.stdout, want) {
				t.Fatalf("verify after rewriting: got %v, want exit 1 and %q", r, want)
			}
		})
	})
}
