package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/i18n"
)

// kit holds what the report, case, team and notification pages share:
// labels of the domain's enumerations, public codes, deadline markers, and
// the state of a posted form. A page with several forms shows errors and
// the user's input only in the form that was sent (which).
type kit struct {
	lang   string
	now    time.Time
	zone   *time.Location
	which  string            // the form that was posted
	posted url.Values        // its values
	errs   map[string]string // its field errors, translated
}

func (s *Server) kit(b Base) kit {
	z := b.Zone
	if z == nil {
		z = domain.WIB
	}
	return kit{lang: b.Lang, now: s.now().UTC(), zone: z}
}

func (k kit) tr(key string, args ...any) string { return i18n.T(k.lang, key, args...) }

// Lbl is the translated label of v in an enumeration family
// ("cstatus", "prio", "vtype", ...); "—" for an empty value.
func (k kit) Lbl(family string, v any) string {
	s := fmt.Sprint(v)
	if s == "" {
		return "—"
	}
	key := family + "." + s
	if t := k.tr(key); t != key {
		return t
	}
	return s
}

// TypeList joins translated violence types.
func (k kit) TypeList(ts []domain.ViolenceType) string {
	if len(ts) == 0 {
		return "—"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = k.Lbl("vtype", t)
	}
	return strings.Join(parts, ", ")
}

// PubCode shows a public code in groups of three.
func (k kit) PubCode(c string) string { return domain.FormatPublicCode(c) }

// Today is the local date, for date inputs.
func (k kit) Today() string { return k.now.In(k.zone).Format("2006-01-02") }

// AgeText shows an age in years, or "unknown".
func (k kit) AgeText(a *int) string {
	if a == nil {
		return k.tr("case.age_unknown")
	}
	return k.tr("case.age_years", *a)
}

// SexText shows L, P or unknown.
func (k kit) SexText(s domain.Sex) string {
	if s == "" {
		return k.tr("sex.unknown")
	}
	return k.Lbl("sex", s)
}

// DueState says whether a deadline has passed ("overdue"), is within two
// hours ("soon"), or neither ("").
func (k kit) DueState(t *time.Time) string {
	switch {
	case t == nil:
		return ""
	case t.Before(k.now):
		return "overdue"
	case t.Sub(k.now) < 2*time.Hour:
		return "soon"
	}
	return ""
}

// Enumerations as strings, for selects and checkboxes.
func (kit) VTypes() []string          { return strs(domain.ViolenceTypes) }
func (kit) Prios() []string           { return strs(domain.Priorities) }
func (kit) Sexes() []string           { return []string{string(domain.SexFemale), string(domain.SexMale)} }
func strs[T ~string](xs []T) []string { return stringsOf(xs) }

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// FErr is the error of field name in form, if that form was posted.
func (k kit) FErr(form, name string) string {
	if k.which != form {
		return ""
	}
	return k.errs[name]
}

// FVal is the posted value of a field of form, or def.
func (k kit) FVal(form, name, def string) string {
	if k.which != form || k.posted == nil {
		return def
	}
	return k.posted.Get(name)
}

// FChk reports whether a checkbox value was posted in form.
func (k kit) FChk(form, name, value string) bool {
	if k.which != form || k.posted == nil {
		return false
	}
	for _, v := range k.posted[name] {
		if v == value {
			return true
		}
	}
	return false
}

// withForm records the posted form and its translated errors on the kit
// and on the base (the region picker reads Base.Fields).
func (k *kit) withForm(b *Base, which string, posted url.Values, fields domain.FieldErrors) {
	k.which, k.posted = which, posted
	k.errs = translateFields(*b, fields)
	b.Fields = k.errs
	if len(fields) > 0 {
		b.Error = b.T("form.fix_fields")
	}
}

// ---- form fields rendered from templates/form_fields.html ----

// fieldTpl renders the form controls shared by these pages.
var fieldTpl = template.Must(template.ParseFS(templateFS, "templates/form_fields.html"))

// FormField is one form control.
type FormField struct {
	ID, Name, Label, Hint, Value, Error, Type, Mode, Auto, Pattern string
	Required, Multiline, Wide                                      bool
	Rows, Max                                                      int
	Options                                                        []FormOption
	Empty                                                          string // label of the empty choice of a select
}

// FormOption is a choice of a select, radio group or checkbox group.
type FormOption struct {
	ID, Value, Label string
	Selected         bool
}

// Describe is the aria-describedby of a control.
func (f FormField) Describe() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-err")
	}
	return strings.Join(ids, " ")
}

// field builds a control from options "type=", "hint=<key>", "def=",
// "mode=", "auto=", "rows=", "max=", "pattern=", "empty=<key>", "req", "wide".
func (k kit) field(form, id, name, label string, opts []string) FormField {
	f := FormField{ID: id, Name: name, Label: k.tr(label), Type: "text", Error: k.FErr(form, name)}
	def := ""
	for _, o := range opts {
		key, val, _ := strings.Cut(o, "=")
		switch key {
		case "type":
			f.Type = val
		case "hint":
			f.Hint = k.tr(val)
		case "def":
			def = val
		case "mode":
			f.Mode = val
		case "auto":
			f.Auto = val
		case "rows":
			f.Rows, _ = strconv.Atoi(val)
		case "max":
			f.Max, _ = strconv.Atoi(val)
		case "pattern":
			f.Pattern = val
		case "empty":
			f.Empty = k.tr(val)
		case "req":
			f.Required = true
		case "wide":
			f.Wide = true
		}
	}
	f.Value = k.FVal(form, name, def)
	return f
}

func renderField(name string, data any) template.HTML {
	var buf bytes.Buffer
	if err := fieldTpl.ExecuteTemplate(&buf, name, data); err != nil {
		return template.HTML("<!-- field: " + template.HTMLEscapeString(err.Error()) + " -->")
	}
	return template.HTML(buf.String())
}

// Input renders a labelled input with its hint and error.
func (k kit) Input(form, id, name, label string, opts ...string) template.HTML {
	return renderField("f_input", k.field(form, id, name, label, opts))
}

// Textarea renders a labelled textarea.
func (k kit) Textarea(form, id, name, label string, opts ...string) template.HTML {
	f := k.field(form, id, name, label, opts)
	if f.Rows == 0 {
		f.Rows = 4
	}
	return renderField("f_textarea", f)
}

// Select renders a labelled select of the values of an enumeration family.
func (k kit) Select(form, id, name, label, family string, values []string, opts ...string) template.HTML {
	f := k.field(form, id, name, label, opts)
	for _, v := range values {
		f.Options = append(f.Options, FormOption{Value: v, Label: k.Lbl(family, v), Selected: v == f.Value})
	}
	return selectHTML(f)
}

// Choices renders a select of ready-made options (teams, people).
func (k kit) Choices(form, id, name, label string, options []FormOption, opts ...string) template.HTML {
	f := k.field(form, id, name, label, opts)
	for _, o := range options {
		o.Selected = o.Value == f.Value
		f.Options = append(f.Options, o)
	}
	return selectHTML(f)
}

// Radios renders a radio group (a fieldset) of an enumeration family.
func (k kit) Radios(form, id, name, legend, family string, values []string, opts ...string) template.HTML {
	f := k.field(form, id, name, legend, opts)
	if f.Empty != "" {
		f.Options = append(f.Options, FormOption{ID: id + "-none", Value: "", Label: f.Empty, Selected: f.Value == ""})
	}
	for _, v := range values {
		f.Options = append(f.Options, FormOption{ID: id + "-" + v, Value: v, Label: k.Lbl(family, v), Selected: v == f.Value})
	}
	return renderField("f_radios", f)
}

// Checks renders a checkbox group (a fieldset) of an enumeration family;
// checked holds the values to tick when the form was not posted.
func (k kit) Checks(form, id, name, legend, family string, values []string, checked ...string) template.HTML {
	f := k.field(form, id, name, legend, nil)
	on := map[string]bool{}
	if k.which == form {
		for _, v := range k.posted[name] {
			on[v] = true
		}
	} else {
		for _, v := range checked {
			on[v] = true
		}
	}
	for _, v := range values {
		f.Options = append(f.Options, FormOption{ID: id + "-" + v, Value: v, Label: k.Lbl(family, v), Selected: on[v]})
	}
	return renderField("f_checks", f)
}

// ---- shared handler helpers ----

// formErrors splits a store error into field errors (EInvalid) or returns
// ok=false for anything else.
func formErrors(err error) (domain.FieldErrors, bool) {
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		return nil, false
	}
	f := e.Fields
	if len(f) == 0 {
		f = domain.FieldErrors{"_": e.Msg()}
	}
	return f, true
}

// pageFailed re-renders a page (render, titled title) after its form was
// refused: field errors next to the fields (422), a conflict or refusal
// saying why (409, 403); anything else is an error page.
func (s *Server) pageFailed(w http.ResponseWriter, r *http.Request, title, form string, err error, render func(b Base, k kit, status int)) {
	b := s.base(w, r, title)
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		k.withForm(&b, form, r.PostForm, f)
		render(b, k, http.StatusUnprocessableEntity)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		render(b, k, status)
		return
	}
	s.fail(w, r, err)
}

// actionMessage is the text of a conflict or refusal (its message key
// rendered in the user's language, or the generic text of its code) with
// its HTTP status; status 0 for any other error.
func actionMessage(b Base, err error) (string, int) {
	e, ok := domain.AsError(err)
	if !ok || (e.Code != domain.EConflict && e.Code != domain.EForbidden) {
		return "", 0
	}
	if k, ok := pageKeys[e.Key]; ok {
		e = domain.E(e.Code, k)
	}
	return httpx.ErrorText(b.Lang, e), httpx.StatusFor(e.Code)
}

// pageKeys are messages whose API text names the workflow's codes
// ("a case that is closed cannot become referred"); the pages say the same
// in words.
var pageKeys = map[string]string{"case.err.bad_transition": "msg.bad_transition"}

// parseAge reads an optional age. Input that is not a number becomes -1,
// which the case area refuses with its message for the field, together with
// every other mistake in the form.
func parseAge(v string) *int {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 999 {
		n = -1
	}
	return &n
}

// principal is the logged-in caller (the staff wrapper guarantees one).
func principalOf(r *http.Request) *httpx.Principal { return httpx.PrincipalFrom(r.Context()) }

// Posted reports whether form is the one that was sent.
func (k kit) Posted(form string) bool { return k.which == form }
