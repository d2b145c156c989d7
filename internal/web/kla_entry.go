package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// KLA data entry by agencies (OPD): one form with a row per indicator of
// the operator's agency, evidence per row, the history of each value, and
// bulk entry through a downloaded template.

// KLAEntryRow is one indicator on the entry form.
type KLAEntryRow struct {
	Ind     domain.KLAIndicator
	Current *domain.KLAValue
	Value   string
	Error   string
}

// KLAEntryPage is /kla/isi.
type KLAEntryPage struct {
	Base
	Region     domain.Region
	Year       int
	Years      []int
	Regime     domain.KLARegime
	Agency     string
	AgencyName string
	Rows       []KLAEntryRow
	RowErrors  kla.RowErrors
	Query      string
	NoAgency   bool
}

// klaEntryContext loads what the entry pages need: regime, the caller's
// agency and its indicators (all of them for a manager).
func (s *Server) klaEntryContext(r *http.Request, b Base, region string, year int) (KLAEntryPage, error) {
	page := KLAEntryPage{Base: b, Year: year, Years: s.klaYears()}
	ctx := r.Context()
	if !b.Scope.Can(domain.PermEnterKLA) {
		return page, domain.Errorf(domain.EForbidden, "your role does not enter KLA data")
	}
	reg, err := s.st.GetRegion(ctx, region)
	if err != nil {
		return page, err
	}
	if !b.Scope.Contains(reg.Code) {
		return page, domain.NotFound("region")
	}
	page.Region = reg
	page.Query = "region=" + reg.Code + "&year=" + strconv.Itoa(year)
	g, err := s.st.KLARegimeFor(ctx, year)
	if err != nil {
		return page, err
	}
	page.Regime = g
	if !b.Scope.Can(domain.PermManageKLA) {
		if page.Agency, err = s.st.UserAgency(ctx, b.User.ID); err != nil {
			return page, err
		}
		if page.Agency == "" {
			page.NoAgency = true
			return page, nil
		}
	}
	ags, err := s.st.KLAAgencies(ctx)
	if err != nil {
		return page, err
	}
	for _, a := range ags {
		if a.Code == page.Agency {
			page.AgencyName = a.Name
		}
	}
	inds, err := s.st.KLAIndicators(ctx, g.ID)
	if err != nil {
		return page, err
	}
	vals, err := s.st.ListKLAValues(ctx, b.Scope, store.KLAValueFilter{Regime: g.ID, RegionCode: reg.Code, Year: year})
	if err != nil {
		return page, err
	}
	cur := map[string]*domain.KLAValue{}
	for i := range vals {
		cur[vals[i].IndicatorID] = &vals[i]
	}
	for _, ind := range inds {
		if page.Agency != "" && ind.Agency != page.Agency {
			continue
		}
		row := KLAEntryRow{Ind: ind, Current: cur[ind.ID]}
		if row.Current != nil && row.Current.SelfValue != nil {
			row.Value = strconv.FormatFloat(*row.Current.SelfValue, 'f', -1, 64)
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}

func (s *Server) klaEntry(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.entry_title")
	region, year := s.klaRegionYear(r, b)
	page, err := s.klaEntryContext(r, b, region, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_entry", page)
}

// limitBody bounds a request body before the CSRF check reads the form.
func limitBody(max int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, max)
		h(w, r)
	}
}

// klaEntrySave saves every row whose value, note, link or file changed, in
// one transaction.
func (s *Server) klaEntrySave(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.entry_title")
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.fail(w, r, &domain.Error{Code: domain.ETooLarge, Message: "form too large"})
		return
	}
	region := r.PostFormValue("region")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	page, err := s.klaEntryContext(r, b, region, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var in []domain.KLAValueInput
	var idx []int
	rowErr := false
	for i := range page.Rows {
		row := &page.Rows[i]
		id := row.Ind.ID
		raw := strings.TrimSpace(r.PostFormValue("value_" + id))
		note := strings.TrimSpace(r.PostFormValue("note_" + id))
		link := strings.TrimSpace(r.PostFormValue("link_" + id))
		row.Value = raw
		fileID := ""
		if r.MultipartForm != nil {
			if fhs := r.MultipartForm.File["file_"+id]; len(fhs) > 0 && fhs[0].Size > 0 {
				f, err := fhs[0].Open()
				if err == nil {
					data, _ := io.ReadAll(io.LimitReader(f, store.MaxKLAFile+1))
					f.Close()
					ct := fhs[0].Header.Get("Content-Type")
					if ct == "" {
						ct = "application/octet-stream"
					}
					fileID, err = s.st.SaveKLAFile(ctx, b.Scope, page.Region.Code, fhs[0].Filename, ct, data)
					if err != nil {
						row.Error = b.T("kla.file_error")
						rowErr = true
						continue
					}
				}
			}
		}
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
		if err != nil {
			row.Error = b.T("kla.not_number")
			rowErr = true
			continue
		}
		c := row.Current
		if c != nil && c.SelfValue != nil && *c.SelfValue == v && c.Note == note && c.Link == link && fileID == "" {
			continue
		}
		if fileID == "" && c != nil {
			fileID = c.FileID
		}
		in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: page.Region.Code, Year: year, Value: v, Note: note, Link: link, FileID: fileID})
		idx = append(idx, i)
	}
	if !rowErr && len(in) > 0 {
		err = s.st.PutKLAValues(ctx, b.Scope, page.Regime.ID, in)
		var ve *store.KLAValuesError
		if errors.As(err, &ve) {
			for n, reason := range ve.Rows {
				page.Rows[idx[n]].Error = reason
			}
			rowErr = true
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if rowErr {
		page.Error = b.T("kla.entry_errors")
		s.render(w, r, http.StatusUnprocessableEntity, "kla_entry", page)
		return
	}
	http.Redirect(w, r, withOK("/kla/isi?"+page.Query, "kla_saved"), http.StatusSeeOther)
}

// klaTemplate serves the bulk-entry template for the caller's indicators.
func (s *Server) klaTemplate(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.entry_title")
		region, year := s.klaRegionYear(r, b)
		page, err := s.klaEntryContext(r, b, region, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var inds []domain.KLAIndicator
		cur := map[string]domain.KLAValue{}
		for _, row := range page.Rows {
			inds = append(inds, row.Ind)
			if row.Current != nil {
				cur[row.Ind.ID] = *row.Current
			}
		}
		rows := kla.TemplateRows(inds, page.Region.Code, year, cur)
		name := fmt.Sprintf("kla-templat-%s-%d", page.Region.Code, year)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Write(kla.WriteCSV(kla.TemplateHeader(), rows))
			return
		}
		data, err := kla.WriteXLSX([]kla.Sheet{kla.TemplateSheet(rows)})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Write(data)
	}
}

// klaUpload imports a filled-in template: all rows or none.
func (s *Server) klaUpload(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.entry_title")
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		s.fail(w, r, &domain.Error{Code: domain.ETooLarge, Message: "file too large"})
		return
	}
	region := r.PostFormValue("region")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	page, err := s.klaEntryContext(r, b, region, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		page.Error = b.T("kla.choose_file")
		s.render(w, r, http.StatusUnprocessableEntity, "kla_entry", page)
		return
	}
	data, _ := io.ReadAll(io.LimitReader(f, 5<<20))
	f.Close()
	n, err := kla.ImportValues(r.Context(), s.st, b.Scope, page.Regime.ID, data, fh.Filename)
	var re kla.RowErrors
	if errors.As(err, &re) {
		page.RowErrors = re
		page.Error = b.T("kla.import_failed", len(re))
		s.render(w, r, http.StatusUnprocessableEntity, "kla_entry", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/kla/isi?"+page.Query+"&imported="+strconv.Itoa(n)+"&ok=kla_imported", http.StatusSeeOther)
}

// KLAHistoryPage is /kla/riwayat.
type KLAHistoryPage struct {
	Base
	Region    domain.Region
	Year      int
	Indicator domain.KLAIndicator
	History   []domain.KLAHistory
}

func (s *Server) klaHistory(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.history_title")
	region, year := s.klaRegionYear(r, b)
	ctx := r.Context()
	reg, err := s.st.GetRegion(ctx, region)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := s.st.KLARegimeFor(ctx, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inds, err := s.st.KLAIndicators(ctx, g.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := KLAHistoryPage{Base: b, Region: reg, Year: year}
	id := r.URL.Query().Get("indicator")
	found := false
	for _, i := range inds {
		if i.ID == id {
			page.Indicator, found = i, true
		}
	}
	if !found {
		s.fail(w, r, domain.NotFound("indicator"))
		return
	}
	if page.History, err = s.st.KLAValueHistory(ctx, b.Scope, g.ID, reg.Code, year, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_history", page)
}

// klaFile serves an evidence file (as a download, never inline).
func (s *Server) klaFile(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.title")
	f, err := s.st.GetKLAFile(r.Context(), b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(f.Data)
}

// KLAVerifyPage is /kla/verifikasi.
type KLAVerifyPage struct {
	Base
	Regime domain.KLARegime
	Year   int
	Years  []int
	Status string
	Names  map[string]string
	Values []domain.KLAValue
}

func (s *Server) klaVerifyList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_title")
	if !b.Scope.Can(domain.PermVerifyKLA) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "only the KLA task force verifies"))
		return
	}
	_, year := s.klaRegionYear(r, b)
	ctx := r.Context()
	g, err := s.st.KLARegimeFor(ctx, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	if status != domain.KLAVerified && status != domain.KLARejected {
		status = domain.KLAPending
	}
	page := KLAVerifyPage{Base: b, Regime: g, Year: year, Years: s.klaYears(), Status: status, Names: map[string]string{}}
	inds, err := s.st.KLAIndicators(ctx, g.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, i := range inds {
		page.Names[i.ID] = i.Name
	}
	if page.Values, err = s.st.ListKLAValues(ctx, b.Scope, store.KLAValueFilter{Regime: g.ID, Year: year, Status: status, Limit: 200}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_verify", page)
}

func (s *Server) klaVerify(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region, ind := r.PostFormValue("region"), r.PostFormValue("indicator")
	g, err := s.st.KLARegimeFor(r.Context(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v *float64
	if raw := strings.TrimSpace(r.PostFormValue("verified_value")); raw != "" {
		x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
		if err != nil {
			s.fail(w, r, domain.Invalid("bad value", map[string]string{"verified_value": "not a number"}))
			return
		}
		v = &x
	}
	accept := r.PostFormValue("verdict") != "reject"
	if err := s.st.VerifyKLAValue(r.Context(), b.Scope, g.ID, region, year, ind, accept, v, r.PostFormValue("note")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/verifikasi?year="+strconv.Itoa(year), "kla_verified"), http.StatusSeeOther)
}

// Q escapes a query value.
func (b Base) Q(s string) string { return url.QueryEscape(s) }

// KLAVal2 formats an optional value for an input ("" when nil).
func (b Base) KLAVal2(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// StatusList lists the verification states.
func (KLAVerifyPage) StatusList() []string {
	return []string{domain.KLAPending, domain.KLAVerified, domain.KLARejected}
}
