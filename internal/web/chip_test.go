package web

import "testing"

// TestNewReportsChip: the chip of reports waiting shows the count up to 99
// and "99+" past it (its count stops at 100: cases.ReportCount).
func TestNewReportsChip(t *testing.T) {
	for n, want := range map[int]string{0: "0", 3: "3", 99: "99", 100: "99+", 10001: "99+"} {
		if got := (&CasesPage{NewReports: n}).NewReportsChip(); got != want {
			t.Errorf("%d reports: chip %q, want %q", n, got, want)
		}
	}
}
