package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
)

// AuditPage browses the audit log.
type AuditPage struct {
	Base
	Entries []domain.AuditEntry
	Actor   string
	Action  string
	Object  string
	From    string
	To      string
	NextURL string
	// Checkpoints: the signed checkpoint download is offered.
	Checkpoints bool
}

var auditActions = []string{"auth.", "user.", "token.", "key.", "audit."}

// auditList browses the audit log, newest first, 100 entries a page.
// Authorization: PermViewAudit, entries of the caller's region (store.ListAudit).
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audit.title")
	q := r.URL.Query()
	p := AuditPage{Base: b, Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), From: q.Get("from"), To: q.Get("to")}
	f := domain.AuditFilter{Actor: p.Actor, Action: p.Action, ObjectID: p.Object, Limit: 100}
	b.Fields = map[string]string{}
	if p.From != "" {
		t, err := time.ParseInLocation("2006-01-02", p.From, b.Zone)
		if err != nil {
			b.Fields["from"] = b.T("audit.bad_date")
		}
		f.From = t
	}
	if p.To != "" {
		t, err := time.ParseInLocation("2006-01-02", p.To, b.Zone)
		if err != nil {
			b.Fields["to"] = b.T("audit.bad_date")
		}
		if !t.IsZero() {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	if before, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil {
		f.BeforeSeq = before
	}
	entries, err := s.st.ListAudit(r.Context(), b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Base = b
	p.Entries = entries
	p.Checkpoints = s.opt.Checkpoints != nil && b.Scope.Contains(s.opt.RootRegion)
	if len(entries) == f.Limit {
		v := url.Values{}
		for k, val := range map[string]string{"actor": p.Actor, "action": p.Action, "object": p.Object, "from": p.From, "to": p.To} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		p.NextURL = "/audit?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "audit", p)
}

// ActionPrefixes lists action families for the filter.
func (AuditPage) ActionPrefixes() []string { return auditActions }

// auditCheckpointDownload gives an admin of the whole deployment a fresh
// signed checkpoint of the audit log with the latest ones and the public
// key, to keep off the machine (checked by lindu audit verify --checkpoint).
// Authorization: PermViewAudit with a region covering the deployment (the
// checkpoint keeper refuses others); the download is audited.
func (s *Server) auditCheckpointDownload(w http.ResponseWriter, r *http.Request) {
	if s.opt.Checkpoints == nil {
		http.NotFound(w, r)
		return
	}
	b := s.base(w, r, "audit.title")
	text, err := s.opt.Checkpoints.Download(r.Context(), b.Scope, s.opt.RootRegion, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="lindu-audit-checkpoints-`+s.now().UTC().Format("20060102-150405")+`.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.WriteString(w, text); err != nil {
		s.log.WarnContext(r.Context(), "web: audit checkpoint download cut short", "err", err.Error())
	}
}
