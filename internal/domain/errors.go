package domain

import (
	"errors"
	"fmt"
)

// ErrorCode classifies what went wrong, in terms of what the caller did.
// Exactly one function (httpx.StatusFor) maps codes to HTTP statuses.
type ErrorCode string

const (
	EInvalid      ErrorCode = "invalid"      // the input is malformed or fails validation
	ENotFound     ErrorCode = "not_found"    // absent, or outside the caller's scope
	EConflict     ErrorCode = "conflict"     // duplicate key, stale version
	EUnauthorized ErrorCode = "unauthorized" // not logged in, bad credentials
	EForbidden    ErrorCode = "forbidden"    // logged in but the role may not do this
	ETooMany      ErrorCode = "too_many"     // throttled
	ETooLarge     ErrorCode = "too_large"    // body or file too big
	EInternal     ErrorCode = "internal"     // our fault; details are logged, not shown
	EUnavailable  ErrorCode = "unavailable"  // a dependency is down
)

// Error is a user-facing error: a code, a message safe to show, and optional
// per-field messages for forms. Messages never contain personal data.
type Error struct {
	Code    ErrorCode
	Message string
	Fields  map[string]string
	// RetryAfterSeconds is set for ETooMany and EUnavailable.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds a coded error.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds an EInvalid error with per-field messages.
func Invalid(msg string, fields map[string]string) *Error {
	return &Error{Code: EInvalid, Message: msg, Fields: fields}
}

// NotFound is the answer for anything absent or outside the caller's scope;
// the two cases are deliberately indistinguishable.
func NotFound(what string) *Error {
	return &Error{Code: ENotFound, Message: what + " not found"}
}

// CodeOf returns the code of the first *Error in err's chain, or EInternal.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether err is (or wraps) a not-found error.
func IsNotFound(err error) bool { return CodeOf(err) == ENotFound }
