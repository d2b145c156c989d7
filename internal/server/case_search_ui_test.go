package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The inbox's search box as its users type into it: the code of a report
// merged into a case finds the case for anyone who sees the case; a part of
// the child's name finds it for those who handle it, not for a caseworker
// who does not (whose page says name search is not theirs to use only when
// their role may not see personal data); the search box never echoes a
// name into the audit log.
func TestUICaseSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		a := w.a.cs
		merged := w.mergedReportCode(t, a.ID)
		code := func(c domain.Case) string { return domain.FormatPublicCode(c.Code) }
		for _, x := range []struct {
			user, q string
			found   bool
		}{
			{"sup", merged, true},
			{"cw-a", merged, true},    // sees the case (masked): codes are not personal
			{"sup", "korban a", true}, // "RAHASIA-KORBAN A": two words, both must match
			{"sup", "rahasia-korb", true},
			{"cw-lead", "KORBAN", true},
			{"cw-a", "korban", false}, // does not handle case A
			{"cw-b", "korban a", false},
			{"sup", "korban zzz", false},
		} {
			_, body, _ := w.loggedIn(x.user).get("/kasus?q=" + url.QueryEscape(x.q))
			if got := strings.Contains(body, code(a)); got != x.found {
				t.Errorf("%s searching %q: found case A %v, want %v", x.user, x.q, got, x.found)
			}
		}
		_, body, _ := w.loggedIn("sup").get("/kasus")
		if !strings.Contains(body, "nama anak atau pelapor") {
			t.Error("the search box does not say names may be searched")
		}
		es, err := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "case.search_name", Limit: 100})
		if err != nil || len(es) < 5 {
			t.Fatalf("%d name searches audited (%v)", len(es), err)
		}
		for _, e := range es {
			if strings.Contains(strings.ToLower(e.Detail), "korban") {
				t.Errorf("the audit log holds the query: %q", e.Detail)
			}
		}
	})
}

// mergedReportCode is the code of a report merged into case id.
func (w *capiWorld) mergedReportCode(t *testing.T, id string) string {
	t.Helper()
	var c string
	if err := w.st.QueryRowContext(bg, `SELECT code FROM reports WHERE case_id = $1 ORDER BY received_at DESC LIMIT 1`, id).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return domain.FormatPublicCode(c)
}
