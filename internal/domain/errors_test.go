package domain_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"lindu/internal/domain"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  *domain.Error
		want string
	}{
		{domain.Errorf(domain.EForbidden, "your role may not %s", "manage users"), "forbidden: your role may not manage users"},
		{domain.NotFound("user"), "not_found: user not found"},
		{domain.InvalidFields(domain.FieldErrors{"phone": domain.M("field.phone_format")}),
			"invalid: please correct the marked fields [phone:field.phone_format]"},
		{domain.E(domain.EConflict, "case.err.stale"), "conflict: case.err.stale"},
		{&domain.Error{Code: domain.ETooMany, Message: "slow down", RetryAfterSeconds: 30}, "too_many: slow down"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestConstructors(t *testing.T) {
	e := domain.Errorf(domain.EConflict, "user %q exists", "budi")
	if e.Code != domain.EConflict || e.Message != `user "budi" exists` || e.Fields != nil {
		t.Errorf("Errorf = %+v", e)
	}
	nf := domain.NotFound("case")
	if nf.Code != domain.ENotFound || nf.Message != "case not found" {
		t.Errorf("NotFound = %+v", nf)
	}
	inv := domain.InvalidFields(domain.FieldErrors{"username": domain.M("field.username_taken"), "q": domain.M("field.max_chars", 100)})
	if inv.Code != domain.EInvalid || inv.Key != "error.fields" || len(inv.Fields) != 2 || inv.Fields["q"].Args[0] != 100 {
		t.Errorf("InvalidFields = %+v", inv)
	}
	e2 := domain.E(domain.EConflict, "case.err.bad_transition", "new", "closed")
	if e2.Code != domain.EConflict || e2.Msg().Key != "case.err.bad_transition" || len(e2.Msg().Args) != 2 {
		t.Errorf("E = %+v", e2)
	}
}

func TestCodeOf(t *testing.T) {
	notFound := domain.NotFound("user")
	conflict := domain.Errorf(domain.EConflict, "duplicate")
	tests := []struct {
		name string
		err  error
		want domain.ErrorCode
	}{
		{"nil", nil, domain.EInternal},
		{"plain error", errors.New("disk on fire"), domain.EInternal},
		{"io.EOF", io.EOF, domain.EInternal},
		{"bare", notFound, domain.ENotFound},
		{"each code", domain.Errorf(domain.EUnavailable, "db down"), domain.EUnavailable},
		{"wrapped once", fmt.Errorf("store: get user: %w", notFound), domain.ENotFound},
		{"wrapped twice", fmt.Errorf("api: %w", fmt.Errorf("store: %w", conflict)), domain.EConflict},
		{"%v does not wrap", fmt.Errorf("store: %v", notFound), domain.EInternal},
		{"joined, first wins", errors.Join(errors.New("x"), conflict, notFound), domain.EConflict},
		{"two %w, first wins", fmt.Errorf("%w; %w", notFound, conflict), domain.ENotFound},
		{"wrapped in plain first", fmt.Errorf("%w; %w", io.EOF, conflict), domain.EConflict},
	}
	for _, tt := range tests {
		if got := domain.CodeOf(tt.err); got != tt.want {
			t.Errorf("%s: CodeOf(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestIsNotFound(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("not found"), false}, // the text does not matter, the code does
		{domain.NotFound("user"), true},
		{fmt.Errorf("lookup: %w", domain.NotFound("region")), true},
		{domain.Errorf(domain.ENotFound, "gone"), true},
		{domain.Errorf(domain.EForbidden, "no"), false},
	}
	for _, tt := range tests {
		if got := domain.IsNotFound(tt.err); got != tt.want {
			t.Errorf("IsNotFound(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestAsError(t *testing.T) {
	inv := domain.InvalidFields(domain.FieldErrors{"email": domain.M("field.bad")})

	got, ok := domain.AsError(fmt.Errorf("api: %w", fmt.Errorf("store: %w", inv)))
	if !ok || got != inv {
		t.Fatalf("AsError(wrapped) = %p, %v; want the original %p, true", got, ok, inv)
	}
	if got.Fields["email"].Key != "field.bad" {
		t.Errorf("fields lost through wrapping: %v", got.Fields)
	}

	for _, err := range []error{nil, errors.New("plain"), fmt.Errorf("x: %v", inv)} {
		if got, ok := domain.AsError(err); ok || got != nil {
			t.Errorf("AsError(%v) = %v, %v; want nil, false", err, got, ok)
		}
	}
}
