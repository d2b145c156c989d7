// Package checkpoint signs the head of the audit hash chain (position,
// hash, time) with an Ed25519 key kept in a file outside the database, and
// keeps the signed lines in a checkpoint file an operator can copy off the
// machine. Someone who can rewrite the database cannot forge a checkpoint
// without the key, so "lindu audit verify" can tell a log that was cut
// short or rewritten (and re-chained) from an intact one.
package checkpoint

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	keyPrefix  = "lindu-audit-signing-key v1 "
	linePrefix = "lindu-audit-checkpoint v1 "
)

// Checkpoint says that at time At the audit chain's newest entry was at
// position Pos with hash Hash; KeyID names the key that signed it.
type Checkpoint struct {
	Pos   int64
	Hash  string
	At    time.Time
	KeyID string
}

// Errors of a checkpoint line.
var (
	ErrBadSignature = errors.New("signature does not match (the line was forged or changed)")
	ErrOtherKey     = errors.New("signed by another key than this lindu's audit signing key")
	ErrMalformed    = errors.New("not a checkpoint line")
)

// KeyID is a short fingerprint of a public key: the first 8 bytes of its
// SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKeyOf returns the public half of a signing key.
func PublicKeyOf(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }

// EncodePublicKey writes a public key in base64, as the download and the
// --public-key flag use it.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// ParsePublicKey reads a public key written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("checkpoint: a public key is 32 bytes in base64")
	}
	return ed25519.PublicKey(b), nil
}

// LoadOrCreateKey reads the signing key at path, creating it (mode 0600)
// when it does not exist. Two processes starting together end up with the
// same key: the file is created exclusively and the loser reads it.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, bool, error) {
	key, err := LoadKey(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return key, false, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lindu-audit-key-*")
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	// After the link the key has its own name; what is left under the
	// temporary name is a second name of it (or, after a failure, of a
	// partial file that is never read): nothing to report if removing fails.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err = tmp.Chmod(0o600); err == nil {
		if _, err = tmp.WriteString(keyPrefix + base64.StdEncoding.EncodeToString(seed) + "\n"); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			key, err := LoadKey(path)
			return key, false, err
		}
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), true, nil
}

// LoadKey reads the signing key at path.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: audit signing key: %w", err)
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), keyPrefix)
	seed, derr := base64.StdEncoding.DecodeString(s)
	if !ok || derr != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("checkpoint: %s is not an audit signing key file", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Sign returns the checkpoint's line (without newline):
//
//	lindu-audit-checkpoint v1 pos=P hash=H at=T key=K sig=S
//
// where S is the Ed25519 signature of everything before " sig=".
func Sign(key ed25519.PrivateKey, cp Checkpoint) string {
	body := fmt.Sprintf("%spos=%d hash=%s at=%s key=%s", linePrefix, cp.Pos, cp.Hash,
		cp.At.UTC().Format(time.RFC3339Nano), KeyID(PublicKeyOf(key)))
	return body + " sig=" + base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(body)))
}

// Parse reads a line written by Sign and checks its signature with pub.
func Parse(line string, pub ed25519.PublicKey) (Checkpoint, error) {
	var cp Checkpoint
	body, sig, ok := strings.Cut(strings.TrimSpace(line), " sig=")
	rest, ok2 := strings.CutPrefix(body, linePrefix)
	if !ok || !ok2 {
		return cp, ErrMalformed
	}
	fields := map[string]string{}
	for _, f := range strings.Fields(rest) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return cp, ErrMalformed
		}
		fields[k] = v
	}
	var err error
	if cp.Pos, err = strconv.ParseInt(fields["pos"], 10, 64); err != nil || cp.Pos < 0 {
		return cp, ErrMalformed
	}
	if cp.At, err = time.Parse(time.RFC3339Nano, fields["at"]); err != nil {
		return cp, ErrMalformed
	}
	cp.Hash, cp.KeyID = fields["hash"], fields["key"]
	if len(cp.Hash) != 64 || cp.KeyID == "" {
		return cp, ErrMalformed
	}
	if cp.KeyID != KeyID(pub) {
		return cp, ErrOtherKey
	}
	s, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !ed25519.Verify(pub, []byte(body), s) {
		return cp, ErrBadSignature
	}
	return cp, nil
}

// Append adds one line to the checkpoint file (created with mode 0600) and
// syncs it to disk.
func Append(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	_, err = f.WriteString(line + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// LineError is a line of a checkpoint file that is not a valid checkpoint.
type LineError struct {
	Line int
	Err  error
}

// ReadFile reads every checkpoint in the file at path, checking each
// signature with pub. Blank lines and lines starting with # are skipped (the
// download has a commented header). Lines that fail are returned apart; a
// missing file is an error that wraps os.ErrNotExist.
func ReadFile(path string, pub ed25519.PublicKey) ([]Checkpoint, []LineError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer func() { _ = f.Close() }() // only read
	var cps []Checkpoint
	var bad []LineError
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cp, err := Parse(line, pub)
		if err != nil {
			bad = append(bad, LineError{Line: n, Err: err})
			continue
		}
		cps = append(cps, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	return cps, bad, nil
}

// Latest returns the last n lines of the checkpoint file (fewer when it has
// fewer; none when it does not exist yet).
func Latest(path string, n int) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out, nil
}
