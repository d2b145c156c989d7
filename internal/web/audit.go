package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
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
	Exports     ExportLinks
	names       auditNames
}

// auditList browses the audit log, newest first, 100 entries a page.
// Authorization: PermViewAudit, entries of the caller's region (store.ListAudit).
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audit.title")
	q := r.URL.Query()
	p, f := auditFilter(q, b)
	b = p.Base
	if before, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil {
		f.BeforeSeq = before
	}
	entries, err := s.listAuditExact(r, b, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Entries = entries
	if p.names, err = s.loadAuditNames(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Exports = exportLinks(b, "/audit/ekspor", q)
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

// auditFilter reads the log's filter as typed (a date that is not one is
// marked on the page and left out of the filter).
func auditFilter(q url.Values, b Base) (AuditPage, domain.AuditFilter) {
	p := AuditPage{Base: b, Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), From: q.Get("from"), To: q.Get("to")}
	f := domain.AuditFilter{Actor: p.Actor, Action: p.Action, ObjectID: p.Object, Limit: 100}
	p.Fields = map[string]string{}
	if p.From != "" {
		t, err := time.ParseInLocation("2006-01-02", p.From, exportZone(b))
		if err != nil {
			p.Fields["from"] = b.T("audit.bad_date")
		}
		f.From = t
	}
	if p.To != "" {
		t, err := time.ParseInLocation("2006-01-02", p.To, exportZone(b))
		if err != nil {
			p.Fields["to"] = b.T("audit.bad_date")
		}
		if !t.IsZero() {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	return p, f
}

// auditExport downloads the log's entries for its filter, newest first,
// every page of them (up to exportMaxRows), with the page's columns (the
// action in words and as its code, the detail in words); audited (audit.log_export:
// the log holds names and addresses). Authorization: as the page
// (store.ListAudit).
func (s *Server) auditExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "audit.title")
		ctx := r.Context()
		_, f := auditFilter(r.URL.Query(), b)
		f.Limit = 500
		var entries []domain.AuditEntry
		cut := false
		for {
			l, err := s.st.ListAudit(ctx, b.Scope, f)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if len(l) > 0 {
				f.BeforeSeq = l[len(l)-1].Seq
			}
			n := len(l)
			l = exactAction(l, f.Action)
			entries = append(entries, l...)
			if len(entries) > exportMaxRows {
				entries, cut = entries[:exportMaxRows], true
				break
			}
			if n < f.Limit {
				break
			}
		}
		t := spreadsheet.Table{Sheet: b.T("audit.heading"), Columns: []spreadsheet.Column{
			{Header: "#", Kind: spreadsheet.Int}, {Header: b.T("audit.when"), Kind: spreadsheet.Date}, {Header: b.T("audit.who")},
			{Header: b.T("export.actor_role")}, {Header: b.T("audit.what")}, {Header: b.T("auditlog.code_column")}, {Header: b.T("export.object_type")},
			{Header: b.T("export.object_id")}, {Header: b.T("users.region")}, {Header: b.T("audit.where")}, {Header: b.T("audit.detail")}}}
		names, err := s.loadAuditNames(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, e := range entries {
			pos, role := "", ""
			if e.Pos > 0 {
				pos = strconv.FormatInt(e.Pos, 10)
			}
			if e.ActorRole != "" {
				role = b.RoleName(domain.Role(e.ActorRole))
			}
			t.Rows = append(t.Rows, []string{pos, exportTime(b, &e.At), e.Actor, role, b.AuditAction(e.Action), e.Action,
				b.AuditObject(e.ObjectType), e.ObjectID, e.RegionCode, e.IP, auditDetailText(b.Lang, e.Detail, names)})
		}
		t.Meta = s.exportMeta(b, r, len(t.Rows), cut)
		detail := fmt.Sprintf("format=%s rows=%d filter=%s", format, len(t.Rows), exportQuery(r.URL.Query()).Encode())
		if err := s.st.Audit(ctx, b.Scope, "audit.log_export", "", "", b.Scope.RegionCode, detail); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, "log-audit-"+s.now().In(exportZone(b)).Format("2006-01-02"), t)
	}
}

// listAuditExact reads a page of the log for f; an action chosen whole
// that is the prefix of others (auth.login, auth.login_failed) keeps only
// its own entries, reading on until the page is full or the log ends.
func (s *Server) listAuditExact(r *http.Request, b Base, f domain.AuditFilter) ([]domain.AuditEntry, error) {
	if !auditExact(f.Action) {
		return s.st.ListAudit(r.Context(), b.Scope, f)
	}
	var out []domain.AuditEntry
	for range 50 {
		l, err := s.st.ListAudit(r.Context(), b.Scope, f)
		if err != nil {
			return nil, err
		}
		for _, e := range exactAction(l, f.Action) {
			if len(out) < f.Limit {
				out = append(out, e)
			}
		}
		if len(l) < f.Limit || len(out) == f.Limit {
			break
		}
		f.BeforeSeq = l[len(l)-1].Seq
	}
	return out, nil
}

// exactAction keeps the entries of action itself when it is chosen whole
// (see auditExact); other filters pass through.
func exactAction(l []domain.AuditEntry, action string) []domain.AuditEntry {
	if !auditExact(action) {
		return l
	}
	out := l[:0:0]
	for _, e := range l {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

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
