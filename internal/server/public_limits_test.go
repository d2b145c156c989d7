package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"lindu/internal/intake"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The web form and the API count against one quota per address: reports
// and status look-ups alike, with an IPv6 /64 counted as one address
// (the clients below come through a proxy that names them).
func TestPublicLimitsSharedByWebAndAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07", TrustProxy: true})
		b := w.browser()
		web := func(addr string) int {
			t.Helper()
			hidden := openReportForm(t, b)
			f := reportForm()
			f.Del("contact_phone")
			for k, v := range hidden {
				f[k] = v
			}
			w.clock.Advance(4 * time.Second)
			code, _, _ := b.post("/lapor", f, "X-Forwarded-For", addr)
			return code
		}
		api := func(addr string) int {
			t.Helper()
			code, _, _ := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(nil), "X-Forwarded-For", addr)
			return code
		}
		// Six by the form and four by the API from one /64 fill its quota.
		for i := 0; i < intake.ReportsPerAddress; i++ {
			if i < 6 {
				if code := web(fmt.Sprintf("2001:db8:aa:1::%x", i+1)); code != 303 {
					t.Fatalf("web report %d: %d", i+1, code)
				}
			} else if code := api(fmt.Sprintf("2001:db8:aa:1:ffff::%x", i+1)); code != 201 {
				t.Fatalf("API report %d: %d", i+1, code)
			}
		}
		if code := web("2001:db8:aa:1::99"); code != 429 {
			t.Fatalf("web report over the shared quota: %d", code)
		}
		if code := api("2001:db8:aa:1::100"); code != 429 {
			t.Fatalf("API report over the shared quota: %d", code)
		}
		if n := reportCount(t, w); n != intake.ReportsPerAddress {
			t.Fatalf("%d reports stored, want %d", n, intake.ReportsPerAddress)
		}
		// Another /64 is another address, for both.
		if code := web("2001:db8:aa:2::1"); code != 303 {
			t.Fatalf("web report from another /64: %d", code)
		}
		if code := api("2001:db8:aa:2::2"); code != 201 {
			t.Fatalf("API report from another /64: %d", code)
		}

		// Status look-ups: half on the page, half through the API.
		const addr = "198.51.100.23"
		for i := 0; i < intake.StatusLookupsPerAddress; i++ {
			var code int
			if i%2 == 0 {
				code = webStatus(t, w, addr)
			} else {
				code, _, _ = capiDo(w, "GET", "/api/v1/reports/123456789/status", "", nil, "X-Forwarded-For", addr)
			}
			if code != 404 {
				t.Fatalf("look-up %d: %d", i+1, code)
			}
		}
		if code := webStatus(t, w, addr); code != 429 {
			t.Fatalf("page look-up over the shared quota: %d", code)
		}
		if code, _, h := capiDo(w, "GET", "/api/v1/reports/123456789/status", "", nil, "X-Forwarded-For", addr); code != 429 || h.Get("Retry-After") == "" {
			t.Fatalf("API look-up over the shared quota: %d", code)
		}
	})
}

// webStatus looks up a code on the status page from addr (through the
// proxy) and returns the status.
func webStatus(t *testing.T, w *world, addr string) int {
	t.Helper()
	req, err := http.NewRequest("GET", w.ts.URL+"/lapor/status?kode=123456789", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}
