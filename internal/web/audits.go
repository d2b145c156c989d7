package web

import (
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// Children's forum audits (/audit: facilities, planning, answering on a
// phone, the result and the printable report) and their actions for the
// agencies (/tindak-lanjut). The audits area decides who may do what.

func (s *Server) auditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /audit-anak", s.staff(s.auditsHome))
	mux.HandleFunc("POST /audit-anak/fasilitas", s.staff(s.facilityCreate))
	mux.HandleFunc("POST /audit-anak/rencana", s.staff(s.auditPlan))
	mux.HandleFunc("GET /audit-anak/ekspor.csv", s.staff(s.auditsExport("csv")))
	mux.HandleFunc("GET /audit-anak/ekspor.xlsx", s.staff(s.auditsExport("xlsx")))
	mux.HandleFunc("GET /audit-anak/{id}", s.staff(s.auditShow))
	mux.HandleFunc("POST /audit-anak/{id}/jawaban", s.auditBody(s.staff(s.auditAnswers)))
	mux.HandleFunc("GET /audit-anak/{id}/foto/{photo}", s.staff(s.auditPhoto))
	mux.HandleFunc("GET /templat-audit/{kind}", s.staff(s.auditTemplatePage))
	mux.HandleFunc("POST /templat-audit/{kind}", s.staff(s.auditTemplateSave))
	mux.HandleFunc("GET /audit-anak/{id}/laporan", s.staff(s.auditReport))
	mux.HandleFunc("GET /tindak-lanjut", s.staff(s.actionsPage))
	mux.HandleFunc("POST /tindak-lanjut/{id}/jawab", s.staff(s.actionRespond))
	mux.HandleFunc("POST /tindak-lanjut/{id}/tutup", s.staff(s.actionOverride))
}

// AuditsPage is /audit.
type AuditsPage struct {
	Base
	kit
	Facilities []audits.FacilityRow
	Audits     []audits.AuditRow
	Agencies   []FormOption
	FacOptions []FormOption
	CanRun     bool
	Today      string
}

// FacilityKinds are the facility form's choices.
func (AuditsPage) FacilityKinds() []string { return domain.FacilityKinds }

func (s *Server) auditsHome(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audits.title")
	s.auditsRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) auditsRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	au := audits.New(s.st)
	p := AuditsPage{Base: b, kit: k, CanRun: b.Scope.Can(domain.PermRunAudits), Today: s.now().In(b.Zone).Format("2006-01-02")}
	var err error
	if p.Facilities, err = au.ListFacilities(r.Context(), b.Scope); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Audits, err = au.ListAudits(r.Context(), b.Scope, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, f := range p.Facilities {
		p.FacOptions = append(p.FacOptions, FormOption{Value: f.ID, Label: f.Name})
	}
	if ags, err := kla.Agencies(r.Context(), s.st); err == nil {
		for _, a := range ags {
			if a.Kind == "opd" {
				p.Agencies = append(p.Agencies, FormOption{Value: a.Code, Label: a.Name})
			}
		}
	}
	s.render(w, r, status, "audits", p)
}

func (s *Server) auditsFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "audits.title", form, err, func(b Base, k kit, status int) { s.auditsRender(w, r, b, k, status) })
}

func (s *Server) facilityCreate(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	f := domain.Facility{Kind: v("kind"), Name: v("name"), RegionCode: strings.TrimSpace(v("region_code")), Agency: v("agency"), Location: v("location")}
	if _, err := audits.New(s.st).CreateFacility(r.Context(), principalOf(r).Scope, f); err != nil {
		s.auditsFailed(w, r, "facility", err)
		return
	}
	http.Redirect(w, r, withOK("/audit-anak", "facility_created"), http.StatusSeeOther)
}

// auditPlan reads the team as lines "Nama, umur" under one forum.
func (s *Server) auditPlan(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	var team []audits.TeamMember
	for _, line := range strings.Split(v("team"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, ageText, _ := strings.Cut(line, ",")
		age, _ := strconv.Atoi(strings.TrimSpace(ageText))
		team = append(team, audits.TeamMember{FirstName: strings.TrimSpace(name), Age: age, Forum: v("forum")})
	}
	a, err := audits.New(s.st).PlanAudit(r.Context(), principalOf(r).Scope, v("facility_id"), v("planned_on"), team, v("recheck_of"))
	if err != nil {
		s.auditsFailed(w, r, "plan", err)
		return
	}
	http.Redirect(w, r, withOK("/audit-anak/"+a.ID, "audit_planned"), http.StatusSeeOther)
}

// FacilityAuditPage is one audit: the answering form, or the result.
type FacilityAuditPage struct {
	Base
	kit
	A        audits.Audit
	Tpl      domain.AuditTemplate
	Answers  map[string]audits.Answer
	CanRun   bool
	Findings map[string]bool
	Actions  []audits.Action
	Photos   map[string][]audits.Photo // by item; only for those who run audits
	History  []audits.AuditRow         // the facility's submitted audits, latest first
}

// Ratings are the children's emoji scale.
func (FacilityAuditPage) Ratings() []int { return []int{1, 2, 3, 4, 5} }

// Emoji is a rating's face.
func (FacilityAuditPage) Emoji(n int) string {
	return map[int]string{1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😀"}[n]
}

// Yes reports the item's yes/no answer: "yes", "no" or "".
func (p FacilityAuditPage) Yes(item string) string {
	a := p.Answers[item]
	if a.Yes == nil {
		return ""
	}
	if *a.Yes {
		return "yes"
	}
	return "no"
}

// ValueOf is a scale answer as text.
func (p FacilityAuditPage) ValueOf(item string) string {
	if v := p.Answers[item].Value; v != nil {
		return strconv.Itoa(*v)
	}
	return ""
}

// Label of an item key.
func (p FacilityAuditPage) Label(item string) string {
	for _, sec := range p.Tpl.Sections {
		for _, it := range sec.Items {
			if it.Key == item {
				return it.Label
			}
		}
	}
	return item
}

// SectionLabel of a section key.
func (p FacilityAuditPage) SectionLabel(key string) string {
	for _, sec := range p.Tpl.Sections {
		if sec.Key == key {
			return sec.Label
		}
	}
	return key
}

// Pct writes a percentage the Indonesian way ("57,5 %").
func (kit) Pct(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1) + " %"
}

func (s *Server) auditLoad(w http.ResponseWriter, r *http.Request, b Base) (FacilityAuditPage, bool) {
	au := audits.New(s.st)
	a, err := au.GetAudit(r.Context(), b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return FacilityAuditPage{}, false
	}
	t, err := au.Template(r.Context(), a.Kind, a.TemplateVersion)
	if err != nil {
		s.fail(w, r, err)
		return FacilityAuditPage{}, false
	}
	p := FacilityAuditPage{Base: b, kit: s.kit(b), A: a, Tpl: t, Answers: map[string]audits.Answer{}, CanRun: b.Scope.Can(domain.PermRunAudits),
		Findings: map[string]bool{}}
	for _, x := range a.Answers {
		p.Answers[x.Item] = x
	}
	if a.Score != nil {
		for _, k := range a.Score.Findings {
			p.Findings[k] = true
		}
	}
	if acts, err := au.Actions(r.Context(), b.Scope, ""); err == nil {
		for _, x := range acts {
			if x.AuditID == a.ID {
				p.Actions = append(p.Actions, x)
			}
		}
	}
	photos, err := au.Photos(r.Context(), b.Scope, a.ID)
	if err != nil {
		s.fail(w, r, err)
		return FacilityAuditPage{}, false
	}
	p.Photos = map[string][]audits.Photo{}
	for _, x := range photos {
		p.Photos[x.Item] = append(p.Photos[x.Item], x)
	}
	hist, err := au.ListAudits(r.Context(), b.Scope, a.FacilityID)
	if err != nil {
		s.fail(w, r, err)
		return FacilityAuditPage{}, false
	}
	for _, x := range hist {
		if x.Status == audits.AuditSubmitted {
			p.History = append(p.History, x)
		}
	}
	return p, true
}

// AuditAgencies is the dashboards' table of the agencies' audit actions
// (templates/audit_agencies.html).
type AuditAgencies struct {
	Base
	kit
	Rows []audits.AgencyActions
}

// auditAgencies reads the table for region ("" the user's); an error
// leaves it out of the page rather than failing the dashboard.
func (s *Server) auditAgencies(r *http.Request, b Base, region string) (AuditAgencies, error) {
	rows, err := audits.New(s.st).ActionsByAgency(r.Context(), b.Scope, region)
	if domain.CodeOf(err) == domain.EForbidden {
		err = nil
	}
	return AuditAgencies{Base: b, kit: s.kit(b), Rows: rows}, err
}

// AuditLink is a link to a passed audit offered as KLA evidence.
type AuditLink struct{ Href, Text string }

// AuditLinks describes passed children's audits offered as KLA evidence.
func (b Base) AuditLinks(ev []audits.Evidence) []AuditLink {
	out := make([]AuditLink, len(ev))
	for i, e := range ev {
		out[i] = AuditLink{Href: "/audit-anak/" + e.AuditID, Text: b.T("kla.audit_evidence_item", e.FacilityName, e.Predicate, kit{}.Day(e.PlannedOn))}
	}
	return out
}

// PhotoItems lists the items with photos in template order.
func (p FacilityAuditPage) PhotoItems() []string {
	var out []string
	for _, sec := range p.Tpl.Sections {
		for _, it := range sec.Items {
			if len(p.Photos[it.Key]) > 0 {
				out = append(out, it.Key)
			}
		}
	}
	return out
}

// auditBodyMax bounds the answering form: its fields and a few photos.
const auditBodyMax = 6*audits.MaxPhoto + 1<<20

// auditBody bounds and parses the answering form (URL-encoded, or
// multipart with photos) before the staff wrapper checks its CSRF token:
// a body over the limit is answered with the form saying so, and nothing
// is stored.
func (s *Server) auditBody(h http.HandlerFunc) http.HandlerFunc {
	return s.boundedForm(auditBodyMax, h, func(w http.ResponseWriter, r *http.Request) {
		s.auditFailed(w, r, domain.E(domain.ETooLarge, "audit.err.form_large", auditBodyMax>>20))
	})
}

// auditPhoto serves a photo of an answer (inline, never cached).
func (s *Server) auditPhoto(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audits.audit_title")
	p, data, err := audits.New(s.st).GetPhoto(r.Context(), b.Scope, r.PathValue("id"), r.PathValue("photo"))
	s.servePhoto(w, r, p.MimeType, data, err)
}

func (s *Server) auditShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audits.audit_title")
	p, ok := s.auditLoad(w, r, b)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "facility_audit", p)
}

func (s *Server) auditReport(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "audits.report_title")
	p, ok := s.auditLoad(w, r, b)
	if !ok {
		return
	}
	if p.A.Score == nil {
		s.fail(w, r, domain.NotFound("report"))
		return
	}
	s.render(w, r, http.StatusOK, "audit_report", p)
}

// auditAnswers saves the form's answers as a draft, and submits them
// when asked.
func (s *Server) auditAnswers(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b := s.base(w, r, "audits.audit_title")
	au := audits.New(s.st)
	a, err := au.GetAudit(r.Context(), b.Scope, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := au.Template(r.Context(), a.Kind, a.TemplateVersion)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var answers []audits.Answer
	for _, sec := range t.Sections {
		for _, it := range sec.Items {
			v := r.PostFormValue("a_" + it.Key)
			an := audits.Answer{AuditAnswer: domain.AuditAnswer{Item: it.Key, Note: r.PostFormValue("n_" + it.Key)}}
			an.ChildRating, _ = strconv.Atoi(r.PostFormValue("c_" + it.Key))
			switch {
			case v == "na":
				an.NA = true
			case v == "":
			case it.Type == domain.AnswerYesNo:
				y := v == "yes"
				an.Yes = &y
			case it.Type == domain.AnswerOptions:
				an.Option = v
			case it.Type == domain.AnswerScale:
				if n, err := strconv.Atoi(v); err == nil {
					an.Value = &n
				}
			}
			if an.Answered() || an.ChildRating > 0 || an.Note != "" {
				answers = append(answers, an)
			}
		}
	}
	sc := principalOf(r).Scope
	// Photos are checked before anything is saved: a refused photo leaves
	// the draft as it was.
	type upload struct {
		item string
		data []byte
	}
	var photos []upload
	if r.MultipartForm != nil {
		for _, sec := range t.Sections {
			for _, it := range sec.Items {
				for _, fh := range r.MultipartForm.File["p_"+it.Key] {
					if fh.Size == 0 {
						continue
					}
					data, err := readFormFile(fh, audits.MaxPhoto)
					if err != nil {
						s.fail(w, r, err)
						return
					}
					if err := audits.CheckPhoto(it.Key, data); err != nil {
						s.auditFailed(w, r, err)
						return
					}
					photos = append(photos, upload{it.Key, data})
				}
			}
		}
	}
	for _, pid := range r.PostForm["del_photo"] {
		if err := au.DeletePhoto(r.Context(), sc, id, pid); err != nil {
			s.auditFailed(w, r, err)
			return
		}
	}
	if err := au.SaveAnswers(r.Context(), sc, id, answers); err != nil {
		s.auditFailed(w, r, err)
		return
	}
	for _, x := range photos {
		if _, err := au.AddPhoto(r.Context(), sc, id, x.item, x.data); err != nil {
			s.auditFailed(w, r, err)
			return
		}
	}
	if r.PostFormValue("submit") == "1" {
		if _, err := au.Submit(r.Context(), sc, id); err != nil {
			s.auditFailed(w, r, err)
			return
		}
		http.Redirect(w, r, withOK("/audit-anak/"+id, "audit_submitted"), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withOK("/audit-anak/"+id, "audit_saved"), http.StatusSeeOther)
}

func (s *Server) auditFailed(w http.ResponseWriter, r *http.Request, err error) {
	b := s.base(w, r, "audits.audit_title")
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		p, ok := s.auditLoad(w, r, b)
		if !ok {
			return
		}
		s.render(w, r, status, "facility_audit", p)
		return
	}
	if e, ok := domain.AsError(err); ok && e.Code == domain.ETooLarge {
		b.Error = httpx.ErrorText(b.Lang, e)
		p, ok := s.auditLoad(w, r, b)
		if !ok {
			return
		}
		s.render(w, r, http.StatusRequestEntityTooLarge, "facility_audit", p)
		return
	}
	if f, ok := formErrors(err); ok {
		b.Error = b.T("audits.answers_invalid")
		for k, m := range f {
			if strings.HasPrefix(k, "photo.") {
				b.Error = httpx.Text(b.Lang, m)
			}
		}
		p, ok := s.auditLoad(w, r, b)
		if !ok {
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "facility_audit", p)
		return
	}
	s.fail(w, r, err)
}

// ActionsPage is /tindak-lanjut.
type ActionsPage struct {
	Base
	kit
	Actions    []audits.Action
	CanRun     bool
	CanRespond bool
}

func (s *Server) actionsPage(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "actions.title")
	s.actionsRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) actionsRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	acts, err := audits.New(s.st).Actions(r.Context(), b.Scope, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "actions", ActionsPage{Base: b, kit: k, Actions: acts, CanRun: b.Scope.Can(domain.PermRunAudits),
		CanRespond: b.Scope.Can(domain.PermAnswerActions)})
}

func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "actions.title", form, err, func(b Base, k kit, status int) { s.actionsRender(w, r, b, k, status) })
}

func (s *Server) actionRespond(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := audits.New(s.st).Respond(r.Context(), principalOf(r).Scope, id, r.PostFormValue("response")); err != nil {
		s.actionFailed(w, r, "respond-"+id, err)
		return
	}
	http.Redirect(w, r, withOK("/tindak-lanjut", "action_answered"), http.StatusSeeOther)
}

func (s *Server) actionOverride(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := audits.New(s.st).Override(r.Context(), principalOf(r).Scope, id, r.PostFormValue("reason")); err != nil {
		s.actionFailed(w, r, "close-"+id, err)
		return
	}
	http.Redirect(w, r, withOK("/tindak-lanjut", "action_closed"), http.StatusSeeOther)
}

// ActionFor is the action a finding became, or nil.
func (p FacilityAuditPage) ActionFor(item string) *audits.Action {
	for i := range p.Actions {
		if p.Actions[i].Item == item {
			return &p.Actions[i]
		}
	}
	return nil
}

// auditsExport writes the region's audits and actions (no child's name,
// school or phone: the team is not exported).
func (s *Server) auditsExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "audits.title")
		au := audits.New(s.st)
		rows, err := au.ListAudits(r.Context(), b.Scope, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		acts, err := au.Actions(r.Context(), b.Scope, "")
		if err != nil && domain.CodeOf(err) != domain.EForbidden {
			s.fail(w, r, err)
			return
		}
		k := s.kit(b)
		sheets := []kla.Sheet{
			{Name: b.T("audits.list"), Header: []string{b.T("audits.facility"), b.T("audits.planned_on"), b.T("audits.status"), b.T("audits.template_version"),
				b.T("audits.score"), b.T("audits.predicate"), b.T("audits.children_view")}},
			{Name: b.T("audits.actions"), Header: []string{b.T("audits.facility"), b.T("audits.finding"), b.T("audits.agency"), b.T("audits.due_col"),
				b.T("audits.status"), b.T("actions.response")}},
		}
		for _, x := range rows {
			pct, kids := "", ""
			if x.Status == audits.AuditSubmitted {
				pct, kids = strconv.FormatFloat(x.Percent, 'f', 2, 64), strconv.FormatFloat(x.ChildrenPercent, 'f', 2, 64)
			}
			sheets[0].Rows = append(sheets[0].Rows, []string{x.FacilityName, x.PlannedOn, k.Lbl("audstatus", x.Status),
				strconv.Itoa(x.TemplateVersion), pct, x.Predicate, kids})
		}
		for _, x := range acts {
			sheets[1].Rows = append(sheets[1].Rows, []string{x.FacilityName, x.Label, x.AgencyName, x.DueOn, k.Lbl("acstatus", x.Status), x.Response})
		}
		name := "audit-forum-anak-" + s.now().In(b.Zone).Format("2006-01-02")
		w.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			all := append([][]string{{sheets[0].Name}, sheets[0].Header}, sheets[0].Rows...)
			all = append(all, []string{}, []string{sheets[1].Name}, sheets[1].Header)
			all = append(all, sheets[1].Rows...)
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			_, _ = w.Write(kla.WriteCSV(all[0], all[1:]))
			return
		}
		data, err := kla.WriteXLSX(sheets)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		_, _ = w.Write(data)
	}
}
