package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignParseAndForgery(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit-signing.key")
	key, created, err := LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("create key: %v %v", created, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	again, created, err := LoadOrCreateKey(path)
	if err != nil || created || !again.Equal(key) {
		t.Fatalf("reload key: created=%v %v", created, err)
	}
	cp := Checkpoint{Pos: 40, Hash: strings.Repeat("ab", 32), At: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	line := Sign(key, cp)
	got, err := Parse(line, PublicKeyOf(key))
	if err != nil || got.Pos != 40 || got.Hash != cp.Hash || !got.At.Equal(cp.At) {
		t.Fatalf("parse own line: %+v %v", got, err)
	}
	// Someone who can edit the file moves the checkpoint back to hide a
	// truncation: the signature no longer matches.
	forged := strings.Replace(line, "pos=40", "pos=15", 1)
	if _, err := Parse(forged, PublicKeyOf(key)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged line: %v, want ErrBadSignature", err)
	}
	// Or signs a line with a key of their own.
	other, _, _ := LoadOrCreateKey(filepath.Join(dir, "other.key"))
	if _, err := Parse(Sign(other, cp), PublicKeyOf(key)); !errors.Is(err, ErrOtherKey) {
		t.Fatalf("line by another key: %v, want ErrOtherKey", err)
	}
	if _, err := Parse("pos=1 hash=x", PublicKeyOf(key)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("garbage: %v, want ErrMalformed", err)
	}
	file := filepath.Join(dir, "audit-checkpoints.txt")
	for _, l := range []string{line, forged, line} {
		if err := Append(file, l); err != nil {
			t.Fatal(err)
		}
	}
	cps, bad, err := ReadFile(file, PublicKeyOf(key))
	if err != nil || len(cps) != 2 || len(bad) != 1 || bad[0].Line != 2 {
		t.Fatalf("read file: %d good, bad %+v, %v", len(cps), bad, err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file mode: %v %v", fi, err)
	}
	if l, err := Latest(file, 1); err != nil || len(l) != 1 || l[0] != line {
		t.Fatalf("latest: %v %v", l, err)
	}
}
