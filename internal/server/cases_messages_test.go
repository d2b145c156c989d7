package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The case area's field messages, conflicts and refusals reach the pages
// in the user's language, and the API's in the language asked for with
// their key; no message key or English sentence shows on an Indonesian
// page, no key on an English one.
func TestCaseMessagesInBothLanguages(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sys := access.System("test")
	for _, x := range []struct {
		lang                           string
		handled, relation, unknownType string
	}{
		{"id", "sudah ditangani", "Pilih hubungan pelaku dengan korban", "Jenis tidak dikenal"},
		{"en", "already handled this report", "Choose the perpetrator", "Unknown type"},
	} {
		rep := reportByCode(t, w, fileReport(t, w, reportForm()))
		c, err := w.srv.Cases.VerifyReport(bg, w.scope("sup"), rep.ID, cases.VerifyInput{Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VNeglect}})
		if err != nil {
			t.Fatal(err)
		}
		b := w.loggedIn("sup")
		b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {x.lang}, "next": {"/beranda"}})
		b.get("/kasus/" + c.ID)
		pages := map[string]string{}
		code, body, _ := b.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {b.csrf}, "priority": {"high"}, "types": {"neglect"}})
		if code != http.StatusConflict || !strings.Contains(body, x.handled) {
			t.Errorf("%s: second verify %d, want the handled message", x.lang, code)
		}
		pages["verify twice"] = body
		code, body, _ = b.post("/kasus/"+c.ID+"/pelaku", url.Values{"csrf": {b.csrf}, "name": {"X"}, "relation": {"burglar"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, x.relation) {
			t.Errorf("%s: bad relation %d, want its message", x.lang, code)
		}
		pages["bad relation"] = body
		code, body, _ = b.post("/kasus/"+c.ID+"/korban", url.Values{"csrf": {b.csrf}, "name": {"Y"}, "types": {"dragons"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, x.unknownType) {
			t.Errorf("%s: unknown type %d, want its message", x.lang, code)
		}
		pages["unknown type"] = body
		code, body, _ = b.post("/kasus/"+c.ID+"/status", url.Values{"csrf": {b.csrf}, "to": {"referred"}})
		if code != http.StatusConflict {
			t.Errorf("%s: assigned -> referred %d, want 409", x.lang, code)
		}
		pages["bad transition"] = body
		for what, body := range pages {
			for _, k := range []string{"case.field.", "case.err.", "report.field.", "teams.field.", "field.", "msg.",
				"cannot become", "unknown type"} {
				if strings.Contains(body, k) {
					t.Errorf("%s, %s: the page shows %q", x.lang, what, k)
				}
			}
		}
		if strings.Contains(pages["bad transition"], "in_service") {
			t.Errorf("%s: the page names a status code", x.lang)
		}
	}
	// The API: the key, and the text in the language asked for.
	c, err := w.srv.Cases.CreateCase(bg, sys, domain.NewCase{RegionCode: village, Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VNeglect}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.Transition(bg, sys, c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"}); err != nil {
		t.Fatal(err)
	}
	tok := w.token("sup")
	for lang, want := range map[string]string{"id": "closed tidak dapat menjadi referred", "en": "closed cannot become referred"} {
		req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/cases/"+c.ID+"/transitions", strings.NewReader(`{"to":"referred","note":"x"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Error struct{ Code, Key, Message string } `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusConflict || out.Error.Key != "case.err.bad_transition" ||
			!strings.Contains(out.Error.Message, want) {
			t.Errorf("API %s: %d %+v %v", lang, resp.StatusCode, out.Error, err)
		}
	}
}
