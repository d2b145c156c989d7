package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/kla"
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

// caseSIMFONIFile serves the export as CSV or XLSX.
func (s *Server) caseSIMFONIFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "simfoni.title")
		k := s.kit(b)
		f := simfoniFilter(r, b)
		var rows [][]string
		_, err := s.cases.SIMFONIExport(r.Context(), b.Scope, f, func(row cases.SIMFONIRow) error {
			rows = append(rows, simfoniCells(k, row))
			return nil
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		header := simfoniHeader(k)
		name := fmt.Sprintf("simfoni-%s-%s-%s", f.RegionCode, f.From, f.To)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Header().Set("Cache-Control", "no-store")
			w.Write(kla.WriteCSV(header, rows))
			return
		}
		data, err := kla.WriteXLSX([]kla.Sheet{{Name: "SIMFONI-PPA", Header: header, Rows: rows, Text: simfoniText(len(header))},
			{Name: k.tr("simfoni.sheet_about"), Header: []string{k.tr("simfoni.about")}, Rows: [][]string{
				{k.tr("simfoni.about_version", domain.SIMFONIVersion)}, {k.tr("simfoni.about_period", f.RegionCode, f.From, f.To)},
				{k.tr("simfoni.no_names")}}, Text: map[int]bool{0: true}}})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(data)
	}
}

// simfoniHeader is the file's header row, in the reader's language.
func simfoniHeader(k kit) []string {
	h := []string{k.tr("simfoni.col.case"), k.tr("simfoni.col.status"), k.tr("simfoni.col.reported"), k.tr("simfoni.col.incident"),
		k.tr("simfoni.col.village_code"), k.tr("simfoni.col.village"), k.tr("simfoni.col.district"), k.tr("simfoni.col.regency"),
		k.tr("simfoni.col.sex"), k.tr("simfoni.col.age"), k.tr("simfoni.col.age_band"), k.tr("simfoni.col.group"),
		k.tr("simfoni.col.education"), k.tr("simfoni.col.occupation"), k.tr("simfoni.col.marital"), k.tr("simfoni.col.disabilities"),
		k.tr("simfoni.col.place"), k.tr("simfoni.col.kdrt")}
	for _, t := range domain.ViolenceTypes {
		h = append(h, k.tr("simfoni.col.type", k.Lbl("vtype", t)))
	}
	h = append(h, k.tr("simfoni.col.perpetrators"), k.tr("simfoni.col.p_sex"), k.tr("simfoni.col.p_age"), k.tr("simfoni.col.p_education"),
		k.tr("simfoni.col.p_occupation"), k.tr("simfoni.col.p_relation"))
	for _, t := range domain.ServiceTypes {
		h = append(h, k.tr("simfoni.col.service", k.Lbl("svc", t)))
	}
	return append(h, k.tr("simfoni.col.missing"))
}

// simfoniCells is one victim's row, labelled.
func simfoniCells(k kit, r cases.SIMFONIRow) []string {
	lbl := func(family, v string) string {
		if v == "" {
			return ""
		}
		return k.Lbl(family, v)
	}
	age := ""
	if r.Victim.Age != nil {
		age = strconv.Itoa(*r.Victim.Age)
	}
	var dis []string
	for _, d := range r.Victim.Disabilities {
		dis = append(dis, k.Lbl("disab", d))
	}
	yes := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	row := []string{domain.FormatPublicCode(r.CaseCode), k.Lbl("cstatus", r.Status), r.ReportedOn, r.IncidentDate, r.VillageCode, r.Village,
		r.District, r.Regency, lbl("sex", string(r.Victim.Sex)), age, r.Victim.AgeBand, r.Victim.Group, lbl("edu", r.Victim.Education),
		lbl("occ", r.Victim.Occupation), lbl("marital", r.Victim.MaritalStatus), strings.Join(dis, "; "), lbl("place", r.Victim.Place), yes(r.KDRT)}
	has := map[domain.ViolenceType]bool{}
	for _, t := range r.Victim.Types {
		has[t] = true
	}
	for _, t := range domain.ViolenceTypes {
		row = append(row, yes(has[t]))
	}
	row = append(row, strconv.Itoa(r.Perpetrators))
	if p := r.Perpetrator; p != nil {
		pa := ""
		if p.Age != nil {
			pa = strconv.Itoa(*p.Age)
		}
		row = append(row, lbl("sex", string(p.Sex)), pa, lbl("edu", p.Education), lbl("occ", p.Occupation), lbl("rel", p.Relation))
	} else {
		row = append(row, "", "", "", "", "")
	}
	for _, t := range domain.ServiceTypes {
		row = append(row, yes(r.Services[t]))
	}
	var miss []string
	for _, m := range r.Missing {
		miss = append(miss, k.tr("simfoni.field."+m))
	}
	return append(row, strings.Join(miss, "; "))
}

// simfoniText marks every column text but the age ones: codes such as
// 61.07.01.2001 must not become numbers.
func simfoniText(n int) map[int]bool {
	t := map[int]bool{}
	for i := range n {
		t[i] = i != 9
	}
	return t
}
