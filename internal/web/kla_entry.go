package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
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

// readUpload reads an uploaded spreadsheet whole, refusing one larger
// than spreadsheet.DefaultLimits allow (instead of cutting it short).
func readUpload(f io.Reader) ([]byte, error) {
	max := spreadsheet.DefaultLimits.MaxFileBytes
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &spreadsheet.Error{Key: "file_too_large", Limit: max}
	}
	return data, nil
}

// readFormFile reads an uploaded file of at most max bytes.
func readFormFile(fh *multipart.FileHeader, max int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("web: file over %d bytes", max)
	}
	return data, nil
}

// uploadRefused says which limit an upload broke, in the user's language.
func uploadRefused(b Base, e *spreadsheet.Error) string {
	key := "kla.upload_" + e.Key // one key per spreadsheet.ErrorKeys, tested
	return b.T(key, e.LimitText())
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
	var files []*store.NewKLAFile
	var idx []int
	rowErr := false
	for i := range page.Rows {
		row := &page.Rows[i]
		id := row.Ind.ID
		raw := strings.TrimSpace(r.PostFormValue("value_" + id))
		note := strings.TrimSpace(r.PostFormValue("note_" + id))
		link := strings.TrimSpace(r.PostFormValue("link_" + id))
		row.Value = raw
		// A new evidence file is kept in memory and stored with its value,
		// in one transaction: a refused form stores no file.
		var file *store.NewKLAFile
		if r.MultipartForm != nil {
			if fhs := r.MultipartForm.File["file_"+id]; len(fhs) > 0 && fhs[0].Size > 0 {
				data, err := readFormFile(fhs[0], store.MaxKLAFile)
				if err != nil {
					row.Error = b.T("kla.file_error")
					rowErr = true
					continue
				}
				ct := fhs[0].Header.Get("Content-Type")
				if ct == "" {
					ct = "application/octet-stream"
				}
				file = &store.NewKLAFile{Name: fhs[0].Filename, ContentType: ct, Data: data}
			}
		}
		if raw == "" {
			if file != nil {
				row.Error = b.T("kla.file_needs_value")
				rowErr = true
			}
			continue
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
		if err != nil {
			row.Error = b.T("kla.not_number")
			rowErr = true
			continue
		}
		c := row.Current
		if c != nil && c.SelfValue != nil && *c.SelfValue == v && c.Note == note && c.Link == link && file == nil {
			continue
		}
		fileID := ""
		if file == nil && c != nil {
			fileID = c.FileID
		}
		in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: page.Region.Code, Year: year, Value: v, Note: note, Link: link, FileID: fileID})
		files = append(files, file)
		idx = append(idx, i)
	}
	if !rowErr && len(in) > 0 {
		err = s.st.PutKLAValuesWithFiles(ctx, b.Scope, page.Regime.ID, in, files)
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
	data, err := readUpload(f)
	f.Close()
	n := 0
	if err == nil {
		n, err = kla.ImportValues(r.Context(), s.st, b.Scope, page.Regime.ID, data, fh.Filename)
	}
	if le, ok := spreadsheet.AsError(err); ok {
		s.log.Info("kla upload refused", "limit", le.Key)
		page.Error = uploadRefused(b, le)
		s.render(w, r, httpx.StatusFor(domain.ETooLarge), "kla_entry", page)
		return
	}
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
