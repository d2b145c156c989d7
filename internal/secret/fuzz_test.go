package secret_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"lindu/internal/secret"
)

// sealed are ciphertexts made once by Encrypt with fixedKey("k1", 1) and
// fixedKey("k2", 2). They are the only non-empty inputs Decrypt may open.
var sealed = []struct{ field, plaintext, ciphertext string }{
	{"users.phone", "+6281234567890", "enc1:k1:6VEMblvfuStVTs+Zffu0BuM6XQhGOWOVF+Y4ZL4TFBSv7oUu3tv6iP1a"},
	{"users.full_name", "Siti Nurhaliza", "enc1:k2:lqjSqeGNJYe5dTn1VTkKzNBkI6Xqm7Gn862DZaHXk/v2hknqjdPbgHPe"},
	{"cases.narrative", "Soka\"an 🧒", "enc1:k1:ThqrO6RGGMlWdhVJsz3cg+Df+0dg+DQBfY12X1kPeR4D7jeptz1kew"},
}

func TestSealedVectors(t *testing.T) {
	box := newBox(t, fixedKey("k2", 2), fixedKey("k1", 1))
	for _, s := range sealed {
		if pt, err := box.Decrypt(s.field, s.ciphertext); err != nil || pt != s.plaintext {
			t.Errorf("Decrypt(%q, %q) = %q, %v; want %q", s.field, s.ciphertext, pt, err, s.plaintext)
		}
	}
}

// TestDecryptNonCanonicalEncoding documents that the base64 decoder used by
// Decrypt ignores CR/LF and non-zero trailing bits, so one sealed value has
// many accepted spellings. The plaintext stays authentic (GCM), so this is
// low severity, but a ciphertext string is not canonical.
func TestDecryptNonCanonicalEncoding(t *testing.T) {
	box := newBox(t, fixedKey("k1", 1))
	s := sealed[0]
	for _, variant := range []string{
		s.ciphertext[:20] + "\n" + s.ciphertext[20:],
		s.ciphertext[:20] + "\r" + s.ciphertext[20:],
		s.ciphertext + "\n",
	} {
		if _, err := box.Decrypt(s.field, variant); !errors.Is(err, secret.ErrDecrypt) {
			t.Errorf("Decrypt(%q) = %v, want ErrDecrypt", variant, err)
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	for _, s := range sealed {
		f.Add(s.field, s.ciphertext)
	}
	f.Add("users.phone", "")
	f.Add("users.phone", "enc1:k1:")
	f.Add("users.phone", "enc1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("users.phone", "enc1:k3:AAAA")
	f.Add("", "enc1::")
	f.Add("users.email", sealed[0].ciphertext)

	box := newBox(f, fixedKey("k2", 2), fixedKey("k1", 1))
	type known struct{ field, raw string }
	opens := map[known]string{}
	for _, s := range sealed {
		id := secret.KeyIDOf(s.ciphertext)
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(s.ciphertext, "enc1:"+id+":"))
		if err != nil || id == "" {
			f.Fatalf("sealed vector %q: id %q, %v", s.ciphertext, id, err)
		}
		opens[known{s.field, id + ":" + string(raw)}] = s.plaintext
	}

	f.Fuzz(func(t *testing.T, field, ciphertext string) {
		pt, err := box.Decrypt(field, ciphertext)
		switch {
		case err != nil:
			if !errors.Is(err, secret.ErrDecrypt) {
				t.Fatalf("Decrypt(%q, %q) error %v does not wrap ErrDecrypt", field, ciphertext, err)
			}
			if pt != "" {
				t.Fatalf("Decrypt(%q, %q) returned %q with an error", field, ciphertext, pt)
			}
		case ciphertext == "":
			if pt != "" {
				t.Fatalf(`Decrypt(%q, "") = %q, want ""`, field, pt)
			}
		default:
			// It opened: it must be one of the sealed values, under its own
			// field and key, whatever its spelling.
			id := secret.KeyIDOf(ciphertext)
			rest := strings.TrimPrefix(ciphertext, "enc1:"+id+":")
			raw, derr := base64.RawStdEncoding.DecodeString(rest)
			want, ok := opens[known{field, id + ":" + string(raw)}]
			if derr != nil || !ok {
				t.Fatalf("Decrypt(%q, %q) = %q, nil: opened a ciphertext Encrypt never produced", field, ciphertext, pt)
			}
			if pt != want {
				t.Fatalf("Decrypt(%q, %q) = %q, want %q", field, ciphertext, pt, want)
			}
		}

		// And anything we seal opens again, under its field only.
		ct, err := box.Encrypt(field, ciphertext)
		if err != nil {
			t.Fatalf("Encrypt(%q, %q): %v", field, ciphertext, err)
		}
		if back, err := box.Decrypt(field, ct); err != nil || back != ciphertext {
			t.Fatalf("Decrypt(Encrypt(%q, %q)) = %q, %v", field, ciphertext, back, err)
		}
		if ciphertext != "" {
			if back, err := box.Decrypt(field+"x", ct); err == nil {
				t.Fatalf("sealed under %q, opened under %q: %q", field, field+"x", back)
			}
		}
	})
}
