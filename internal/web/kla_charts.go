package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// The KLA dashboard's charts: inline SVG without a viewBox, so that text is
// drawn at its CSS size (at least 12 px) on a phone as on a desk, and bars
// and columns are placed in percentages of the width. Each chart is
// followed on the page by a table with the same figures.

// clusterLabelRunes is where a cluster name wraps to a second line: the
// longest that fits a 390 px phone at 14 px.
const clusterLabelRunes = 34

// clusterChart draws one row per cluster: its name above (wrapped, never
// cut), a bar of the points against the maximum with the figures at its
// end, and the verified points as a thin bar under it.
func clusterChart(b Base, cs []kla.ClusterScore) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	const line, barH, gap = 18.0, 18.0, 16.0
	const barW = 76.0 // per cent of the width; the figures stand after the bar
	var rows strings.Builder
	y := 0.0
	for _, c := range cs {
		frac, vfrac := 0.0, 0.0
		if c.Max > 0 {
			frac, vfrac = math.Min(1, c.Points/c.Max), math.Min(1, c.Verified/c.Max)
		}
		for _, l := range wrapWords(b.ClusterName(c.Cluster), clusterLabelRunes) {
			y += line
			fmt.Fprintf(&rows, `<text x="0" y="%.0f" class="lbl">%s</text>`, y-4, svgEsc(l))
		}
		top := y + 2
		fmt.Fprintf(&rows, `<rect x="0" y="%.0f" width="%.0f%%" height="%.0f" class="track"/>`, top, barW, barH)
		fmt.Fprintf(&rows, `<rect x="0" y="%.0f" width="%.1f%%" height="%.0f" class="bar"/>`, top, barW*frac, barH)
		fmt.Fprintf(&rows, `<rect x="0" y="%.0f" width="%.1f%%" height="5" class="bar-verified"/>`, top+barH+2, barW*vfrac)
		fmt.Fprintf(&rows, `<text x="100%%" y="%.0f" text-anchor="end" class="num">%.0f/%.0f</text>`, top+barH-4, c.Points, c.Max)
		y = top + barH + 7 + gap
	}
	return template.HTML(fmt.Sprintf(`<svg class="chart" width="100%%" height="%.0f" role="img" aria-labelledby="chart-clusters-title"><title id="chart-clusters-title">%s</title>%s</svg>`,
		y, svgEsc(b.T("kla.chart_clusters")), rows.String()))
}

// wrapWords splits s into lines of at most n runes at spaces (a longer
// word stays whole).
func wrapWords(s string, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= n:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// trendChart draws the total per year as columns from 0 to the maximum,
// with the axis labelled from 0 and the lower bound of each category as a
// dashed line.
func trendChart(b Base, ts []kla.TrendPoint) template.HTML {
	if len(ts) == 0 {
		return ""
	}
	const h, top, bottom = 250.0, 14.0, 24.0
	const left = 12.0 // per cent of the width for the axis labels
	plotH := h - top - bottom
	yOf := func(v float64) float64 { return top + plotH*(1-math.Min(1, v/kla.Total)) }
	colW := (100 - left) / float64(len(ts))
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" width="100%%" height="%.0f" role="img" aria-labelledby="chart-trend-title"><title id="chart-trend-title">%s</title>`,
		h, svgEsc(b.T("kla.chart_trend")))
	fmt.Fprintf(&sb, `<line x1="%.0f%%" x2="100%%" y1="%.1f" y2="%.1f" class="base"/><text x="0" y="%.1f" class="axis">0</text>`,
		left, yOf(0), yOf(0), yOf(0)+4)
	for _, band := range domain.KLACategoryBands {
		y := yOf(band.From)
		fmt.Fprintf(&sb, `<line x1="%.0f%%" x2="100%%" y1="%.1f" y2="%.1f" class="band"/><text x="0" y="%.1f" class="axis">%.0f</text>`,
			left, y, y, y+4, band.From)
	}
	fmt.Fprintf(&sb, `<text x="0" y="%.1f" class="axis">%.0f</text>`, yOf(kla.Total)+4, kla.Total)
	for i, t := range ts {
		x := left + float64(i)*colW + colW*0.12
		fmt.Fprintf(&sb, `<rect x="%.2f%%" y="%.1f" width="%.2f%%" height="%.1f" class="bar"/>`, x, yOf(t.Total), colW*0.42, yOf(0)-yOf(t.Total))
		fmt.Fprintf(&sb, `<rect x="%.2f%%" y="%.1f" width="%.2f%%" height="%.1f" class="bar-verified"/>`, x+colW*0.45, yOf(t.VerifiedTotal), colW*0.22, yOf(0)-yOf(t.VerifiedTotal))
		fmt.Fprintf(&sb, `<text x="%.2f%%" y="%.1f" class="axis">%d</text>`, x, h-6, t.Year)
		fmt.Fprintf(&sb, `<text x="%.2f%%" y="%.1f" class="num">%.0f</text>`, x, yOf(t.Total)-4, t.Total)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
