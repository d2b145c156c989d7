package server_test

// Documents of a case through the API and the pages: the access matrices
// of TestAPICaseAccessMatrix and TestUICaseAccessMatrix extended to the
// document routes (same users, same cases, expectations from the same
// hand-written rows), the headers of a download, and a caseworker's upload,
// download and delete in the browser.

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/media/mediatest"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Planted in documents: none of it may reach those who do not handle the
// case.
const (
	docSecretTitle   = "RAHASIA-DOKJUDUL"
	docSecretContent = "RAHASIA-DOKISI"
	docSecretName    = "RAHASIA-DOKNAMA"
)

// multipartBody builds a form with fields and one file.
func multipartBody(t testing.TB, fields map[string]string, fileName string, data []byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// docDo sends a request with a body of the given type and a bearer token.
func docDo(w *world, method, path, token string, body io.Reader, ctype string) (int, []byte, http.Header) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.ts.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

// plantDocument attaches a PDF full of planted text to case id.
func plantDocument(t *testing.T, cs *cases.Service, id, tag string) domain.CaseDocument {
	t.Helper()
	doc, err := cs.UploadDocument(bg, capiSys, id, domain.NewDocument{Kind: domain.DocVisum, Title: docSecretTitle + " " + tag,
		FileName: docSecretName + ".pdf", Data: mediatest.PDF(docSecretContent + " " + tag)})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func docRows(t *testing.T, st *store.Store, caseID string) (docs, deleted int) {
	t.Helper()
	if err := st.QueryRowContext(bg, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END), 0)
		FROM case_documents WHERE case_id = $1`, caseID).Scan(&docs, &deleted); err != nil {
		t.Fatal(err)
	}
	return docs, deleted
}

// checkAttachmentHeaders checks what every document download carries.
func checkAttachmentHeaders(t *testing.T, who string, h http.Header, mime string) {
	t.Helper()
	if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment;") {
		t.Errorf("%s: Content-Disposition %q", who, got)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != mime {
		t.Errorf("%s: Content-Type %q, nosniff %q", who, h.Get("Content-Type"), h.Get("X-Content-Type-Options"))
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
		t.Errorf("%s: CSP %q", who, csp)
	}
	if cc := h.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("%s: Cache-Control %q", who, cc)
	}
}

// The document routes of the API x every user of the API matrix x case A
// and case B: listing for those who see the case (masked unless they
// handle it), upload, download and delete only for those who handle it
// (404 for the others, nothing changes), every download audited, 401
// without a token.
func TestAPICaseDocumentsAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		planted := map[string]domain.CaseDocument{}
		for _, side := range []capiRegion{w.a, w.b} {
			planted[side.name] = plantDocument(t, w.srv.Cases, side.cs.ID, side.name)
		}
		leaks := func(raw []byte) []string {
			out := capiLeaks(raw)
			for _, s := range []string{docSecretTitle, docSecretContent, docSecretName} {
				if bytes.Contains(raw, []byte(s)) {
					out = append(out, s)
				}
			}
			return out
		}
		downloads := func() int {
			es, err := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "case.document_download"})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		requests := 0
		for _, e := range capiMatrix {
			tok := w.toks[e.user]
			for _, side := range []struct {
				r         capiRegion
				see, full bool
			}{{w.a, e.seeA, e.fullA}, {w.b, e.seeB, e.fullB}} {
				id, where := side.r.cs.ID, " case "+side.r.name
				handles := side.see && side.full && e.work
				check := func(what string, want, got int, raw []byte, personalOK bool) {
					t.Helper()
					requests++
					if got != want {
						t.Errorf("%s %s%s: %d, want %d: %.200s", e.user, what, where, got, want, raw)
					}
					if !personalOK {
						if l := leaks(raw); len(l) > 0 {
							t.Errorf("%s %s%s (%d) leaks %v", e.user, what, where, got, l)
						}
					}
				}
				n0, del0 := docRows(t, w.st, id)

				code, raw, _ := docDo(w.world, "GET", "/api/v1/cases/"+id+"/documents", tok, nil, "")
				check("GET documents", capiPick(side.see, 200, 404), code, raw, handles)
				if code == 200 && handles && !bytes.Contains(raw, []byte(docSecretTitle+" "+side.r.name)) {
					t.Errorf("%s GET documents%s lacks the title: %.300s", e.user, where, raw)
				}
				if code == 200 && !handles && !bytes.Contains(raw, []byte(`"masked":true`)) {
					t.Errorf("%s GET documents%s is not masked: %.300s", e.user, where, raw)
				}

				body, ctype := multipartBody(t, map[string]string{"kind": "police_report", "title": "Laporan polisi " + e.user},
					"lp.pdf", mediatest.PDF("laporan polisi"))
				code, raw, _ = docDo(w.world, "POST", "/api/v1/cases/"+id+"/documents", tok, body, ctype)
				check("POST documents", capiPick(handles, 201, 404), code, raw, handles)

				before := downloads()
				code, raw, h := docDo(w.world, "GET", "/api/v1/cases/"+id+"/documents/"+planted[side.r.name].ID, tok, nil, "")
				check("GET document", capiPick(handles, 200, 404), code, raw, handles)
				if code == 200 {
					if !bytes.Equal(raw, mediatest.PDF(docSecretContent+" "+side.r.name)) {
						t.Errorf("%s GET document%s: wrong content", e.user, where)
					}
					checkAttachmentHeaders(t, e.user+" GET document"+where, h, "application/pdf")
				}
				if got := downloads() - before; got != capiPick(handles, 1, 0) {
					t.Errorf("%s GET document%s: %d downloads audited", e.user, where, got)
				}

				victim := plantDocument(t, w.srv.Cases, id, side.r.name+"-hapus")
				code, raw, _ = docDo(w.world, "DELETE", "/api/v1/cases/"+id+"/documents/"+victim.ID, tok,
					strings.NewReader(`{"reason":"salah unggah oleh `+e.user+`"}`), "application/json")
				check("DELETE document", capiPick(handles, 200, 404), code, raw, handles)
				if code == 200 && !bytes.Contains(raw, []byte(`"deleted_by":"`+e.user+`"`)) {
					t.Errorf("%s DELETE document%s: no tombstone in %.300s", e.user, where, raw)
				}
				n1, del1 := docRows(t, w.st, id)
				if n1 != n0+1+capiPick(handles, 1, 0) || del1 != del0+capiPick(handles, 1, 0) {
					t.Errorf("%s on%s: documents %d -> %d, deleted %d -> %d", e.user, where, n0, n1, del0, del1)
				}
			}
		}
		// Without a token: 401 and nothing else.
		a := w.a.cs.ID
		for _, r := range []struct{ method, path string }{{"GET", "/api/v1/cases/" + a + "/documents"},
			{"POST", "/api/v1/cases/" + a + "/documents"}, {"GET", "/api/v1/cases/" + a + "/documents/" + planted["A"].ID},
			{"DELETE", "/api/v1/cases/" + a + "/documents/" + planted["A"].ID}} {
			code, raw, _ := docDo(w.world, r.method, r.path, "", strings.NewReader(`{"reason":"hapus saja"}`), "application/json")
			requests++
			if code != 401 || len(leaks(raw)) > 0 {
				t.Errorf("anonymous %s %s: %d %.200s", r.method, r.path, code, raw)
			}
		}
		t.Logf("%d document requests checked for %d users", requests, len(capiMatrix))
	})
}

// The API refuses a file over the limit (413) and a type it does not take
// (422), in Indonesian, and stores nothing.
func TestAPICaseDocumentRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		tok, id := w.toks["sup"], w.a.cs.ID
		big := append(mediatest.PDF(""), bytes.Repeat([]byte("x"), cases.DefaultMaxDocument)...)
		body, ctype := multipartBody(t, map[string]string{"kind": "letter"}, "besar.pdf", big)
		code, raw, _ := docDo(w.world, "POST", "/api/v1/cases/"+id+"/documents", tok, body, ctype)
		if code != 413 || !bytes.Contains(raw, []byte("10 MiB")) {
			t.Errorf("too large: %d %.300s", code, raw)
		}
		body, ctype = multipartBody(t, map[string]string{"kind": "letter"}, "surat.html", []byte("<html><script>alert(1)</script>"))
		req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/cases/"+id+"/documents", body)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Accept-Language", "id")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
		if code != 422 || !bytes.Contains(raw, []byte(`"file"`)) || !bytes.Contains(raw, []byte("tidak diterima")) {
			t.Errorf("wrong type: %d %.300s", code, raw)
		}
		if n, _ := docRows(t, w.st, id); n != 0 {
			t.Errorf("refused uploads stored %d documents", n)
		}
	})
}

var docLinkRE = regexp.MustCompile(`href="(/kasus/[^"]+/dokumen/[^"]+)"`)

// A caseworker who leads the case uploads a photo with its GPS position
// and a visum on the case page, downloads the photo without it, is refused
// a file too large and a file of the wrong type in Indonesian, and deletes
// the photo with a reason; the page shows the tombstone, the timeline the
// steps; a caseworker who does not handle the case sees only how many
// documents there are.
func TestUICaseDocuments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		id := w.a.cs.ID
		b := w.loggedIn("cw-lead")
		code, page, _ := b.get("/kasus/" + id)
		if code != 200 || !strings.Contains(page, `id="dokumen"`) || !strings.Contains(page, `action="/kasus/`+id+`/dokumen"`) ||
			!strings.Contains(page, `enctype="multipart/form-data"`) {
			t.Fatalf("case page: %d, no documents section with an upload form", code)
		}
		upload := func(fields map[string]string, name string, data []byte) (int, string, http.Header) {
			t.Helper()
			fields["csrf"] = b.csrf
			body, ctype := multipartBody(t, fields, name, data)
			req, _ := http.NewRequest("POST", w.ts.URL+"/kasus/"+id+"/dokumen", body)
			req.Header.Set("Content-Type", ctype)
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if m := csrfRE.FindSubmatch(raw); m != nil {
				b.csrf = string(m[1])
			}
			return resp.StatusCode, string(raw), resp.Header
		}
		code, _, h := upload(map[string]string{"kind": "photo", "title": "Foto luka"}, "IMG_0001.jpg", mediatest.GPSJPEG())
		if code != 303 || flashIn(t, h) != "case_document_added" {
			t.Fatalf("upload photo: %d %q", code, h.Get("Location"))
		}
		code, _, _ = upload(map[string]string{"kind": "visum", "title": docSecretTitle}, docSecretName+".pdf", mediatest.PDF(docSecretContent))
		if code != 303 {
			t.Fatalf("upload visum: %d", code)
		}
		code, page, _ = upload(map[string]string{"kind": "letter"}, "besar.pdf",
			append(mediatest.PDF(""), bytes.Repeat([]byte("x"), cases.DefaultMaxDocument+1)...))
		if code != 413 || !strings.Contains(page, "Berkas ditolak: lebih besar dari 10 MiB") {
			t.Errorf("too large: %d", code)
		}
		code, page, _ = upload(map[string]string{"kind": "letter"}, "surat.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
		if code != 422 || !strings.Contains(page, "Jenis berkas ini tidak diterima") {
			t.Errorf("wrong type: %d", code)
		}
		if n, _ := docRows(t, w.st, id); n != 2 {
			t.Fatalf("%d documents stored, want 2", n)
		}

		_, page, _ = b.get("/kasus/" + id)
		links := docLinkRE.FindAllStringSubmatch(page, -1)
		if len(links) != 2 || !strings.Contains(page, "Foto luka") || !strings.Contains(page, docSecretTitle) || !strings.Contains(page, "Visum et repertum") {
			t.Fatalf("the page lists %d documents", len(links))
		}
		resp, err := b.c.Get(w.ts.URL + links[0][1])
		if err != nil {
			t.Fatal(err)
		}
		photo, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || bytes.Contains(photo, mediatest.GPS) || bytes.Contains(photo, []byte("Exif")) || !bytes.HasPrefix(photo, []byte{0xFF, 0xD8}) {
			t.Errorf("download photo: %d, GPS still there: %v", resp.StatusCode, bytes.Contains(photo, mediatest.GPS))
		}
		checkAttachmentHeaders(t, "photo", resp.Header, "image/jpeg")
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "IMG_0001.jpg") {
			t.Errorf("Content-Disposition %q", cd)
		}

		// Delete: without a reason the form says so; with one the photo
		// becomes a tombstone.
		del := links[0][1] + "/hapus"
		code, page, _ = b.post(del, url.Values{"csrf": {b.csrf}, "reason": {""}})
		if code != 422 || !strings.Contains(page, "alasan penghapusan") {
			t.Errorf("delete without a reason: %d", code)
		}
		code, _, h = b.post(del, url.Values{"csrf": {b.csrf}, "reason": {"Foto salah unggah"}})
		if code != 303 || flashIn(t, h) != "case_document_deleted" {
			t.Fatalf("delete: %d %q", code, h.Get("Location"))
		}
		_, page, _ = b.get("/kasus/" + id)
		if !strings.Contains(page, "Dihapus oleh cw-lead") || !strings.Contains(page, "Foto salah unggah") || !strings.Contains(page, "doc-deleted") {
			t.Error("the page does not show the tombstone")
		}
		if code, _, _ := b.get(links[0][1]); code != 404 {
			t.Errorf("download of the deleted photo: %d", code)
		}
		_, page, _ = b.get("/kasus/" + id + "?tab=linimasa")
		if strings.Count(page, "cw-lead mengunggah dokumen.") != 2 || !strings.Contains(page, "cw-lead menghapus dokumen") ||
			!strings.Contains(page, docSecretTitle) {
			t.Error("the timeline lacks the document steps")
		}

		// A caseworker of the village who does not handle the case: the
		// number of documents, nothing else, no form; the file is not found.
		o := w.loggedIn("cw-a")
		_, page, _ = o.get("/kasus/" + id)
		if !strings.Contains(page, `id="documents-masked"`) || !strings.Contains(page, "1 dokumen") || strings.Contains(page, docSecretTitle) ||
			strings.Contains(page, "Foto luka") || strings.Contains(page, "/dokumen\"") || docLinkRE.MatchString(page) {
			t.Error("the masked case page shows more than the number of documents")
		}
		if code, body, _ := o.get(links[1][1]); code != 404 || strings.Contains(body, docSecretContent) {
			t.Errorf("masked download: %d", code)
		}
	})
}

// The document routes of the pages x every user of the UI matrix x case A
// and case B: the section is on the page of those who see the case
// (masked unless they handle it); upload, download and delete answer only
// those who handle it (404 for the others); without a session, the login.
func TestUICaseDocumentsAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		w.addUser("satgas-in", domain.RoleResponder, "61.07.01.2001")
		w.addUser("satgas-out", domain.RoleResponder, "61.07.01.2001")
		w.addUser("opd", domain.RoleOPDOperator, "61.07")
		w.addUser("fasil", domain.RoleFacilitator, "61.07.01")
		w.addUser("cw-lead", domain.RoleCaseworker, "61.07.01")
		sides := []*uimSide{
			uimPlant(t, w, "A", "61.07.01.2001", "61.07.01", "1", []string{w.users["satgas-in"].ID}, "cw-a"),
			uimPlant(t, w, "B", "61.07.02.2001", "61.07.02", "2", []string{w.users["cw-b"].ID}, "cw-b"),
		}
		if _, err := w.srv.Cases.Reassign(bg, uimSys, sides[0].cs.ID, "", w.users["cw-lead"].ID, "peksos utama"); err != nil {
			t.Fatal(err)
		}
		planted := map[string]domain.CaseDocument{}
		for _, s := range sides {
			planted[s.name] = plantDocument(t, w.srv.Cases, s.cs.ID, s.name)
		}
		requests := 0
		for _, e := range uimMatrix {
			b := w.loggedIn(e.user)
			for i, s := range sides {
				id, where := s.cs.ID, " case "+s.name
				see := e.cas[i] == 200
				handles := see && e.full[i] && e.work[i] == 303
				check := func(what string, want, got int, body string) {
					t.Helper()
					requests++
					if got != want {
						t.Errorf("%s %s%s: %d, want %d: %.200s", e.user, what, where, got, want, body)
					}
					if !handles && (strings.Contains(body, docSecretTitle) || strings.Contains(body, docSecretContent)) {
						t.Errorf("%s %s%s (%d) receives the document", e.user, what, where, got)
					}
				}
				code, page, _ := b.get("/kasus/" + id)
				check("GET case", e.cas[i], code, page)
				if see {
					if handles != strings.Contains(page, `action="/kasus/`+id+`/dokumen"`) ||
						handles != strings.Contains(page, docSecretTitle) || handles == strings.Contains(page, `id="documents-masked"`) {
						t.Errorf("%s GET case%s: the documents section does not match handles=%v", e.user, where, handles)
					}
				}
				n0, del0 := docRows(t, w.st, id)
				body, ctype := multipartBody(t, map[string]string{"csrf": b.csrf, "kind": "letter", "title": "Surat " + e.user}, "surat.pdf",
					mediatest.PDF("surat"))
				req, _ := http.NewRequest("POST", w.ts.URL+"/kasus/"+id+"/dokumen", body)
				req.Header.Set("Content-Type", ctype)
				resp, err := b.c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				check("POST dokumen", capiPick(handles, 303, 404), resp.StatusCode, string(raw))

				code, body2, _ := b.get("/kasus/" + id + "/dokumen/" + planted[s.name].ID)
				check("GET dokumen", capiPick(handles, 200, 404), code, body2)

				victim := plantDocument(t, w.srv.Cases, id, s.name+"-hapus")
				code, body2, _ = b.post("/kasus/"+id+"/dokumen/"+victim.ID+"/hapus", url.Values{"csrf": {b.csrf}, "reason": {"salah unggah"}})
				check("POST hapus", capiPick(handles, 303, 404), code, body2)
				n1, del1 := docRows(t, w.st, id)
				if n1 != n0+1+capiPick(handles, 1, 0) || del1 != del0+capiPick(handles, 1, 0) {
					t.Errorf("%s on%s: documents %d -> %d, deleted %d -> %d", e.user, where, n0, n1, del0, del1)
				}
			}
		}
		anon := w.browser()
		a := sides[0].cs.ID
		for _, r := range []struct{ method, path string }{{"POST", "/kasus/" + a + "/dokumen"},
			{"GET", "/kasus/" + a + "/dokumen/" + planted["A"].ID}, {"POST", "/kasus/" + a + "/dokumen/" + planted["A"].ID + "/hapus"}} {
			var code int
			var h http.Header
			var body string
			if r.method == "GET" {
				code, body, h = anon.get(r.path)
			} else {
				code, body, h = anon.post(r.path, url.Values{"reason": {"hapus"}})
			}
			requests++
			if code != 303 || !strings.HasPrefix(h.Get("Location"), "/login") || strings.Contains(body, docSecretContent) {
				t.Errorf("anonymous %s %s: %d %q", r.method, r.path, code, h.Get("Location"))
			}
		}
		t.Logf("%d document requests checked for %d users", requests, len(uimMatrix))
	})
}

// In headless Chromium (when LINDU_TEST_CHROMIUM is set), on a 390 px
// phone: the lead of a case opens the upload form of the Dokumen section,
// attaches a photo and finds it listed; the page passes the accessibility
// basics and does not scroll sideways, with a long title in the list.
func TestBrowserCaseDocuments(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	id := w.a.cs.ID
	if _, err := w.srv.Cases.UploadDocument(bg, capiSys, id, domain.NewDocument{Kind: domain.DocCourtDecision,
		Title: "Putusan Pengadilan Negeri Bengkayang Nomor 123/Pid.Sus-Anak/2026/PN.Bky tentang perkara anak berhadapan dengan hukum",
		Data:  mediatest.PDF("putusan")}); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "foto-luka.jpg")
	if err := os.WriteFile(photo, mediatest.GPSJPEG(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	check := c.fits
	c.loginOnPhone(w.ts.URL, "cw-lead", pw)
	c.do("open the case", chromedp.Navigate(w.ts.URL+"/kasus/"+id))
	check("case page with documents")
	c.do("open the upload form", chromedp.Click(chromedp.CSS(`#add-document summary`)), chromedp.WaitVisible(chromedp.ID("doc-file")))
	check("upload form")
	c.do("choose the photo", chromedp.SetUploadFiles(chromedp.ID("doc-file"), []string{photo}),
		chromedp.SendKeys(chromedp.ID("doc-title"), "Foto luka di lengan"))
	c.navigateVia("upload", chromedp.Click(chromedp.ID("upload-document")))
	check("case page after the upload")
	if s := c.text("#documents"); !strings.Contains(s, "Foto luka di lengan") || !strings.Contains(s, "Foto") {
		t.Errorf("the documents list reads %q", s)
	}
	if n, _ := docRows(t, w.st, id); n != 2 {
		t.Errorf("%d documents stored, want 2", n)
	}
}
