package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/media"
	"lindu/internal/store"
)

// Documents of a case (dokumen): the visum, the police report, a court
// decision, letters, photos and voice notes, and the media that arrive with
// a WhatsApp report. A file's type is sniffed from its bytes (media.Sniff),
// photos lose their metadata before anything is kept, and the content is
// sealed in its own table, so listing a case's documents never reads a
// file. Only those who handle the case (caseView) upload, download and
// delete documents; others who see the case learn only that documents
// exist. Every upload, download and delete is audited; uploads and
// deletes are written to the case's timeline.

// DefaultMaxDocument is the largest file a document may be unless
// configured otherwise (10 MiB).
const DefaultMaxDocument = 10 << 20

// Document text limits (characters).
const (
	maxDocTitle        = 200
	maxDocDescription  = 2000
	maxDocFileName     = 200
	MinDocDeleteReason = 5
	MaxDocDeleteReason = 1000
)

// MaxDocumentBytes is the largest file a document may be. Anyone may ask.
func (s *Service) MaxDocumentBytes() int64 { return s.maxDocument }

// UploadDocument attaches a file to a case (see AttachDocument).
// Authorization: PermWorkCases on a case the caller handles (its lead, a
// member of its teams, a supervisor or admin of its region, or an
// emergency access); anything else is not found.
func (s *Service) UploadDocument(ctx context.Context, sc domain.Scope, caseID string, nd domain.NewDocument) (domain.CaseDocument, error) {
	var doc domain.CaseDocument
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		doc, err = s.AttachDocument(ctx, tx, sc, caseID, nd)
		return err
	})
	return doc, err
}

// AttachDocument attaches a file to a case inside tx, for other areas
// (WhatsApp media of a report lands here): the type is sniffed from the
// content and must be one media accepts, a photo loses its metadata, the
// content and the texts are sealed, and the upload is written to the
// timeline and the audit log. An empty kind becomes photo, voice_note or
// other by the type. Closed cases take documents too (a court decision
// comes late). Authorization: as UploadDocument; lindu itself may attach
// to any case.
func (s *Service) AttachDocument(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string, nd domain.NewDocument) (domain.CaseDocument, error) {
	if !sc.Can(domain.PermWorkCases) {
		return domain.CaseDocument{}, domain.NotFound("case")
	}
	lc, err := s.lockCase(ctx, tx, sc, caseID)
	if err != nil {
		return domain.CaseDocument{}, err
	}
	if err := s.mustHandle(ctx, tx, sc, caseID, lc); err != nil {
		return domain.CaseDocument{}, err
	}
	data, mime, err := s.checkDocument(&nd)
	if err != nil {
		return domain.CaseDocument{}, err
	}
	if nd.VictimID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM victims WHERE id = $1 AND case_id = $2`, nd.VictimID, caseID).Scan(&n); err != nil {
			return domain.CaseDocument{}, fmt.Errorf("cases: document victim: %w", err)
		}
		if n == 0 {
			return domain.CaseDocument{}, domain.InvalidFields(domain.FieldErrors{"victim_id": domain.M("case.field.victim_unknown")})
		}
	}
	doc := domain.CaseDocument{ID: tx.NewID(), CaseID: caseID, VictimID: nd.VictimID, Kind: nd.Kind, Title: nd.Title,
		Description: nd.Description, FileName: nd.FileName, MIMEType: mime, Size: int64(len(data)), CreatedBy: sc.Actor(),
		CreatedAt: tx.Now()}
	if err := s.insertDocument(ctx, tx, sc, doc, data); err != nil {
		return domain.CaseDocument{}, err
	}
	if err := s.caseEvent(ctx, tx, sc, caseID, "document_added", lc.status, lc.status, doc.Title); err != nil {
		return domain.CaseDocument{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, tx.Now(), caseID); err != nil {
		return domain.CaseDocument{}, fmt.Errorf("cases: touch case: %w", err)
	}
	err = tx.Audit(ctx, sc, "case.document_add", "case", caseID, lc.region,
		fmt.Sprintf("document=%s kind=%s type=%s size=%d", doc.ID, doc.Kind, mime, doc.Size))
	return doc, err
}

// mustHandle refuses (not found) a caller who does not handle the locked
// case: documents are personal data of the case, for need to know only.
func (s *Service) mustHandle(ctx context.Context, q store.Querier, sc domain.Scope, caseID string, lc lockedCase) error {
	v, err := s.caseView(ctx, q, sc, caseHandling{id: caseID, assignee: lc.assignee.String, team: lc.team.String,
		support: lc.support.String})
	if err != nil {
		return err
	}
	if !v.personal {
		return domain.NotFound("case")
	}
	return nil
}

// checkDocument checks nd's texts and content and returns the content to
// keep (a photo without its metadata) and its sniffed type.
func (s *Service) checkDocument(nd *domain.NewDocument) ([]byte, string, error) {
	if int64(len(nd.Data)) > s.maxDocument {
		return nil, "", domain.E(domain.ETooLarge, "case.doc.err.too_large", SizeText(s.maxDocument))
	}
	f := domain.FieldErrors{}
	nd.Title, nd.Description = strings.TrimSpace(nd.Title), strings.TrimSpace(nd.Description)
	nd.FileName = cleanFileName(nd.FileName)
	if nd.Kind != "" && !domain.ValidDocumentKind(nd.Kind) {
		f["kind"] = domain.M("case.doc.field.kind")
	}
	if utf8.RuneCountInString(nd.Title) > maxDocTitle || !utf8.ValidString(nd.Title) {
		f["title"] = domain.M("field.max_chars", maxDocTitle)
	}
	if utf8.RuneCountInString(nd.Description) > maxDocDescription || !utf8.ValidString(nd.Description) {
		f["description"] = domain.M("field.max_chars", maxDocDescription)
	}
	mime := ""
	if len(nd.Data) == 0 {
		f["file"] = domain.M("case.doc.field.file")
	} else if mime = media.Sniff(nd.Data); mime == "" {
		f["file"] = domain.M("case.doc.err.type")
	}
	if len(f) > 0 {
		return nil, "", domain.InvalidFields(f)
	}
	data, err := media.Strip(mime, nd.Data)
	if err != nil {
		return nil, "", domain.InvalidFields(domain.FieldErrors{"file": domain.M("case.doc.err.broken")})
	}
	if nd.Kind == "" {
		nd.Kind = domain.DocOther
		switch {
		case strings.HasPrefix(mime, "image/"):
			nd.Kind = domain.DocPhoto
		case strings.HasPrefix(mime, "audio/"):
			nd.Kind = domain.DocVoiceNote
		}
	}
	return data, mime, nil
}

// cleanFileName keeps the last element of a file name as a browser or a
// phone sent it, without control characters, cut to maxDocFileName.
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > maxDocFileName {
		name = string(r[len(r)-maxDocFileName:])
	}
	return name
}

// SizeText is a size in bytes as people read it ("10 MiB", "350 KiB").
// Pure: anyone may call it.
func SizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+512)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// insertDocument seals and stores doc and its content inside tx.
func (s *Service) insertDocument(ctx context.Context, tx *store.Tx, sc domain.Scope, doc domain.CaseDocument, data []byte) error {
	var sealed [4]string
	for i, v := range []struct{ field, text string }{{store.FieldDocumentTitle, doc.Title},
		{store.FieldDocumentDesc, doc.Description}, {store.FieldDocumentFileName, doc.FileName},
		{store.FieldDocumentContent, string(data)}} {
		var err error
		if sealed[i], err = s.st.Seal(v.field, v.text); err != nil {
			return err
		}
	}
	var victim any
	if doc.VictimID != "" {
		victim = doc.VictimID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_documents (id, case_id, victim_id, kind, title_enc, description_enc,
		file_name_enc, mime_type, size_bytes, created_by_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		doc.ID, doc.CaseID, victim, doc.Kind, sealed[0], sealed[1], sealed[2], doc.MIMEType, doc.Size, sc.UserID, doc.CreatedBy,
		doc.CreatedAt); err != nil {
		return fmt.Errorf("cases: add document: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_document_contents (document_id, content_enc) VALUES ($1, $2)`,
		doc.ID, sealed[3]); err != nil {
		return fmt.Errorf("cases: add document content: %w", err)
	}
	return nil
}

const docCols = `d.id, d.case_id, COALESCE(d.victim_id, ''), d.kind, d.title_enc, d.description_enc, d.file_name_enc, d.mime_type,
	d.size_bytes, d.created_by, d.created_at, d.deleted_at, d.deleted_by, d.delete_reason_enc`

// scanDocument reads a row of docCols, opening its texts for a scope that
// may see them; a scope that may not gets an entry that only says a
// document exists.
func (s *Service) scanDocument(sc domain.Scope, row scanner) (domain.CaseDocument, error) {
	var d domain.CaseDocument
	var title, desc, name, reason string
	var deleted sql.NullTime
	if err := row.Scan(&d.ID, &d.CaseID, &d.VictimID, &d.Kind, &title, &desc, &name, &d.MIMEType, &d.Size, &d.CreatedBy,
		&d.CreatedAt, &deleted, &d.DeletedBy, &reason); err != nil {
		return d, err
	}
	d.CreatedAt, d.DeletedAt = d.CreatedAt.UTC(), ptrTime(deleted)
	if !sc.Personal {
		return domain.CaseDocument{ID: d.ID, CaseID: d.CaseID, CreatedAt: d.CreatedAt, Masked: true}, nil
	}
	var err error
	for _, v := range []struct {
		field, ct string
		dst       *string
	}{{store.FieldDocumentTitle, title, &d.Title}, {store.FieldDocumentDesc, desc, &d.Description},
		{store.FieldDocumentFileName, name, &d.FileName}, {store.FieldDocumentDelReason, reason, &d.DeleteReason}} {
		if *v.dst, err = s.st.Open(v.field, v.ct); err != nil {
			return d, err
		}
	}
	return d, nil
}

// loadDocuments fills c's documents for GetCase (sc is narrowed by the
// need-to-know decision): everything for those who handle the case, for
// the others an entry per document that is not deleted.
func (s *Service) loadDocuments(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	docs, err := s.documents(ctx, sc, c.ID)
	c.Documents = docs
	return err
}

func (s *Service) documents(ctx context.Context, sc domain.Scope, caseID string) ([]domain.CaseDocument, error) {
	q := `SELECT ` + docCols + ` FROM case_documents d WHERE d.case_id = $1`
	if !sc.Personal {
		q += ` AND d.deleted_at IS NULL`
	}
	return store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.CaseDocument, error) {
		return s.scanDocument(sc, rows)
	}, q+` ORDER BY d.created_at, d.id`, caseID)
}

// ListDocuments lists a case's documents, oldest first, deleted ones as
// tombstones, for the case page, the API and the printable case file. The
// titles reach only those who handle the case (and that is audited);
// others who see the case get one masked entry per document that is not
// deleted. Authorization: PermViewCases on a visible case; else not found.
func (s *Service) ListDocuments(ctx context.Context, sc domain.Scope, caseID string) ([]domain.CaseDocument, error) {
	h, region, err := s.caseHandlingOf(ctx, s.st, sc, caseID)
	if err != nil {
		return nil, err
	}
	v, err := s.caseView(ctx, s.st, sc, h)
	if err != nil {
		return nil, err
	}
	sc.Personal = v.personal
	docs, err := s.documents(ctx, sc, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: documents: %w", err)
	}
	if sc.Personal && !sc.System && len(docs) > 0 {
		if err := s.st.Audit(ctx, sc, "case.documents_view", "case", caseID, region, fmt.Sprintf("documents=%d", len(docs))); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// DownloadDocument returns a document with its content, and audits the
// download. A deleted document has no content (not found).
// Authorization: PermViewCases on a case the caller handles (as
// UploadDocument, without PermWorkCases); anything else is not found.
func (s *Service) DownloadDocument(ctx context.Context, sc domain.Scope, caseID, docID string) (domain.DocumentContent, error) {
	h, region, err := s.caseHandlingOf(ctx, s.st, sc, caseID)
	if err != nil {
		return domain.DocumentContent{}, err
	}
	v, err := s.caseView(ctx, s.st, sc, h)
	if err != nil {
		return domain.DocumentContent{}, err
	}
	if !v.personal {
		return domain.DocumentContent{}, domain.NotFound("case")
	}
	var out domain.DocumentContent
	var content string
	row := s.st.QueryRowContext(ctx, `SELECT `+docCols+`, k.content_enc FROM case_documents d
		JOIN case_document_contents k ON k.document_id = d.id WHERE d.id = $1 AND d.case_id = $2 AND d.deleted_at IS NULL`, docID, caseID)
	out.CaseDocument, err = s.scanDocument(sc, scanFunc(func(dst ...any) error { return row.Scan(append(dst, &content)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return out, domain.NotFound("document")
	}
	if err != nil {
		return out, fmt.Errorf("cases: document: %w", err)
	}
	pt, err := s.st.Open(store.FieldDocumentContent, content)
	if err != nil {
		return out, err
	}
	out.Data = []byte(pt)
	if !sc.System {
		detail := fmt.Sprintf("document=%s kind=%s size=%d", docID, out.Kind, out.Size)
		if v.until != nil {
			detail += " via=emergency_access"
		}
		if err := s.st.Audit(ctx, sc, "case.document_download", "case", caseID, region, detail); err != nil {
			return domain.DocumentContent{}, err
		}
	}
	return out, nil
}

// scanFunc adapts a function to scanner.
type scanFunc func(...any) error

func (f scanFunc) Scan(dst ...any) error { return f(dst...) }

// DeleteDocument erases a document's content and keeps its entry as a
// tombstone: who deleted it, when, and why (a reason of
// MinDocDeleteReason to MaxDocDeleteReason characters, sealed), written to
// the timeline and the audit log. Deleting a deleted document is a
// conflict. Authorization: as UploadDocument.
func (s *Service) DeleteDocument(ctx context.Context, sc domain.Scope, caseID, docID, reason string) error {
	if !sc.Can(domain.PermWorkCases) {
		return domain.NotFound("case")
	}
	reason = strings.TrimSpace(reason)
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		if err := s.mustHandle(ctx, tx, sc, caseID, lc); err != nil {
			return err
		}
		var kind string
		var deleted sql.NullTime
		err = tx.QueryRowContext(ctx, `SELECT kind, deleted_at FROM case_documents WHERE id = $1 AND case_id = $2`, docID, caseID).
			Scan(&kind, &deleted)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("document")
		}
		if err != nil {
			return fmt.Errorf("cases: document: %w", err)
		}
		if deleted.Valid {
			return domain.E(domain.EConflict, "case.doc.err.deleted")
		}
		if n := utf8.RuneCountInString(reason); n < MinDocDeleteReason || n > MaxDocDeleteReason || !utf8.ValidString(reason) {
			return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("case.doc.field.reason", MinDocDeleteReason, MaxDocDeleteReason)})
		}
		enc, err := s.st.Seal(store.FieldDocumentDelReason, reason)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_documents SET deleted_at = $1, deleted_by_id = $2, deleted_by = $3, delete_reason_enc = $4
			WHERE id = $5 AND deleted_at IS NULL`, tx.Now(), sc.UserID, sc.Actor(), enc, docID)
		if err != nil {
			return fmt.Errorf("cases: delete document: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return domain.E(domain.EConflict, "case.doc.err.deleted")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_document_contents WHERE document_id = $1`, docID); err != nil {
			return fmt.Errorf("cases: erase document: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "document_deleted", lc.status, lc.status, reason); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, tx.Now(), caseID); err != nil {
			return fmt.Errorf("cases: touch case: %w", err)
		}
		return tx.Audit(ctx, sc, "case.document_delete", "case", caseID, lc.region, "document="+docID+" kind="+kind)
	})
}

// docExt is the file name extension of each accepted type.
var docExt = map[string]string{media.PDF: ".pdf", media.JPEG: ".jpg", media.PNG: ".png", media.WebP: ".webp", media.OGG: ".ogg",
	media.MP3: ".mp3", media.M4A: ".m4a", media.AMR: ".amr"}

// DocumentFileName is the name a document is saved under: the name it was
// uploaded with, ending in the extension of its sniffed type, or one made
// of its kind and the end of its id. Pure: anyone may call it.
func DocumentFileName(d domain.CaseDocument) string {
	name := d.FileName
	if name == "" {
		short := d.ID
		if len(short) > 8 {
			short = short[len(short)-8:]
		}
		name = "dokumen-" + d.Kind + "-" + short
	}
	if ext := docExt[d.MIMEType]; ext != "" && !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	return name
}
