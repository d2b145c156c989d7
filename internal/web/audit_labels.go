package web

import (
	"net/http"
	"sort"
	"strings"

	"lindu/internal/i18n"
	"lindu/internal/kla"
)

// The audit log stores each action as a code ("auth.login",
// "case.view_personal") and its detail as "key=value" words; the pages
// show both as words in the reader's language. The labels live in the
// catalogue (locales/*/auditlog.txt): auditlog.action.<code> for each
// action, auditlog.family.<first part> for the filter's groups,
// auditlog.detail.<key> and auditlog.value.<word> for details, and
// auditlog.object.<type> for the kind of object. The catalogue is the one
// list of actions: the filter offers its keys, and a test checks that
// every action written by the code has a label in both languages.

const auditActionKey = "auditlog.action."

// auditDynamic lists the actions the code writes as a prefix and a
// variable part ("case.add_"+kind); each has a label of its own for an
// unknown part.
var auditDynamic = []string{"case.add_", "case.remove_", "case.search_", "kla.value.", "stay."}

// AuditAction is the sentence for an audit action code ("Masuk" for
// auth.login); an unknown code is shown as its family and its words.
func (b Base) AuditAction(code string) string { return auditActionLabel(b.Lang, code) }

func auditActionLabel(lang, code string) string {
	if i18n.Has(lang, auditActionKey+code) || i18n.Has(i18n.Default, auditActionKey+code) {
		return i18n.T(lang, auditActionKey+code)
	}
	for _, p := range auditDynamic {
		if strings.HasPrefix(code, p) {
			return i18n.T(lang, auditActionKey+p)
		}
	}
	fam, rest, _ := strings.Cut(code, ".")
	if k := "auditlog.family." + fam; i18n.Has(i18n.Default, k) {
		return i18n.T(lang, k) + ": " + humanWords(rest)
	}
	return humanWords(code)
}

// humanWords turns a code into plain words ("view_personal" → "view
// personal"), for codes the catalogue does not know.
func humanWords(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' }), " ")
}

// AuditObject is the kind of an audit entry's object in words.
func (b Base) AuditObject(t string) string {
	if t == "" {
		return ""
	}
	if k := "auditlog.object." + t; i18n.Has(i18n.Default, k) {
		return b.T(k)
	}
	return humanWords(t)
}

// AuditDetail renders an audit detail ("factor=password",
// "fields=summary,victims", "change=… fields=victim.name") in words:
// each key by its label, each known value word by its translation, other
// values (identifiers, numbers, dates) as they are.
func (b Base) AuditDetail(detail string) string { return auditDetailText(b.Lang, detail, nil) }

// auditNames are the names of what details refer to by code, by detail
// key ("agency" → "dinkes" → "Dinas Kesehatan").
type auditNames map[string]map[string]string

// loadAuditNames reads the names details may need: the KLA agencies.
func (s *Server) loadAuditNames(r *http.Request) (auditNames, error) {
	ags, err := kla.Agencies(r.Context(), s.st)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, a := range ags {
		m[a.Code] = a.Name
	}
	return auditNames{"agency": m}, nil
}

// AuditDetail on the log's page names agencies.
func (p AuditPage) AuditDetail(detail string) string { return auditDetailText(p.Lang, detail, p.names) }

// AuditDetail in the recent activity names agencies.
func (p DashboardPage) AuditDetail(detail string) string {
	return auditDetailText(p.Lang, detail, p.auditNames)
}

func auditDetailText(lang, detail string, names auditNames) string {
	var parts []string
	var free []string
	flush := func() {
		if len(free) > 0 {
			parts = append(parts, strings.Join(free, " "))
			free = nil
		}
	}
	for _, tok := range strings.Fields(detail) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok || k == "" || strings.ContainsAny(k, "/:") {
			free = append(free, auditWords(lang, tok, false))
			continue
		}
		flush()
		label := humanWords(k)
		if key := "auditlog.detail." + k; i18n.Has(i18n.Default, key) {
			label = i18n.T(lang, key)
		}
		switch {
		case k == "filter":
			v = auditFilterWords(lang, v)
		case k == "role" && i18n.Has(i18n.Default, "role."+v):
			v = i18n.T(lang, "role."+v)
		case names[k][v] != "":
			v = names[k][v]
		default:
			v = auditWords(lang, v, true)
		}
		parts = append(parts, label+": "+v)
	}
	flush()
	return strings.Join(parts, "; ")
}

// auditWords translates the words of a value: lists ("a,b", when lists
// is set: the value of a key), changes ("open->closed") and dotted field
// names ("victim.name") word by word; what the catalogue does not know
// stays as written, without underscores.
func auditWords(lang, v string, lists bool) string {
	word := func(w string) string {
		if w == "" {
			return w
		}
		if k := "auditlog.value." + w; i18n.Has(i18n.Default, k) {
			return i18n.T(lang, k)
		}
		lw := strings.ToLower(strings.TrimRight(w, ",;:"))
		if k := "auditlog.value." + lw; lw != w && i18n.Has(i18n.Default, k) {
			return i18n.T(lang, k) + w[len(lw):]
		}
		if strings.ContainsAny(w, "_") && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz_") == "" {
			return strings.ReplaceAll(w, "_", " ")
		}
		return w
	}
	var out []string
	for _, change := range strings.Split(v, "->") {
		items := []string{change}
		if lists {
			items = strings.Split(change, ",")
		}
		for i, it := range items {
			if k := "auditlog.value." + it; i18n.Has(i18n.Default, k) {
				items[i] = i18n.T(lang, k)
				continue
			}
			segs := strings.Split(it, ".")
			if len(segs) > 1 && strings.Trim(it, "abcdefghijklmnopqrstuvwxyz_.") == "" {
				for j, s := range segs {
					segs[j] = word(s)
				}
				items[i] = strings.Join(segs, " ")
				continue
			}
			items[i] = word(it)
		}
		out = append(out, strings.Join(items, ", "))
	}
	return strings.Join(out, " → ")
}

// auditFilterWords renders an export's filter ("status=open&due=overdue").
func auditFilterWords(lang, v string) string {
	if v == "" {
		return "—"
	}
	var parts []string
	for _, kv := range strings.Split(v, "&") {
		k, val, _ := strings.Cut(kv, "=")
		label := humanWords(k)
		if key := "auditlog.detail." + k; i18n.Has(i18n.Default, key) {
			label = i18n.T(lang, key)
		}
		parts = append(parts, label+" "+auditWords(lang, val, true))
	}
	return strings.Join(parts, ", ")
}

// AuditActionGroup is one family of actions in the log's filter.
type AuditActionGroup struct {
	Label   string
	Prefix  string // the whole family: "case."
	Actions []AuditActionOption
}

// AuditActionOption is one action the filter offers.
type AuditActionOption struct{ Code, Label string }

// auditActionCodes lists the actions that have a label, sorted (the
// labels of a dynamic family's prefix are left out: their actions are
// listed one by one).
func auditActionCodes() []string {
	var out []string
	for _, k := range i18n.Keys(i18n.Default) {
		code, ok := strings.CutPrefix(k, auditActionKey)
		if !ok || strings.HasSuffix(code, ".") || strings.HasSuffix(code, "_") {
			continue
		}
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// auditExact reports whether code is a whole action (not a family) that
// is also the prefix of another action ("auth.login" of
// "auth.login_failed"): the store matches prefixes, so such a choice is
// narrowed after reading.
func auditExact(code string) bool {
	if code == "" || strings.HasSuffix(code, ".") {
		return false
	}
	for _, c := range auditActionCodes() {
		if c != code && strings.HasPrefix(c, code) {
			return true
		}
	}
	return false
}

// ActionGroups lists the filter's choices: every family, each with its
// actions, labelled in the reader's language.
func (p AuditPage) ActionGroups() []AuditActionGroup {
	var out []AuditActionGroup
	idx := map[string]int{}
	for _, c := range auditActionCodes() {
		fam, _, _ := strings.Cut(c, ".")
		i, ok := idx[fam]
		if !ok {
			label := fam
			if k := "auditlog.family." + fam; i18n.Has(i18n.Default, k) {
				label = p.T(k)
			}
			out = append(out, AuditActionGroup{Label: label, Prefix: fam + "."})
			i = len(out) - 1
			idx[fam] = i
		}
		out[i].Actions = append(out[i].Actions, AuditActionOption{Code: c, Label: p.AuditAction(c)})
	}
	for i := range out {
		sort.SliceStable(out[i].Actions, func(a, b int) bool { return out[i].Actions[a].Label < out[i].Actions[b].Label })
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Label < out[b].Label })
	return out
}

// ActionKnown reports whether the chosen action is one of the filter's
// choices (an action typed into the address is offered as it is).
func (p AuditPage) ActionKnown() bool {
	if p.Action == "" {
		return true
	}
	for _, g := range p.ActionGroups() {
		if g.Prefix == p.Action {
			return true
		}
		for _, a := range g.Actions {
			if a.Code == p.Action {
				return true
			}
		}
	}
	return false
}
