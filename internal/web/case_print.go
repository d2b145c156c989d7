package web

import (
	"net/http"

	"lindu/internal/domain"
)

// The printable case file (/kasus/{id}/cetak): the case page's data on A4
// pages (templates/case_print.html, print rules in lindu.css), masked the
// same way; printing is audited by the case area.

// CasePrintPage is the case file: the case page's data, who printed it and
// when; its times are in the case's own time zone.
type CasePrintPage struct {
	CasePage
	PrintedBy, PrintedAt string
}

func (s *Server) casePrint(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "case.title")
	c, err := s.cases.PrintCase(r.Context(), b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Every time on the file in the case's own zone (WIB, WITA or WIT),
	// whoever prints it and wherever they are.
	b.Zone = domain.ZoneFor(c.RegionCode)
	k := s.kit(b)
	b.Title = b.T("print.title", domain.FormatPublicCode(c.Code))
	p := CasePrintPage{CasePage: CasePage{Base: b, kit: k, C: c, CanWork: b.Scope.Can(domain.PermWorkCases)}}
	if reg, err := s.st.GetRegion(r.Context(), c.RegionCode); err == nil {
		p.Region = reg
	}
	// The case management part (assessment, plan, visits, consents): the
	// printing itself is the audited read.
	if p.CW, err = s.cases.CaseworkOnPage(r.Context(), b.Scope, c.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	for i, v := range c.Victims {
		label := b.T("case.victim_n", i+1)
		if v.Name != "" {
			label += " — " + v.Name
		}
		p.Victims = append(p.Victims, FormOption{Value: v.ID, Label: label})
	}
	if b.User != nil {
		p.PrintedBy = b.User.Username
	}
	p.PrintedAt = p.Time(k.now)
	s.render(w, r, http.StatusOK, "case_print", p)
}
