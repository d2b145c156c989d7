// Package httpx holds what the HTML and JSON front ends share: the one
// mapping from domain error codes to HTTP statuses, JSON reading and
// writing with size limits, client addresses, authentication of sessions
// and bearer tokens into a domain.Scope, and middleware (recover, logging,
// metrics, security headers, cross-origin protection).
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"lindu/internal/domain"
)

// StatusFor is the one place where error codes become HTTP statuses.
func StatusFor(code domain.ErrorCode) int {
	switch code {
	case domain.EInvalid:
		return http.StatusUnprocessableEntity
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EConflict:
		return http.StatusConflict
	case domain.EUnauthorized:
		return http.StatusUnauthorized
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.ETooMany:
		return http.StatusTooManyRequests
	case domain.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Public turns any error into what may be shown to a user: coded errors
// as they are, anything else as a generic internal error (the cause is
// logged, never shown).
func Public(log *slog.Logger, r *http.Request, err error) *domain.Error {
	if log == nil {
		log = slog.Default()
	}
	if e, ok := domain.AsError(err); ok {
		return e
	}
	if errors.Is(err, context.Canceled) {
		return &domain.Error{Code: domain.EUnavailable, Message: "request cancelled"}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &domain.Error{Code: domain.ETooLarge, Message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
	}
	if unreachable(err) {
		// Logged without the error text, which may name hosts or queries.
		log.WarnContext(r.Context(), "dependency unavailable", "err", err.Error(), "method", r.Method, "route", r.Pattern)
		return domain.Unavailable()
	}
	log.ErrorContext(r.Context(), "internal error", "err", err.Error(), "method", r.Method, "route", r.Pattern)
	return &domain.Error{Code: domain.EInternal, Message: "internal error; it has been logged"}
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code domain.ErrorCode `json:"code"`
	// Key is the message key (stable, for programs); Message and Fields
	// are texts in the language the client asked for (APILang).
	Key     string            `json:"key,omitempty"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	// The status is sent: a failed write means the client went away, and v
	// is one of lindu's own types, which always encode.
	_ = enc.Encode(v)
}

// SetRetryAfter adds Retry-After to the answer of a throttled request or
// of one refused because a dependency is down (both front ends use it).
func SetRetryAfter(w http.ResponseWriter, e *domain.Error) {
	switch {
	case e.RetryAfterSeconds > 0 && (e.Code == domain.ETooMany || e.Code == domain.EUnavailable):
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	case e.Code == domain.EUnavailable:
		w.Header().Set("Retry-After", "5")
	}
}

// WriteError writes err as a JSON API error with the right status.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := Public(log, r, err)
	SetRetryAfter(w, e)
	if e.Code == domain.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lindu"`)
	}
	lang := APILang(r)
	msg := e.Message
	if e.Key != "" || msg == "" {
		msg = ErrorText(lang, e)
	}
	WriteJSON(w, StatusFor(e.Code), ErrorBody{Error: ErrorDetail{Code: e.Code, Key: e.Key, Message: msg, Fields: FieldTexts(lang, e.Fields)}})
}

// MaxJSONBody is the largest JSON request body accepted by default.
const MaxJSONBody = 1 << 20

// DecodeJSON reads exactly one JSON object into dst, refusing unknown
// fields, trailing data, a wrong content type and bodies over max bytes.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, max int64) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return domain.E(domain.EInvalid, "api.err.content_type")
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	raw, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &domain.Error{Code: domain.ETooLarge, Message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
	case err != nil:
		return fmt.Errorf("httpx: read body: %w", err)
	case !utf8.Valid(raw):
		// encoding/json would silently turn invalid bytes into U+FFFD.
		return domain.E(domain.EInvalid, "api.err.body_utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return &domain.Error{Code: domain.ETooLarge, Message: fmt.Sprintf("request body larger than %d bytes", max)}
		case errors.Is(err, io.EOF):
			return domain.E(domain.EInvalid, "api.err.body_empty")
		case errors.As(err, &se):
			return domain.E(domain.EInvalid, "api.err.json_at", se.Offset)
		case errors.As(err, &te):
			return domain.InvalidFields(domain.FieldErrors{te.Field: domain.M("field.json_type", te.Type.String())})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return domain.InvalidFields(domain.FieldErrors{f: domain.M("field.json_unknown")})
		}
		return domain.E(domain.EInvalid, "api.err.json")
	}
	if dec.More() {
		return domain.E(domain.EInvalid, "api.err.one_object")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return domain.E(domain.EInvalid, "api.err.one_object")
	}
	if bad := badText(reflect.ValueOf(dst), "", map[string]string{}); len(bad) > 0 {
		return domain.InvalidFields(keyed(bad))
	}
	return nil
}

// keyed turns field → message key into field errors.
func keyed(bad map[string]string) domain.FieldErrors {
	f := make(domain.FieldErrors, len(bad))
	for k, key := range bad {
		f[k] = domain.M(key)
	}
	return f
}

// badText walks a decoded value and collects, by JSON field path, every
// string that domain.CheckText refuses. Tabs and line breaks are allowed
// everywhere: which fields are multi-line is the field's own rule.
func badText(v reflect.Value, path string, bad map[string]string) map[string]string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			badText(v.Elem(), path, bad)
		}
	case reflect.String:
		if msg := domain.CheckText(v.String(), true); msg != "" {
			bad[strings.TrimPrefix(path, ".")] = msg
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				badText(v.Field(i), path, bad)
				continue
			}
			badText(v.Field(i), path+"."+name, bad)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			badText(v.Index(i), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if msg := domain.CheckText(k, false); msg != "" {
				bad[strings.TrimPrefix(path, ".")] = msg
			}
			badText(it.Value(), path+"."+k, bad)
		}
	}
	return bad
}

// ClientIP returns the client's address: the connection's peer, or with
// trustProxy the last address a proxy appended to X-Forwarded-For.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			ip := strings.TrimSpace(parts[len(parts)-1])
			if net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
