package kannel_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/kannel"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The receive endpoint without a gateway: a wrong secret changes nothing;
// a number in international form without "+" (a neighbour country's) is a
// report, not dropped; a name sender (operator notice) is ignored; the same
// Kannel id twice is one report.
func TestReceiveHandler(t *testing.T) {
	st := storetest.Open(t, store.SQLite, storetest.Options{})
	h := &kannel.Handler{Settings: kannel.Settings{Secret: "s3cret"}, Store: st, Log: slog.New(slog.DiscardHandler),
		Intake: &intake.Service{Store: st, Region: "61.07"}}
	mux := http.NewServeMux()
	h.Routes(mux)
	get := func(secret, id, from, text string) (int, string) {
		q := url.Values{"secret": {secret}, "id": {id}, "smsc": {"fake"}, "from": {from}, "text": {text}}
		req := httptest.NewRequest(http.MethodGet, "/channels/kannel/receive?"+q.Encode(), nil)
		req.RemoteAddr = "127.0.0.1:1234"
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	count := func() int {
		_, n, err := cases.New(st, cases.Options{}).ListReports(bg, access.System("test"), cases.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if code, _ := get("wrong", "1", "+6281234567890", "anak dipukul di rumah sebelah"); code != http.StatusUnauthorized || count() != 0 {
		t.Fatalf("wrong secret: %d, %d reports", code, count())
	}
	if code, body := get("s3cret", "2", "60123456789", "ada anak terlantar di perbatasan"); code != http.StatusOK || count() != 1 {
		t.Fatalf("international sender without +: %d %q, %d reports", code, body, count())
	}
	if code, _ := get("s3cret", "3", "INFO-OPR", "Paket internet Anda habis"); code != http.StatusOK || count() != 1 {
		t.Fatalf("name sender: %d, %d reports", code, count())
	}
	for i := 0; i < 2; i++ {
		if code, _ := get("s3cret", "4", "+6281299998888", "laporan dikirim ulang oleh gateway"); code != http.StatusOK {
			t.Fatalf("retry %d: %d", i, code)
		}
	}
	if count() != 2 {
		t.Fatalf("a retried message made %d reports in all, want 2", count())
	}
	_ = domain.ChannelSMS
}
