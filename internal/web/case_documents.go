package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// Documents of a case (POST /kasus/{id}/dokumen, GET
// /kasus/{id}/dokumen/{doc}, POST /kasus/{id}/dokumen/{doc}/hapus): the
// "Dokumen" section of the case page (templates/case_documents.html). The
// case area decides who may upload, download and delete.

// multipartMemory is how much of an upload is held in memory while the
// form is parsed; the rest waits in a temporary file until the handler
// has read it.
const multipartMemory = 1 << 20

// documentBody bounds and parses the multipart body of a document upload
// before the staff wrapper checks its CSRF token (which reads the form):
// a body over the document limit is answered with the case page saying
// so, and nothing is stored. Requests without a session go straight on
// (to the login).
func (s *Server) documentBody(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := httpx.PrincipalFrom(r.Context()); p == nil || p.Session == nil {
			h(w, r)
			return
		}
		max := s.cases.MaxDocumentBytes()
		// The form's other fields and the multipart framing come on top
		// of the file.
		r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				w.Header().Set("Connection", "close")
				s.documentFailed(w, r, domain.E(domain.ETooLarge, "case.doc.err.too_large", cases.SizeText(max)))
				return
			}
			s.fail(w, r, domain.E(domain.EInvalid, "error.malformed_form"))
			return
		}
		h(w, r)
	}
}

// caseDocumentUpload attaches the uploaded file to the case.
func (s *Server) caseDocumentUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	nd := domain.NewDocument{Kind: v("kind"), Title: v("title"), Description: v("description"), VictimID: v("victim_id")}
	f, fh, err := r.FormFile("file")
	if err == nil {
		nd.FileName = fh.Filename
		// One byte over the limit is enough for the case area to refuse.
		nd.Data, err = io.ReadAll(io.LimitReader(f, s.cases.MaxDocumentBytes()+1))
		f.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if _, err := s.cases.UploadDocument(r.Context(), principalOf(r).Scope, id, nd); err != nil {
		s.documentFailed(w, r, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_document_added")+"#dokumen", http.StatusSeeOther)
}

// documentFailed shows the case page with the upload form's errors; a
// file over the limit is an error of the file field (413).
func (s *Server) documentFailed(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := domain.AsError(err); ok && e.Code == domain.ETooLarge {
		b := s.base(w, r, "case.title")
		k := s.kit(b)
		k.withForm(&b, "document", r.PostForm, domain.FieldErrors{"file": domain.M(e.Key, e.Args...)})
		s.casePage(w, r, b, k, http.StatusRequestEntityTooLarge, "ringkasan")
		return
	}
	s.caseActionFailed(w, r, "document", err)
}

// caseDocumentDownload sends a document as an attachment.
func (s *Server) caseDocumentDownload(w http.ResponseWriter, r *http.Request) {
	doc, err := s.cases.DownloadDocument(r.Context(), principalOf(r).Scope, r.PathValue("id"), r.PathValue("doc"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.ServeAttachment(w, cases.DocumentFileName(doc.CaseDocument), doc.MIMEType, doc.Data)
}

// caseDocumentDelete deletes a document, keeping its tombstone.
func (s *Server) caseDocumentDelete(w http.ResponseWriter, r *http.Request) {
	id, doc := r.PathValue("id"), r.PathValue("doc")
	if err := s.cases.DeleteDocument(r.Context(), principalOf(r).Scope, id, doc, r.PostFormValue("reason")); err != nil {
		s.caseActionFailed(w, r, "docdel-"+doc, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_document_deleted")+"#dokumen", http.StatusSeeOther)
}

// ---- the Dokumen section of the case page ----

// DocumentKindList is the choice of kinds of the upload form.
func (kit) DocumentKindList() []string { return domain.DocumentKinds }

// SizeText shows a size in bytes.
func (kit) SizeText(n int64) string { return cases.SizeText(n) }

// MaxDocumentText is the upload limit as people read it.
func (p CasePage) MaxDocumentText() string { return cases.SizeText(p.maxDocument) }

// DocumentsMasked reports whether the caller learns only that the case's
// documents exist (it does not handle the case).
func (p CasePage) DocumentsMasked() bool {
	for _, d := range p.C.Documents {
		if d.Masked {
			return true
		}
	}
	return p.C.PersonalMasked || p.C.AccessRequestable
}

// DocumentCount counts the documents that are not deleted.
func (p CasePage) DocumentCount() int {
	n := 0
	for _, d := range p.C.Documents {
		if !d.Deleted() {
			n++
		}
	}
	return n
}

// DocumentURL is where a document is downloaded.
func (p CasePage) DocumentURL(d domain.CaseDocument) string {
	return "/kasus/" + url.PathEscape(p.C.ID) + "/dokumen/" + url.PathEscape(d.ID)
}

// DocumentLabel names a document in the list: its title, else its file
// name, else its kind.
func (p CasePage) DocumentLabel(d domain.CaseDocument) string {
	switch {
	case d.Title != "":
		return d.Title
	case d.FileName != "":
		return d.FileName
	}
	return p.Lbl("dockind", d.Kind)
}

// DocDelForm is the name of the delete form of document d.
func (CasePage) DocDelForm(d domain.CaseDocument) string { return "docdel-" + d.ID }
