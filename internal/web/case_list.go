package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
)

// The case inbox (/kasus): every case the caller may see, most urgent
// first, with filters that survive paging and a summary of what is due.

const casesPerPage = 50

// CasesPage is the inbox.
type CasesPage struct {
	Base
	kit
	Cases      []domain.Case
	RowsHTML   template.HTML // Cases as the table's rows (rowsHTML)
	Total      int
	Counts     map[string]int
	NewReports int // up to chipCap+1 (shown "99+")
	// PendingApprovals are the requests waiting for a supervisor's decision.
	PendingApprovals int
	CanTriage        bool
	CanCreate        bool
	// The filter as typed.
	Status, Due, Region, Type, Assignee, Priority, Query string
	Team                                                 string
	Teams                                                []domain.Team
	TeamOptionsHTML                                      template.HTML // Teams as the team filter's options (teamOptionsHTML)
	Open                                                 bool
	Filtered                                             bool
	NameSearch                                           bool // the user may search by name and phone
	Exports                                              ExportLinks
	listPager
}

// chipCap is how far the inbox's chip of reports waiting counts: past it
// the chip reads "99+", and the count stops (cases.ReportCount).
const chipCap = 99

// NewReportsChip is the chip's number: the count, or "99+" past chipCap.
func (p *CasesPage) NewReportsChip() string {
	if p.NewReports > chipCap {
		return strconv.Itoa(chipCap) + "+"
	}
	return strconv.Itoa(p.NewReports)
}

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "inbox.title")
	ctx := r.Context()
	q := r.URL.Query()
	// The page's reads go at once, each on a connection of its own: one
	// after the other, their round trips to the database were most of
	// the view. The teams come first only when the filter names one: the
	// name is checked against them before the list is read.
	var p CasesPage
	var f domain.CaseFilter
	var teams []domain.Team
	g, gctx := errgroup.WithContext(ctx)
	if q.Get("team") != "" {
		var err error
		if p, f, err = s.inboxFilter(r, b); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		p, f = s.inboxPage(r, b)
		g.Go(func() (err error) {
			teams, err = s.cases.TeamChoices(gctx, b.Scope)
			return err
		})
	}
	page := listPageNum(r)
	f.Offset = (page - 1) * casesPerPage
	var list []domain.Case
	var total, newReports, approvals int
	var counts map[string]int
	g.Go(func() (err error) {
		list, total, counts, err = s.cases.ListCasesCounted(gctx, b.Scope, f)
		return err
	})
	p.CanTriage = b.Scope.Can(domain.PermManageCases)
	p.CanCreate = b.Scope.Can(domain.PermWorkCases)
	if p.CanTriage {
		g.Go(func() error {
			if n, err := s.cases.ReportCount(gctx, b.Scope, domain.ReportNew, chipCap); err == nil {
				newReports = n
			}
			return nil
		})
		g.Go(func() (err error) {
			approvals, err = s.cases.PendingApprovals(gctx, b.Scope)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		s.fail(w, r, err)
		return
	}
	if teams != nil {
		p.Teams = teams
	}
	p.Cases, p.Total, p.Counts, p.NewReports, p.PendingApprovals = list, total, counts, newReports, approvals
	p.RowsHTML = p.rowsHTML(list)
	p.TeamOptionsHTML = p.teamOptionsHTML()
	v := url.Values{"f": {"1"}}
	for k, val := range map[string]string{"status": p.Status, "due": p.Due, "region": f.RegionCode, "type": p.Type,
		"assignee": p.Assignee, "priority": p.Priority, "q": p.Query, "team": p.Team} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if p.Open {
		v.Set("open", "1")
	}
	p.NameSearch = cases.NameSearchAllowed(b.Scope)
	p.Filtered = p.Status != "" || p.Due != "" || f.RegionCode != "" || p.Type != "" || p.Assignee != "" || p.Priority != "" || p.Query != "" || p.Team != "" || !p.Open
	p.listPager = newPager("/kasus", v, page, total, casesPerPage)
	if total > cases.CountCap { // the case area stops counting here
		p.uncounted("/kasus", v, len(list) == casesPerPage)
	}
	p.kit.which, p.kit.posted = "filter", url.Values{"status": {p.Status}, "due": {p.Due}, "type": {p.Type},
		"assignee": {p.Assignee}, "priority": {p.Priority}}
	p.Exports = exportLinks(b, "/kasus/ekspor", q)
	// A pointer: the template calls the page's methods on every row, and
	// each call on a value copied the whole page.
	s.render(w, r, http.StatusOK, "cases", &p)
}

// inboxFilter reads the inbox's filter from the request as the page does,
// the team checked against the teams the caller sees.
func (s *Server) inboxFilter(r *http.Request, b Base) (CasesPage, domain.CaseFilter, error) {
	q := r.URL.Query()
	p, f := s.inboxPage(r, b)
	teams, err := s.cases.TeamChoices(r.Context(), b.Scope)
	if err != nil {
		return p, f, err
	}
	p.Teams = teams
	if t := q.Get("team"); t != "" {
		for _, tm := range teams {
			if tm.ID == t {
				p.Team, f.TeamID = t, t
			}
		}
	}
	return p, f, nil
}

// inboxPage is the inbox page with the filter as typed, and that filter
// as a case filter, but for the team (inboxFilter).
func (s *Server) inboxPage(r *http.Request, b Base) (CasesPage, domain.CaseFilter) {
	q := r.URL.Query()
	p := CasesPage{Base: b, kit: s.kit(b), Status: q.Get("status"), Due: q.Get("due"), Region: strings.TrimSpace(q.Get("region")),
		Type: q.Get("type"), Assignee: q.Get("assignee"), Priority: q.Get("priority"), Query: strings.TrimSpace(q.Get("q"))}
	f := p.filter(q) // before p is copied out: it corrects p's fields
	return p, f
}

// casesExport downloads the inbox's rows for its filter, every page of
// them (up to exportMaxRows), with the page's columns and the report
// time; audited (case.export: the format, the filter without a search's
// text, the rows). Authorization: as the page (cases.ListCases).
func (s *Server) casesExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "inbox.title")
		ctx := r.Context()
		p, f, err := s.inboxFilter(r, b)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		list, cut, err := s.cases.ExportCases(ctx, b.Scope, f, exportMaxRows)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		t := spreadsheet.Table{Sheet: b.T("inbox.heading"), Columns: []spreadsheet.Column{
			{Header: b.T("inbox.code")}, {Header: b.T("inbox.village")}, {Header: b.T("export.region_code")},
			{Header: b.T("inbox.type")}, {Header: b.T("case.priority")}, {Header: b.T("inbox.status")}, {Header: b.T("inbox.who")},
			{Header: b.T("export.reported_at"), Kind: spreadsheet.Date}, {Header: b.T("inbox.next_due")},
			{Header: b.T("export.due_at"), Kind: spreadsheet.Date}, {Header: b.T("export.due_state")}}}
		for _, c := range list {
			row := p.row(c)
			state := ""
			if row.Due != "" {
				state = b.T("duefilter." + row.Due)
			}
			t.Rows = append(t.Rows, []string{row.Code, c.RegionName, c.RegionCode, row.Types, row.PriorityLabel,
				row.Status, row.Who, exportTime(b, &c.ReportedAt), row.DueKind, exportTime(b, c.NextDueAt), state})
		}
		t.Meta = s.exportMeta(b, r, len(t.Rows), cut)
		filter := exportQuery(r.URL.Query())
		if filter.Get("q") != "" {
			filter.Set("q", "…")
		}
		detail := fmt.Sprintf("format=%s rows=%d filter=%s", format, len(t.Rows), filter.Encode())
		if err := s.st.Audit(ctx, b.Scope, "case.export", "case", "", b.Scope.RegionCode, detail); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, "kasus-"+s.now().In(exportZone(b)).Format("2006-01-02"), t)
	}
}

// filter reads the inbox filters as typed into p (dropping values that
// are not valid) and returns them as a case filter.
func (p *CasesPage) filter(q url.Values) domain.CaseFilter {
	// The open-only box is on by default; a sent filter form says so with f=1.
	p.Open = q.Get("f") == "" || q.Get("open") == "1"
	f := domain.CaseFilter{OpenOnly: p.Open, Limit: casesPerPage}
	if st := domain.CaseStatus(p.Status); st.Valid() {
		f.Status = st
	} else {
		p.Status = ""
	}
	switch p.Due {
	case "soon", "overdue":
		f.Due = p.Due
	default:
		p.Due = ""
	}
	if p.Region != "" {
		if domain.ValidRegionCode(p.Region) {
			f.RegionCode = p.Region
		} else {
			p.Fields = map[string]string{"region": p.T("inbox.bad_region")}
		}
	}
	if t := domain.ViolenceType(p.Type); t.Valid() {
		f.Type = t
	} else {
		p.Type = ""
	}
	switch p.Assignee {
	case "me":
		f.AssigneeID = p.User.ID
	default:
		p.Assignee = ""
	}
	if pr := domain.Priority(p.Priority); pr.Valid() {
		f.Priority = pr
	} else {
		p.Priority = ""
	}
	if len(p.Query) > 40 {
		p.Query = p.Query[:40]
	}
	f.Query = p.Query
	if f.Query != "" && f.Status == "" {
		// A code or name is looked for among closed cases too.
		f.OpenOnly, p.Open = false, false
	}
	return f
}

// inboxRow is a case as a row of the inbox shows it, every text made in
// Go: the template reads fields. Eight method calls per row through the
// template's reflection were about half of the page's CPU.
type inboxRow struct {
	ID, Code, Village, RegionCode, Types string
	Priority, PriorityLabel, Status, Who string
	Due                                  string // "", "soon" or "overdue"
	DueKind                              string // the running clock's label, "" without one
	DueAt                                string // when it runs out, "" without one
}

// row is the inbox's row of case c.
func (p *CasesPage) row(c domain.Case) inboxRow {
	r := inboxRow{ID: c.ID, Code: p.PubCode(c.Code), Village: c.RegionName, RegionCode: c.RegionCode, Types: p.TypeList(c.Types),
		Priority: string(c.Priority), PriorityLabel: p.Lbl("prio", c.Priority), Status: p.Lbl("cstatus", c.Status), Who: p.Who(c),
		Due: p.DueState(c.NextDueAt)}
	if c.NextDueAt != nil {
		r.DueKind, r.DueAt = p.Lbl("dl", c.NextDueKind), p.Time(*c.NextDueAt)
	}
	return r
}

// rowsHTML writes the table's rows of list, every value escaped for HTML (text
// and double-quoted attributes; case ids are UUIDs, escaped all the
// same). In the template the 50 rows' 20 values each went through
// html/template's escapers, one reflective call each: about 2 ms of the
// page's 4 (TestInboxEscapesWhatUsersTyped checks the escaping).
func (p *CasesPage) rowsHTML(list []domain.Case) template.HTML {
	if len(list) == 0 {
		return template.HTML(`<tr><td colspan="7">` + template.HTMLEscapeString(p.T("inbox.none")) + `</td></tr>`)
	}
	e := template.HTMLEscapeString
	label := p.cellLabel
	lCode, lVillage, lType, lPrio := label("inbox.code"), label("inbox.village"), label("inbox.type"), label("case.priority")
	lStatus, lWho, lDue := label("inbox.status"), label("inbox.who"), label("inbox.next_due")
	flag := map[string]string{"overdue": `<strong class="due overdue">` + e(p.T("due.overdue")) + `</strong><br>`,
		"soon": `<strong class="due soon">` + e(p.T("due.soon")) + `</strong><br>`}
	var b strings.Builder
	b.Grow(len(list) * 900)
	// Piece by piece: a row joined with + first was a second copy of the
	// page's rows in garbage.
	put := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
	}
	for _, c := range list {
		r := p.row(c)
		put(`<tr class="`, e(r.Due), `">
    `, lCode, `><a href="/kasus/`, e(url.PathEscape(r.ID)), `" class="code">`, e(r.Code), `</a></td>
    `, lVillage, `>`, e(r.Village), ` <span class="hint">`, e(r.RegionCode), `</span></td>
    `, lType, `>`, e(r.Types), `</td>
    `, lPrio, `><span class="prio prio-`, e(r.Priority), `">`, e(r.PriorityLabel), `</span></td>
    `, lStatus, `>`, e(r.Status), `</td>
    `, lWho, `>`, e(r.Who), `</td>
    `, lDue, ` class="due-cell">`)
		if r.DueAt != "" {
			put(flag[r.Due], e(r.DueKind), `: <span class="nowrap">`, e(r.DueAt), `</span>`)
		} else {
			b.WriteString(`—`)
		}
		b.WriteString("</td>\n  </tr>")
	}
	return template.HTML(b.String())
}

// teamOptionsHTML writes the team filter's options, the chosen team
// selected, every value escaped for HTML (text and double-quoted
// attributes). As a range in the template, a regency's 141 teams were a
// fifth of the inbox view's CPU (TestInboxEscapesWhatUsersTyped checks the
// escaping).
func (p *CasesPage) teamOptionsHTML() template.HTML {
	e := template.HTMLEscapeString
	var b strings.Builder
	b.Grow(len(p.Teams) * 80)
	for _, t := range p.Teams {
		b.WriteString(`<option value="`)
		b.WriteString(e(t.ID))
		b.WriteString(`"`)
		if t.ID == p.Team {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		b.WriteString(e(t.Name))
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String())
}

// cellLabel opens a table cell (without its closing ">") labelled with
// key's text, escaped, for the rows written in Go: on a phone the stacked
// table shows the label before the value.
func (b Base) cellLabel(key string) string {
	return `<td data-label="` + template.HTMLEscapeString(b.T(key)) + `"`
}

// Who names the people responsible for a case in a list.
func (p *CasesPage) Who(c domain.Case) string {
	var parts []string
	if c.TeamName != "" {
		parts = append(parts, c.TeamName)
	}
	if c.Assignee != "" {
		parts = append(parts, c.Assignee)
	}
	if len(parts) == 0 {
		return p.T("case.nobody")
	}
	return strings.Join(parts, " · ")
}

// CountCap is where the case area stops counting cases.
func (CasesPage) CountCap() int { return cases.CountCap }

// CaseStatuses lists the case states, for the status filter.
func (kit) CaseStatuses() []string { return strs(domain.CaseStatuses) }

// Words splits a space-separated list, for small selects in templates.
func (kit) Words(s string) []string { return strings.Fields(s) }
