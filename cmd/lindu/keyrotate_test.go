package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/secret"
	"lindu/internal/store"
)

// `lindu key rotate` on the demo data (serve --demo, stopped): every report
// and case still reads with only the new key, and the output says per table
// what was re-encrypted and that nothing depends on the removed key.
func TestKeyRotateDemo(t *testing.T) {
	dir := t.TempDir()
	env := dataEnv(dir)
	env["LINDU_ADDR"] = "127.0.0.1:0"
	s := startServe(t, env, "--demo")
	waitHealthy(t, s, s.readyURL(t, 120*time.Second), 10*time.Second)
	s.stop(t, 30*time.Second)

	before, err := secret.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	r := runCmd(t, env, "", "key", "rotate")
	t.Logf("key rotate took %v:\n%s", time.Since(t0), r.stdout)
	if r.code != 0 {
		t.Fatalf("lindu key rotate: got %v, want exit 0", r)
	}
	for _, want := range []string{"reports ", "cases ", "case_events ", "victims ", "inbound_messages ",
		"still depending on old keys: none", "old keys removed: " + before[0].ID} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("key rotate output lacks %q:\n%s", want, r.stdout)
		}
	}
	keys, err := secret.Load(filepath.Join(dir, "secret.key"))
	if err != nil || len(keys) != 1 || keys[0].ID == before[0].ID {
		t.Fatalf("key file after rotation: %d keys, err %v", len(keys), err)
	}
	box, _ := secret.NewBox(keys)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "lindu.db"), store.Options{Box: box})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sys := access.System("test")
	reps, n, err := st.ListReports(ctx, sys, store.ReportFilter{Limit: 200})
	if err != nil || n < 200 {
		t.Fatalf("reports: %d %v", n, err)
	}
	for _, rep := range reps {
		got, err := st.GetReport(ctx, sys, rep.ID)
		if err != nil || got.Description == "" {
			t.Fatalf("report %s after key rotate: %q %v", rep.Code, got.Description, err)
		}
	}
	cs, _, err := st.ListCases(ctx, sys, domain.CaseFilter{Limit: 200})
	if err != nil || len(cs) == 0 {
		t.Fatalf("cases: %d %v", len(cs), err)
	}
	for _, c := range cs {
		if got, err := st.GetCase(ctx, sys, c.ID); err != nil || got.Summary == "" {
			t.Fatalf("case %s after key rotate: %q %v", c.Code, got.Summary, err)
		}
	}

	// A second run makes a new key again and removes the previous one.
	r = runCmd(t, env, "", "key", "rotate")
	if r.code != 0 || !strings.Contains(r.stdout, "old keys removed: "+keys[0].ID) {
		t.Fatalf("second key rotate: %v", r)
	}
}
