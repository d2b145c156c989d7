package server_test

import (
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/checkpoint"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// An admin of the whole deployment downloads a fresh signed checkpoint with
// the public key (not cached, audited); admins of a district and other
// roles may not; the audit page marks entries not yet sealed.
func TestAuditCheckpointDownload(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		dir := t.TempDir()
		k := &checkpoint.Keeper{Key: ed25519.NewKeyFromSeed(make([]byte, 32)), File: filepath.Join(dir, "cp.txt")}
		w := newWorld(t, d, server.Options{RootRegion: "61.07", Checkpoints: k})
		k.Store = w.st
		b := w.loggedIn("reg-admin")
		code, page, _ := b.get("/audit")
		if code != 200 || !strings.Contains(page, `href="/audit/checkpoint"`) || !strings.Contains(page, "menunggu segel") {
			t.Fatalf("audit page: %d, want the download link and pending entries marked", code)
		}
		code, body, h := b.get("/audit/checkpoint")
		if code != 200 || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %d %v", code, h)
		}
		if !strings.Contains(body, checkpoint.EncodePublicKey(k.PublicKey())) {
			t.Fatalf("download lacks the public key:\n%s", body)
		}
		var lines int
		for _, l := range strings.Split(body, "\n") {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			cp, err := checkpoint.Parse(l, k.PublicKey())
			if err != nil || cp.Pos == 0 {
				t.Fatalf("downloaded line %q: %+v %v", l, cp, err)
			}
			lines++
		}
		if lines != 1 {
			t.Fatalf("%d checkpoint lines, want 1", lines)
		}
		es, err := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "audit.checkpoint_download"})
		if err != nil || len(es) != 1 || es[0].Actor != "reg-admin" {
			t.Fatalf("download not audited: %+v %v", es, err)
		}
		for _, u := range []string{"admin-a", "sup"} {
			if code, _, _ := w.loggedIn(u).get("/audit/checkpoint"); code != 403 {
				t.Errorf("%s downloaded checkpoints: %d, want 403", u, code)
			}
		}
	})
}
