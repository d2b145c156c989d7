// Package intake owns how reports and commands come in from the public and
// from responders, on every channel:
//
//   - public_report.go: the one public-report intake of the web form and the
//     JSON API (validation, limits, idempotency), and the public status
//     look-up; limits.go holds the limits and their counter keys.
//   - inbound.go: SMS and WhatsApp messages, stored exactly once per
//     provider key and handled one sender at a time; command.go parses
//     them; report_text.go (free text: a report, or more text for the
//     sender's report of the last 30 minutes), status.go (STATUS),
//     responder.go (TERIMA, TIBA, INFO by registered responders) and
//     replies.go (the Indonesian replies, enqueued to the sender's sealed
//     number) say what each does.
//
// The reports and cases themselves, their SQL and the workflow's rules
// belong to internal/cases: intake calls its functions inside one
// transaction per message, so the message, the report or case change, the
// audit entries and the reply commit together. The provider packages
// (intake/kannel, intake/whatsapp) turn a gateway's requests into Messages.
package intake

import (
	"context"

	"lindu/internal/cases"
	"lindu/internal/metrics"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// Service is the intake of every channel. The wiring makes one for the
// SMS and WhatsApp providers (cmd/lindu) and the web and API front ends
// make theirs on the same store and case area; it keeps no state, so any
// number of them agree. It is safe for concurrent use.
type Service struct {
	Store *store.Store
	// Cases is the case area that stores what comes in (nil: the case area
	// on Store with default options).
	Cases *cases.Service
	// Region is the deployment's region: new reports by SMS and WhatsApp
	// are filed there, and public reports must lie within it ("" = all of
	// Indonesia, for the web and the API).
	Region string
	// Sent is called after a message was committed with a reply waiting
	// in the outbox (the sender wakes up); optional.
	Sent func()
	// Handoff, when set, is the sender of the replies: a reply it claims
	// is written claimed for it and handed to it once committed, instead
	// of Sent (optional).
	Handoff Handoff
	// Metrics counts inbound messages by channel and outcome (optional;
	// DeclareMetrics declares the counter).
	Metrics *metrics.Registry
	// InTx runs a message's transaction (optional; default Store.InTx);
	// key names the sender (messages with the same key are handled one at
	// a time anyway). The SMS and WhatsApp wiring (cmd/lindu) passes a
	// group commit (store.Committer.DoKey): one commit serves the
	// messages that arrive together.
	InTx func(ctx context.Context, key string, fn func(context.Context, *store.Tx) error) error
}

// Handoff takes the replies claimed for it in the transaction that wrote
// them (sms.Sender): it gets each in memory once committed, where it
// would otherwise claim it from the outbox in a transaction of its own (a
// commit more for every message on SQLite's one writer).
type Handoff interface {
	// Claimant is the sender's name to claim a reply of the outbox
	// channel for, or "" to leave it pending for the sender's next claim.
	Claimant(channel string) string
	// Take gives the sender a committed reply claimed for it.
	Take(m outbox.Send)
}

// inTx runs fn in a transaction through InTx or Store.InTx.
func (s *Service) inTx(ctx context.Context, key string, fn func(context.Context, *store.Tx) error) error {
	if s.InTx != nil {
		return s.InTx(ctx, key, fn)
	}
	return s.Store.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) })
}

// area is the case area intake files into.
func (s *Service) area() *cases.Service {
	if s.Cases != nil {
		return s.Cases
	}
	return cases.New(s.Store, cases.Options{})
}
