package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// SMS round trips through a real Kannel: fakesmsc (the phone network)
// sends SMS through bearerbox and smsbox to lindu, and each reply must come
// back to fakesmsc; the baseline is a responder that hands its reply to
// sendsms inside the receive call, behind the same Kannel, rounds
// alternating. The Kannel harness lives in internal/intake/kannel's test
// files, so the workload runs that package's env-gated benchmark
// (TestKannelRoundTripThroughput, which also checks that every SMS got
// exactly one reply) and reads its summary line. It needs Debian's kannel
// and kannel-extras; LINDU_BENCH_KANNEL_RT_N sets the SMS per round
// (default 300).
func init() {
	register(workload{name: "sms", doc: "SMS round trips through a real Kannel (fakesmsc, bearerbox, smsbox) vs a trivial responder behind the same Kannel",
		run: runSMS})
}

// smsSummary is the benchmark's closing line for one database.
var smsSummary = regexp.MustCompile(`(\w+): best of (\d+) rounds: responder (\d+) round trips/s, lindu (\d+) round trips/s, lindu/responder = ([0-9.]+)`)

func runSMS(ctx context.Context, e *env) ([]line, error) {
	n := "300"
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_KANNEL_RT_N")); err == nil && v > 0 {
		n = strconv.Itoa(v)
	}
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LINDU_TEST_POSTGRES=") && !strings.HasPrefix(kv, "LINDU_TEST_REQUIRE_POSTGRES=") &&
			!strings.HasPrefix(kv, "LINDU_BENCH_KANNEL_RT_N=") {
			environ = append(environ, kv)
		}
	}
	environ = append(environ, "LINDU_BENCH_KANNEL=1", "LINDU_TEST_REQUIRE_KANNEL=1", "LINDU_BENCH_KANNEL_RT_N="+n)
	if e.dialect == "postgres" {
		// The test makes a schema of its own in this database.
		const db = "lindu_bench_sms"
		if err := recreatePG(ctx, db); err != nil {
			return nil, err
		}
		environ = append(environ, "LINDU_TEST_POSTGRES="+pgURL(db), "LINDU_TEST_REQUIRE_POSTGRES=1")
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-timeout=20m", "-v",
		"-run", "^TestKannelRoundTripThroughput$/^"+e.dialect+"$", "./internal/intake/kannel")
	cmd.Env = environ
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test: %v\n%s", err, tail(string(out), 3000))
	}
	m := smsSummary.FindStringSubmatch(string(out))
	if m == nil {
		return nil, fmt.Errorf("no summary line in the benchmark's output:\n%s", tail(string(out), 3000))
	}
	resp, _ := strconv.ParseFloat(m[3], 64)
	lindu, _ := strconv.ParseFloat(m[4], 64)
	l := line{Workload: "sms round trips via kannel", Lindu: fmt.Sprintf("%.0f round trips/s", lindu),
		Base: fmt.Sprintf("%.0f round trips/s", resp), Note: fmt.Sprintf("lindu/responder %s, %s SMS a round, best of %s", m[5], n, m[2])}
	if lindu > 0 {
		l.Ratio = resp / lindu // a rate: baseline / lindu, >1 is slower
	}
	return []line{l}, nil
}
