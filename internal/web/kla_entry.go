package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// KLA data entry by agencies (OPD): one form with a row per indicator of
// the operator's agency for a region and year, with evidence per row.
// Saving goes through kla.SaveEntry: all rows or none, evidence files in
// the transaction of the values.

// KLAEntryRow is one indicator on the entry form.
type KLAEntryRow struct {
	Ind     domain.KLAIndicator
	Current *domain.KLAValue
	Value   string
	Error   string
	// Audits are the passed children's audits that are evidence for the
	// indicator (module F), listed without a re-upload.
	Audits []audits.Evidence
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
		return page, domain.E(domain.EForbidden, "kla.err.enter_forbidden")
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
	g, err := kla.RegimeFor(ctx, s.st, year)
	if err != nil {
		return page, err
	}
	page.Regime = g
	if !b.Scope.Can(domain.PermManageKLA) {
		if page.Agency, err = kla.UserAgency(ctx, s.st, b.User.ID); err != nil {
			return page, err
		}
		if page.Agency == "" {
			page.NoAgency = true
			return page, nil
		}
	}
	ags, err := kla.Agencies(ctx, s.st)
	if err != nil {
		return page, err
	}
	for _, a := range ags {
		if a.Code == page.Agency {
			page.AgencyName = a.Name
		}
	}
	inds, err := kla.Indicators(ctx, s.st, g.ID)
	if err != nil {
		return page, err
	}
	vals, err := kla.ListValues(ctx, s.st, b.Scope, kla.ValueFilter{Regime: g.ID, RegionCode: reg.Code, Year: year})
	if err != nil {
		return page, err
	}
	cur := map[string]*domain.KLAValue{}
	for i := range vals {
		cur[vals[i].IndicatorID] = &vals[i]
	}
	ev, err := audits.New(s.st).KLAEvidence(ctx, b.Scope, g.ID, year, reg.Code)
	if err != nil {
		return page, err
	}
	for _, ind := range inds {
		if page.Agency != "" && ind.Agency != page.Agency {
			continue
		}
		row := KLAEntryRow{Ind: ind, Current: cur[ind.ID], Audits: ev[ind.ID]}
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

// klaEntrySave saves the form through kla.SaveEntry: every changed row,
// with its new evidence file, in one transaction, or nothing when a row is
// wrong (each wrong row shows why).
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
	rows := make([]kla.EntryRow, len(page.Rows))
	for i := range page.Rows {
		row := &page.Rows[i]
		id := row.Ind.ID
		rows[i] = kla.EntryRow{IndicatorID: id, Value: r.PostFormValue("value_" + id),
			Note: r.PostFormValue("note_" + id), Link: r.PostFormValue("link_" + id)}
		row.Value = strings.TrimSpace(rows[i].Value)
		// A new evidence file is kept in memory and stored with its value,
		// in one transaction: a refused form stores no file.
		if r.MultipartForm == nil {
			continue
		}
		if fhs := r.MultipartForm.File["file_"+id]; len(fhs) > 0 && fhs[0].Size > 0 {
			data, err := readFormFile(fhs[0], kla.MaxFile)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ct := fhs[0].Header.Get("Content-Type")
			if ct == "" {
				ct = "application/octet-stream"
			}
			rows[i].File = &kla.NewFile{Name: fhs[0].Filename, ContentType: ct, Data: data}
		}
	}
	_, err = kla.SaveEntry(r.Context(), s.st, b.Scope, page.Regime.ID, page.Region.Code, year, rows)
	var ve *kla.ValuesError
	if errors.As(err, &ve) {
		for i, m := range ve.Rows {
			page.Rows[i].Error = httpx.Text(b.Lang, m)
		}
		page.Error = b.T("kla.entry_errors")
		s.render(w, r, http.StatusUnprocessableEntity, "kla_entry", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/isi?"+page.Query, "kla_saved"), http.StatusSeeOther)
}

// readFormFile reads an uploaded file, at most max+1 bytes: a longer one
// comes back cut at max+1, for the caller to refuse as too large.
func readFormFile(fh *multipart.FileHeader, max int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: open uploaded file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("web: read uploaded file: %w", err)
	}
	return data, nil
}

// QueryURL is Query for a link's query string: html/template would
// escape a plain string there ("region%3d..."), and the file would be the
// wrong region's and year's.
func (p KLAEntryPage) QueryURL() template.URL { return template.URL(p.Query) }

// Invalid are the rows whose value was refused, for the error summary at
// the top of the form (each links to its field).
func (p KLAEntryPage) Invalid() []KLAEntryRow {
	var out []KLAEntryRow
	for _, r := range p.Rows {
		if r.Error != "" {
			out = append(out, r)
		}
	}
	return out
}
