package domain

import (
	"errors"
	"fmt"
	"sort"
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

// Msg is a text for a user: a message key of the i18n catalogue and its
// arguments, rendered in the reader's language by the front end.
type Msg struct {
	Key  string
	Args []any
}

// M builds a Msg.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// FieldErrors maps a form or JSON field to what is wrong with it.
type FieldErrors map[string]Msg

// Error is a user-facing error: a code, a message key with its arguments,
// and optional per-field messages for forms. Message is an English
// description for logs and tests; users read the text of Key in their
// language. Neither ever contains personal data.
type Error struct {
	Code    ErrorCode
	Message string
	Key     string
	Args    []any
	Fields  FieldErrors
	// RetryAfterSeconds is set for ETooMany and EUnavailable.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Key
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k, m := range e.Fields {
			keys = append(keys, k+":"+m.Key)
		}
		sort.Strings(keys)
		return fmt.Sprintf("%s: %s %v", e.Code, msg, keys)
	}
	return fmt.Sprintf("%s: %s", e.Code, msg)
}

// Msg is what the user reads: the error's key and arguments.
func (e *Error) Msg() Msg { return Msg{Key: e.Key, Args: e.Args} }

// E builds a coded error with a message key and its arguments.
func E(code ErrorCode, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Key: key, Args: args}
}

// Errorf builds a coded error with an English message and no key; the
// front ends show a generic text for its code. Prefer E.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields builds an EInvalid error with per-field messages.
func InvalidFields(fields FieldErrors) *Error {
	return &Error{Code: EInvalid, Message: "please correct the marked fields", Key: "error.fields", Fields: fields}
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
