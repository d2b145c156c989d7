package server_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

var reVerdictForm = regexp.MustCompile(`(?s)<form method="post" action="/kla/verifikasi" class="verify-form">(.*?)</form>`)

// verdictForm reads the hidden fields of the i-th verdict form of
// /kla/verifikasi (the value, its version, the way back).
func verdictForm(t *testing.T, body string, i int) url.Values {
	t.Helper()
	forms := reVerdictForm.FindAllStringSubmatch(body, -1)
	if i >= len(forms) {
		t.Fatalf("no verdict form %d (%d on the page)", i, len(forms))
	}
	v := url.Values{}
	for _, f := range reHidden.FindAllStringSubmatch(forms[i][1], -1) {
		v.Add(f[1], html.UnescapeString(f[2]))
	}
	return v
}

// A verdict on one value on /kla/verifikasi counts only for the value the
// verifier saw: its form carries the value's version; when the operator
// enters the value again (or another verifier decides it) after the page
// was opened, accepting or rejecting answers 409 with the list showing
// the value as it is now and a message saying nothing was saved, and
// nothing is written. The verdict on the page reloaded is recorded.
func TestKLAVerifyOneValueVersion(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	sys := access.System("t")
	put := func(v float64, note string) {
		t.Helper()
		if err := kla.PutValues(bg, w.st, sys, kla.Regime2011, []domain.KLAValueInput{{IndicatorID: "11", RegionCode: "61.07.01", Year: 2025,
			Value: v, Note: note}}); err != nil {
			t.Fatal(err)
		}
	}
	status := func() string {
		t.Helper()
		vs, err := kla.ListValues(bg, w.st, sys, kla.ValueFilter{Regime: kla.Regime2011, RegionCode: "61.07.01", Year: 2025, Indicator: "11"})
		if err != nil || len(vs) != 1 {
			t.Fatalf("values: %v %v", vs, err)
		}
		return vs[0].Status
	}
	put(80, "laporan dinkes")
	v := w.loggedIn("viewer")
	list := "/kla/verifikasi?year=2025&region=61.07.01"
	_, body, _ := v.get(list)
	form := verdictForm(t, body, 0)
	if form.Get("version") == "" || form.Get("indicator") != "11" {
		t.Fatalf("the verdict form holds no version: %v", form)
	}
	// The operator corrects the value while the verifier reads the page.
	w.clock.Advance(1)
	put(65, "laporan dinkes, dikoreksi")
	for _, verdict := range []string{"accept", "reject"} {
		f := url.Values{}
		for k, x := range form {
			f[k] = x
		}
		f.Set("csrf", v.csrf)
		f.Set("verdict", verdict)
		code, body, _ := v.post("/kla/verifikasi", f)
		if code != 409 || !strings.Contains(body, "Nilai ini berubah sejak halaman dibuka") || !strings.Contains(body, "laporan dinkes, dikoreksi") {
			t.Fatalf("%s on a value entered again: %d", verdict, code)
		}
		checkPage(t, "/kla/verifikasi (409)", body)
		if s := status(); s != domain.KLAPending {
			t.Fatalf("%s on a value entered again wrote %s", verdict, s)
		}
	}
	// A form without a version (a page from before) decides nothing.
	old := url.Values{}
	for k, x := range form {
		old[k] = x
	}
	old.Del("version")
	old.Set("verdict", "accept")
	if code, _, _ := v.post("/kla/verifikasi", old); code != 409 || status() != domain.KLAPending {
		t.Fatalf("a verdict without a version: %d %s", code, status())
	}
	// The page as it is now: the verdict is recorded.
	_, body, _ = v.get(list)
	fresh := verdictForm(t, body, 0)
	fresh.Set("verdict", "accept")
	code, _, hdr := v.post("/kla/verifikasi", fresh)
	if code != 303 || !strings.Contains(hdr.Get("Location"), "region=61.07.01") {
		t.Fatalf("a verdict on the current value: %d %s", code, hdr.Get("Location"))
	}
	if s := status(); s != domain.KLAVerified {
		t.Fatalf("after the verdict: %s", s)
	}
	// The list after a verdict says which verdict, on how many values.
	if f := flashIn(t, hdr); f != "kla_value_accepted" {
		t.Fatalf("flash %q after accepting", f)
	}
	if _, body, _ := v.get(hdr.Get("Location")); !strings.Contains(body, "1 nilai diterima dan tercatat terverifikasi.") {
		t.Fatal("no message after accepting")
	}
	// The same (now outdated) form again: the value was decided meanwhile.
	if code, _, _ := v.post("/kla/verifikasi", fresh); code != 409 {
		t.Fatalf("the same verdict twice: %d", code)
	}
	// Rejecting, on the page as it is now.
	_, body, _ = v.get(list + "&status=all")
	reject := verdictForm(t, body, 0)
	reject.Set("verdict", "reject")
	code, _, hdr = v.post("/kla/verifikasi", reject)
	if code != 303 || status() != domain.KLARejected || flashIn(t, hdr) != "kla_value_rejected" {
		t.Fatalf("rejecting: %d %s", code, status())
	}
	if _, body, _ := v.get(hdr.Get("Location")); !strings.Contains(body, "1 nilai ditolak; perangkat daerah dapat mengisinya ulang dengan bukti baru.") {
		t.Fatal("no message after rejecting")
	}
}
