package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
)

// Downloads of the staff pages' tables (the case inbox, reports, the audit
// log, KLA agreements and budgets) as CSV or XLSX through the one table
// writer (spreadsheet.WriteTableCSV, WriteTableXLSX): headers in the
// reader's language, numbers as numbers, dates dd-mm-yyyy in the reader's
// zone as the pages show them. Each download lists the page's own rows for
// the same filter, read by the page's own list function with the caller's
// scope, every page of them up to exportMaxRows.

// exportMaxRows bounds the rows of one download.
const exportMaxRows = 100_000

// The ?pemisah= values: the CSV separator asked for.
const (
	sepSemicolon = "titik-koma"
	sepComma     = "koma"
)

// csvStyle is the CSV style asked for (?pemisah=titik-koma or koma); by
// default semicolons and decimal commas in Indonesian (what Indonesian-
// locale Excel opens with a double click), commas in English.
func csvStyle(r *http.Request, lang string) spreadsheet.CSVStyle {
	switch r.URL.Query().Get("pemisah") {
	case sepSemicolon:
		return spreadsheet.CSVSemicolon
	case sepComma:
		return spreadsheet.CSVComma
	}
	if lang == "id" {
		return spreadsheet.CSVSemicolon
	}
	return spreadsheet.CSVComma
}

// writeTable answers t as a download: format "csv" (in the style the
// request asks for, csvStyle) or "xlsx", named base plus the extension
// (base made safe for a header), never cached.
func (s *Server) writeTable(w http.ResponseWriter, r *http.Request, format, base string, t spreadsheet.Table) {
	var data []byte
	var ctype string
	switch format {
	case "csv":
		data, ctype = spreadsheet.WriteTableCSV(t, csvStyle(r, s.lang(r))), "text/csv; charset=utf-8"
	case "xlsx":
		var err error
		if data, err = spreadsheet.WriteTableXLSX(t); err != nil {
			s.fail(w, r, err)
			return
		}
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(base)+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if _, err := w.Write(data); err != nil {
		s.log.WarnContext(r.Context(), "web: download cut short", "path", r.URL.Path, "err", err.Error())
	}
}

// safeFileName keeps letters, digits, dots, dashes and underscores of a
// file name (nothing that could end the header's quoted string), at most
// 100 of them.
func safeFileName(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= 100 {
			break
		}
	}
	out := strings.Trim(b.String(), ".-")
	if out == "" {
		return "lindu"
	}
	return out
}

// exportTime is a time as the tables show it, in the reader's zone,
// without the zone's name (the Keterangan sheet names it); "" for none.
func exportTime(b Base, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(exportZone(b)).Format("02-01-2006 15:04")
}

// exportDay turns a stored day (yyyy-mm-dd) into dd-mm-yyyy; anything
// else is kept as it is.
func exportDay(d string) string {
	if t, err := time.Parse("2006-01-02", d); err == nil {
		return t.Format("02-01-2006")
	}
	return d
}

func exportZone(b Base) *time.Location {
	if b.Zone == nil {
		return domain.WIB
	}
	return b.Zone
}

// exportMeta is the Keterangan sheet of a download: what it is, when it
// was made and in which zone its times are, the filter (the query string,
// without paging; a search's text, which may be a name, left out), how
// many rows, and whether they were cut.
func (s *Server) exportMeta(b Base, r *http.Request, rows int, cut bool) [][2]string {
	now := s.now().In(exportZone(b))
	filter := exportQuery(r.URL.Query())
	if filter.Get("q") != "" {
		filter.Set("q", "…")
	}
	meta := [][2]string{
		{b.T("export.meta_table"), b.Title},
		{b.T("export.meta_at"), now.Format("02-01-2006 15:04")},
		{b.T("export.meta_zone"), now.Format("MST")},
		{b.T("export.meta_filter"), filter.Encode()},
		{b.T("export.meta_rows"), strconv.Itoa(rows)},
	}
	if cut {
		meta = append(meta, [2]string{b.T("export.meta_cut"), b.T("export.meta_cut_text", exportMaxRows)})
	}
	return meta
}

// exportQuery is a page's query without what is not its filter (paging,
// flash messages, the separator).
func exportQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		switch k {
		case "page", "before", "ok", "pemisah":
		default:
			out[k] = v
		}
	}
	return out
}

// ExportLinks are the download links of a page, keeping its filter: CSV
// in the language's style, CSV in the other style, and XLSX.
type ExportLinks struct {
	CSV, CSVOther, XLSX        string
	CSVLabel, OtherLabel, Hint string
	XLSXLabel                  string
}

// exportLinks are the links to path+".csv" and path+".xlsx" with the
// filter q (paging dropped).
func exportLinks(b Base, path string, q url.Values) ExportLinks {
	q = exportQuery(q)
	link := func(ext, sep string) string {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		if sep != "" {
			v.Set("pemisah", sep)
		}
		if len(v) == 0 {
			return path + ext
		}
		return path + ext + "?" + v.Encode()
	}
	other, otherLabel := sepComma, "export.csv_comma"
	if b.Lang != "id" {
		other, otherLabel = sepSemicolon, "export.csv_semicolon"
	}
	return ExportLinks{CSV: link(".csv", ""), CSVOther: link(".csv", other), XLSX: link(".xlsx", ""),
		CSVLabel: b.T("export.csv"), OtherLabel: b.T(otherLabel), XLSXLabel: b.T("export.xlsx"), Hint: b.T("export.hint")}
}

var exportLinksHTML = template.Must(template.New("exports").Parse(`<p class="exports no-print" id="exports">` +
	`<a href="{{.CSV}}" id="export-csv" download>{{.CSVLabel}}</a> · ` +
	`<a href="{{.XLSX}}" id="export-xlsx" download>{{.XLSXLabel}}</a> · ` +
	`<a href="{{.CSVOther}}" id="export-csv-other" download>{{.OtherLabel}}</a> ` +
	`<span class="hint inline">{{.Hint}}</span></p>`))

// HTML renders the links.
func (e ExportLinks) HTML() template.HTML {
	var b bytes.Buffer
	if err := exportLinksHTML.Execute(&b, e); err != nil {
		return ""
	}
	return template.HTML(b.String())
}

// exportPageSize is the rows read at a time (the list functions' largest
// page).
const exportPageSize = 200

// exportPages reads a list through page (offset, limit) until a short
// page or exportMaxRows rows; cut reports that rows were left out.
func exportPages[T any](page func(offset, limit int) ([]T, error)) (rows []T, cut bool, err error) {
	for {
		l, err := page(len(rows), exportPageSize)
		if err != nil {
			return nil, false, err
		}
		rows = append(rows, l...)
		if len(l) < exportPageSize || len(rows) > exportMaxRows {
			break
		}
	}
	if len(rows) > exportMaxRows {
		return rows[:exportMaxRows], true, nil
	}
	return rows, false, nil
}
