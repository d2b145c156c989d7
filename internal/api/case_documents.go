package api

// Documents of a case: list, upload (multipart), download (the file, as an
// attachment) and delete with a reason (a tombstone stays). The case area
// decides who may do what; only those who handle the case get past "not
// found" for the files.

import (
	"errors"
	"io"
	"net/http"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// DocumentList is the answer of GET /api/v1/cases/{id}/documents.
type DocumentList struct {
	Documents []domain.CaseDocument `json:"documents"`
}

// DocumentDeleteRequest is the body of DELETE
// /api/v1/cases/{id}/documents/{doc}.
type DocumentDeleteRequest struct {
	Reason string `json:"reason"`
}

func (a *API) listDocuments(w http.ResponseWriter, r *http.Request) {
	docs, err := a.cases.ListDocuments(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if docs == nil {
		docs = []domain.CaseDocument{}
	}
	httpx.WriteJSON(w, http.StatusOK, DocumentList{Documents: docs})
}

// uploadDocument reads a multipart/form-data body: the file in "file",
// and "kind", "title", "description", "victim_id".
func (a *API) uploadDocument(w http.ResponseWriter, r *http.Request) {
	max := a.cases.MaxDocumentBytes()
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(w, r, domain.E(domain.ETooLarge, "case.doc.err.too_large", cases.SizeText(max)))
			return
		}
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"file": domain.M("case.doc.field.file")}))
		return
	}
	v := r.PostFormValue
	nd := domain.NewDocument{Kind: v("kind"), Title: v("title"), Description: v("description"), VictimID: v("victim_id")}
	if f, fh, err := r.FormFile("file"); err == nil {
		nd.FileName = fh.Filename
		nd.Data, err = io.ReadAll(io.LimitReader(f, max+1))
		f.Close()
		if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	doc, err := a.cases.UploadDocument(r.Context(), scope(r), r.PathValue("id"), nd)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, doc)
}

func (a *API) downloadDocument(w http.ResponseWriter, r *http.Request) {
	doc, err := a.cases.DownloadDocument(r.Context(), scope(r), r.PathValue("id"), r.PathValue("doc"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.ServeAttachment(w, cases.DocumentFileName(doc.CaseDocument), doc.MIMEType, doc.Data)
}

func (a *API) deleteDocument(w http.ResponseWriter, r *http.Request) {
	var req DocumentDeleteRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id, docID := scope(r), r.PathValue("id"), r.PathValue("doc")
	if err := a.cases.DeleteDocument(r.Context(), sc, id, docID, req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	docs, err := a.cases.ListDocuments(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, d := range docs {
		if d.ID == docID {
			httpx.WriteJSON(w, http.StatusOK, d)
			return
		}
	}
	a.fail(w, r, domain.NotFound("document"))
}
