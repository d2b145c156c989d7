package httpx

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"lindu/internal/domain"
)

// Connection failures of either database become 503 with Retry-After;
// everything else stays what it was.
func TestUnreachableErrors(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("store: begin: %w", driver.ErrBadConn), 503},
		{fmt.Errorf("store: get: %w", refused), 503},
		{fmt.Errorf("store: get: %w", &pgconn.ConnectError{}), 503},
		{fmt.Errorf("store: get: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), 503},
		{fmt.Errorf("store: get: %w", &pgconn.PgError{Code: "08006"}), 503},
		{fmt.Errorf("store: acquire: %w", context.DeadlineExceeded), 503},
		{errors.New("store: commit: database is locked (5) (SQLITE_BUSY)"), 503},
		{errors.New("store: insert: disk I/O error (10) (SQLITE_IOERR)"), 503},
		{errors.New("store: insert: database or disk is full (13)"), 503},
		{fmt.Errorf("store: get: %w", &pgconn.PgError{Code: "23505"}), 500},
		{errors.New("store: scan: converting NULL to string is unsupported"), 500},
		{domain.NotFound("case"), 404},
		{fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("GET", "/api/v1/cases", nil), nil, tt.err)
		if rec.Code != tt.want {
			t.Errorf("%v: status %d, want %d", tt.err, rec.Code, tt.want)
		}
		if tt.want == 503 && (rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"unavailable"`)) {
			t.Errorf("%v: Retry-After %q body %s", tt.err, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
}
