package secret_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/secret"
)

// fixedKey is a deterministic key generation, so corpora and expectations
// stay stable.
func fixedKey(id string, b byte) secret.Key {
	return secret.Key{
		ID:      id,
		Enc:     bytes.Repeat([]byte{b}, 32),
		MAC:     bytes.Repeat([]byte{^b}, 32),
		Created: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func newBox(t testing.TB, keys ...secret.Key) *secret.Box {
	t.Helper()
	b, err := secret.NewBox(keys)
	if err != nil {
		t.Fatalf("NewBox: %v", err)
	}
	return b
}

// rawOf decodes the base64 part of an "enc1:<id>:<base64>" ciphertext.
func rawOf(t *testing.T, ct string) (id string, raw []byte) {
	t.Helper()
	parts := strings.SplitN(ct, ":", 3)
	if len(parts) != 3 || parts[0] != "enc1" {
		t.Fatalf("ciphertext %q is not enc1:<id>:<data>", ct)
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("ciphertext %q: %v", ct, err)
	}
	return parts[1], raw
}

func enc(id string, raw []byte) string {
	return "enc1:" + id + ":" + base64.RawStdEncoding.EncodeToString(raw)
}

func TestRoundTrip(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	tests := []string{
		"+6281234567890",
		"Siti Nurhaliza",
		"a",
		"Anak perempuan, 12 tahun, Desa Soka\"an — dilaporkan oleh guru",
		"Ñandú 🧒 anak-anak ĀĒĪŌŪ 中文 ꦲꦤꦏ꧀",
		"line one\nline two\r\n\ttab",
		"\x00\xff\xfe binary, not UTF-8",
		strings.Repeat("narasi kasus ", 5000),
	}
	for _, pt := range tests {
		ct, err := box.Encrypt("cases.narrative", pt)
		if err != nil {
			t.Fatalf("Encrypt(%.20q): %v", pt, err)
		}
		if !strings.HasPrefix(ct, "enc1:k1:") {
			t.Errorf("Encrypt(%.20q) = %.40q, want prefix enc1:k1:", pt, ct)
		}
		if len(pt) >= 8 && strings.Contains(ct, pt) { // shorter ones may occur in base64 by chance
			t.Errorf("ciphertext of %.20q contains the plaintext", pt)
		}
		_, raw := rawOf(t, ct)
		if want := 12 + len(pt) + 16; len(raw) != want { // nonce + data + GCM tag
			t.Errorf("ciphertext of %d bytes has %d raw bytes, want %d", len(pt), len(raw), want)
		}
		got, err := box.Decrypt("cases.narrative", ct)
		if err != nil || got != pt {
			t.Errorf("Decrypt(Encrypt(%.20q)) = %.20q, %v", pt, got, err)
		}
	}
}

func TestEmptyString(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	ct, err := box.Encrypt("users.phone", "")
	if ct != "" || err != nil {
		t.Errorf(`Encrypt("") = %q, %v; want "", nil`, ct, err)
	}
	pt, err := box.Decrypt("users.phone", "")
	if pt != "" || err != nil {
		t.Errorf(`Decrypt("") = %q, %v; want "", nil`, pt, err)
	}
	if h := box.Hash("users.phone", ""); h != "" {
		t.Errorf(`Hash("") = %q, want ""`, h)
	}
}

func TestFieldBinding(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	ct, err := box.Encrypt("users.phone", "+6281234567890")
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"users.email", "users.full_name", "", "users.phone ", "Users.phone", "users.phon"} {
		pt, err := box.Decrypt(field, ct)
		if !errors.Is(err, secret.ErrDecrypt) || pt != "" {
			t.Errorf("ciphertext of users.phone opened as %q: %q, %v; want ErrDecrypt", field, pt, err)
		}
	}
	if pt, err := box.Decrypt("users.phone", ct); err != nil || pt != "+6281234567890" {
		t.Errorf("Decrypt with the right field = %q, %v", pt, err)
	}
}

func TestTampering(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1), fixedKey("k2", 2))
	ct, err := box.Encrypt("users.email", "siti@example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, raw := rawOf(t, ct)

	// Flip one bit of every byte in turn: nonce, data and tag.
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(raw)
			bad[i] ^= bit
			if pt, err := box.Decrypt("users.email", enc(id, bad)); !errors.Is(err, secret.ErrDecrypt) || pt != "" {
				t.Fatalf("byte %d ^ %#x: Decrypt = %q, %v; want ErrDecrypt", i, bit, pt, err)
			}
		}
	}

	tampered := map[string]string{
		"truncated by one byte": enc(id, raw[:len(raw)-1]),
		"tag removed":           enc(id, raw[:len(raw)-16]),
		"nonce only":            enc(id, raw[:12]),
		"shorter than a nonce":  enc(id, raw[:11]),
		"no data":               "enc1:" + id + ":",
		"one byte appended":     enc(id, append(bytes.Clone(raw), 0)),
		"relabelled as k2":      enc("k2", raw),
		"other version":         "enc2:" + ct[len("enc1:"):],
		"no prefix":             ct[len("enc1:"):],
		"plaintext":             "siti@example.org",
		"no key id":             "enc1::" + ct[len("enc1:k1:"):],
		"no separator":          "enc1:k1",
		"not base64":            "enc1:k1:!!!!",
		"padded base64":         "enc1:k1:" + base64.StdEncoding.EncodeToString(raw[:len(raw)-1]),
		"upper-case prefix":     "ENC1:" + ct[len("enc1:"):],
		"leading space":         " " + ct,
	}
	for name, bad := range tampered {
		if pt, err := box.Decrypt("users.email", bad); !errors.Is(err, secret.ErrDecrypt) || pt != "" {
			t.Errorf("%s: Decrypt(%.40q) = %q, %v; want ErrDecrypt", name, bad, pt, err)
		}
	}
}

func TestUnknownKey(t *testing.T) {
	old := newBox(t, fixedKey("k1", 1))
	ct, err := old.Encrypt("users.phone", "+6281234567890")
	if err != nil {
		t.Fatal(err)
	}
	other := newBox(t, fixedKey("k9", 9))
	pt, err := other.Decrypt("users.phone", ct)
	if !errors.Is(err, secret.ErrDecrypt) || pt != "" {
		t.Fatalf("Decrypt with an unknown key id = %q, %v; want ErrDecrypt", pt, err)
	}
	if !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("error %q does not name the unknown key", err)
	}

	// Same id, different key material: the tag does not verify.
	impostor := newBox(t, fixedKey("k1", 7))
	if pt, err := impostor.Decrypt("users.phone", ct); !errors.Is(err, secret.ErrDecrypt) || pt != "" {
		t.Errorf("Decrypt with a different key of the same id = %q, %v; want ErrDecrypt", pt, err)
	}
}

func TestEncryptionIsRandomised(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	seen := map[string]bool{}
	nonces := map[string]bool{}
	for i := 0; i < 100; i++ {
		ct, err := box.Encrypt("users.phone", "+6281234567890")
		if err != nil {
			t.Fatal(err)
		}
		if seen[ct] {
			t.Fatalf("encryption %d repeats an earlier ciphertext", i)
		}
		seen[ct] = true
		_, raw := rawOf(t, ct)
		nonce := string(raw[:12])
		if nonces[nonce] {
			t.Fatalf("encryption %d reuses a nonce", i)
		}
		nonces[nonce] = true
	}
}

func TestHash(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	h := box.Hash("users.phone", "+6281234567890")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("Hash = %q, want 64 lower-case hex digits", h)
	}
	if again := box.Hash("users.phone", "+6281234567890"); again != h {
		t.Errorf("Hash is not deterministic: %q then %q", h, again)
	}
	if again := newBox(t, fixedKey("k1", 1)).Hash("users.phone", "+6281234567890"); again != h {
		t.Errorf("Hash differs between boxes with the same key: %q vs %q", h, again)
	}

	differ := map[string]string{
		"other value":       box.Hash("users.phone", "+6281234567891"),
		"other field":       box.Hash("users.email", "+6281234567890"),
		"empty field":       box.Hash("", "+6281234567890"),
		"other MAC key":     newBox(t, fixedKey("k1", 2)).Hash("users.phone", "+6281234567890"),
		"other active key":  newBox(t, fixedKey("k2", 2), fixedKey("k1", 1)).Hash("users.phone", "+6281234567890"),
		"field/value shift": box.Hash("users.phone+", "6281234567890"),
	}
	for name, other := range differ {
		if other == h {
			t.Errorf("%s: same hash %q", name, h)
		}
	}
	// The separator between field and value keeps ("ab","c") and ("a","bc") apart.
	if box.Hash("ab", "c") == box.Hash("a", "bc") {
		t.Errorf(`Hash("ab","c") == Hash("a","bc"): field and value are not separated`)
	}
	// An older key does not hash: only the active one does.
	if newBox(t, fixedKey("k1", 1), fixedKey("k2", 2)).Hash("users.phone", "+6281234567890") != h {
		t.Errorf("Hash depends on a non-active key")
	}
}

func TestNewBoxRejects(t *testing.T) {
	good := fixedKey("k1", 1)
	short := fixedKey("k2", 2)
	short.Enc = short.Enc[:16] // AES-128 is not accepted
	noMAC := fixedKey("k3", 3)
	noMAC.MAC = nil
	longMAC := fixedKey("k4", 4)
	longMAC.MAC = append(longMAC.MAC, 0)
	tests := []struct {
		name string
		keys []secret.Key
	}{
		{"no keys", nil},
		{"empty list", []secret.Key{}},
		{"short enc key", []secret.Key{short}},
		{"short enc key among good", []secret.Key{good, short}},
		{"missing MAC key", []secret.Key{noMAC}},
		{"long MAC key", []secret.Key{longMAC}},
		{"empty id", []secret.Key{fixedKey("", 1)}},
		{"id with colon", []secret.Key{fixedKey("k:1", 1)}},
		{"id with colon, second key", []secret.Key{good, fixedKey("old:1", 2)}},
	}
	for _, tt := range tests {
		if b, err := secret.NewBox(tt.keys); err == nil || b != nil {
			t.Errorf("%s: NewBox = %v, %v; want an error", tt.name, b, err)
		}
	}
}

func TestNewBoxDuplicateKeyID(t *testing.T) {
	if _, err := secret.NewBox([]secret.Key{fixedKey("k1", 1), fixedKey("k1", 2)}); err == nil {
		t.Errorf("NewBox accepted two keys with id k1")
	}
}

func TestNewKey(t *testing.T) {
	now := time.Date(2025, 3, 4, 23, 30, 0, 0, time.FixedZone("WITA", 8*3600))
	k1, k2 := secret.NewKey(now), secret.NewKey(now)
	for _, k := range []secret.Key{k1, k2} {
		if len(k.Enc) != 32 || len(k.MAC) != 32 {
			t.Errorf("NewKey: %d-byte enc, %d-byte mac, want 32 each", len(k.Enc), len(k.MAC))
		}
		if !regexp.MustCompile(`^k20250304[0-9a-f]{8}$`).MatchString(k.ID) {
			t.Errorf("NewKey id %q, want k<UTC date><8 hex>", k.ID)
		}
		if !k.Created.Equal(now) || k.Created.Location() != time.UTC {
			t.Errorf("Created = %v, want %v in UTC", k.Created, now)
		}
		if bytes.Equal(k.Enc, k.MAC) {
			t.Errorf("enc and mac keys are equal")
		}
		newBox(t, k)
	}
	if k1.ID == k2.ID || bytes.Equal(k1.Enc, k2.Enc) || bytes.Equal(k1.MAC, k2.MAC) {
		t.Errorf("two NewKey calls share an id or key material")
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "lindu")
	path := filepath.Join(dir, "keys.json")
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	keys, created, err := secret.LoadOrCreate(path, now)
	if err != nil || !created || len(keys) != 1 {
		t.Fatalf("LoadOrCreate (new) = %d keys, created %v, %v", len(keys), created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o, want 600", st.Mode().Perm())
	}
	dst, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dst.Mode().Perm()&0o077 != 0 {
		t.Errorf("created key directory mode %o, want no access for group and others", dst.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file (temporary file left behind?)", len(entries))
	}

	box := newBox(t, keys...)
	ct, err := box.Encrypt("users.phone", "+6281234567890")
	if err != nil {
		t.Fatal(err)
	}

	again, created, err := secret.LoadOrCreate(path, now.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("LoadOrCreate (existing) = created %v, %v", created, err)
	}
	if len(again) != 1 || again[0].ID != keys[0].ID || !bytes.Equal(again[0].Enc, keys[0].Enc) ||
		!bytes.Equal(again[0].MAC, keys[0].MAC) || !again[0].Created.Equal(keys[0].Created) {
		t.Fatalf("reloaded keys differ from the created ones")
	}
	box2 := newBox(t, again...)
	if pt, err := box2.Decrypt("users.phone", ct); err != nil || pt != "+6281234567890" {
		t.Errorf("reloaded key cannot decrypt: %q, %v", pt, err)
	}
	if box2.Hash("users.phone", "x") != box.Hash("users.phone", "x") {
		t.Errorf("reloaded key hashes differently")
	}
}

func TestLoadRefusesReadableKeyFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666, 0o601} {
		path := filepath.Join(t.TempDir(), "keys.json")
		if err := secret.Save(path, []secret.Key{fixedKey("k1", 1)}); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		if keys, err := secret.Load(path); err == nil || keys != nil {
			t.Errorf("Load of a %o key file = %d keys, %v; want an error", mode, len(keys), err)
		} else if !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("Load of a %o key file: error %q does not say how to fix it", mode, err)
		}
		// LoadOrCreate must neither accept nor replace it.
		if keys, created, err := secret.LoadOrCreate(path, time.Now()); err == nil || created || keys != nil {
			t.Errorf("LoadOrCreate of a %o key file = %d keys, created %v, %v; want an error", mode, len(keys), created, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("the %o key file was rewritten", mode)
		}
	}

	// Owner-only modes are fine.
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := filepath.Join(t.TempDir(), "keys.json")
		if err := secret.Save(path, []secret.Key{fixedKey("k1", 1)}); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if keys, err := secret.Load(path); err != nil || len(keys) != 1 {
			t.Errorf("Load of a %o key file = %d keys, %v", mode, len(keys), err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := secret.Load(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want os.ErrNotExist", err)
	}
	for name, content := range map[string]string{
		"garbage":  "not json",
		"empty":    "",
		"no keys":  `{"keys":[]}`,
		"null":     `{"keys":null}`,
		"bad enc":  `{"keys":[{"id":"k1","enc":"%%%","mac":""}]}`,
		"wrong ty": `{"keys":"k1"}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if keys, err := secret.Load(path); err == nil {
			t.Errorf("%s: Load = %d keys, nil; want an error", name, len(keys))
		}
		if _, _, err := secret.LoadOrCreate(path, time.Now()); err == nil {
			t.Errorf("%s: LoadOrCreate replaced or accepted a broken key file", name)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	keys := []secret.Key{fixedKey("k2", 2), fixedKey("k1", 1)}
	if err := secret.Save(path, keys); err != nil {
		t.Fatal(err)
	}
	// Saving again replaces the file atomically.
	if err := secret.Save(path, keys); err != nil {
		t.Fatal(err)
	}
	got, err := secret.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "k2" || got[1].ID != "k1" || !bytes.Equal(got[0].Enc, keys[0].Enc) ||
		!bytes.Equal(got[1].MAC, keys[1].MAC) || !got[0].Created.Equal(keys[0].Created) {
		t.Errorf("Load(Save(keys)) = %+v", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want 1", len(entries))
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := fixedKey("k1", 1), fixedKey("k2", 2)
	oldBox := newBox(t, oldKey)
	ctOld, err := oldBox.Encrypt("users.full_name", "Budi Santoso")
	if err != nil {
		t.Fatal(err)
	}

	rotated := newBox(t, newKey, oldKey)
	if rotated.ActiveKeyID() != "k2" {
		t.Errorf("ActiveKeyID = %q, want k2", rotated.ActiveKeyID())
	}
	if ids := rotated.KeyIDs(); len(ids) != 2 || ids[0] != "k2" || ids[1] != "k1" {
		t.Errorf("KeyIDs = %v, want [k2 k1]", ids)
	}
	if pt, err := rotated.Decrypt("users.full_name", ctOld); err != nil || pt != "Budi Santoso" {
		t.Errorf("rotated box cannot open an old ciphertext: %q, %v", pt, err)
	}
	ctNew, err := rotated.Encrypt("users.full_name", "Budi Santoso")
	if err != nil {
		t.Fatal(err)
	}
	if KeyIDOf := secret.KeyIDOf; KeyIDOf(ctNew) != "k2" || KeyIDOf(ctOld) != "k1" {
		t.Errorf("KeyIDOf(new) = %q, KeyIDOf(old) = %q; want k2, k1", KeyIDOf(ctNew), KeyIDOf(ctOld))
	}
	if pt, err := rotated.Decrypt("users.full_name", ctNew); err != nil || pt != "Budi Santoso" {
		t.Errorf("rotated box cannot open its own ciphertext: %q, %v", pt, err)
	}
	// The old box never learnt the new key.
	if _, err := oldBox.Decrypt("users.full_name", ctNew); !errors.Is(err, secret.ErrDecrypt) {
		t.Errorf("old box opened a ciphertext of the new key: %v", err)
	}
	// After re-encryption the old key is dropped; old ciphertexts no longer open.
	final := newBox(t, newKey)
	if pt, err := final.Decrypt("users.full_name", ctNew); err != nil || pt != "Budi Santoso" {
		t.Errorf("final box: %q, %v", pt, err)
	}
	if _, err := final.Decrypt("users.full_name", ctOld); !errors.Is(err, secret.ErrDecrypt) {
		t.Errorf("final box opened a ciphertext of the removed key: %v", err)
	}
	// Lookup hashes follow the active key, so rotation must recompute them.
	if rotated.Hash("users.phone", "+62812") == oldBox.Hash("users.phone", "+62812") {
		t.Errorf("rotated box hashes with the old key")
	}
	if rotated.Hash("users.phone", "+62812") != final.Hash("users.phone", "+62812") {
		t.Errorf("hash depends on keys other than the active one")
	}
}

func TestKeyIDOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"enc1:k1:AAAA", "k1"},
		{"enc1:k20250101abcdef01:AAAAAAAAAAAAAAAA", "k20250101abcdef01"},
		{"enc1:k1:", "k1"},
		{"", ""},
		{"plain text", ""},
		{"enc1:", ""},
		{"enc1:k1", ""},
		{"enc1::AAAA", ""},
		{"enc1:k1:!!!", ""},
		{"enc2:k1:AAAA", ""},
	}
	for _, tt := range tests {
		if got := secret.KeyIDOf(tt.in); got != tt.want {
			t.Errorf("KeyIDOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	box := newBox(t, fixedKey("k2", 2), fixedKey("k1", 1))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				pt := strings.Repeat("x", g+i)
				ct, err := box.Encrypt("f", pt)
				if err == nil {
					var got string
					got, err = box.Decrypt("f", ct)
					if err == nil && got != pt {
						err = errors.New("round trip mismatch")
					}
				}
				_ = box.Hash("f", pt)
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
