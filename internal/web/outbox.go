package web

import (
	"context"
	"net/http"
	"time"

	"lindu/internal/domain"
	"lindu/internal/outbox"
)

// Outgoing messages (/notifikasi): the durable outbox of assignments and
// escalations. Until the SMS and WhatsApp channels deliver them they are
// shown here as pending notifications. Supervisors see every message about
// their region; everyone else sees their own.

// navOutboxLimit bounds the count shown in the navigation.
const navOutboxLimit = 99

// OutboxPage lists messages.
type OutboxPage struct {
	Base
	kit
	Messages []domain.OutboxMessage
	Status   string
	All      bool // the caller sees the region's messages, not only theirs
	Admin    bool // the caller may read each message's channel log
}

func (s *Server) outboxList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "outbox.title")
	st := r.URL.Query().Get("status")
	switch st {
	case "pending", "sent", "delivered", "failed", "all":
	default:
		st = "pending"
	}
	f := outbox.Filter{Limit: 200}
	if st != "all" {
		f.Status = st
	}
	msgs, err := outbox.List(r.Context(), s.st, b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", OutboxPage{Base: b, kit: s.kit(b), Messages: msgs, Status: st,
		All: b.Scope.Can(domain.PermManageCases), Admin: b.Scope.Can(domain.PermManageUsers)})
}

// OutboxStatuses are the filter tabs.
func (OutboxPage) OutboxStatuses() []string {
	return []string{"pending", "sent", "delivered", "failed", "all"}
}

// outboxNavLabel is the navigation label with the number of pending
// messages for the caller (or their region, for supervisors).
func (s *Server) outboxNavLabel(b Base) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := outbox.PendingCount(ctx, s.st, b.Scope, navOutboxLimit)
	if err != nil || n == 0 {
		return b.T("nav.outbox")
	}
	if n > navOutboxLimit {
		return b.T("nav.outbox_many", navOutboxLimit)
	}
	return b.T("nav.outbox_n", n)
}
