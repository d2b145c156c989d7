package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The emergency-access form of the case page speaks the user's language:
// the masked page explains why and how long, a short reason gets the
// field's message, the opened page says until when, and the timeline
// names the event with its reason.
func TestEmergencyAccessPageTexts(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	c, err := w.srv.Cases.CreateCase(bg, access.System("test"), domain.NewCase{RegionCode: "61.07.01.2001", Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VNeglect}, Summary: "RAHASIA-KRONOLOGI anak ditinggal"})
	if err != nil {
		t.Fatal(err)
	}
	reason := "Petugas utama sakit dan anak perlu dijemput malam ini"
	for _, x := range []struct {
		lang                                       string
		masked, hours, short, opened, until, event string
	}{
		{"id", "Anda tidak menangani kasus ini", "selama 4 jam dengan", "Tulis alasan Anda membutuhkan data pribadi", "Akses darurat dibuka; supervisor",
			"dengan akses darurat sampai", "membuka akses darurat"},
		{"en", "You do not handle this case", "for 4 hours by", "Write why you need this case", "Emergency access opened; the region",
			"through emergency access until", "opened emergency access"},
	} {
		b := w.loggedIn("cw-a")
		if x.lang != "id" {
			b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {x.lang}, "next": {"/beranda"}})
		}
		path := "/kasus/" + c.ID
		code, body, _ := b.get(path)
		if code != 200 || !strings.Contains(body, x.masked) || !strings.Contains(body, x.hours) || strings.Contains(body, "RAHASIA") {
			t.Fatalf("%s masked page: %d %v %v", x.lang, code, strings.Contains(body, x.masked), strings.Contains(body, x.hours))
		}
		code, body, _ = b.post(path+"/akses-darurat", url.Values{"csrf": {b.csrf}, "reason": {"cepat"}})
		if code != 422 || !strings.Contains(body, x.short) || strings.Contains(body, "say why") {
			t.Fatalf("%s short reason: %d", x.lang, code)
		}
		code, _, h := b.post(path+"/akses-darurat", url.Values{"csrf": {b.csrf}, "reason": {reason}})
		if code != 303 {
			t.Fatalf("%s grant: %d", x.lang, code)
		}
		_, body, _ = b.get(h.Get("Location"))
		if !strings.Contains(body, x.opened) || !strings.Contains(body, x.until) || !strings.Contains(body, "RAHASIA-KRONOLOGI") {
			t.Fatalf("%s opened page lacks its texts", x.lang)
		}
		_, body, _ = b.get(path + "?tab=linimasa")
		if !strings.Contains(body, x.event) || !strings.Contains(body, reason) {
			t.Fatalf("%s timeline lacks the emergency access", x.lang)
		}
		checkPage(t, x.lang+" timeline", body)
		w.clock.Advance(cases.DefaultEmergencyAccess)
	}
}
