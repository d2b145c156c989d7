package domain

import (
	"unicode/utf8"
)

// CheckText is the one rule for text that comes from outside (API bodies,
// web forms): it must be valid UTF-8 and hold no control characters, except
// tab, line feed and carriage return when multiline (descriptions, notes).
// NUL and other controls would be stored, exported and shown as they are,
// and invalid UTF-8 would be silently replaced by the JSON decoder. It
// returns "" when s is acceptable, else the message key of the reason.
func CheckText(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "field.text_utf8"
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return "field.text_single_line"
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return "field.text_control"
		}
	}
	return ""
}

// Unavailable is the error answered when the database or another
// dependency cannot be reached: the request changed nothing and may be
// retried after RetryAfterSeconds.
func Unavailable() *Error {
	return &Error{Code: EUnavailable, Message: "service temporarily unavailable; try again shortly", RetryAfterSeconds: 5}
}
