package server_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// scrapeForm reads the values a browser would send with the form whose id
// is id: text and hidden inputs, checked boxes, selected options,
// textareas.
func scrapeForm(t *testing.T, body, id string) url.Values {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no form %s", id)
	}
	body = body[i:]
	body = body[:strings.Index(body, "</form>")]
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `(?:="([^"]*)")?[\s>]`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	v := url.Values{}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(body, -1) {
		name, ok := attr(tag, "name")
		typ, _ := attr(tag, "type")
		if !ok || typ == "file" || typ == "submit" {
			continue
		}
		if _, checked := attr(tag, "checked"); (typ == "checkbox" || typ == "radio") && !checked {
			continue
		}
		val, _ := attr(tag, "value")
		v.Add(name, val)
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(body, -1) {
		opts := regexp.MustCompile(`<option value="([^"]*)"( selected)?`).FindAllStringSubmatch(m[2], -1)
		val := ""
		if len(opts) > 0 {
			val = opts[0][1]
		}
		for _, o := range opts {
			if o[2] != "" {
				val = o[1]
			}
		}
		v.Set(m[1], html.UnescapeString(val))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// rowOf finds the editor's row number of an item key ("" for the first new
// row of section sec).
func rowOf(t *testing.T, form url.Values, key, sec string) string {
	t.Helper()
	for k, vals := range form {
		if n, ok := strings.CutPrefix(k, "key_"); ok && vals[0] == key && (key != "" || form.Get("sec_"+n) == sec) {
			return n
		}
	}
	t.Fatalf("no row for %q", key)
	return ""
}

// An admin edits the RBRA checklist as the page offers it: a weight
// written the Indonesian way, an item deleted, a new mandatory item, a new
// predicate; the save is version 2 and the page lists it; a value that is
// not a number is refused with the field named and saves nothing; a
// facilitator, the regent and a district's admin read the checklist but
// have no form and cannot post one (the checklists are the regency's).
func TestAuditTemplateEditing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	w.addUser("fasil", domain.RoleFacilitator, "61.07")
	a := w.browser()
	a.login("reg-admin", pw)
	code, body, _ := a.get("/templat-audit/rbra")
	if code != 200 || !strings.Contains(body, `id="template-form"`) {
		t.Fatalf("the editor: %d", code)
	}
	checkPage(t, "/templat-audit/rbra", body)
	form := scrapeForm(t, body, "template-form")
	form.Set("weight_"+rowOf(t, form, "lokasi_aman", ""), "2,5")
	form.Set("remove_"+rowOf(t, form, "lokasi_terjangkau", ""), "1")
	n := rowOf(t, form, "", "lokasi")
	form.Set("label_"+n, "Ada CCTV yang menyala")
	form.Set("mandatory_"+n, "1")
	form.Set("band_label_3", "Dasar")
	form.Set("band_min_3", "40")
	if code, body, _ := a.post("/templat-audit/rbra", form); code != 303 {
		t.Fatalf("save: %d %s", code, body)
	}
	au := audits.New(w.st)
	tpl, err := au.Template(bg, domain.FacilityRBRA, 0)
	if err != nil || tpl.Version != 2 {
		t.Fatalf("version %d %v", tpl.Version, err)
	}
	var cctv, aman domain.AuditItem
	for _, sec := range tpl.Sections {
		for _, it := range sec.Items {
			switch it.Key {
			case "lokasi_terjangkau":
				t.Fatal("the deleted item is still there")
			case "ada_cctv_yang_menyala":
				cctv = it
			case "lokasi_aman":
				aman = it
			}
		}
	}
	if !cctv.Mandatory || cctv.Type != domain.AnswerYesNo || aman.Weight != 2.5 || !aman.Mandatory {
		t.Fatalf("the new item %+v, the reweighted %+v", cctv, aman)
	}
	if len(tpl.Bands) != 4 || tpl.Bands[3].Label != "Dasar" || tpl.KLA["permen-pppa-12-2011"] != "20" {
		t.Fatalf("bands %+v, KLA %v", tpl.Bands, tpl.KLA)
	}
	_, body, _ = a.get("/templat-audit/rbra")
	if !strings.Contains(body, `id="tpl-versions"`) || !strings.Contains(body, "Ada CCTV yang menyala") {
		t.Fatal("the page after saving")
	}
	form = scrapeForm(t, body, "template-form")
	form.Set("weight_"+rowOf(t, form, "lokasi_aman", ""), "dua")
	code, body, _ = a.post("/templat-audit/rbra", form)
	if code != 422 || !strings.Contains(body, "bukan angka") || !strings.Contains(body, "Lokasi aman") {
		t.Fatalf("a weight that is no number: %d", code)
	}
	if tpl, _ := au.Template(bg, domain.FacilityRBRA, 0); tpl.Version != 2 {
		t.Fatalf("a refused form saved version %d", tpl.Version)
	}
	for _, who := range []string{"fasil", "viewer", "admin-a"} {
		b := w.browser()
		b.login(who, pw)
		code, body, _ := b.get("/templat-audit/pra")
		if code != 200 || strings.Contains(body, `id="template-form"`) || !strings.Contains(body, "Pelayanan Ramah Anak") {
			t.Fatalf("%s reads the checklist: %d", who, code)
		}
		if code, _, _ := b.post("/templat-audit/pra", url.Values{"csrf": {b.csrf}, "title": {"x"}}); code != 403 {
			t.Fatalf("%s saved a checklist: %d", who, code)
		}
	}
	if code, _, _ := a.get("/templat-audit/tidak-ada"); code != 404 {
		t.Fatalf("an unknown kind: %d", code)
	}
}
