package api

import "testing"

// Scores are rounded to two decimals the same way on both sides of zero
// (issue 10: int64(x*100+0.5) truncated negative numbers toward zero).
func TestRound2(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 0},
		{12.344, 12.34},
		{12.345000001, 12.35},
		{29.677419354838708, 29.68},
		{1000, 1000},
		{-2.5, -2.5},
		{-0.126, -0.13},
		{-0.124, -0.12},
		{-12.345000001, -12.35},
		{-0.001, 0},
	} {
		if got := round2(c.in); got != c.want {
			t.Errorf("round2(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
