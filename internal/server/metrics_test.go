package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/metrics"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// scrapeMetrics fetches /metrics from w's server.
func scrapeMetrics(t *testing.T, w *world) string {
	t.Helper()
	resp, err := http.Get(w.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %v", resp.StatusCode, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	return string(b)
}

// seriesOf returns the sample lines of one family.
func seriesOf(out, family string) map[string]bool {
	s := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, family+"{") || strings.HasPrefix(line, family+" ") {
			id, _, _ := strings.Cut(line, "} ")
			s[id] = true
		}
	}
	return s
}

// TestMetricsInventedMethodsAddNoSeries sends 2,000 requests with made-up
// HTTP methods through the real handler: they may add the few
// method="other" series of their routes and status codes, nothing more.
func TestMetricsInventedMethodsAddNoSeries(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	scrapeMetrics(t, w)
	before := seriesOf(scrapeMetrics(t, w), "lindu_http_requests_total")
	paths := []string{"/", "/login", "/api/v1/cases", "/metrics", "/no-such-page"}
	client := &http.Client{}
	for i := range 2000 {
		req, err := http.NewRequest(fmt.Sprintf("X%dINVENTED", i), w.ts.URL+paths[i%len(paths)], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	out := scrapeMetrics(t, w)
	after := seriesOf(out, "lindu_http_requests_total")
	var added []string
	for id := range after {
		if !before[id] {
			added = append(added, id)
			if !strings.Contains(id, `method="other"`) {
				t.Errorf("series %s: the method is not folded into \"other\"", id)
			}
		}
	}
	if len(added) > 2*len(paths) {
		t.Errorf("2,000 invented methods added %d series:\n%s", len(added), strings.Join(added, "\n"))
	}
	if strings.Contains(out, "INVENTED") {
		t.Error("an invented method reached /metrics")
	}
	t.Logf("series before %d, after %d", len(before), len(after))
}

// TestMetricsExposition checks the server's /metrics with the Go lint and
// the families an operator relies on.
func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{Version: "1.2.3"})
	b := w.browser()
	b.get("/login")
	out := scrapeMetrics(t, w)
	if p := metrics.Lint(out); len(p) > 0 {
		t.Fatalf("lint:\n%s\n--- /metrics:\n%s", strings.Join(p, "\n"), out)
	}
	want := []string{
		`lindu_build_info{version="1.2.3",goversion="` + runtime.Version() + `"} 1`,
		"# TYPE lindu_db_waits_total counter", "# TYPE lindu_db_wait_seconds_total counter",
		"# TYPE lindu_db_open_connections gauge",
		"# TYPE lindu_http_requests_total counter", `lindu_http_requests_total{method="GET",route="GET /login",code="200"} 1`,
		"# TYPE lindu_http_request_duration_seconds histogram",
		"# TYPE go_goroutines gauge",
	}
	if runtime.GOOS == "linux" {
		want = append(want, "# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
			"# TYPE process_open_fds gauge", "# TYPE process_max_fds gauge", "# TYPE process_start_time_seconds gauge")
	}
	for _, l := range want {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("missing %q", l)
		}
	}
	if strings.Contains(out, "lindu_db_wait_count") {
		t.Error("the old gauge lindu_db_wait_count is still there")
	}
}

// TestMetricsPromtool runs `promtool check metrics` (Debian package
// prometheus, installed by scripts/test) on the server's /metrics.
func TestMetricsPromtool(t *testing.T) {
	t.Parallel()
	promtool := needPromtool(t)
	w := newWorld(t, store.SQLite, server.Options{Version: "test"})
	w.browser().get("/login")
	out := scrapeMetrics(t, w)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(out)
	if res, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(res))) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s\n--- /metrics:\n%s", err, res, out)
	}
}

const alertRules = "testdata/prometheus-alerts.yml"

// TestMetricsAlertRules checks that the example alert rules in README are
// testdata/prometheus-alerts.yml, that they use only metric families the
// README lists, and (with promtool) that Prometheus accepts them.
func TestMetricsAlertRules(t *testing.T) {
	t.Parallel()
	rules, err := os.ReadFile(alertRules)
	if err != nil {
		t.Fatal(err)
	}
	readme := readmeMetricsSection(t)
	if !strings.Contains(readme, "```yaml\n"+string(rules)+"```\n") {
		t.Errorf("README's \"Metrics and alerts\" yaml block differs from %s", alertRules)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH (Debian package prometheus; scripts/test installs it): rules not checked by Prometheus")
	}
	abs, _ := filepath.Abs(alertRules)
	if res, err := exec.Command(promtool, "check", "rules", abs).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, res)
	}
}

// TestMetricsReadmeListsFamilies checks that README documents every
// lindu_* family the server exposes.
func TestMetricsReadmeListsFamilies(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	readme := readmeMetricsSection(t)
	for _, line := range strings.Split(scrapeMetrics(t, w), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ = strings.Cut(name, " ")
			if !strings.Contains(readme, "`"+name) {
				t.Errorf("README \"Metrics and alerts\" does not list %s", name)
			}
		}
	}
}

func readmeMetricsSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Metrics and alerts\n")
	if !ok {
		t.Fatal(`README has no "## Metrics and alerts" section`)
	}
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i+1]
	}
	return sec
}

func needPromtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH (Debian package prometheus; scripts/test installs it); metrics.Lint still checks /metrics in TestMetricsExposition")
	}
	return p
}

// sample is the value of one series line ("name{labels}") in out, or -1.
func sample(out, series string) float64 {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	return -1
}

// What operators alert on follows the data, on both databases: a reply
// waiting in the SMS outbox shows as pending with its age, WhatsApp's
// outbox stays at 0; a report past its triage clock counts as an overdue
// "triage" deadline, and every other kind is there at 0.
func TestMetricsOutboxAndOverdue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{})
		svc := &intake.Service{Store: w.st, Region: "61.07"}
		if _, err := svc.Handle(bg, intake.Message{Key: "kannel:T:m1", Channel: domain.ChannelSMS, From: "+6281299990001",
			Text: "Anak tetangga dipukul"}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(domain.TriageWindow + time.Hour)
		out := scrapeMetrics(t, w)
		if v := sample(out, `lindu_outbox_pending{channel="sms"}`); v != 1 {
			t.Errorf("sms pending = %v, want 1", v)
		}
		if v := sample(out, `lindu_outbox_pending{channel="whatsapp"}`); v != 0 {
			t.Errorf("whatsapp pending = %v, want 0", v)
		}
		if v := sample(out, `lindu_outbox_oldest_pending_seconds{channel="sms"}`); v < (domain.TriageWindow + time.Hour).Seconds() {
			t.Errorf("sms oldest pending = %v s, want at least the time the clock moved", v)
		}
		if v := sample(out, `lindu_overdue_deadlines{kind="triage"}`); v != 1 {
			t.Errorf("overdue triage = %v, want 1", v)
		}
		for _, k := range []string{"ack", "response", "police", "action", "visit", "referral", "transfer"} {
			if v := sample(out, `lindu_overdue_deadlines{kind="`+k+`"}`); v != 0 {
				t.Errorf("overdue %s = %v, want 0", k, v)
			}
		}
		if problems := metrics.Lint(out); len(problems) > 0 {
			t.Errorf("lint: %v", problems)
		}
	})
}
