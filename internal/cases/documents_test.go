package cases_test

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/media"
	"lindu/internal/media/mediatest"
	"lindu/internal/secret"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

const (
	docTitle   = "RAHASIA-JUDUL Visum RSUD Bengkayang"
	docDesc    = "RAHASIA-URAIAN hasil pemeriksaan dokter"
	docContent = "RAHASIA-ISI-DOKUMEN luka memar di lengan kiri"
	docName    = "RAHASIA-NAMA-visum.pdf"
)

// docCount counts document rows and content rows of case id.
func docCount(t *testing.T, st *store.Store, id string) (docs, contents int) {
	t.Helper()
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_documents WHERE case_id = $1`, id).Scan(&docs); err != nil {
		t.Fatal(err)
	}
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_document_contents k JOIN case_documents d ON d.id = k.document_id
		WHERE d.case_id = $1`, id).Scan(&contents); err != nil {
		t.Fatal(err)
	}
	return docs, contents
}

func auditCount(t *testing.T, st *store.Store, action, id string) int {
	t.Helper()
	es, err := st.ListAudit(ctx, sys(), domain.AuditFilter{Action: action, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func visum() domain.NewDocument {
	return domain.NewDocument{Kind: domain.DocVisum, Title: docTitle, Description: docDesc, FileName: `C:\Dokumen\` + docName,
		Data: mediatest.PDF(docContent)}
}

// Upload, list, download and delete by those who handle the case; what
// the others see; the timeline and the audit log.
func TestDocumentsLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		// The support team's caseworker attaches the visum; the village
		// taskforce a photo carrying its GPS position.
		vis, err := w.svc.UploadDocument(ctx, w.sc(w.peksos), w.cs.ID, visum())
		if err != nil {
			t.Fatal(err)
		}
		if vis.MIMEType != media.PDF || vis.FileName != docName || vis.Kind != domain.DocVisum || vis.CreatedBy != "peksos" {
			t.Errorf("visum stored as %+v", vis)
		}
		photo, err := w.svc.UploadDocument(ctx, w.sc(w.satgas), w.cs.ID, domain.NewDocument{Title: "Foto lokasi",
			FileName: "IMG_0001.jpg", Data: mediatest.GPSJPEG(), VictimID: ""})
		if err != nil {
			t.Fatal(err)
		}
		if photo.Kind != domain.DocPhoto || photo.MIMEType != media.JPEG || photo.Size >= int64(len(mediatest.GPSJPEG())) {
			t.Errorf("photo stored as %+v", photo)
		}

		// The lead lists both with their titles; the bystander learns
		// only that two documents exist.
		docs, err := w.svc.ListDocuments(ctx, w.sc(w.lead), w.cs.ID)
		if err != nil || len(docs) != 2 || docs[0].Title != docTitle || docs[0].Description != docDesc || docs[1].Title != "Foto lokasi" {
			t.Fatalf("lead lists %+v (%v)", docs, err)
		}
		if auditCount(t, w.st, "case.documents_view", w.cs.ID) != 1 {
			t.Error("listing the titles was not audited")
		}
		for _, get := range []func() ([]domain.CaseDocument, error){
			func() ([]domain.CaseDocument, error) { return w.svc.ListDocuments(ctx, w.sc(w.bystander), w.cs.ID) },
			func() ([]domain.CaseDocument, error) {
				c, err := w.svc.GetCase(ctx, w.sc(w.bystander), w.cs.ID)
				return c.Documents, err
			},
		} {
			masked, err := get()
			if err != nil || len(masked) != 2 {
				t.Fatalf("bystander: %d documents (%v)", len(masked), err)
			}
			for _, m := range masked {
				if !m.Masked || m.Title != "" || m.Kind != "" || m.FileName != "" || m.MIMEType != "" || m.Size != 0 || m.CreatedBy != "" {
					t.Errorf("bystander sees %+v", m)
				}
			}
		}
		if c, err := w.svc.GetCase(ctx, w.sc(w.sup), w.cs.ID); err != nil || len(c.Documents) != 2 || c.Documents[0].Title != docTitle {
			t.Errorf("the supervisor's case page lacks the documents: %+v (%v)", c.Documents, err)
		}

		// Downloads: the PDF as uploaded; the photo without GPS, still a
		// photo.
		got, err := w.svc.DownloadDocument(ctx, w.sc(w.satgas), w.cs.ID, vis.ID)
		if err != nil || !bytes.Equal(got.Data, mediatest.PDF(docContent)) || got.FileName != docName {
			t.Fatalf("download visum: %q %v", got.FileName, err)
		}
		got, err = w.svc.DownloadDocument(ctx, w.sc(w.lead), w.cs.ID, photo.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got.Data, mediatest.GPS) || bytes.Contains(got.Data, []byte("Exif")) || int64(len(got.Data)) != photo.Size {
			t.Error("the downloaded photo still carries its GPS position")
		}
		if _, err := jpeg.Decode(bytes.NewReader(got.Data)); err != nil {
			t.Errorf("the downloaded photo does not decode: %v", err)
		}
		if n := auditCount(t, w.st, "case.document_download", w.cs.ID); n != 2 {
			t.Errorf("%d downloads audited, want 2", n)
		}
		if n := auditCount(t, w.st, "case.document_add", w.cs.ID); n != 2 {
			t.Errorf("%d uploads audited, want 2", n)
		}

		// Delete: a reason is required; the content is erased, the entry
		// stays as a tombstone; the download is gone; twice is a conflict.
		err = w.svc.DeleteDocument(ctx, w.sc(w.peksos), w.cs.ID, photo.ID, "x")
		if e, ok := domain.AsError(err); !ok || e.Fields["reason"].Key == "" {
			t.Fatalf("delete without a reason: %v", err)
		}
		if err := w.svc.DeleteDocument(ctx, w.sc(w.peksos), w.cs.ID, photo.ID, "Foto salah unggah, bukan kasus ini"); err != nil {
			t.Fatal(err)
		}
		if n, k := docCount(t, w.st, w.cs.ID); n != 2 || k != 1 {
			t.Errorf("after delete: %d documents, %d contents", n, k)
		}
		if _, err := w.svc.DownloadDocument(ctx, w.sc(w.lead), w.cs.ID, photo.ID); !domain.IsNotFound(err) {
			t.Errorf("download of a deleted document: %v", err)
		}
		if err := w.svc.DeleteDocument(ctx, w.sc(w.lead), w.cs.ID, photo.ID, "Foto salah unggah"); domain.CodeOf(err) != domain.EConflict {
			t.Errorf("second delete: %v", err)
		}
		docs, _ = w.svc.ListDocuments(ctx, w.sc(w.lead), w.cs.ID)
		if len(docs) != 2 || !docs[1].Deleted() || docs[1].DeletedBy != "peksos" || docs[1].DeleteReason != "Foto salah unggah, bukan kasus ini" {
			t.Errorf("tombstone: %+v", docs)
		}
		if masked, _ := w.svc.ListDocuments(ctx, w.sc(w.bystander), w.cs.ID); len(masked) != 1 {
			t.Errorf("the bystander counts %d documents, want 1", len(masked))
		}
		if auditCount(t, w.st, "case.document_delete", w.cs.ID) != 1 {
			t.Error("the delete was not audited")
		}
		c, err := w.svc.GetCase(ctx, sys(), w.cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range c.Events {
			kinds[e.Kind]++
			if e.Kind == "document_added" && e.Note != docTitle && e.Note != "Foto lokasi" {
				t.Errorf("timeline note %q", e.Note)
			}
		}
		if kinds["document_added"] != 2 || kinds["document_deleted"] != 1 {
			t.Errorf("timeline: %v", kinds)
		}
	})
}

// Those who do not handle the case (a caseworker of the region outside its
// teams, a responder outside its teams, a caseworker of another district,
// an admin of another province, a viewer) get "not found" for every
// document action, and nothing is stored.
func TestDocumentsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		doc, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, visum())
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []domain.User{w.bystander, w.satgasOther, w.cwOther, w.prov, w.viewer} {
			if _, err := w.svc.UploadDocument(ctx, w.sc(u), w.cs.ID, visum()); !domain.IsNotFound(err) {
				t.Errorf("%s uploads: %v", u.Username, err)
			}
			if _, err := w.svc.DownloadDocument(ctx, w.sc(u), w.cs.ID, doc.ID); !domain.IsNotFound(err) {
				t.Errorf("%s downloads: %v", u.Username, err)
			}
			if err := w.svc.DeleteDocument(ctx, w.sc(u), w.cs.ID, doc.ID, "tidak perlu lagi"); !domain.IsNotFound(err) {
				t.Errorf("%s deletes: %v", u.Username, err)
			}
			if u.Role == domain.RoleViewer || u.RegionCode != "61.07.01" && u.RegionCode != "61.07.01.2001" {
				if _, err := w.svc.ListDocuments(ctx, w.sc(u), w.cs.ID); !domain.IsNotFound(err) {
					t.Errorf("%s lists: %v", u.Username, err)
				}
			}
		}
		// A document of another case is not found through this one.
		other, err := w.svc.CreateCase(ctx, w.sc(w.sup), domain.NewCase{RegionCode: "61.07.01.2001", Priority: domain.PriorityLow,
			Types: []domain.ViolenceType{domain.VNeglect}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.DownloadDocument(ctx, w.sc(w.sup), other.ID, doc.ID); !domain.IsNotFound(err) {
			t.Errorf("download through another case: %v", err)
		}
		if n, k := docCount(t, w.st, w.cs.ID); n != 1 || k != 1 {
			t.Errorf("refused calls stored something: %d documents, %d contents", n, k)
		}
		if n := auditCount(t, w.st, "case.document_download", w.cs.ID); n != 0 {
			t.Errorf("%d refused downloads audited as downloads", n)
		}
	})
}

// Too large, a type that is not accepted, a broken photo and a victim of
// another case are refused and leave nothing behind.
func TestDocumentsRefuseBadFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		small := cases.New(w.st, cases.Options{MaxDocumentBytes: 4096})
		big := append(mediatest.PDF(""), bytes.Repeat([]byte("x"), 4097)...)
		_, err := small.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, domain.NewDocument{Kind: domain.DocLetter, Data: big})
		if e, ok := domain.AsError(err); !ok || e.Code != domain.ETooLarge || e.Key != "case.doc.err.too_large" || e.Args[0] != "4 KiB" {
			t.Errorf("too large: %v", err)
		}
		for _, c := range []struct {
			name, field string
			nd          domain.NewDocument
		}{
			{"html", "file", domain.NewDocument{Data: []byte("<html><script>alert(1)</script></html>")}},
			{"svg", "file", domain.NewDocument{Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)}},
			{"gif", "file", domain.NewDocument{Data: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00")}},
			{"zip", "file", domain.NewDocument{Data: []byte("PK\x03\x04\x14\x00\x00\x00")}},
			{"empty", "file", domain.NewDocument{}},
			{"broken jpeg", "file", domain.NewDocument{Data: mediatest.GPSJPEG()[:60]}},
			{"kind", "kind", domain.NewDocument{Kind: "passport", Data: mediatest.PDF("x")}},
			{"title", "title", domain.NewDocument{Title: strings.Repeat("j", 201), Data: mediatest.PDF("x")}},
			{"victim", "victim_id", domain.NewDocument{VictimID: "bukan-korban", Data: mediatest.PDF("x")}},
		} {
			_, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, c.nd)
			if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || e.Fields[c.field].Key == "" {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		if n, k := docCount(t, w.st, w.cs.ID); n != 0 || k != 0 {
			t.Errorf("refused uploads stored %d documents, %d contents", n, k)
		}
		if n := auditCount(t, w.st, "case.document_add", w.cs.ID); n != 0 {
			t.Errorf("%d refused uploads audited", n)
		}
		// Each accepted voice-note container goes in, as a voice note.
		for _, data := range [][]byte{mediatest.OggOpus("x"), mediatest.MP3Note("x"), mediatest.M4ANote("x"), mediatest.AMRNote("x")} {
			doc, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, domain.NewDocument{Data: data})
			if err != nil || doc.Kind != domain.DocVoiceNote || !strings.HasPrefix(doc.MIMEType, "audio/") {
				t.Errorf("voice note %q: %+v %v", data[:4], doc, err)
			}
		}
	})
}

// Another area (WhatsApp media) attaches a document inside its own
// transaction; when that transaction fails, nothing is left.
func TestAttachDocumentInTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newNeedWorld(t, d, 0)
		err := w.st.InTx(ctx, func(tx *store.Tx) error {
			doc, err := w.svc.AttachDocument(ctx, tx, sys(), w.cs.ID, domain.NewDocument{FileName: "voice.ogg", Data: mediatest.OggOpus("x")})
			if err != nil {
				return err
			}
			if doc.Kind != domain.DocVoiceNote {
				t.Errorf("kind %q", doc.Kind)
			}
			return domain.E(domain.EConflict, "test.rollback")
		})
		if domain.CodeOf(err) != domain.EConflict {
			t.Fatal(err)
		}
		if n, k := docCount(t, w.st, w.cs.ID); n != 0 || k != 0 {
			t.Errorf("a rolled back attach left %d documents, %d contents", n, k)
		}
		if err := w.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := w.svc.AttachDocument(ctx, tx, sys(), w.cs.ID, domain.NewDocument{Data: mediatest.GPSJPEG()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, k := docCount(t, w.st, w.cs.ID); n != 1 || k != 1 {
			t.Errorf("attach: %d documents, %d contents", n, k)
		}
	})
}

// No plaintext of a document (content, title, description, file name,
// delete reason) reaches the database: not the SQLite files (database and
// write-ahead log), not the PostgreSQL tables.
func TestDocumentsSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		box := storetest.Box(t)
		w := &needWorld{clk: storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)), url: storetest.URL(t, d)}
		w = newNeedWorldWith(t, d, w, box)
		doc, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, visum())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, domain.NewDocument{Title: "kedua", Data: mediatest.PDF(docContent + " kedua")}); err != nil {
			t.Fatal(err)
		}
		const reason = "RAHASIA-ALASAN salah kasus"
		if err := w.svc.DeleteDocument(ctx, w.sc(w.lead), w.cs.ID, doc.ID, reason); err != nil {
			t.Fatal(err)
		}
		secrets := []string{"RAHASIA-ISI-DOKUMEN", "RAHASIA-JUDUL", "RAHASIA-URAIAN", "RAHASIA-NAMA", "RAHASIA-ALASAN", "%PDF-1.4"}
		if d == store.SQLite {
			path := strings.TrimPrefix(w.url, "sqlite:")
			files, _ := filepath.Glob(path + "*")
			if len(files) == 0 {
				t.Fatal("no database files")
			}
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range secrets {
					if bytes.Contains(raw, []byte(s)) {
						t.Errorf("%s holds %q in plaintext", filepath.Base(f), s)
					}
				}
			}
		}
		db := rawDB(t, d, w.url)
		rows, err := db.Query(`SELECT d.kind || '|' || d.title_enc || '|' || d.description_enc || '|' || d.file_name_enc || '|' ||
			d.mime_type || '|' || d.created_by || '|' || d.deleted_by || '|' || d.delete_reason_enc || '|' || COALESCE(k.content_enc, '')
			FROM case_documents d LEFT JOIN case_document_contents k ON k.document_id = d.id`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatal(err)
			}
			n++
			for _, s := range secrets {
				if strings.Contains(row, s) {
					t.Errorf("a document row holds %q in plaintext", s)
				}
			}
		}
		rows.Close()
		if n != 2 {
			t.Fatalf("%d document rows", n)
		}
		var ct string
		if err := db.QueryRow(`SELECT content_enc FROM case_document_contents`).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if pt, err := box.Decrypt(store.FieldDocumentContent, ct); err != nil || pt != string(mediatest.PDF(docContent+" kedua")) {
			t.Errorf("the content does not open under its field: %v", err)
		}
	})
}

// Key rotation re-seals documents (more of them than one rotation batch
// holds) and they read back the same under the new key alone.
func TestDocumentsSurviveKeyRotation(t *testing.T) {
	if n := store.RotateBatch("case_document_contents", "content_enc"); n > 4 {
		t.Errorf("rotation reads %d files at a time", n)
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		oldKey := secret.NewKey(time.Now())
		oldBox, _ := secret.NewBox([]secret.Key{oldKey})
		w := &needWorld{clk: storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)), url: storetest.URL(t, d)}
		w = newNeedWorldWith(t, d, w, oldBox)
		want := map[string][]byte{}
		for i := range 5 {
			data := mediatest.PDF(strings.Repeat("isi dokumen ", 1000) + string(rune('a'+i)))
			doc, err := w.svc.UploadDocument(ctx, w.sc(w.lead), w.cs.ID, domain.NewDocument{Kind: domain.DocLetter, Title: "Surat " + string(rune('A'+i)), Data: data})
			if err != nil {
				t.Fatal(err)
			}
			want[doc.ID] = data
		}
		newKey := secret.NewKey(time.Now())
		newKey.ID += "n"
		both, _ := secret.NewBox([]secret.Key{newKey, oldKey})
		st2 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: both, Regions: "-"})
		counts, err := st2.Reencrypt(ctx, sys())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range counts {
			if c.Table == "case_document_contents" && c.Values != 5 {
				t.Errorf("%d contents re-sealed, want 5", c.Values)
			}
		}
		if dep, err := st2.KeyDependents(ctx); err != nil || dep.Total() != 0 {
			t.Fatalf("after rotation: %v\n%s", err, dep)
		}
		only, _ := secret.NewBox([]secret.Key{newKey})
		st3 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: only, Regions: "-"})
		svc := area(st3)
		for id, data := range want {
			got, err := svc.DownloadDocument(ctx, w.sc(w.lead), w.cs.ID, id)
			if err != nil || !bytes.Equal(got.Data, data) || !strings.HasPrefix(got.Title, "Surat ") {
				t.Errorf("document %s after rotation: %q %v", id, got.Title, err)
			}
		}
	})
}
