// Package simfonifile writes the SIMFONI-PPA export (cases.SIMFONIExport)
// as the file an office keys into or imports to SIMFONI-PPA: one row per
// victim, headers and labels in the reader's language (Indonesian by
// default), CSV or XLSX, the reference lists' version in every row. The
// web page and the API serve the same file through File.
package simfonifile

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/i18n"
)

// Formats are the file formats File writes.
var Formats = []string{"csv", "xlsx"}

// Out is a written export file.
type Out struct {
	Data        []byte
	ContentType string
	Name        string // file name, without directory
	Rows        int
}

// File runs the export of f for sc (authorization, scope and audit are
// cases.SIMFONIExport's) and writes it in format, labelled in lang, row by
// row as the victims are read. An unknown format is a field error on
// "format", checked before anything is read or audited.
func File(ctx context.Context, cs *cases.Service, sc domain.Scope, f cases.SIMFONIFilter, lang, format string) (Out, error) {
	tr := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	header, numeric := Header(lang)
	var out sink
	switch format {
	case "csv":
		out = newCSV(header)
	case "xlsx":
		x, err := newXLSX(header, numeric, tr("simfoni.sheet_about"))
		if err != nil {
			return Out{}, err
		}
		out = x
	default:
		return Out{}, domain.InvalidFields(domain.FieldErrors{"format": domain.M("simfoni.err.format")})
	}
	n, err := cs.SIMFONIExport(ctx, sc, f, func(r cases.SIMFONIRow) error { return out.row(Cells(lang, r)) })
	if err != nil {
		if x, ok := out.(*xlsxSink); ok {
			_ = x.f.Close() // drops what the workbook held
		}
		return Out{}, err
	}
	if f.RegionCode == "" {
		f.RegionCode = sc.RegionCode
	}
	data, err := out.done([]string{tr("simfoni.about"), tr("simfoni.about_version", domain.SIMFONIVersion),
		tr("simfoni.about_period", f.RegionCode, f.From, f.To), tr("simfoni.no_names")})
	if err != nil {
		return Out{}, err
	}
	res := Out{Data: data, Name: fmt.Sprintf("simfoni-%s-%s-%s.%s", f.RegionCode, f.From, f.To, format), Rows: n,
		ContentType: "text/csv; charset=utf-8"}
	if format == "xlsx" {
		res.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return res, nil
}

// label is the translated label of v in an enumeration family ("edu",
// "rel", ...), "" for an empty value.
func label(lang, family, v string) string {
	if v == "" {
		return ""
	}
	key := family + "." + v
	if t := i18n.T(lang, key); t != key {
		return t
	}
	return v
}

// Header is the file's header row in lang, and which of its columns hold
// numbers (ages, counts and the 1/0 columns a spreadsheet sums: victims
// per type, per service); the others are text (codes such as
// 61.07.01.2001 must not become numbers).
func Header(lang string) ([]string, map[int]bool) {
	var h []string
	num := map[int]bool{}
	col := func(numeric bool, key string, args ...any) {
		num[len(h)] = numeric
		h = append(h, i18n.T(lang, key, args...))
	}
	for _, key := range []string{"case", "status", "reported", "incident", "village_code", "village", "district_code", "district",
		"regency_code", "regency", "sex"} {
		col(false, "simfoni.col."+key)
	}
	col(true, "simfoni.col.age")
	for _, key := range []string{"age_band", "group", "education", "occupation", "marital", "disabilities", "place"} {
		col(false, "simfoni.col."+key)
	}
	col(true, "simfoni.col.kdrt")
	for _, t := range domain.ViolenceTypes {
		col(true, "simfoni.col.type", label(lang, "vtype", string(t)))
	}
	col(true, "simfoni.col.perpetrators")
	col(false, "simfoni.col.p_sex")
	col(true, "simfoni.col.p_age")
	for _, key := range []string{"p_education", "p_occupation", "p_relation"} {
		col(false, "simfoni.col."+key)
	}
	for _, t := range domain.ServiceTypes {
		col(true, "simfoni.col.service", label(lang, "svc", t))
	}
	col(false, "simfoni.col.missing")
	col(false, "simfoni.col.version")
	return h, num
}

// Cells is one victim's row in lang, in Header's order.
func Cells(lang string, r cases.SIMFONIRow) []string {
	lbl := func(family, v string) string { return label(lang, family, v) }
	age := func(a *int) string {
		if a == nil {
			return ""
		}
		return strconv.Itoa(*a)
	}
	yes := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	var dis []string
	for _, d := range r.Victim.Disabilities {
		dis = append(dis, lbl("disab", d))
	}
	v := r.Victim
	row := []string{domain.FormatPublicCode(r.CaseCode), lbl("cstatus", r.Status), r.ReportedOn, r.IncidentDate, r.VillageCode, r.Village,
		r.DistrictCode, r.District, r.RegencyCode, r.Regency, lbl("sex", string(v.Sex)), age(v.Age), v.AgeBand, v.Group,
		lbl("edu", v.Education), lbl("occ", v.Occupation), lbl("marital", v.MaritalStatus), strings.Join(dis, "; "), lbl("place", v.Place),
		yes(r.KDRT)}
	has := map[domain.ViolenceType]bool{}
	for _, t := range v.Types {
		has[t] = true
	}
	for _, t := range domain.ViolenceTypes {
		row = append(row, yes(has[t]))
	}
	row = append(row, strconv.Itoa(r.Perpetrators))
	if p := r.Perpetrator; p != nil {
		row = append(row, lbl("sex", string(p.Sex)), age(p.Age), lbl("edu", p.Education), lbl("occ", p.Occupation), lbl("rel", p.Relation))
	} else {
		row = append(row, "", "", "", "", "")
	}
	for _, t := range domain.ServiceTypes {
		row = append(row, yes(r.Services[t]))
	}
	var miss []string
	for _, m := range r.Missing {
		miss = append(miss, i18n.T(lang, "simfoni.field."+m))
	}
	return append(row, strings.Join(miss, "; "), domain.SIMFONIVersion)
}
