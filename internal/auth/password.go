// Package auth owns credentials: password hashing (argon2id), TOTP second
// factors (RFC 6238), and random secrets for sessions and API tokens. It
// stores nothing; package store keeps the hashes. The login limits (how
// many password and code attempts, and the delays beyond them) are in
// package login: they are written on the store core, which imports auth.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP 2023 recommendation: m=19 MiB, t=2, p=1).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are used for new hashes.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// MaxParams bounds the parameters a stored hash may ask for.
var MaxParams = Params{Memory: 256 * 1024, Time: 10, Threads: 16}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// MaxPasswordLen is the longest password accepted, in characters.
const MaxPasswordLen = 256

// CheckPasswordPolicy returns a user-facing reason a password is refused, or "".
func CheckPasswordPolicy(pw string) string {
	if len([]rune(pw)) < MinPasswordLen {
		return fmt.Sprintf("at least %d characters", MinPasswordLen)
	}
	if len([]rune(pw)) > MaxPasswordLen {
		return fmt.Sprintf("at most %d characters", MaxPasswordLen)
	}
	if IsCommonPassword(pw) {
		return "too_common"
	}
	return ""
}

// CheckPasswordPolicyFor is CheckPasswordPolicy for the account username:
// a password containing the username is refused too.
func CheckPasswordPolicyFor(username, pw string) string {
	if r := CheckPasswordPolicy(pw); r != "" {
		return r
	}
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(strings.ToLower(pw), u) {
		return "contains_username"
	}
	return ""
}

// HashPassword returns an encoded argon2id hash
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(pw string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(h)), nil
}

// ErrBadHash is returned for a stored hash that cannot be parsed.
var ErrBadHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether pw matches the encoded hash, in constant time.
func VerifyPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version || parts[2] != fmt.Sprintf("v=%d", v) {
		return false, ErrBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) {
		return false, ErrBadHash
	}
	// A stored hash decides what a login costs: refuse anything far beyond
	// what lindu itself writes (DefaultParams), and t=0, which argon2 refuses.
	if p.Memory < 8 || p.Memory > MaxParams.Memory || p.Time == 0 || p.Time > MaxParams.Time ||
		p.Threads == 0 || p.Threads > MaxParams.Threads {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a user does not exist, so that a
// missing username takes as long as a wrong password.
var dummyHash, _ = HashPassword("lindu-dummy-password", DefaultParams)

// BurnTime spends the time of one password verification.
func BurnTime(pw string) {
	_, _ = VerifyPassword(pw, dummyHash) // only the time it takes matters
}

// RandomToken returns n random bytes, URL-safe base64 encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is the stored form of a session id or API token: SHA-256, hex.
// The tokens carry 256 bits of randomness, so a fast hash is enough.
func TokenHash(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// APITokenPrefix starts every API token, so leaked tokens are recognisable.
const APITokenPrefix = "lindu_"

// NewAPIToken returns a fresh API token.
func NewAPIToken() string { return APITokenPrefix + RandomToken(32) }

// GeneratePassword makes a readable random password for demo users and
// resets: 4 groups of 4 lower-case letters and digits without look-alikes.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	var sb strings.Builder
	b := make([]byte, 1)
	for n := 0; n < 16; {
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		// Rejection sampling keeps every character equally likely.
		if int(b[0]) >= 256-256%len(alphabet) {
			continue
		}
		if n > 0 && n%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(b[0])%len(alphabet)])
		n++
	}
	return sb.String()
}
