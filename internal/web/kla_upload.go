package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
)

// Bulk entry: a filled-in template uploaded on the entry page.

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
		n, err = kla.ImportValues(r.Context(), s.st, b.Scope, page.Regime.ID, data, fh.Filename, kla.Target{Region: page.Region.Code, Year: page.Year})
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

// uploadRefused says which limit an upload broke, in the user's language.
func uploadRefused(b Base, e *spreadsheet.Error) string {
	key := "kla.upload_" + e.Key // one key per spreadsheet.ErrorKeys, tested
	return b.T(key, e.LimitText())
}
