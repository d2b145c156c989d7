// Package cases owns lindu's case work and its rules: public reports and
// their triage (verify, merge, reject, duplicates), cases and their
// workflow, additions to a case (people, services, referrals, placements,
// notes), routing to teams and the duty roster, deadline rules (SLA),
// clocks and their escalations, need-to-know access to a case's personal
// data and emergency access (akses darurat), and the SMS texts these send.
// Its SQL runs on the store core (store.InTx, Seal/Open, ScopeClause...);
// every exported function takes the caller's domain.Scope and its comment
// says who may call it.
package cases

import (
	"database/sql"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// DefaultEmergencyAccess is how long an emergency access lasts unless
// configured otherwise.
const DefaultEmergencyAccess = 4 * time.Hour

// Options configure the case area.
type Options struct {
	// EmergencyAccess is how long an emergency access (akses darurat) to
	// a case's personal data lasts (default DefaultEmergencyAccess).
	EmergencyAccess time.Duration
	// MaxDocumentBytes is the largest file a case document may be
	// (default DefaultMaxDocument).
	MaxDocumentBytes int64
}

// Service is the case area: what the web pages, the API, the channels
// and the jobs call. It is safe for concurrent use.
type Service struct {
	st           *store.Store
	emergencyTTL time.Duration
	maxDocument  int64
}

// bulk is s reading on the store's pool for long reads (store.Bulk):
// exports.
func (s *Service) bulk() *Service {
	c := *s
	c.st = s.st.Bulk()
	return &c
}

// New returns the case area on st. The wiring (cmd/lindu, internal/server)
// makes one and hands it to the web, the API, the channels and the jobs.
func New(st *store.Store, opt Options) *Service {
	ttl := opt.EmergencyAccess
	if ttl <= 0 {
		ttl = DefaultEmergencyAccess
	}
	maxDoc := opt.MaxDocumentBytes
	if maxDoc <= 0 {
		maxDoc = DefaultMaxDocument
	}
	return &Service{st: st, emergencyTTL: ttl, maxDocument: maxDoc}
}

// EmergencyAccessTTL is how long an emergency access lasts. Anyone may ask.
func (s *Service) EmergencyAccessTTL() time.Duration { return s.emergencyTTL }

// ptrTime turns a nullable time into a UTC pointer.
func ptrTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// tp is a pointer time as a SQL argument.
func tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// withoutPersonal narrows a scope so a read neither decrypts nor audits.
func withoutPersonal(sc domain.Scope) domain.Scope {
	sc.Personal = false
	return sc
}

// scanner is a row being read: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }
