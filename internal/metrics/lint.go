package metrics

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Lint checks text in the Prometheus text exposition format the way
// Prometheus' parser and `promtool check metrics` would, in pure Go, and
// returns the problems found (none: nil). It checks HELP and TYPE once per
// family before its samples, families kept together, metric and label
// names, no repeated series, counters named *_total and others not,
// _count/_sum/_bucket only on histograms, histograms complete (buckets
// cumulative, le="+Inf" equal to _count, _sum present), no upper case,
// no abbreviated or non-base units and no type names in metric names.
// The tests run it on every /metrics output they build.
func Lint(text string) []string {
	l := &linter{families: map[string]*lintFamily{}, seen: map[string]bool{}}
	for i, line := range strings.Split(text, "\n") {
		l.line = i + 1
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE "):
			l.comment(line)
		case strings.HasPrefix(line, "#"):
		default:
			l.sample(line)
		}
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		l.problem("", "output does not end with a newline")
	}
	names := make([]string, 0, len(l.families))
	for n := range l.families {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l.family(l.families[n])
	}
	return l.problems
}

type linter struct {
	line     int
	problems []string
	families map[string]*lintFamily
	order    []string // families in order of appearance
	seen     map[string]bool
}

type lintFamily struct {
	name, help, typ string
	hasHelp         bool
	hasSamples      bool
	closed          bool
	samples         []lintSample
}

type lintSample struct {
	name   string
	labels map[string]string
	value  float64
}

func (l *linter) problem(name, format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	if name != "" {
		p = name + ": " + p
	}
	l.problems = append(l.problems, fmt.Sprintf("line %d: %s", l.line, p))
}

// enter makes name the current family: families must not be split.
func (l *linter) enter(name string) *lintFamily {
	f := l.families[name]
	if f == nil {
		f = &lintFamily{name: name}
		l.families[name] = f
	}
	if n := len(l.order); n == 0 || l.order[n-1] != name {
		if f.closed {
			l.problem(name, "family continues after another family began")
		}
		if n > 0 {
			l.families[l.order[n-1]].closed = true
		}
		l.order = append(l.order, name)
	}
	return f
}

func (l *linter) comment(line string) {
	kw, rest, _ := strings.Cut(line[2:], " ")
	name, text, _ := strings.Cut(rest, " ")
	if !nameRE.MatchString(name) {
		l.problem(name, "invalid metric name in %s line", kw)
		return
	}
	f := l.enter(name)
	if f.hasSamples {
		l.problem(name, "%s line after the family's samples", kw)
	}
	switch kw {
	case "HELP":
		if f.hasHelp {
			l.problem(name, "second HELP line")
		}
		f.hasHelp, f.help = true, text
		if strings.TrimSpace(text) == "" {
			l.problem(name, "no help text")
		}
	case "TYPE":
		if f.typ != "" {
			l.problem(name, "second TYPE line")
		}
		switch text {
		case "counter", "gauge", "histogram", "summary", "untyped":
			f.typ = text
		default:
			l.problem(name, "unknown type %q", text)
			f.typ = "untyped"
		}
	}
}

// familyOf finds the family a sample name belongs to.
func (l *linter) familyOf(name string) string {
	if _, ok := l.families[name]; ok {
		return name
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suf); ok {
			if f := l.families[base]; f != nil && (f.typ == "histogram" || f.typ == "summary") {
				return base
			}
		}
	}
	return name
}

func (l *linter) sample(line string) {
	name, rest := line, ""
	if i := strings.IndexAny(line, "{ "); i >= 0 {
		name, rest = line[:i], line[i:]
	}
	if !nameRE.MatchString(name) {
		l.problem(name, "invalid metric name")
		return
	}
	labels := map[string]string{}
	if strings.HasPrefix(rest, "{") {
		var ok bool
		labels, rest, ok = l.labels(name, rest[1:])
		if !ok {
			return
		}
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 || !strings.HasPrefix(rest, " ") {
		l.problem(name, "malformed sample line %q", line)
		return
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		l.problem(name, "invalid value %q", fields[0])
		return
	}
	if len(fields) == 2 {
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			l.problem(name, "invalid timestamp %q", fields[1])
		}
	}
	fam := l.familyOf(name)
	f := l.enter(fam)
	if !f.hasHelp || f.typ == "" {
		l.problem(name, "sample without HELP and TYPE lines before it")
	}
	f.hasSamples = true
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	id := name
	for _, k := range keys {
		id += "\x00" + k + "\x00" + labels[k]
	}
	if l.seen[id] {
		l.problem(name, "repeated series %v", labels)
	}
	l.seen[id] = true
	f.samples = append(f.samples, lintSample{name: name, labels: labels, value: v})
}

// labels parses `a="x",b="y"}` and returns the text after the brace.
func (l *linter) labels(metric, s string) (map[string]string, string, bool) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ")
		if strings.HasPrefix(s, "}") {
			return labels, s[1:], true
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 || len(s) < eq+2 || s[eq+1] != '"' {
			l.problem(metric, "malformed labels")
			return nil, "", false
		}
		name := strings.TrimSpace(s[:eq])
		if !labelRE.MatchString(name) || strings.HasPrefix(name, "__") {
			l.problem(metric, "invalid label name %q", name)
		}
		if strings.ToLower(name) != name {
			l.problem(metric, "label names should be written in snake_case, not camelCase: %q", name)
		}
		if _, dup := labels[name]; dup {
			l.problem(metric, "label %q twice", name)
		}
		var val strings.Builder
		i, closed := eq+2, false
		for i < len(s) {
			c := s[i]
			if c == '"' {
				closed = true
				i++
				break
			}
			if c == '\\' && i+1 < len(s) {
				switch s[i+1] {
				case '\\':
					val.WriteByte('\\')
				case '"':
					val.WriteByte('"')
				case 'n':
					val.WriteByte('\n')
				default:
					l.problem(metric, "invalid escape \\%c in label %q", s[i+1], name)
				}
				i += 2
				continue
			}
			val.WriteByte(c)
			i++
		}
		if !closed {
			l.problem(metric, "unterminated label value")
			return nil, "", false
		}
		if !utf8.ValidString(val.String()) {
			l.problem(metric, "label %q is not UTF-8", name)
		}
		labels[name] = val.String()
		s = strings.TrimLeft(s[i:], " ")
		if strings.HasPrefix(s, ",") {
			s = s[1:]
		} else if !strings.HasPrefix(s, "}") {
			l.problem(metric, "malformed labels")
			return nil, "", false
		}
	}
}

// Units as promtool's linter knows them: base units, and the base unit
// for others.
var (
	lintUnits = map[string]string{
		"amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams",
		"joules": "joules", "kelvin": "kelvin", "meters": "meters", "metres": "metres",
		"seconds": "seconds", "volts": "volts",
		"minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
		"kelvins": "kelvin", "fahrenheit": "celsius", "rankine": "celsius",
		"inches": "meters", "yards": "meters", "miles": "meters", "bits": "bytes",
		"calories": "joules", "pounds": "grams", "ounces": "grams",
	}
	lintPrefixes = []string{"pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
		"kibi", "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi"}
	lintAbbrev = []string{"s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"}
	lintTypes  = []string{"counter", "gauge", "histogram", "summary", "untyped"}
)

// family checks a family's name against its type, and a histogram's
// series for completeness.
func (l *linter) family(f *lintFamily) {
	l.line = 0
	n := f.name
	if strings.ToLower(n) != n {
		l.problem(n, "metric names should be written in snake_case, not camelCase")
	}
	if strings.Contains(n, ":") {
		l.problem(n, "metric names should not contain ':' (reserved for recording rules)")
	}
	total := strings.HasSuffix(n, "_total")
	switch {
	case f.typ == "counter" && !total:
		l.problem(n, `counter metrics should have "_total" suffix`)
	case f.typ != "counter" && total:
		l.problem(n, `non-counter metrics should not have "_total" suffix`)
	}
	if f.typ != "histogram" && f.typ != "summary" {
		for _, suf := range []string{"_count", "_sum", "_bucket"} {
			if strings.HasSuffix(n, suf) {
				l.problem(n, "non-histogram and non-summary metrics should not have %q suffix", suf)
			}
		}
	}
	tokens := strings.Split(n, "_")
	for _, t := range tokens {
		if slices.Contains(lintAbbrev, t) {
			l.problem(n, "metric names should not contain abbreviated units (%q)", t)
		}
		if slices.Contains(lintTypes, t) {
			l.problem(n, "metric name should not include type %q", t)
		}
		for u, base := range lintUnits {
			for _, p := range append([]string{""}, lintPrefixes...) {
				if t == p+u && t != base {
					l.problem(n, "use base unit %q instead of %q", base, t)
				}
			}
		}
	}
	for _, s := range f.samples {
		if f.typ == "counter" && (s.value < 0 || math.IsNaN(s.value)) {
			l.problem(s.name, "counter value %v", s.value)
		}
		if _, ok := s.labels["le"]; ok && !(f.typ == "histogram" && s.name == n+"_bucket") {
			l.problem(s.name, `label "le" outside a histogram's buckets`)
		}
		if _, ok := s.labels["quantile"]; ok && f.typ != "summary" {
			l.problem(s.name, `label "quantile" outside a summary`)
		}
		if f.typ == "histogram" && s.name == n {
			l.problem(s.name, "histogram sample without _bucket, _sum or _count")
		}
	}
	if f.typ == "histogram" {
		l.histogram(f)
	}
}

// histogram checks each series: le buckets cumulative up to "+Inf", which
// equals _count, and a _sum.
func (l *linter) histogram(f *lintFamily) {
	type hseries struct {
		buckets    map[float64]float64
		count, sum *float64
	}
	all := map[string]*hseries{}
	get := func(labels map[string]string) *hseries {
		keys := make([]string, 0, len(labels))
		for k, v := range labels {
			if k != "le" {
				keys = append(keys, k+"="+v)
			}
		}
		sort.Strings(keys)
		id := strings.Join(keys, ",")
		if all[id] == nil {
			all[id] = &hseries{buckets: map[float64]float64{}}
		}
		return all[id]
	}
	for _, s := range f.samples {
		v := s.value
		h := get(s.labels)
		switch s.name {
		case f.name + "_bucket":
			le, ok := s.labels["le"]
			ub, err := strconv.ParseFloat(le, 64)
			if !ok || err != nil {
				l.problem(s.name, "bucket without a valid le label")
				continue
			}
			h.buckets[ub] = v
		case f.name + "_count":
			h.count = &v
		case f.name + "_sum":
			h.sum = &v
		}
	}
	for id, h := range all {
		inf, ok := h.buckets[math.Inf(1)]
		if !ok {
			l.problem(f.name, `series {%s} has no le="+Inf" bucket`, id)
		}
		if h.count == nil || h.sum == nil {
			l.problem(f.name, "series {%s} lacks _count or _sum", id)
		} else if ok && *h.count != inf {
			l.problem(f.name, `series {%s}: _count %v differs from le="+Inf" bucket %v`, id, *h.count, inf)
		}
		ubs := make([]float64, 0, len(h.buckets))
		for ub := range h.buckets {
			ubs = append(ubs, ub)
		}
		sort.Float64s(ubs)
		for i := 1; i < len(ubs); i++ {
			if h.buckets[ubs[i]] < h.buckets[ubs[i-1]] {
				l.problem(f.name, "series {%s}: buckets not cumulative at le=%v", id, ubs[i])
			}
		}
	}
}
