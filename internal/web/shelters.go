package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/shelters"
)

// Safe houses and institutions (/tempat: the registry, a place's page with
// its checklist, status, warnings and history) and a case's stays (the
// "Penempatan" part of the case's services tab). The shelters area
// decides who may do what.

func (s *Server) shelterRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /tempat", s.staff(s.placesList))
	mux.HandleFunc("POST /tempat", s.staff(s.placeCreate))
	mux.HandleFunc("GET /tempat/daftar-periksa", s.staff(s.checklistPage))
	mux.HandleFunc("POST /tempat/daftar-periksa", s.staff(s.checklistSave))
	mux.HandleFunc("GET /tempat/angka", s.staff(s.placeFigures("")))
	mux.HandleFunc("GET /tempat/angka.csv", s.staff(s.placeFigures("csv")))
	mux.HandleFunc("GET /tempat/angka.xlsx", s.staff(s.placeFigures("xlsx")))
	mux.HandleFunc("GET /tempat/{id}", s.staff(s.placeShow))
	mux.HandleFunc("POST /tempat/{id}/status", s.staff(s.placeStatus))
	mux.HandleFunc("POST /tempat/{id}/ubah", s.staff(s.placeEdit))
	mux.HandleFunc("POST /tempat/{id}/periksa", s.staff(s.placeChecks))
	mux.HandleFunc("POST /tempat/{id}/teguran", s.staff(s.placeWarning))
	mux.HandleFunc("POST /tempat/{id}/pelatihan", s.staff(s.placeTraining))
	mux.HandleFunc("POST /tempat/{id}/insentif", s.staff(s.placeIncentive))
	mux.HandleFunc("POST /tempat/{id}/kunjungan", s.staff(s.placeVisit))
	mux.HandleFunc("GET /tempat/insentif", s.staff(s.ledgerPage("")))
	mux.HandleFunc("GET /tempat/insentif.csv", s.staff(s.ledgerPage("csv")))
	mux.HandleFunc("POST /kasus/{id}/tempat-aman", s.staff(s.stayCreate))
	mux.HandleFunc("POST /kasus/{id}/tempat-aman/{stay}/{action}", s.staff(s.stayAction))
}

// PlacesPage is the registry.
type PlacesPage struct {
	Base
	kit
	Places    []domain.Place
	Expiring  []domain.Place
	VisitsDue []domain.SupervisionVisit
	Kind      string
	CanManage bool
}

// PlaceKinds, Owners and Grades are the registry's choices.
func (PlacesPage) PlaceKinds() []string { return domain.PlaceKinds }
func (PlacesPage) Owners() []string     { return []string{domain.OwnerCommunity, domain.OwnerGovernment} }
func (PlacesPage) Grades() []string     { return []string{"A", "B", "C"} }

func (s *Server) placesList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "places.title")
	s.placesPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) placesPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermViewCases) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	p := PlacesPage{Base: b, kit: k, Kind: r.URL.Query().Get("jenis"), CanManage: b.Scope.Can(domain.PermManageCases)}
	if !inStrings(p.Kind, domain.PlaceKinds) {
		p.Kind = ""
	}
	var err error
	if p.Places, err = s.shelters.ListPlaces(r.Context(), b.Scope, shelters.PlaceFilter{Kind: p.Kind}); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Expiring, err = s.shelters.ExpiringPermits(r.Context(), b.Scope, 60); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.CanManage {
		if p.VisitsDue, err = s.shelters.VisitsDue(r.Context(), b.Scope, s.now().In(b.Zone).Format("2006-01-02")); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "places", p)
}

func inStrings(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) placeCreate(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	capacity, _ := strconv.Atoi(strings.TrimSpace(v("capacity")))
	days, _ := strconv.Atoi(strings.TrimSpace(v("max_stay_days")))
	np := domain.NewPlace{Kind: v("kind"), Name: v("name"), RegionCode: strings.TrimSpace(v("region_code")), Owner: v("owner"),
		Capacity: capacity, MaxStayDays: days, HostName: v("host_name"), HostPhone: v("host_phone"), Address: v("address"),
		Household: v("household"), PermitNumber: v("permit_number"), PermitExpires: v("permit_expires"),
		Accreditation: v("accreditation"), AccreditationUntil: v("accreditation_until")}
	if capacity == 0 && strings.TrimSpace(v("capacity")) != "" {
		np.Capacity = -1
	}
	p, err := s.shelters.CreatePlace(r.Context(), principalOf(r).Scope, np)
	if err != nil {
		b := s.base(w, r, "places.title")
		k := s.kit(b)
		if f, ok := formErrors(err); ok {
			k.withForm(&b, "place", r.PostForm, f)
			s.placesPage(w, r, b, k, http.StatusUnprocessableEntity)
			return
		}
		if msg, status := actionMessage(b, err); status != 0 {
			b.Error = msg
			s.placesPage(w, r, b, k, status)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+p.ID, "place_created"), http.StatusSeeOther)
}

// PlacePage is one place.
type PlacePage struct {
	Base
	kit
	P         domain.Place
	Checklist domain.Checklist
	Checks    map[string]domain.CheckResult
	History   []domain.PlaceEvent
	CanManage bool
	Moves     []string
	Trainings []domain.Training
	Ledger    []domain.Incentive
	Total     int64
	Unpaid    []shelters.UnpaidStay
	Visits    []domain.SupervisionVisit
	Today     string
}

// IncentiveKinds are the incentive form's choices.
func (PlacePage) IncentiveKinds() []string { return domain.IncentiveKinds }

// Rupiah writes an amount as Indonesians read it: "Rp450.000".
func (kit) Rupiah(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return "Rp" + b.String()
}

func (s *Server) placeShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "places.place_title")
	s.placePage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) placePage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx, id := r.Context(), r.PathValue("id")
	pl, err := s.shelters.GetPlace(ctx, b.Scope, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := PlacePage{Base: b, kit: k, P: pl, CanManage: b.Scope.Can(domain.PermManageCases), Checks: map[string]domain.CheckResult{},
		Moves: domain.PlaceTransitions[pl.Status]}
	cl, checks, err := s.shelters.Checks(ctx, b.Scope, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pl.Kind == domain.PlaceSafeHouse && p.CanManage {
		// The form answers the current checklist.
		if cl, err = s.shelters.Checklist(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p.Checklist = cl
	for _, c := range checks {
		p.Checks[c.Item] = c
	}
	if p.History, err = s.shelters.PlaceHistory(ctx, b.Scope, id); err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now().In(b.Zone)
	p.Today = now.Format("2006-01-02")
	if p.Trainings, err = s.shelters.Trainings(ctx, b.Scope, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Ledger, p.Total, err = s.shelters.Ledger(ctx, b.Scope, now.Year(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Unpaid, err = s.shelters.UnpaidStays(ctx, b.Scope, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Visits, err = s.shelters.Visits(ctx, b.Scope, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "place", p)
}

// Result is a place's answer to a checklist item ("" when unanswered).
func (p PlacePage) Result(item string) string { return p.Checks[item].Result }

// Institution reports whether the place is an LKSA or panti.
func (p PlacePage) Institution() bool { return domain.Institution(p.P.Kind) }

func (s *Server) placeFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "places.place_title", form, err, func(b Base, k kit, status int) { s.placePage(w, r, b, k, status) })
}

func (s *Server) placeStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := s.shelters.MovePlace(r.Context(), principalOf(r).Scope, id, r.PostFormValue("to"), r.PostFormValue("reason"), version); err != nil {
		s.placeFailed(w, r, "status", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_status"), http.StatusSeeOther)
}

func (s *Server) placeChecks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_ = r.ParseForm()
	var answers []domain.CheckResult
	for k, vs := range r.PostForm {
		if item, ok := strings.CutPrefix(k, "check_"); ok && len(vs) > 0 {
			answers = append(answers, domain.CheckResult{Item: item, Result: vs[0], Note: r.PostFormValue("note_" + item)})
		}
	}
	if _, err := s.shelters.RecordChecks(r.Context(), principalOf(r).Scope, id, answers); err != nil {
		s.placeFailed(w, r, "checks", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_checked")+"#periksa", http.StatusSeeOther)
}

func (s *Server) placeWarning(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.shelters.AddWarning(r.Context(), principalOf(r).Scope, id, r.PostFormValue("reason")); err != nil {
		s.placeFailed(w, r, "warning", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_warned"), http.StatusSeeOther)
}

// ---- a case's stays (tab "layanan") ----

// stayData is what the case page shows of its children's stays.
type stayData struct {
	Stays  []domain.Stay
	Places []FormOption // places with room in the case's regency
}

func (s *Server) caseStays(r *http.Request, b Base, c domain.Case) (stayData, error) {
	var d stayData
	var err error
	if d.Stays, err = s.shelters.CaseStays(r.Context(), b.Scope, c.ID); err != nil {
		if domain.IsNotFound(err) {
			return stayData{}, nil
		}
		return d, err
	}
	sc := b.Scope
	if len(c.RegionCode) >= 5 && sc.RegionCode != "" {
		sc.RegionCode = c.RegionCode[:5]
	}
	places, err := s.shelters.ListPlaces(r.Context(), sc, shelters.PlaceFilter{WithRoom: true})
	if err != nil {
		return d, err
	}
	// Nearest first: the child's village, then its district, then the rest
	// of the regency.
	near := func(p domain.Place) int {
		switch {
		case p.RegionCode == c.RegionCode:
			return 0
		case len(c.RegionCode) >= 8 && strings.HasPrefix(p.RegionCode, c.RegionCode[:8]):
			return 1
		}
		return 2
	}
	sort.SliceStable(places, func(i, j int) bool { return near(places[i]) < near(places[j]) })
	for _, p := range places {
		d.Places = append(d.Places, FormOption{Value: p.ID, Label: p.Name + " — " + b.T("kind."+p.Kind) + " · " + p.RegionName + " · " +
			b.T("places.free_n", p.Free())})
	}
	return d, nil
}

func (s *Server) stayCreate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	ns := domain.NewStay{PlaceID: v("place_id"), CaseID: id, VictimID: v("victim_id"), Reason: v("reason"), Gatekeeping: v("gatekeeping"),
		Emergency: v("emergency") == "1", Hold: v("hold") == "1", Ask: v("ask") == "1"}
	if _, err := s.shelters.PlaceChild(r.Context(), principalOf(r).Scope, ns); err != nil {
		s.caseActionFailed(w, r, "stay", err)
		return
	}
	ok := "stay_started"
	switch {
	case ns.Ask:
		ok = "stay_asked"
	case ns.Hold:
		ok = "stay_held"
	}
	http.Redirect(w, r, caseURL(id, "layanan", ok)+"#penempatan", http.StatusSeeOther)
}

func (s *Server) stayAction(w http.ResponseWriter, r *http.Request) {
	id, stay, action := r.PathValue("id"), r.PathValue("stay"), r.PathValue("action")
	sc, ctx, v := principalOf(r).Scope, r.Context(), r.PostFormValue
	var err error
	switch action {
	case "terima":
		err = s.shelters.AdmitHold(ctx, sc, stay)
	case "lepas":
		err = s.shelters.ReleaseHold(ctx, sc, stay)
	case "akhiri":
		err = s.shelters.EndStay(ctx, sc, stay, v("exit_reason"), v("destination"))
	case "pindah":
		_, err = s.shelters.MoveChild(ctx, sc, stay, v("place_id"), v("reason"), v("gatekeeping"))
	case "tinjau":
		err = s.shelters.ReviewStay(ctx, sc, stay, v("review_note"))
	case "perpanjang":
		b := s.base(w, r, "case.title")
		until, perr := time.ParseInLocation("2006-01-02", strings.TrimSpace(v("until")), b.Zone)
		if perr != nil {
			err = domain.InvalidFields(domain.FieldErrors{"until": domain.M("field.date")})
		} else {
			err = s.shelters.ExtendStay(ctx, sc, stay, until.Add(24*time.Hour-time.Minute), v("extension_reason"))
		}
	default:
		s.fail(w, r, domain.NotFound("page"))
		return
	}
	if err != nil {
		s.caseActionFailed(w, r, action+"-"+stay, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "stay_"+action)+"#penempatan", http.StatusSeeOther)
}

// DestinationList are the choices of where a child went.
func (CasePage) DestinationList() []string { return domain.ExitDestinations }

// StayDays is a place's stay limit in days.
func (PlacePage) StayDays(p domain.Place) int { return shelters.StayDays(p) }

// CheckValues are the answers to a checklist item.
func (PlacePage) CheckValues() []string {
	return []string{domain.CheckPass, domain.CheckFail, domain.CheckNA}
}

// PlaceFiguresPage is /tempat/angka: the figures of places and stays.
type PlaceFiguresPage struct {
	Base
	kit
	Year    int
	Years   []int
	Care    []shelters.CareYear
	Return  []shelters.ReturnRow
	ByKind  []shelters.KindRow
	Periods string
}

// Change is the change of "children in LKSA" from the year before, as
// "+3 (+25,0 %)"; "n/a" from zero.
func (p PlaceFiguresPage) Change(i int) string {
	if i == 0 {
		return "—"
	}
	return changeText(p.Care[i-1].InLKSA, p.Care[i].InLKSA, p.T("figures.na"))
}

// FamilyChange is the same for "back to family-based care".
func (p PlaceFiguresPage) FamilyChange(i int) string {
	if i == 0 {
		return "—"
	}
	return changeText(p.Care[i-1].ToFamily, p.Care[i].ToFamily, p.T("figures.na"))
}

func changeText(prev, cur int, na string) string {
	d := cur - prev
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	abs := d
	if abs < 0 {
		abs = -abs
	}
	if prev == 0 {
		return sign + strconv.Itoa(abs) + " (" + na + ")"
	}
	pct := strconv.FormatFloat(float64(abs)*100/float64(prev), 'f', 1, 64)
	return sign + strconv.Itoa(abs) + " (" + sign + strings.Replace(pct, ".", ",", 1) + " %)"
}

func (s *Server) placeFigures(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "figures.title")
		if !b.Scope.Can(domain.PermViewCases) && !b.Scope.Can(domain.PermViewDashboard) {
			s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
			return
		}
		now := s.now().In(b.Zone)
		year := now.Year()
		if y, err := strconv.Atoi(r.URL.Query().Get("tahun")); err == nil && y >= 2000 && y <= year {
			year = y
		}
		p := PlaceFiguresPage{Base: b, kit: s.kit(b), Year: year}
		for y := year; y >= year-5; y-- {
			p.Years = append(p.Years, y)
		}
		ctx := r.Context()
		var err error
		if p.Care, err = s.shelters.CareByYear(ctx, b.Scope, year-2, year); err != nil {
			s.fail(w, r, err)
			return
		}
		from := time.Date(year, 1, 1, 0, 0, 0, 0, b.Zone)
		if p.Return, err = s.shelters.PopulationReturn(ctx, b.Scope, from, from.AddDate(1, 0, 0)); err != nil {
			s.fail(w, r, err)
			return
		}
		if p.ByKind, err = s.shelters.PlacesByKind(ctx, b.Scope); err != nil {
			s.fail(w, r, err)
			return
		}
		if format == "" {
			s.render(w, r, http.StatusOK, "place_figures", p)
			return
		}
		k := p.kit
		sheets := []kla.Sheet{
			{Name: b.T("figures.sheet_care"), Header: []string{b.T("figures.year"), b.T("figures.in_lksa"), b.T("figures.change"),
				b.T("figures.to_family"), b.T("figures.change"), b.T("figures.lksa_admissions"), b.T("figures.with_gatekeeping")}},
			{Name: b.T("figures.sheet_return"), Header: []string{b.T("places.name"), b.T("places.kind"), b.T("figures.opening"),
				b.T("figures.admissions"), b.T("figures.exits"), b.T("figures.closing")}},
			{Name: b.T("figures.sheet_kinds"), Header: []string{b.T("places.kind"), b.T("figures.places"), b.T("figures.active"),
				b.T("places.capacity"), b.T("figures.staying")}},
		}
		for i, c := range p.Care {
			sheets[0].Rows = append(sheets[0].Rows, []string{strconv.Itoa(c.Year), strconv.Itoa(c.InLKSA), p.Change(i), strconv.Itoa(c.ToFamily),
				p.FamilyChange(i), strconv.Itoa(c.LKSAAdmissions), strconv.Itoa(c.WithGatekeeping)})
		}
		for _, x := range p.Return {
			sheets[1].Rows = append(sheets[1].Rows, []string{x.Name, k.Lbl("kind", x.Kind), strconv.Itoa(x.Opening), strconv.Itoa(x.Admissions),
				strconv.Itoa(x.Exits), strconv.Itoa(x.Closing)})
		}
		for _, x := range p.ByKind {
			sheets[2].Rows = append(sheets[2].Rows, []string{k.Lbl("kind", x.Kind), strconv.Itoa(x.Places), strconv.Itoa(x.Active),
				strconv.Itoa(x.Capacity), strconv.Itoa(x.Staying)})
		}
		name := "tempat-aman-angka-" + strconv.Itoa(year)
		w.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			// One CSV: the three tables one after the other, each with its title.
			var all [][]string
			for i, sh := range sheets {
				if i > 0 {
					all = append(all, []string{})
				}
				all = append(all, []string{sh.Name}, sh.Header)
				all = append(all, sh.Rows...)
			}
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

func (s *Server) placeTraining(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.shelters.AddTraining(r.Context(), principalOf(r).Scope, id, r.PostFormValue("topic"), r.PostFormValue("held_on")); err != nil {
		s.placeFailed(w, r, "training", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_training")+"#pelatihan", http.StatusSeeOther)
}

func (s *Server) placeIncentive(w http.ResponseWriter, r *http.Request) {
	id, v := r.PathValue("id"), r.PostFormValue
	amount, _ := strconv.ParseInt(strings.NewReplacer(".", "", " ", "", "Rp", "").Replace(v("amount")), 10, 64)
	var err error
	if stay := v("stay_id"); stay != "" {
		_, err = s.shelters.IncentiveForStay(r.Context(), principalOf(r).Scope, stay, amount, v("given_on"))
	} else {
		_, err = s.shelters.AddIncentive(r.Context(), principalOf(r).Scope, domain.Incentive{PlaceID: id, Kind: v("kind"), Amount: amount,
			GivenOn: v("given_on"), Basis: v("basis")})
	}
	if err != nil {
		s.placeFailed(w, r, "incentive", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_incentive")+"#insentif", http.StatusSeeOther)
}

func (s *Server) placeVisit(w http.ResponseWriter, r *http.Request) {
	id, v := r.PathValue("id"), r.PostFormValue
	if _, err := s.shelters.AddVisit(r.Context(), principalOf(r).Scope, domain.SupervisionVisit{PlaceID: id, VisitedOn: v("visited_on"),
		Findings: v("findings"), NextDue: v("next_due")}); err != nil {
		s.placeFailed(w, r, "visit", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_visit")+"#kunjungan", http.StatusSeeOther)
}

// LedgerPage is the incentive ledger of a year (/tempat/insentif).
type LedgerPage struct {
	Base
	kit
	Year  int
	Years []int
	Rows  []domain.Incentive
	Total int64
}

func (s *Server) ledgerPage(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "ledger.title")
		year := s.now().In(b.Zone).Year()
		if y, err := strconv.Atoi(r.URL.Query().Get("tahun")); err == nil && y >= 2000 && y <= year+1 {
			year = y
		}
		rows, total, err := s.shelters.Ledger(r.Context(), b.Scope, year, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p := LedgerPage{Base: b, kit: s.kit(b), Year: year, Rows: rows, Total: total}
		for y := s.now().In(b.Zone).Year(); y >= year-5 && y >= 2000; y-- {
			p.Years = append(p.Years, y)
		}
		if format == "" {
			s.render(w, r, http.StatusOK, "ledger", p)
			return
		}
		header := []string{b.T("ledger.date"), b.T("places.name"), b.T("ledger.kind"), b.T("ledger.basis"), b.T("ledger.amount")}
		var out [][]string
		for _, x := range rows {
			out = append(out, []string{x.GivenOn, x.PlaceName, p.Lbl("incentive", x.Kind), x.Basis, strconv.FormatInt(x.Amount, 10)})
		}
		out = append(out, []string{"", "", "", b.T("ledger.total"), strconv.FormatInt(total, 10)})
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="insentif-tuan-rumah-`+strconv.Itoa(year)+`.csv"`)
		_, _ = w.Write(kla.WriteCSV(header, out))
	}
}

// TimePtr2 is a time in the page's zone as a day ("05-12-2026").
func (k kit) TimePtr2(t time.Time) string { return k.Day(t.In(k.zone).Format("2006-01-02")) }

func (s *Server) placeEdit(w http.ResponseWriter, r *http.Request) {
	id, v := r.PathValue("id"), r.PostFormValue
	capacity, err := strconv.Atoi(strings.TrimSpace(v("capacity")))
	if err != nil {
		capacity = -1
	}
	days, _ := strconv.Atoi(strings.TrimSpace(v("max_stay_days")))
	version, _ := strconv.Atoi(v("version"))
	np := domain.NewPlace{Name: v("name"), Capacity: capacity, MaxStayDays: days, HostName: v("host_name"), HostPhone: v("host_phone"),
		Address: v("address"), Household: v("household"), PermitNumber: v("permit_number"), PermitExpires: v("permit_expires"),
		Accreditation: v("accreditation"), AccreditationUntil: v("accreditation_until")}
	if err := s.shelters.EditPlace(r.Context(), principalOf(r).Scope, id, np, version); err != nil {
		s.placeFailed(w, r, "edit", err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/"+id, "place_edited"), http.StatusSeeOther)
}

// Grades are the accreditation choices.
func (PlacePage) Grades() []string { return []string{"A", "B", "C"} }

// ChecklistPage edits the verification checklist (/tempat/daftar-periksa).
type ChecklistPage struct {
	Base
	kit
	C     domain.Checklist
	Empty []int // blank rows for new items
}

func (s *Server) checklistPage(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "checklist.title")
	s.checklistRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) checklistRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermManageTeams) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	c, err := s.shelters.Checklist(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "checklist", ChecklistPage{Base: b, kit: k, C: c, Empty: []int{1, 2, 3}})
}

// checklistSave stores the form's items as a new version: each row's text
// (an emptied row is dropped), whether it is required; lindu's own
// perpetrator check keeps its key.
func (s *Server) checklistSave(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	labels, keys := r.PostForm["label"], r.PostForm["key"]
	required := map[string]bool{}
	for _, k := range r.PostForm["required"] {
		required[k] = true
	}
	var items []domain.ChecklistItem
	for i, label := range labels {
		label = strings.TrimSpace(label)
		if label == "" {
			continue
		}
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		if key == "" {
			key = "item-" + strconv.Itoa(i+1)
		}
		it := domain.ChecklistItem{Key: key, Label: label, Required: required[key] || required["new-"+strconv.Itoa(i)]}
		if key == "no_perpetrator" {
			it.Auto = "no_perpetrator"
		}
		items = append(items, it)
	}
	if _, err := s.shelters.SaveChecklist(r.Context(), principalOf(r).Scope, items); err != nil {
		b := s.base(w, r, "checklist.title")
		k := s.kit(b)
		if f, ok := formErrors(err); ok {
			k.withForm(&b, "checklist", r.PostForm, f)
			b.Error = b.T("checklist.invalid")
			s.checklistRender(w, r, b, k, http.StatusUnprocessableEntity)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/tempat/daftar-periksa", "checklist_saved"), http.StatusSeeOther)
}
