package intake

import (
	"context"
	"math"
	"time"

	"lindu/internal/domain"
	"lindu/internal/login"
	"lindu/internal/store"
)

// The limits of public reporting, the same for the web form and the JSON
// API: one counter per address (and per contact number) whichever front end
// a request comes through, so using both does not double the quota. The
// counters are kept in the database (store.Allow), so every lindu instance
// counts together, under a keyed hash, and forgotten after a day.
const (
	// ReportsPerAddress is how many reports one client address may file
	// per ReportWindow.
	ReportsPerAddress = 10
	// ReportsPerPhone is how many reports may name one contact number per
	// ReportWindow.
	ReportsPerPhone = 5
	// ReportWindow is the window of the two report limits.
	ReportWindow = time.Hour
	// StatusLookupsPerAddress is how many status look-ups one client
	// address may make per StatusWindow: enough for a reporter, too few to
	// guess codes (10^8 possible codes).
	StatusLookupsPerAddress = 60
	// StatusWindow is the window of the status look-up limit.
	StatusWindow = 10 * time.Minute
)

// phoneLimitHash is the lookup-hash field that names a contact number in a
// counter key, so the key never holds the number.
const phoneLimitHash = "ratelimit.phone"

// reportAddressKey is the counter of reports from a client address: an
// IPv4 address, or the /64 network of an IPv6 address (one subscriber
// holds a whole /64), grouped as the login limits group them
// (login.LimitAddress).
func reportAddressKey(addr string) string { return "report:ip:" + login.LimitAddress(addr) }

// statusAddressKey is the counter of status look-ups from a client address.
func statusAddressKey(addr string) string { return "status:ip:" + login.LimitAddress(addr) }

// reportPhoneKey is the counter of reports naming a contact number
// (normalised, so the same number however written counts once).
func (s *Service) reportPhoneKey(phone string) string {
	return "report:phone:" + s.Store.LookupHash(phoneLimitHash, phone)
}

// allow counts one hit on a counter and refuses, over the limit, with
// ETooMany saying when the window ends (RetryAfterSeconds, at least 1 and
// at most the window).
func (s *Service) allow(ctx context.Context, key string, limit int, window time.Duration) error {
	ok, reset, err := s.Store.Allow(ctx, key, limit, window)
	return s.limitErr(ok, reset, window, err)
}

// allowTx is allow counting in tx (store.Tx.Allow).
func (s *Service) allowTx(ctx context.Context, tx *store.Tx, key string, limit int, window time.Duration) error {
	ok, reset, err := tx.Allow(ctx, key, limit, window)
	return s.limitErr(ok, reset, window, err)
}

// limitErr is nil within the limit and ETooMany beyond it.
func (s *Service) limitErr(ok bool, reset time.Time, window time.Duration, err error) error {
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	secs := int(math.Ceil(reset.Sub(s.Store.Now()).Seconds()))
	secs = max(1, min(secs, int(window.Seconds())))
	e := domain.E(domain.ETooMany, "report.err.too_many", secs)
	e.RetryAfterSeconds = secs
	return e
}
