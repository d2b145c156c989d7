package httpx

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// unreachable reports whether err means that the database (or another
// dependency) could not be reached or did not answer in time, rather than
// that the request or lindu's code was wrong: a broken or refused
// connection, a PostgreSQL that is starting or shutting down, a deadline
// passed while waiting for a connection, SQLite still locked after the
// store's retries, or a disk that is full or failing. Such requests
// changed nothing and may be retried, so they are answered 503.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 53300 too many connections;
		// 57P01..57P03: shutting down or not yet accepting connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "53300" ||
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	msg := err.Error()
	for _, s := range []string{
		"SQLITE_BUSY", "SQLITE_LOCKED", "database is locked", "database table is locked", // still busy after the store's retries
		"SQLITE_IOERR", "disk I/O error", "SQLITE_FULL", "database or disk is full", "SQLITE_CANTOPEN",
		"conn closed", "failed to connect", "connection reset by peer", "broken pipe",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
