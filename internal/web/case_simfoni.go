package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/cases/simfonifile"
	"lindu/internal/domain"
)

// The SIMFONI-PPA export (/kasus/ekspor-simfoni): a form (region, report
// period), how many victims of the selection lack a field SIMFONI
// requires ("data belum lengkap") with links to their cases, and the file
// as CSV or XLSX: one row per victim, Indonesian headers and labels.

// SIMFONIPage is the export page.
type SIMFONIPage struct {
	Base
	kit
	Region, From, To string
	Checked          bool
	Check            cases.SIMFONICompleteness
	Required         []string
	Query            string // the selection as a query string, for the file links
	listPager
	PageCases []cases.IncompleteCase
}

const simfoniPerPage = 50

// simfoniFilter reads the selection; by default the current year so far.
func simfoniFilter(r *http.Request, b Base) cases.SIMFONIFilter {
	q := r.URL.Query()
	f := cases.SIMFONIFilter{RegionCode: strings.TrimSpace(q.Get("region")), From: q.Get("from"), To: q.Get("to")}
	now := time.Now().In(domain.ZoneFor(b.Scope.RegionCode))
	if f.From == "" {
		f.From = fmt.Sprintf("%d-01-01", now.Year())
	}
	if f.To == "" {
		f.To = now.Format("2006-01-02")
	}
	if f.RegionCode == "" {
		f.RegionCode = b.Scope.RegionCode
	}
	return f
}

func (s *Server) caseSIMFONI(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "simfoni.title")
	f := simfoniFilter(r, b)
	p := SIMFONIPage{Base: b, kit: s.kit(b), Region: f.RegionCode, From: f.From, To: f.To, Required: cases.SIMFONIRequired}
	v := url.Values{"region": {f.RegionCode}, "from": {f.From}, "to": {f.To}}
	p.Query = v.Encode()
	check, err := s.cases.SIMFONICheck(r.Context(), b.Scope, f)
	if fe, ok := domain.AsError(err); ok && fe.Code == domain.EInvalid {
		p.Fields = translateFields(b, fe.Fields)
		s.render(w, r, http.StatusUnprocessableEntity, "case_simfoni", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Checked, p.Check = true, check
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	p.listPager = newPager("/kasus/ekspor-simfoni", v, page, len(check.Cases), simfoniPerPage)
	lo := min((page-1)*simfoniPerPage, len(check.Cases))
	p.PageCases = check.Cases[lo:min(lo+simfoniPerPage, len(check.Cases))]
	s.render(w, r, http.StatusOK, "case_simfoni", p)
}

// caseSIMFONIFile serves the export as CSV or XLSX (cases/simfonifile).
func (s *Server) caseSIMFONIFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "simfoni.title")
		out, err := simfonifile.File(r.Context(), s.cases, b.Scope, simfoniFilter(r, b), b.Lang, format)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", out.ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+out.Name+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(out.Data)
	}
}

// QueryURL is Query for a link's query string: html/template would
// escape a plain string there ("region%3d..."), and the file would be the
// wrong region's and year's.
func (p SIMFONIPage) QueryURL() template.URL { return template.URL(p.Query) }
