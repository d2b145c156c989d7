package web

import (
	"net/http"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/chanlog"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// The channels' pages: an outbox message's exchanges with its gateway for
// admins (/notifikasi/{id}/log, the courier-style channel log), and a
// WhatsApp report's files (/laporan/{id}/lampiran/{media}).

// ChannelLogPage is one outbox message's log.
type ChannelLogPage struct {
	Base
	kit
	M chanlog.MessageLog
}

// outboxLog shows what happened to one outbox message: its state, the
// delivery reports and each exchange with the gateway, redacted.
func (s *Server) outboxLog(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "chanlog.title")
	m, err := chanlog.List(r.Context(), s.st, b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "channel_log", ChannelLogPage{Base: b, kit: s.kit(b), M: m})
}

// Ms is a duration in milliseconds, for the log's table.
func (ChannelLogPage) Ms(e chanlog.Entry) int64 { return e.Elapsed.Milliseconds() }

// Pretty breaks a logged JSON document or query after its commas, so a
// phone can show it without scrolling sideways.
func (ChannelLogPage) Pretty(s string) string { return strings.ReplaceAll(s, ",", ", ") }

// reportMediaDownload sends a report's WhatsApp file (not yet a document
// of a case) as an attachment; the read is audited.
func (s *Server) reportMediaDownload(w http.ResponseWriter, r *http.Request) {
	d, err := s.cases.DownloadReportMedia(r.Context(), principalOf(r).Scope, r.PathValue("id"), r.PathValue("media"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.ServeAttachment(w, cases.DocumentFileName(d.CaseDocument), d.MIMEType, d.Data)
}

// IsPhone reports whether a contact is a phone number (else a WhatsApp
// user id of a sender with a username).
func (kit) IsPhone(contact string) bool { return strings.HasPrefix(contact, "+") }

// MediaKinds and MediaStates are the label families of report files.
var (
	MediaKinds  = []string{domain.MediaImage, domain.MediaAudio, domain.MediaVideo, domain.MediaDocument, domain.MediaSticker}
	MediaStates = []string{domain.MediaPending, domain.MediaFetched, domain.MediaFailed, domain.MediaRefused}
)
