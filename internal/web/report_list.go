package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
)

// Triage of incoming reports (/laporan): supervisors and admins verify a
// report into a new case, merge it into an existing case, or reject it.
// This file is the list of reports; everyone who sees cases may look, the
// case area shows only reports in the caller's region.

const reportsPerPage = 50

// ReportsPage lists reports waiting for (or done with) triage.
type ReportsPage struct {
	Base
	kit
	Status   string
	Reports  []domain.Report
	RowsHTML template.HTML // the table's rows (rowsHTML)
	Total    int
	Exports  ExportLinks
	listPager
}

// CountCap is where the case area stops counting reports.
func (ReportsPage) CountCap() int { return cases.CountCap }

func (s *Server) reportsList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "triage.title")
	st, f := reportsFilter(r)
	page := listPageNum(r)
	f.Offset = (page - 1) * reportsPerPage
	reps, total, err := s.cases.ListReports(r.Context(), b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := ReportsPage{Base: b, kit: s.kit(b), Status: st, Reports: reps, Total: total,
		listPager: newPager("/laporan", url.Values{"status": {st}}, page, total, reportsPerPage),
		Exports:   exportLinks(b, "/laporan/ekspor", url.Values{"status": {st}})}
	if total > cases.CountCap { // the case area stops counting here
		p.uncounted("/laporan", url.Values{"status": {st}}, len(reps) == reportsPerPage)
	}
	p.RowsHTML = p.rowsHTML()
	s.render(w, r, http.StatusOK, "reports", &p)
}

// rowsHTML writes the table's rows, every value escaped for HTML (text and
// double-quoted attributes), as CasesPage.rowsHTML does the inbox's: in
// the template a page of 50 reports was about 15 reflective calls a row,
// most of the view's CPU (TestReportListEscapes checks the escaping).
func (p *ReportsPage) rowsHTML() template.HTML {
	e := template.HTMLEscapeString
	if len(p.Reports) == 0 {
		return template.HTML(`<tr><td colspan="7">` + e(p.T("triage.none")) + `</td></tr>`)
	}
	label := p.cellLabel
	lCode, lReceived, lRegion, lChild := label("triage.code"), label("triage.received"), label("triage.region"), label("triage.child")
	lChannel, lState, lDue := label("triage.channel"), label("triage.state"), label("triage.deadline")
	flag := map[string]string{"overdue": `<strong class="due overdue">` + e(p.T("due.overdue")) + `</strong><br>`,
		"soon": `<strong class="due soon">` + e(p.T("due.soon")) + `</strong><br>`}
	openCase := e(p.T("triage.open_case"))
	var b strings.Builder
	b.Grow(len(p.Reports) * 900)
	put := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
	}
	for _, r := range p.Reports {
		due := p.DueState(r.TriageDueAt)
		b.WriteString(`<tr`)
		if due == "overdue" {
			b.WriteString(` class="overdue"`)
		}
		put(`>
    `, lCode, `><a href="/laporan/`, e(url.PathEscape(r.ID)), `" class="code">`, e(p.PubCode(r.Code)), `</a></td>
    `, lReceived, `><span class="nowrap">`, e(p.Time(r.ReceivedAt)), `</span></td>
    `, lRegion, `>`, e(r.RegionName), ` <span class="hint">`, e(r.RegionCode), `</span></td>
    `, lChild, `>`, e(p.AgeText(r.ChildAge)), ` · `, e(p.SexText(r.ChildSex)), `</td>
    `, lChannel, `>`, e(p.Lbl("channel", r.Channel)), `</td>
    `, lState, `>`, e(p.Lbl("rstatus", r.Status)))
		if r.CaseID != "" {
			put(` · <a href="/kasus/`, e(url.PathEscape(r.CaseID)), `">`, openCase, `</a>`)
		}
		put(`</td>
    `, lDue, ` class="due-cell">`)
		if r.TriageDueAt != nil {
			put(flag[due], `<span class="nowrap">`, e(p.TimePtr(r.TriageDueAt)), `</span>`)
		} else {
			b.WriteString(`—`)
		}
		b.WriteString("</td>\n  </tr>")
	}
	return template.HTML(b.String())
}

// reportsFilter reads the list's status filter (new by default).
func reportsFilter(r *http.Request) (string, cases.ReportFilter) {
	st := r.URL.Query().Get("status")
	switch st {
	case "new", "verified", "merged", "rejected", "all":
	default:
		st = "new"
	}
	f := cases.ReportFilter{Limit: reportsPerPage}
	if st != "all" {
		f.Status = domain.ReportStatus(st)
	}
	return st, f
}

// reportsExport downloads the list's rows for its status filter, every
// page of them (up to exportMaxRows), with the page's columns (the child's
// age and sex, no other personal data); audited (report.export).
// Authorization: as the page (cases.ListReports).
func (s *Server) reportsExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "triage.title")
		ctx := r.Context()
		st, f := reportsFilter(r)
		list, cut, err := exportPages(func(offset, limit int) ([]domain.Report, error) {
			f.Offset, f.Limit = offset, limit
			l, _, err := s.cases.ListReports(ctx, b.Scope, f)
			return l, err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		k := s.kit(b)
		t := spreadsheet.Table{Sheet: b.T("triage.heading"), Columns: []spreadsheet.Column{
			{Header: b.T("triage.code")}, {Header: b.T("triage.received"), Kind: spreadsheet.Date}, {Header: b.T("triage.region")},
			{Header: b.T("export.region_code")}, {Header: b.T("export.child_age"), Kind: spreadsheet.Int}, {Header: b.T("export.child_sex")},
			{Header: b.T("triage.channel")}, {Header: b.T("triage.state")}, {Header: b.T("triage.deadline"), Kind: spreadsheet.Date},
			{Header: b.T("export.due_state")}}}
		for _, x := range list {
			age := ""
			if x.ChildAge != nil {
				age = strconv.Itoa(*x.ChildAge)
			}
			state := ""
			if d := k.DueState(x.TriageDueAt); d != "" {
				state = b.T("duefilter." + d)
			}
			t.Rows = append(t.Rows, []string{k.PubCode(x.Code), exportTime(b, &x.ReceivedAt), x.RegionName, x.RegionCode, age,
				k.SexText(x.ChildSex), k.Lbl("channel", x.Channel), k.Lbl("rstatus", x.Status), exportTime(b, x.TriageDueAt), state})
		}
		t.Meta = s.exportMeta(b, r, len(t.Rows), cut)
		detail := fmt.Sprintf("format=%s rows=%d status=%s", format, len(t.Rows), st)
		if err := s.st.Audit(ctx, b.Scope, "report.export", "report", "", b.Scope.RegionCode, detail); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, "laporan-"+s.now().In(exportZone(b)).Format("2006-01-02"), t)
	}
}

// ReportStatuses lists the report states, for the status filter.
func (kit) ReportStatuses() []string { return []string{"new", "verified", "merged", "rejected"} }
