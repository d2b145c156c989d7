// Package secret owns field encryption of personal data (AES-256-GCM), the
// keyed hash used for exact-match lookups of encrypted values (e.g. phone
// numbers), and the key file with its rotation.
//
// Key file format (JSON, mode 0600):
//
//	{"keys":[{"id":"k2","enc":"<base64 32 bytes>","mac":"<base64 32 bytes>","created":"..."}, ...]}
//
// The first key is active: it encrypts and hashes. Older keys still decrypt
// until `lindu key rotate` has re-encrypted every field and removed them.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Key is one generation of keys.
type Key struct {
	ID      string    `json:"id"`
	Enc     []byte    `json:"enc"` // AES-256 key
	MAC     []byte    `json:"mac"` // HMAC-SHA256 key for lookup hashes
	Created time.Time `json:"created"`
}

type keyFile struct {
	Keys []Key `json:"keys"`
}

// Box encrypts and decrypts fields. It is safe for concurrent use.
type Box struct {
	keys  []Key // keys[0] is active
	aeads map[string]cipher.AEAD
}

const prefix = "enc1:"

// NewBox builds a box from keys; keys[0] is the active one.
func NewBox(keys []Key) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no keys")
	}
	b := &Box{keys: keys, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if len(k.Enc) != 32 || len(k.MAC) != 32 {
			return nil, fmt.Errorf("secret: key %q: want 32-byte keys", k.ID)
		}
		if k.ID == "" || strings.Contains(k.ID, ":") {
			return nil, fmt.Errorf("secret: bad key id %q", k.ID)
		}
		if _, dup := b.aeads[k.ID]; dup {
			return nil, fmt.Errorf("secret: two keys with id %q", k.ID)
		}
		blk, err := aes.NewCipher(k.Enc)
		if err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		g, err := cipher.NewGCM(blk)
		if err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		b.aeads[k.ID] = g
	}
	return b, nil
}

// ActiveKeyID names the key that encrypts new values.
func (b *Box) ActiveKeyID() string { return b.keys[0].ID }

// KeyIDs lists all key ids, active first.
func (b *Box) KeyIDs() []string {
	ids := make([]string, len(b.keys))
	for i, k := range b.keys {
		ids[i] = k.ID
	}
	return ids
}

// Encrypt seals plaintext with the active key. The field name is bound as
// additional data, so a ciphertext moved to another column does not open.
// The empty string encrypts to the empty string (nothing to protect).
func (b *Box) Encrypt(field, plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	k := b.keys[0]
	g := b.aeads[k.ID]
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	ct := g.Seal(nonce, nonce, []byte(plaintext), []byte(field))
	return prefix + k.ID + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// ErrDecrypt is returned for a ciphertext that does not open: tampered,
// moved to another field, or sealed with an unknown key.
var ErrDecrypt = errors.New("secret: cannot decrypt field")

// Decrypt opens a value sealed by Encrypt with any known key.
func (b *Box) Decrypt(field, ciphertext string) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	id, ct, err := split(ciphertext)
	if err != nil {
		return "", err
	}
	g, ok := b.aeads[id]
	if !ok {
		return "", fmt.Errorf("%w: unknown key %q", ErrDecrypt, id)
	}
	if len(ct) < g.NonceSize() {
		return "", ErrDecrypt
	}
	pt, err := g.Open(nil, ct[:g.NonceSize()], ct[g.NonceSize():], []byte(field))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(pt), nil
}

// KeyIDOf returns the id of the key that sealed ciphertext.
func KeyIDOf(ciphertext string) string {
	id, _, err := split(ciphertext)
	if err != nil {
		return ""
	}
	return id
}

func split(s string) (string, []byte, error) {
	if !strings.HasPrefix(s, prefix) {
		return "", nil, ErrDecrypt
	}
	rest := s[len(prefix):]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return "", nil, ErrDecrypt
	}
	enc := rest[i+1:]
	if strings.ContainsAny(enc, "\r\n") {
		return "", nil, ErrDecrypt
	}
	ct, err := base64.RawStdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return "", nil, ErrDecrypt
	}
	return rest[:i], ct, nil
}

// Hash is the keyed lookup hash of a (normalised) value under the active key,
// hex-encoded. Equal inputs give equal hashes; without the key the hash says
// nothing about the value. The empty string hashes to "".
func (b *Box) Hash(field, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.keys[0].MAC)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// NewKey makes a fresh random key generation.
func NewKey(now time.Time) Key {
	k := Key{Enc: make([]byte, 32), MAC: make([]byte, 32), Created: now.UTC()}
	if _, err := rand.Read(k.Enc); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	if _, err := rand.Read(k.MAC); err != nil {
		panic(err)
	}
	id := make([]byte, 4)
	rand.Read(id)
	k.ID = "k" + now.UTC().Format("20060102") + hex.EncodeToString(id)
	return k
}

// LoadOrCreate reads the key file at path, creating it with one fresh key
// and mode 0600 if it does not exist. It refuses a key file that others can
// read.
func LoadOrCreate(path string, now time.Time) ([]Key, bool, error) {
	keys, err := Load(path)
	if err == nil {
		return keys, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	keys = []Key{NewKey(now)}
	// Create exclusively: two processes starting together on one data
	// directory must end up with one key, not overwrite each other's.
	created, err := saveNew(path, keys)
	if err != nil {
		return nil, false, err
	}
	if !created {
		keys, err = Load(path)
		return keys, false, err
	}
	return keys, true, nil
}

// saveNew writes keys to path only if path does not exist yet. It reports
// false (and no error) when another process created the file first.
func saveNew(path string, keys []Key) (bool, error) {
	data, err := encodeKeys(keys)
	if err != nil {
		return false, err
	}
	return writeKeyFile(path, data, false, osCreateTemp)
}

func encodeKeys(keys []Key) ([]byte, error) {
	data, err := json.MarshalIndent(keyFile{Keys: keys}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("secret: encode keys: %w", err)
	}
	return append(data, '\n'), nil
}

// keyWriter is what writing a key file needs of an *os.File; a test gives a
// file that fails halfway.
type keyWriter interface {
	Name() string
	Chmod(mode os.FileMode) error
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

type createTempFunc func(dir, pattern string) (keyWriter, error)

func osCreateTemp(dir, pattern string) (keyWriter, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// writeKeyFile puts data at path so that a crash or a failed step leaves
// either the previous state or the whole new file, never part of a key: it
// writes a temporary file (mode 0600) in the same directory, syncs it, and
// only then gives it the name path — by rename when replace is set (an
// existing key file is replaced), by link otherwise (an existing file wins:
// placed is false, err nil). The directory is synced after the new name.
func writeKeyFile(path string, data []byte, replace bool, createTemp createTempFunc) (placed bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("secret: key directory: %w", err)
	}
	tmp, err := createTemp(dir, ".lindu-key-*")
	if err != nil {
		return false, fmt.Errorf("secret: temporary key file: %w", err)
	}
	name := tmp.Name()
	// The temporary name never outlives this call: after a rename it is
	// gone, after a link it is a second name of the key file, after a failure
	// it holds part of a key.
	defer func() {
		rerr := os.Remove(name)
		if rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = fmt.Errorf("secret: remove temporary key file: %w", rerr)
		}
	}()

	werr := tmp.Chmod(0o600)
	if werr == nil {
		_, werr = tmp.Write(data)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return false, fmt.Errorf("secret: write key file: %w", werr)
	}

	if replace {
		if err := os.Rename(name, path); err != nil {
			return false, fmt.Errorf("secret: put key file in place: %w", err)
		}
	} else if err := os.Link(name, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("secret: put key file in place: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return true, err
	}
	return true, nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("secret: sync key directory: %w", err)
	}
	serr := d.Sync()
	if cerr := d.Close(); serr == nil {
		serr = cerr
	}
	if serr != nil {
		return fmt.Errorf("secret: sync key directory: %w", serr)
	}
	return nil
}

// Load reads a key file.
func Load(path string) ([]Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %o); run chmod 600", path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", path, err)
	}
	if len(kf.Keys) == 0 {
		return nil, fmt.Errorf("secret: key file %s holds no key", path)
	}
	return kf.Keys, nil
}

// Save writes keys with mode 0600, replacing the key file at path
// atomically: after a crash or an error the file holds either the old keys
// or all the new ones. Only the key subcommands (run by the operator) call it.
func Save(path string, keys []Key) error {
	data, err := encodeKeys(keys)
	if err != nil {
		return err
	}
	_, err = writeKeyFile(path, data, true, osCreateTemp)
	return err
}
