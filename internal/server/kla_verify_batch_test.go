package server_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

var (
	reVerifyAll  = regexp.MustCompile(`(?s)<form method="post" action="/kla/verifikasi/terima-semua"[^>]*id="(verify-all(?:-confirm)?)">(.*?)</form>`)
	reHidden     = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
	reFirstValue = regexp.MustCompile(`class="verify-form">\s*<input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="region" value="([^"]+)">`)
)

// hiddenFields reads the hidden fields of the "accept all" form (the
// list's or the confirmation's) of a page.
func hiddenFields(t *testing.T, body, form string) url.Values {
	t.Helper()
	for _, m := range reVerifyAll.FindAllStringSubmatch(body, -1) {
		if m[1] != form {
			continue
		}
		v := url.Values{}
		for _, f := range reHidden.FindAllStringSubmatch(m[2], -1) {
			v.Add(f[1], html.UnescapeString(f[2]))
		}
		return v
	}
	t.Fatalf("no form %s", form)
	return nil
}

// The KLA task force (the viewer role holds verify_kla) works through
// every pending value of a year agency by agency, a page of 50 at a time:
// "accept all shown" asks for a confirmation that says how many values of
// which filter, then accepts exactly those; a value entered again in
// between refuses the page (nothing accepted); the dashboard's verified
// count moves with every page. Sorting by age puts the oldest or the
// newest entry first. Roles without verify_kla get 403.
func TestKLAVerifyAllShown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	inds, err := kla.Indicators(bg, w.st, kla.Regime2011)
	if err != nil {
		t.Fatal(err)
	}
	districts, err := w.st.SearchRegions(bg, store.RegionQuery{Parent: "61.07", Limit: 8})
	if err != nil || len(districts) != 8 {
		t.Fatalf("districts: %d %v", len(districts), err)
	}
	sys := access.System("t")
	// One district after the other, an hour apart: the first is the
	// oldest entry.
	for _, d := range districts {
		var in []domain.KLAValueInput
		for _, i := range inds {
			in = append(in, domain.KLAValueInput{IndicatorID: i.ID, RegionCode: d.Code, Year: 2025, Value: 1, Note: "bukti " + d.Code})
		}
		if err := kla.PutValues(bg, w.st, sys, kla.Regime2011, in); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Hour)
	}
	total := 8 * len(inds)
	if total < 120 {
		t.Fatalf("only %d values", total)
	}

	v := w.browser()
	v.login("viewer", pw)
	dashboard := func(verified int) {
		t.Helper()
		_, body, _ := v.get("/kla?region=61.07&year=2025")
		want := fmt.Sprintf("%d dari %d nilai sudah diverifikasi.", verified, total)
		states := fmt.Sprintf("Nilai yang diisi di wilayah ini dan di bawahnya: %d (%d terverifikasi, %d menunggu verifikasi, 0 ditolak).",
			total, verified, total-verified)
		if !strings.Contains(body, want) || !strings.Contains(body, states) {
			t.Fatalf("the dashboard does not say %q and %q", want, states)
		}
	}
	dashboard(0)
	_, body, _ := v.get("/kla?region=61.07&year=2025")
	if !strings.Contains(body, fmt.Sprintf("Bukti dukung terlampir pada %d dari %d nilai yang diisi (100%%).", total, total)) {
		t.Fatal("the dashboard's evidence completeness")
	}

	// Sorting by age.
	for order, want := range map[string]string{"oldest": districts[0].Code, "newest": districts[7].Code} {
		_, body, _ := v.get("/kla/verifikasi?year=2025&order=" + order)
		m := reFirstValue.FindStringSubmatch(body)
		if m == nil || m[1] != want {
			t.Errorf("order %s: first value of %v, want %s", order, m, want)
		}
		if !strings.Contains(body, `name="order"`) {
			t.Error("no order in the filter")
		}
	}

	ags, err := kla.Agencies(bg, v.w.st)
	if err != nil {
		t.Fatal(err)
	}
	perAgency := map[string]int{}
	for _, i := range inds {
		perAgency[i.Agency] += 8
	}
	verified, pages, staleTried := 0, 0, false
	for _, a := range ags {
		if perAgency[a.Code] == 0 {
			continue
		}
		list := "/kla/verifikasi?year=2025&status=pending&order=oldest&agency=" + url.QueryEscape(a.Code)
		left := perAgency[a.Code]
		for left > 0 {
			_, body, _ := v.get(list)
			shown := min(left, 50)
			if !strings.Contains(body, fmt.Sprintf("Menampilkan 1–%d dari %d nilai.", shown, left)) {
				t.Fatalf("%s: the list does not show 1–%d of %d", a.Code, shown, left)
			}
			checkPage(t, "/kla/verifikasi", body)
			form := hiddenFields(t, body, "verify-all")
			if len(form["v"]) != shown || form.Get("step") != "confirm" {
				t.Fatalf("%s: the accept-all form holds %d values", a.Code, len(form["v"]))
			}
			code, body, _ := v.post("/kla/verifikasi/terima-semua", form)
			if code != 200 || !strings.Contains(body, fmt.Sprintf("%d nilai akan diterima", shown)) || !strings.Contains(body, a.Name) {
				t.Fatalf("%s: confirmation %d", a.Code, code)
			}
			checkPage(t, "/kla/verifikasi/terima-semua", body)
			confirm := hiddenFields(t, body, "verify-all-confirm")
			if confirm.Get("step") != "accept" || len(confirm["v"]) != shown {
				t.Fatalf("%s: the confirmation form holds %d values", a.Code, len(confirm["v"]))
			}
			// Once: a value of the page is entered again before the
			// confirmation; nothing of the page is accepted.
			if !staleTried && shown > 1 {
				staleTried = true
				ref := strings.Split(confirm["v"][1], "|")
				if err := kla.PutValues(bg, w.st, sys, kla.Regime2011, []domain.KLAValueInput{{IndicatorID: ref[2], RegionCode: ref[0],
					Year: 2025, Value: 0, Note: "diisi ulang"}}); err != nil {
					t.Fatal(err)
				}
				code, body, _ := v.post("/kla/verifikasi/terima-semua", confirm)
				if code != 409 || !strings.Contains(body, "1 nilai berubah sejak ditampilkan") {
					t.Fatalf("stale page: %d", code)
				}
				dashboard(verified)
				continue
			}
			code, _, hdr := v.post("/kla/verifikasi/terima-semua", confirm)
			loc := hdr.Get("Location")
			if code != 303 || !strings.Contains(loc, "agency="+url.QueryEscape(a.Code)) || !strings.Contains(loc, "page=1") {
				t.Fatalf("%s: after accepting: %d %s", a.Code, code, loc)
			}
			// The list says how many values were accepted, once.
			wantFlash, wantText := fmt.Sprintf("kla_accepted_n:%d", shown), fmt.Sprintf("%d nilai diterima dan tercatat terverifikasi.", shown)
			if shown == 1 {
				wantFlash, wantText = "kla_value_accepted", "1 nilai diterima dan tercatat terverifikasi."
			}
			if f := flashIn(t, hdr); f != wantFlash {
				t.Fatalf("%s: flash %q, want %q", a.Code, f, wantFlash)
			}
			if _, body, _ := v.get(loc); !strings.Contains(body, `<p class="flash" role="status">`+wantText+`</p>`) {
				t.Fatalf("%s: the list after accepting does not say %q", a.Code, wantText)
			}
			verified += shown
			left -= shown
			pages++
			dashboard(verified)
		}
		_, body, _ := v.get(list)
		if !strings.Contains(body, "Tidak ada nilai untuk saringan ini.") || strings.Contains(body, `id="verify-all"`) {
			t.Fatalf("%s: values left", a.Code)
		}
	}
	if verified != total || pages < 15 || !staleTried {
		t.Fatalf("verified %d of %d in %d pages", verified, total, pages)
	}
	n, err := kla.CountValues(bg, w.st, sys, kla.ValueFilter{Regime: kla.Regime2011, Year: 2025, Status: domain.KLAPending})
	if err != nil || n != 0 {
		t.Fatalf("%d still pending: %v", n, err)
	}
	// "All" shows the verified values and offers nothing to accept.
	_, body, _ = v.get("/kla/verifikasi?year=2025&status=all")
	if !strings.Contains(body, fmt.Sprintf("Menampilkan 1–50 dari %d nilai.", total)) || strings.Contains(body, `id="verify-all"`) {
		t.Fatal("the list of all values")
	}

	// Roles without verify_kla: 403 on the list and on both steps.
	op, err := w.st.CreateUser(bg, sys, domain.NewUser{Username: "op-dinkes", Role: domain.RoleOPDOperator, RegionCode: "61.07", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if err := kla.SetUserAgency(bg, w.st, sys, op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"cw-a", "sup", "op-dinkes"} {
		b := w.browser()
		b.login(user, pw)
		if code, _, _ := b.get("/kla/verifikasi?year=2025"); code != 403 {
			t.Errorf("%s: the list answers %d", user, code)
		}
		for _, step := range []string{"confirm", "accept"} {
			form := url.Values{"csrf": {b.csrf}, "back": {"year=2025&page=1"}, "step": {step}, "v": {districts[0].Code + "|2025|" + inds[0].ID + "|x"}}
			if code, _, _ := b.post("/kla/verifikasi/terima-semua", form); code != 403 {
				t.Errorf("%s: %s answers %d", user, step, code)
			}
		}
	}
}
