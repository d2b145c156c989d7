package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"lindu/internal/auth"
)

// fuzzParams are the cheapest parameters argon2 allows.
var fuzzParams = auth.Params{Memory: 8, Time: 1, Threads: 1}

// costOf reads m, t and p from an encoded hash the way VerifyPassword does,
// but into wider integers, so any cost VerifyPassword would accept is seen.
func costOf(encoded string) (m, t, p uint64, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		return 0, 0, 0, false
	}
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p)
	return m, t, p, err == nil
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("correct horse battery", knownHash)
	f.Add("correct horse battery", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA")
	f.Add("", "")
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=256$c2FsdA$aGFzaA")
	f.Add("x", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA")
	f.Add("x", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=1$$")

	f.Fuzz(func(t *testing.T, pw, encoded string) {
		if m, tm, p, ok := costOf(encoded); ok && m <= 1<<20 && tm <= 20 && p >= 1 && p <= 255 &&
			(m*tm > 2048 || p > 4) {
			// Costly parameters within VerifyPassword's own limits are not run
			// here, only for speed (up to 1 GiB and 20 passes each; see
			// TestVerifyPasswordRefusesAbsurdCost). Parameters beyond those
			// limits are run: they must be refused before argon2 starts.
			t.Skip("expensive parameters")
		}
		ok, err := auth.VerifyPassword(pw, encoded)
		if err != nil && (ok || !errors.Is(err, auth.ErrBadHash)) {
			t.Fatalf("VerifyPassword(%q, %q) = %v, %v; an error must be ErrBadHash with false", pw, encoded, ok, err)
		}
		// Strict format checks (e.g. junk before the first "$", found by this
		// fuzzer) are known bugs pinned in TestVerifyPasswordMalformed; here a
		// match needs at least the argon2id shape.
		if parts := strings.Split(encoded, "$"); ok && (len(parts) != 6 || parts[1] != "argon2id") {
			t.Fatalf("VerifyPassword(%q, %q) = true for a hash that is not argon2id", pw, encoded)
		}

		// Any password verifies against its own hash, and only against it.
		h, err := auth.HashPassword(pw, fuzzParams)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := auth.VerifyPassword(pw, h); !ok || err != nil {
			t.Fatalf("VerifyPassword(%q, HashPassword(%q)) = %v, %v", pw, pw, ok, err)
		}
		if ok, err := auth.VerifyPassword(pw+"\x00", h); ok || err != nil {
			t.Fatalf("VerifyPassword(%q, HashPassword(%q)) = %v, %v; want false", pw+"\x00", pw, ok, err)
		}
	})
}

func FuzzVerifyTOTP(f *testing.F) {
	f.Add("050471", int64(1111111111), int64(0))
	f.Add("081804", int64(1111111111), int64(37037036))
	f.Add("287 082", int64(59), int64(-1))
	f.Add("353-130", int64(20000000000), int64(0))
	f.Add("14050471", int64(1111111111), int64(0))
	f.Add("", int64(0), int64(0))
	f.Add("abcdef", int64(-1), int64(-9223372036854775808))

	f.Fuzz(func(t *testing.T, code string, unix, lastStep int64) {
		now := time.Unix(unix, 0)
		step, ok := auth.VerifyTOTP(rfcSecret, code, now, lastStep)
		if !ok {
			if step != 0 {
				t.Fatalf("VerifyTOTP(%q, %d, %d) = %d, false; want step 0 on failure", code, unix, lastStep, step)
			}
		}
		if unix < 0 || unix >= 1<<40 {
			return // outside the range the properties below speak about
		}
		cur := unix / 30
		if ok {
			if step <= lastStep {
				t.Fatalf("VerifyTOTP(%q, %d, last %d) accepted step %d: a replay", code, unix, lastStep, step)
			}
			if d := step - cur; d < -1 || d > 1 {
				t.Fatalf("VerifyTOTP(%q, %d) accepted step %d, %d steps from now", code, unix, step, d)
			}
			n := auth.NormalizeTOTPInput(code)
			if len(n) != 6 || strings.Trim(n, "0123456789") != "" {
				t.Fatalf("VerifyTOTP accepted %q, which is not six digits", code)
			}
			want, err := auth.TOTPCode(rfcSecret, time.Unix(step*30, 0))
			if err != nil || want != n {
				t.Fatalf("VerifyTOTP(%q) accepted step %d whose code is %q", code, step, want)
			}
		}

		// The current code is always accepted once, then refused.
		c, err := auth.TOTPCode(rfcSecret, now)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := auth.VerifyTOTP(rfcSecret, c, now, cur-1); !ok || s != cur {
			t.Fatalf("current code %q at %d = %d, %v; want %d, true", c, unix, s, ok, cur)
		}
		if s, ok := auth.VerifyTOTP(rfcSecret, c, now, cur); ok {
			// Only a coincidence with the next step's code may pass.
			if next, _ := auth.TOTPCode(rfcSecret, time.Unix((cur+1)*30, 0)); next != c || s != cur+1 {
				t.Fatalf("replayed code %q at %d accepted as step %d", c, unix, s)
			}
		}
	})
}
