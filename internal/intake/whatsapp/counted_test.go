package whatsapp_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"lindu/internal/intake"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/whatsapp"
	"lindu/internal/metrics"
	"lindu/internal/store"
)

// lockedBuf is a log sink safe for concurrent writes.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// inboundTotal sums lindu_inbound_messages_total over its series.
func inboundTotal(t *testing.T, m *metrics.Registry) float64 {
	t.Helper()
	var b strings.Builder
	if _, err := m.Write(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	total := 0.0
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, intake.InboundMetric+"{") {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				t.Fatal(err)
			}
			total += v
		}
	}
	return total
}

// Every recorded webhook that carries a message, or is not lindu's, is
// counted and leaves a log line: nothing is dropped silently.
func TestWhatsAppNothingDroppedSilently(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.http"))
	m := metrics.New()
	intake.DeclareMetrics(m)
	logs := &lockedBuf{}
	h := intaketest.Start(t, store.SQLite, "whatsapp", func(st *store.Store) intaketest.Provider {
		return &whatsapp.Handler{Settings: testSettings, Intake: &intake.Service{Store: st, Region: "61.07", Metrics: m}, Store: st,
			Log: slog.New(slog.NewTextHandler(logs, nil))}
	})
	checked := 0
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "status-") || strings.HasPrefix(name, "verify") || name == "forged.http" {
			continue
		}
		req, err := intaketest.LoadRequest(f)
		if err != nil {
			t.Fatal(err)
		}
		signed(&req)
		before, lines := inboundTotal(t, m), strings.Count(logs.String(), "\n")
		out := h.Do(t, req, "")
		if out.Status != 200 {
			t.Errorf("%s: %d", name, out.Status)
		}
		if inboundTotal(t, m) <= before {
			t.Errorf("%s: not counted", name)
		}
		if strings.Count(logs.String(), "\n") <= lines {
			t.Errorf("%s: no log line", name)
		}
		checked++
	}
	if checked < 25 {
		t.Fatalf("only %d recordings checked", checked)
	}
	if s := logs.String(); strings.Contains(s, "6281277770") || strings.Contains(s, "ID.1502576394655843") || strings.Contains(s, "Tolong") {
		t.Errorf("the log holds a number, a user id or a message text:\n%s", s)
	}
}
