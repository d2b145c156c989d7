package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// The checklist templates of children's audits (/templat-audit/{kind}):
// every staff member who sees audits reads the items, weights, mandatory
// items, predicate bands and the formula; an admin edits them, and each
// save is a new version (past audits keep theirs).

// TemplatePage is /templat-audit/{kind}.
type TemplatePage struct {
	Base
	kit
	Tpl       domain.AuditTemplate
	Versions  []audits.TemplateVersion
	CanEdit   bool
	Regimes   []TemplateRegime
	Problems  []string
	NewPerSec int
}

// TemplateRegime is a KLA regime with its indicators, for the mapping.
type TemplateRegime struct {
	ID, Name   string
	Indicators []FormOption
}

// Kinds lists the facility kinds (one template each).
func (TemplatePage) Kinds() []string { return domain.FacilityKinds }

// Types lists the answer types.
func (TemplatePage) Types() []string {
	return []string{domain.AnswerYesNo, domain.AnswerOptions, domain.AnswerScale}
}

// OptionLines writes graded options as the form's lines ("label = points").
func (TemplatePage) OptionLines(it domain.AuditItem) string {
	var lines []string
	for _, o := range it.Options {
		lines = append(lines, o.Label+" = "+strconv.FormatFloat(o.Points, 'f', -1, 64))
	}
	return strings.Join(lines, "\n")
}

// PassPct writes an item's pass mark as a percentage ("" for the default).
func (TemplatePage) PassPct(x float64) string {
	if x <= 0 {
		return ""
	}
	return strconv.FormatFloat(x*100, 'f', -1, 64)
}

// KLAFor is the indicator the template maps in a regime.
func (p TemplatePage) KLAFor(regime string) string { return p.Tpl.KLA[regime] }

// TplSection is a section of the editor with its numbered rows.
type TplSection struct {
	J          int
	Key, Label string
	Rows       []TplRow
}

// TplRow is an item row of the editor (New: an empty row for a new item).
type TplRow struct {
	I    int
	Item domain.AuditItem
	New  bool
}

// Editor numbers the template's sections and items for the form, with
// an empty row for a new item at the end of each section; n is the number
// of rows.
func (p TemplatePage) Editor() (secs []TplSection, n int) {
	for j, sec := range p.Tpl.Sections {
		ts := TplSection{J: j, Key: sec.Key, Label: sec.Label}
		for _, it := range sec.Items {
			ts.Rows = append(ts.Rows, TplRow{I: n, Item: it})
			n++
		}
		for range p.NewPerSec {
			ts.Rows = append(ts.Rows, TplRow{I: n, Item: domain.AuditItem{Type: domain.AnswerYesNo, Weight: 1, Points: 10}, New: true})
			n++
		}
		secs = append(secs, ts)
	}
	return secs, n
}

// Sections is Editor's sections.
func (p TemplatePage) Sections() []TplSection { s, _ := p.Editor(); return s }

// Rows is Editor's number of rows.
func (p TemplatePage) Rows() int { _, n := p.Editor(); return n }

// BandRows are the predicate bands with two empty rows.
func (p TemplatePage) BandRows() []domain.PredicateBand {
	return append(append([]domain.PredicateBand{}, p.Tpl.Bands...), domain.PredicateBand{MinPercent: -1}, domain.PredicateBand{MinPercent: -1})
}

func (s *Server) auditTemplatePage(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "tpl.title")
	t, err := audits.New(s.st).Template(r.Context(), r.PathValue("kind"), 0)
	if err != nil || !validKind(r.PathValue("kind")) {
		s.fail(w, r, domain.NotFound("template"))
		return
	}
	s.auditTemplateRender(w, r, b, t, nil, http.StatusOK)
}

func validKind(k string) bool {
	return k == domain.FacilityRBRA || k == domain.FacilityPRA || k == domain.FacilityOther
}

func (s *Server) auditTemplateRender(w http.ResponseWriter, r *http.Request, b Base, t domain.AuditTemplate, problems []string, status int) {
	if !b.Scope.Can(domain.PermRunAudits) && !b.Scope.Can(domain.PermViewDashboard) && !b.Scope.Can(domain.PermManageKLA) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	ctx := r.Context()
	au := audits.New(s.st)
	p := TemplatePage{Base: b, kit: s.kit(b), Tpl: t, CanEdit: b.Scope.Can(domain.PermManageKLA) && kla.DeploymentWide(s.st, b.Scope), Problems: problems, NewPerSec: 1}
	var err error
	if p.Versions, err = au.TemplateVersions(ctx, t.Kind); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.CanEdit {
		gs, err := kla.Regimes(ctx, s.st)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, g := range gs {
			inds, err := kla.Indicators(ctx, s.st, g.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			tr := TemplateRegime{ID: g.ID, Name: g.Name}
			for _, i := range inds {
				tr.Indicators = append(tr.Indicators, FormOption{Value: i.ID, Label: i.ID + ". " + i.Name})
			}
			p.Regimes = append(p.Regimes, tr)
		}
	}
	s.render(w, r, status, "audit_template", p)
}

// auditTemplateSave builds the next version from the form: sections with
// their labels, items (a row whose label is emptied, or marked removed, is
// dropped; a new row gets a key from its label), the predicate bands, the
// failed predicate and the KLA mapping.
func (s *Server) auditTemplateSave(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "tpl.title")
	kind := r.PathValue("kind")
	au := audits.New(s.st)
	cur, err := au.Template(r.Context(), kind, 0)
	if err != nil || !validKind(kind) {
		s.fail(w, r, domain.NotFound("template"))
		return
	}
	t, bad := templateFromForm(r, cur, b.T)
	if len(bad) == 0 {
		saved, err := au.SaveTemplate(r.Context(), principalOf(r).Scope, t)
		if err == nil {
			http.Redirect(w, r, withOK("/templat-audit/"+kind, "template_saved"), http.StatusSeeOther)
			_ = saved
			return
		}
		f, ok := formErrors(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			what := k
			if item, ok := strings.CutPrefix(k, "item."); ok {
				if it, found := findItem(t, item); found {
					what = it.Label
				}
			}
			bad = append(bad, what+": "+httpx.Text(b.Lang, f[k]))
		}
	}
	b.Error = b.T("tpl.invalid")
	s.auditTemplateRender(w, r, b, t, bad, http.StatusUnprocessableEntity)
}

func findItem(t domain.AuditTemplate, key string) (domain.AuditItem, bool) {
	for _, sec := range t.Sections {
		for _, it := range sec.Items {
			if it.Key == key {
				return it, true
			}
		}
	}
	return domain.AuditItem{}, false
}

// templateFromForm reads the editor's form over cur; bad lists the values
// that are not numbers.
func templateFromForm(r *http.Request, cur domain.AuditTemplate, tr func(string, ...any) string) (domain.AuditTemplate, []string) {
	_ = r.ParseForm()
	v := r.PostForm
	t := domain.AuditTemplate{Kind: cur.Kind, Title: strings.TrimSpace(v.Get("title")), Failed: strings.TrimSpace(v.Get("failed")), KLA: map[string]string{}}
	var bad []string
	num := func(field, label string, def float64) float64 {
		raw := strings.TrimSpace(v.Get(field))
		if raw == "" {
			return def
		}
		x, err := kla.ParseNumber(raw)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %s (%s)", label, tr("tpl.not_number"), raw))
			return def
		}
		return x
	}
	used := map[string]bool{}
	for _, sec := range cur.Sections {
		for _, it := range sec.Items {
			used[it.Key] = true
		}
	}
	secIdx := map[string]int{}
	for j := 0; ; j++ {
		key := v.Get(fmt.Sprintf("seckey_%d", j))
		if key == "" {
			break
		}
		secIdx[key] = len(t.Sections)
		t.Sections = append(t.Sections, domain.AuditSection{Key: key, Label: strings.TrimSpace(v.Get(fmt.Sprintf("seclabel_%d", j)))})
	}
	if label, first := strings.TrimSpace(v.Get("newsec_label")), strings.TrimSpace(v.Get("newsec_item")); label != "" && first != "" {
		key := uniqueKey(label, func(k string) bool { _, ok := secIdx[k]; return ok })
		ik := uniqueKey(first, func(k string) bool { return used[k] })
		used[ik] = true
		t.Sections = append(t.Sections, domain.AuditSection{Key: key, Label: label,
			Items: []domain.AuditItem{{Key: ik, Label: first, Type: domain.AnswerYesNo, Points: 10, Weight: 1}}})
		secIdx[key] = len(t.Sections) - 1
	} else if label != "" || first != "" {
		bad = append(bad, tr("tpl.new_section_incomplete"))
	}
	n, _ := strconv.Atoi(v.Get("n"))
	for i := 0; i < n && i < 2000; i++ {
		f := func(name string) string { return v.Get(fmt.Sprintf("%s_%d", name, i)) }
		label := strings.TrimSpace(f("label"))
		if label == "" || f("remove") == "1" {
			continue
		}
		si, ok := secIdx[f("sec")]
		if !ok {
			continue
		}
		it := domain.AuditItem{Key: f("key"), Label: label, Type: f("type"), Mandatory: f("mandatory") == "1"}
		if it.Key == "" {
			it.Key = uniqueKey(label, func(k string) bool { return used[k] })
		}
		used[it.Key] = true
		it.Weight = num(fmt.Sprintf("weight_%d", i), label, 1)
		it.PassAt = num(fmt.Sprintf("passat_%d", i), label, 0) / 100
		switch it.Type {
		case domain.AnswerOptions:
			old, _ := findItem(cur, it.Key)
			it.Options = parseOptions(f("options"), old.Options, func(line string) { bad = append(bad, label+": "+tr("tpl.bad_option")+" ("+line+")") })
		case domain.AnswerScale:
			it.Points = num(fmt.Sprintf("points_%d", i), label, 0)
			it.Max = int(num(fmt.Sprintf("max_%d", i), label, 0))
		default:
			it.Points = num(fmt.Sprintf("points_%d", i), label, 0)
		}
		t.Sections[si].Items = append(t.Sections[si].Items, it)
	}
	// Sections left without items are dropped.
	kept := t.Sections[:0]
	for _, sec := range t.Sections {
		if len(sec.Items) > 0 {
			kept = append(kept, sec)
		}
	}
	t.Sections = kept
	for j := 0; j < 10; j++ {
		label := strings.TrimSpace(v.Get(fmt.Sprintf("band_label_%d", j)))
		if label == "" {
			continue
		}
		t.Bands = append(t.Bands, domain.PredicateBand{Label: label, MinPercent: num(fmt.Sprintf("band_min_%d", j), label, -1)})
	}
	sort.SliceStable(t.Bands, func(a, b int) bool { return t.Bands[a].MinPercent > t.Bands[b].MinPercent })
	// The mapping of a regime the form did not offer (not loaded here) is
	// kept; an offered one set to none is removed.
	for regime, ind := range cur.KLA {
		t.KLA[regime] = ind
	}
	for k, vals := range v {
		if regime, ok := strings.CutPrefix(k, "kla_"); ok && len(vals) > 0 {
			if vals[0] == "" {
				delete(t.KLA, regime)
			} else {
				t.KLA[regime] = vals[0]
			}
		}
	}
	return t, bad
}

// parseOptions reads "label = points" lines; a label seen in old keeps
// its key.
func parseOptions(text string, old []domain.AuditOption, bad func(string)) []domain.AuditOption {
	keyOf := map[string]string{}
	for _, o := range old {
		keyOf[o.Label] = o.Key
	}
	used := map[string]bool{}
	var out []domain.AuditOption
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.LastIndex(line, "=")
		if i < 0 {
			bad(line)
			continue
		}
		label := strings.TrimSpace(line[:i])
		pts, err := kla.ParseNumber(strings.TrimSpace(line[i+1:]))
		if err != nil || label == "" {
			bad(line)
			continue
		}
		key := keyOf[label]
		if key == "" || used[key] {
			key = uniqueKey(label, func(k string) bool { return used[k] })
		}
		used[key] = true
		out = append(out, domain.AuditOption{Key: key, Label: label, Points: pts})
	}
	return out
}

// uniqueKey makes a key from a label (lower-case letters and digits joined
// by _), not taken.
func uniqueKey(label string, taken func(string) bool) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(label) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			us = false
		} else if !us && b.Len() > 0 {
			b.WriteByte('_')
			us = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	base := strings.Trim(b.String(), "_")
	if base == "" {
		base = "butir"
	}
	key := base
	for n := 2; taken(key); n++ {
		key = base + "_" + strconv.Itoa(n)
	}
	return key
}
