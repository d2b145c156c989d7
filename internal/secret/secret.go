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

// saveNew writes keys to path only if path does not exist yet.
func saveNew(path string, keys []Key) (bool, error) {
	data, err := json.MarshalIndent(keyFile{Keys: keys}, "", "  ")
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("secret: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lindu-key-*")
	if err != nil {
		return false, fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(append(data, '\n'))
		if err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("secret: %w", err)
	}
	return true, nil
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

// Save writes keys atomically with mode 0600.
func Save(path string, keys []Key) error {
	data, err := json.MarshalIndent(keyFile{Keys: keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lindu-key-*")
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}
