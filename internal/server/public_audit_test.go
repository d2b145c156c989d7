package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A public report, by the form or the API, leaves no network identifier of
// the reporter (address, user agent) in the audit log, which keeps
// entries for ever and which district admins read.
func TestPublicReportAuditKeepsNoNetworkIdentifiers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		const ua = "Mozilla/5.0 (Linux; Android 13; Pelapor-HP-Rahasia)"
		b := w.browser()
		hidden := openReportForm(t, b)
		form := reportForm()
		for k, v := range hidden {
			form[k] = v
		}
		w.clock.Advance(5 * time.Second)
		if code, _, _ := b.post("/lapor", form, "User-Agent", ua); code != http.StatusSeeOther {
			t.Fatalf("form report: %d", code)
		}
		if code, raw, _ := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(nil), "User-Agent", ua); code != 201 {
			t.Fatalf("API report: %d %s", code, raw)
		}
		es, err := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "report.create"})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 {
			t.Fatalf("%d report.create entries, want 2", len(es))
		}
		for _, e := range es {
			if e.IP != "" || e.UserAgent != "" || strings.Contains(e.Detail, "127.0.0.1") || strings.Contains(e.Detail, "Rahasia") {
				t.Errorf("anonymous report audited with ip=%q ua=%q detail=%q", e.IP, e.UserAgent, e.Detail)
			}
		}
	})
}
