package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238): 30-second steps, 6 digits, HMAC-SHA1, the parameters
// every authenticator app understands.
const (
	totpStep   = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret, base32 encoded.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b32.EncodeToString(b)
}

// TOTPURI is the otpauth:// URI an authenticator app imports.
func TOTPURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("digits", fmt.Sprint(totpDigits))
	v.Set("period", fmt.Sprint(totpStep))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// TOTPCode computes the code of secret for the step containing t.
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp(secret, uint64(t.Unix())/totpStep)
}

func hotp(secret string, counter uint64) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("auth: bad TOTP secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1000000), nil
}

// NormalizeTOTPInput strips spaces and dashes people type between digits.
func NormalizeTOTPInput(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

// VerifyTOTP checks code against secret at t, allowing one step of clock
// drift either way. It returns the matched step so the caller can refuse a
// replay (a step at or before the last one used).
func VerifyTOTP(secret, code string, t time.Time, lastStep int64) (int64, bool) {
	code = NormalizeTOTPInput(code)
	if len(code) != totpDigits || len(secret) < 16 {
		return 0, false
	}
	now := int64(uint64(t.Unix()) / totpStep)
	for _, d := range []int64{0, -1, 1} {
		step := now + d
		if step <= lastStep {
			continue
		}
		want, err := hotp(secret, uint64(step))
		if err != nil {
			return 0, false
		}
		if hmac.Equal([]byte(want), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}
