package metrics

import (
	"strings"
	"testing"
)

// TestMetricsLint feeds Lint outputs that Prometheus or promtool reject,
// each with the problem it must report, and outputs they accept.
func TestMetricsLint(t *testing.T) {
	const ok = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
	hist := "# HELP req_seconds H.\n# TYPE req_seconds histogram\n"
	for _, tc := range []struct{ name, text, want string }{
		{"fine", ok, ""},
		{"family without samples", "# HELP a_total A.\n# TYPE a_total counter\n", ""},
		{"histogram fine", hist + "req_seconds_bucket{le=\"1\"} 1\nreq_seconds_bucket{le=\"+Inf\"} 2\nreq_seconds_sum 3\nreq_seconds_count 2\n", ""},
		{"counter without _total", "# HELP a A.\n# TYPE a counter\na 1\n", `"_total" suffix`},
		{"gauge with _total", "# HELP a_total A.\n# TYPE a_total gauge\na_total 1\n", "should not have \"_total\""},
		{"gauge with _count", "# HELP db_wait_count W.\n# TYPE db_wait_count gauge\ndb_wait_count 1\n", `"_count" suffix`},
		{"no help", "# TYPE a_total counter\na_total 1\n", "without HELP"},
		{"empty help", "# HELP a_total \n# TYPE a_total counter\na_total 1\n", "no help text"},
		{"help twice", "# HELP a_total A.\n" + ok, "second HELP"},
		{"type twice", "# TYPE a_total counter\n" + ok, "second TYPE"},
		{"type after samples", ok + "# TYPE a_total counter\n", "after the family's samples"},
		{"split family", ok + "# HELP b B.\n# TYPE b gauge\nb 1\na_total{x=\"1\"} 2\n", "continues after"},
		{"repeated series", ok + "a_total 2\n", "repeated series"},
		{"repeated labelled series", "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\",y=\"2\"} 1\na_total{y=\"2\",x=\"1\"} 1\n", "repeated series"},
		{"bad metric name", "# HELP a-b A.\n", "invalid metric name"},
		{"bad label name", "# HELP a_total A.\n# TYPE a_total counter\na_total{1x=\"1\"} 1\n", "invalid label name"},
		{"reserved label", "# HELP a_total A.\n# TYPE a_total counter\na_total{__x=\"1\"} 1\n", "invalid label name"},
		{"camel label", "# HELP a_total A.\n# TYPE a_total counter\na_total{routeName=\"1\"} 1\n", "camelCase"},
		{"camel name", "# HELP requestCount_total A.\n# TYPE requestCount_total counter\nrequestCount_total 1\n", "camelCase"},
		{"bad escape", "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"\\t\"} 1\n", "invalid escape"},
		{"bad value", "# HELP a_total A.\n# TYPE a_total counter\na_total one\n", "invalid value"},
		{"negative counter", "# HELP a_total A.\n# TYPE a_total counter\na_total -1\n", "counter value"},
		{"unknown type", "# HELP a A.\n# TYPE a meter\na 1\n", "unknown type"},
		{"abbreviated unit", "# HELP wait_ms W.\n# TYPE wait_ms gauge\nwait_ms 1\n", "abbreviated units"},
		{"non-base unit", "# HELP wait_milliseconds W.\n# TYPE wait_milliseconds gauge\nwait_milliseconds 1\n", `base unit "seconds"`},
		{"kilobytes", "# HELP size_kilobytes W.\n# TYPE size_kilobytes gauge\nsize_kilobytes 1\n", `base unit "bytes"`},
		{"type in name", "# HELP queue_gauge Q.\n# TYPE queue_gauge gauge\nqueue_gauge 1\n", "include type"},
		{"colon", "# HELP a:b A.\n# TYPE a:b gauge\na:b 1\n", "':'"},
		{"le outside buckets", "# HELP a A.\n# TYPE a gauge\na{le=\"1\"} 1\n", `"le"`},
		{"no +Inf", hist + "req_seconds_bucket{le=\"1\"} 1\nreq_seconds_sum 3\nreq_seconds_count 1\n", `le="+Inf"`},
		{"count differs", hist + "req_seconds_bucket{le=\"+Inf\"} 2\nreq_seconds_sum 3\nreq_seconds_count 1\n", "differs"},
		{"no sum", hist + "req_seconds_bucket{le=\"+Inf\"} 2\nreq_seconds_count 2\n", "lacks _count or _sum"},
		{"not cumulative", hist + "req_seconds_bucket{le=\"1\"} 3\nreq_seconds_bucket{le=\"+Inf\"} 2\nreq_seconds_sum 3\nreq_seconds_count 2\n", "not cumulative"},
		{"no final newline", strings.TrimSuffix(ok, "\n"), "newline"},
		{"malformed", "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\" 1\n", "labels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Lint(tc.text)
			got := strings.Join(p, "\n")
			switch {
			case tc.want == "" && len(p) > 0:
				t.Errorf("unexpected problems:\n%s", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("want a problem with %q, got:\n%s", tc.want, got)
			}
		})
	}
}
