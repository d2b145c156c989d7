package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/musrenbang"
	"lindu/internal/store"
)

// Musrenbang Anak on screen. Public: /usulan-anak (the proposals children
// may support, filters, open data, tracking by code, a form for a child
// without an account). Children: /anak (sign in with the login code, one's
// proposals, inbox, proposing and supporting). Staff: /musrenbang-anak
// (forums, children, moderation, tickets, calendar and funnel).

func (s *Server) musrenbangRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /usulan-anak", s.mrPublic)
	mux.HandleFunc("GET /usulan-anak/data.csv", s.mrOpenData)
	mux.HandleFunc("GET /usulan-anak/lacak", s.mrTrack)
	mux.HandleFunc("GET /usulan-anak/foto/{code}", s.mrPublicPhoto)
	mux.HandleFunc("GET /musrenbang-anak/usulan/{id}/foto", s.staff(s.mrStaffPhoto))
	mux.HandleFunc("POST /usulan-anak/kirim", s.flashing(s.mrSubmitAnon))
	mux.HandleFunc("GET /anak", s.mrChild)
	mux.HandleFunc("POST /anak/masuk", s.mrChildSignIn)
	mux.HandleFunc("POST /anak/keluar", s.mrChildSignOut)
	mux.HandleFunc("POST /anak/usul", s.flashing(s.mrChildSubmit))
	mux.HandleFunc("POST /anak/dukung", s.flashing(s.mrChildSupport))
	mux.HandleFunc("GET /musrenbang-anak", s.staff(s.mrHome))
	mux.HandleFunc("POST /musrenbang-anak/forum", s.staff(s.mrForumCreate))
	mux.HandleFunc("POST /musrenbang-anak/anak", s.staff(s.mrChildRegister))
	mux.HandleFunc("POST /musrenbang-anak/anak/{id}/kode", s.staff(s.mrChildCode))
	mux.HandleFunc("POST /musrenbang-anak/forum/{id}/fasilitator", s.staff(s.mrForumFacilitator))
	mux.HandleFunc("POST /musrenbang-anak/kalender", s.staff(s.mrCalendarSave))
	mux.HandleFunc("GET /musrenbang-anak/usulan/{id}", s.staff(s.mrProposal))
	mux.HandleFunc("POST /musrenbang-anak/usulan/{id}/{action}", s.staff(s.mrProposalAction))
	mux.HandleFunc("POST /musrenbang-anak/tiket/{id}", s.staff(s.mrTicketStep))
}

// childCookie names the children's session cookie.
const childCookie = "lindu_anak"

// MRPublicPage is /usulan-anak.
type MRPublicPage struct {
	Base
	kit
	Proposals []musrenbang.Proposal
	Filter    musrenbang.PublicFilter
	Districts []domain.Region
	Forums    []musrenbang.Forum
	Villages  []musrenbang.Village // of the chosen forum, for the form
	ForumID   string
	Sent      string // the tracking code of a proposal just sent
	Child     *musrenbang.Child
}

// Clusters lists the KLA clusters.
func (MRPublicPage) Clusters() []string { return musrenbang.Clusters }

// AgeGroups lists the age groups.
func (MRPublicPage) AgeGroups() []string { return musrenbang.AgeGroups }

func (s *Server) root() string { return s.opt.RootRegion }

func (s *Server) mrPublic(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.public_title")
	s.mrPublicRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) mrPublicRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx := r.Context()
	q := r.URL.Query()
	mr := musrenbang.New(s.st)
	p := MRPublicPage{Base: b, kit: k, ForumID: q.Get("forum"), Sent: q.Get("kode")}
	region := s.root()
	if d := q.Get("wilayah"); d != "" && domain.RegionWithin(d, region) {
		region = d
	}
	p.Filter = musrenbang.PublicFilter{Region: region, Cluster: q.Get("klaster"), AgeGroup: q.Get("umur"), Status: q.Get("status"), Sort: q.Get("urut")}
	var err error
	if p.Proposals, err = mr.Public(ctx, p.Filter); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.root() != "" && domain.RegionLevelOf(s.root()) == domain.LevelRegency {
		if p.Districts, err = s.st.SearchRegions(ctx, store.RegionQuery{Parent: s.root(), Limit: 100}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if p.Forums, err = mr.PublicForums(ctx, s.root()); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, f := range p.Forums {
		if f.ID == p.ForumID {
			if p.Villages, err = s.villagesOf(r, f.RegionCode); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if c, _, err := mr.Session(ctx, childToken(r)); err == nil {
		p.Child = &c
	}
	s.render(w, r, status, "mr_public", p)
}

// villagesOf lists the villages in region, district by district.
func (s *Server) villagesOf(r *http.Request, region string) ([]musrenbang.Village, error) {
	return musrenbang.New(s.st).Villages(r.Context(), region)
}

func childToken(r *http.Request) string {
	c, err := r.Cookie(childCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// mrOpenData writes the public proposals as CSV without any child
// identifier.
func (s *Server) mrOpenData(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.public_title")
	rows, err := musrenbang.New(s.st).OpenData(r.Context(), s.root())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	head := []string{b.T("mr.col.code"), b.T("mr.col.title"), b.T("mr.col.body"), b.T("mr.col.cluster"), b.T("mr.col.district"),
		b.T("mr.col.village"), b.T("mr.col.age"), b.T("mr.col.supports"), b.T("mr.col.ticket"), b.T("mr.col.date")}
	for i := range rows {
		if rows[i][8] != "" {
			rows[i][8] = s.kit(b).Lbl("mrstage", rows[i][8])
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="usulan-anak.csv"`)
	_, _ = w.Write(kla.WriteCSV(head, rows))
}

// MRTrackPage is /usulan-anak/lacak.
type MRTrackPage struct {
	Base
	kit
	Query    string
	P        musrenbang.Proposal
	Events   []musrenbang.Event
	Found    bool
	NotFound bool
}

func (s *Server) mrTrack(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.track_title")
	p := MRTrackPage{Base: b, kit: s.kit(b), Query: strings.TrimSpace(r.URL.Query().Get("kode"))}
	if len(p.Query) > 40 {
		p.Query = p.Query[:40]
	}
	if p.Query != "" {
		ok, until, err := s.st.Allow(r.Context(), "mr-track:"+httpx.ClientIP(r, s.auth.TrustProxy), 30, 10*time.Minute)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			s.tooMany(w, r, b, int(time.Until(until).Seconds()))
			return
		}
		p.P, p.Events, err = musrenbang.New(s.st).Track(r.Context(), p.Query)
		switch {
		case domain.IsNotFound(err):
			p.NotFound = true
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			p.Found = true
		}
	}
	s.render(w, r, http.StatusOK, "mr_track", p)
}

// allowProposal limits proposals per address (and per child).
func (s *Server) allowProposal(w http.ResponseWriter, r *http.Request, b Base, who string) bool {
	ok, until, err := s.st.Allow(r.Context(), "mr-propose:"+who, 10, time.Hour)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if !ok {
		s.tooMany(w, r, b, int(time.Until(until).Seconds()))
		return false
	}
	return true
}

// mrSubmitAnon takes a proposal from a child without an account.
// parseProposalForm reads a proposal form: URL-encoded, or multipart
// with an optional photo (returned, at most MaxPhoto+1 bytes read).
func (s *Server) parseProposalForm(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, musrenbang.MaxPhoto+64<<10)
	if err := r.ParseMultipartForm(multipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, domain.E(domain.ETooLarge, "mr.err.photo_large", musrenbang.MaxPhoto>>20)
		}
		return nil, domain.E(domain.EInvalid, "error.malformed_form")
	}
	if r.MultipartForm == nil {
		return nil, nil
	}
	if fhs := r.MultipartForm.File["photo"]; len(fhs) > 0 && fhs[0].Size > 0 {
		return readFormFile(fhs[0], musrenbang.MaxPhoto)
	}
	return nil, nil
}

func (s *Server) mrSubmitAnon(w http.ResponseWriter, r *http.Request) {
	photo, err := s.parseProposalForm(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := s.base(w, r, "mr.public_title")
	k := s.kit(b)
	if !s.formCSRF(r) {
		b.Error = b.T("lapor.expired")
		s.mrPublicRender(w, r, b, k, http.StatusForbidden)
		return
	}
	if r.PostFormValue("website") != "" { // the honeypot
		http.Redirect(w, r, "/usulan-anak/lacak?kode="+domain.FormatPublicCode(domain.NewPublicCode()), http.StatusSeeOther)
		return
	}
	if !s.allowProposal(w, r, b, httpx.ClientIP(r, s.auth.TrustProxy)) {
		return
	}
	v := r.PostFormValue
	p, err := musrenbang.New(s.st).Submit(r.Context(), nil, musrenbang.NewProposal{ForumID: v("forum_id"), Title: v("title"), Body: v("body"),
		Cluster: v("cluster"), VillageCode: v("village_code"), AgeGroup: v("age_group"), Photo: photo})
	if f, ok := formErrors(err); ok {
		k.withForm(&b, "propose", r.PostForm, f)
		r.URL.RawQuery = "forum=" + v("forum_id")
		s.mrPublicRender(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/usulan-anak/lacak?kode="+domain.FormatPublicCode(p.Code), "proposal_sent"), http.StatusSeeOther)
}

// MRChildPage is /anak: the sign-in form, or a child's own page.
type MRChildPage struct {
	Base
	kit
	Child     *musrenbang.Child
	Own       []musrenbang.Proposal
	Supported map[string]bool
	Open      []musrenbang.Proposal
	Inbox     []musrenbang.Message
}

// Clusters lists the KLA clusters.
func (MRChildPage) Clusters() []string { return musrenbang.Clusters }

func (s *Server) mrChild(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.child_title")
	s.mrChildRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) mrChildRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx := r.Context()
	mr := musrenbang.New(s.st)
	p := MRChildPage{Base: b, kit: k, Supported: map[string]bool{}}
	c, _, err := mr.Session(ctx, childToken(r))
	if err == nil {
		p.Child = &c
		var sup []musrenbang.Proposal
		if p.Own, sup, err = mr.Mine(ctx, c.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range sup {
			p.Supported[x.ID] = true
		}
		if p.Open, err = mr.Public(ctx, musrenbang.PublicFilter{Region: s.root()}); err != nil {
			s.fail(w, r, err)
			return
		}
		if p.Inbox, err = mr.Inbox(ctx, c.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "mr_child", p)
}

func (s *Server) mrChildSignIn(w http.ResponseWriter, r *http.Request) {
	if err := parseSmallForm(w, r, 4<<10); err != nil {
		s.fail(w, r, err)
		return
	}
	b := s.base(w, r, "mr.child_title")
	if !s.formCSRF(r) {
		b.Error = b.T("lapor.expired")
		s.mrChildRender(w, r, b, s.kit(b), http.StatusForbidden)
		return
	}
	ok, until, err := s.st.Allow(r.Context(), "mr-signin:"+httpx.ClientIP(r, s.auth.TrustProxy), 10, 15*time.Minute)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.tooMany(w, r, b, int(time.Until(until).Seconds()))
		return
	}
	token, _, _, err := musrenbang.New(s.st).SignIn(r.Context(), r.PostFormValue("code"))
	if errors.Is(err, musrenbang.ErrBadCode) {
		b.Error = b.T("mr.err.bad_code")
		s.mrChildRender(w, r, b, s.kit(b), http.StatusUnauthorized)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: childCookie, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(musrenbang.ChildSessionTTL.Seconds())})
	http.Redirect(w, r, "/anak", http.StatusSeeOther)
}

func (s *Server) mrChildSignOut(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if !s.formCSRF(r) {
		http.Redirect(w, r, "/anak", http.StatusSeeOther)
		return
	}
	if err := musrenbang.New(s.st).SignOut(r.Context(), childToken(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: childCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1})
	http.Redirect(w, r, "/anak", http.StatusSeeOther)
}

// childPost checks a child's form: its CSRF token and session.
func (s *Server) childPost(w http.ResponseWriter, r *http.Request, b Base) (musrenbang.Child, []byte, bool) {
	photo, err := s.parseProposalForm(w, r)
	if err != nil {
		s.fail(w, r, err)
		return musrenbang.Child{}, nil, false
	}
	c, _, err := musrenbang.New(s.st).Session(r.Context(), childToken(r))
	if err != nil || !s.formCSRF(r) {
		b.Error = b.T("mr.err.signed_out")
		s.mrChildRender(w, r, b, s.kit(b), http.StatusForbidden)
		return c, nil, false
	}
	return c, photo, true
}

func (s *Server) mrChildSubmit(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.child_title")
	c, photo, ok := s.childPost(w, r, b)
	if !ok || !s.allowProposal(w, r, b, "child:"+c.ID) {
		return
	}
	v := r.PostFormValue
	_, err := musrenbang.New(s.st).Submit(r.Context(), &c, musrenbang.NewProposal{Title: v("title"), Body: v("body"), Cluster: v("cluster"), Photo: photo})
	if f, ok := formErrors(err); ok {
		k := s.kit(b)
		k.withForm(&b, "propose", r.PostForm, f)
		s.mrChildRender(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/anak", "proposal_sent"), http.StatusSeeOther)
}

func (s *Server) mrChildSupport(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.child_title")
	c, _, ok := s.childPost(w, r, b)
	if !ok {
		return
	}
	_, err := musrenbang.New(s.st).Support(r.Context(), c.ID, r.PostFormValue("proposal_id"), "web")
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		s.mrChildRender(w, r, b, s.kit(b), status)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/anak", "supported"), http.StatusSeeOther)
}

// MRHomePage is /musrenbang-anak.
type MRHomePage struct {
	Base
	kit
	CanModerate bool
	CanPlan     bool
	Forums      []musrenbang.Forum
	Children    map[string][]musrenbang.Child
	Queue       []musrenbang.Proposal
	Tickets     []musrenbang.Ticket
	Funnel      musrenbang.Funnel
	Lines       []YearCount
	Calendar    map[string]string
	Year        int
	NewCode     string // a login code just made (shown once)
	NewChild    string
	Villages    []musrenbang.Village
	Approved    []musrenbang.Proposal // public proposals without a ticket, for planners
	// FacilitatorUsers are the facilitator accounts of the region, for an
	// admin to add to a forum.
	FacilitatorUsers []FormOption
}

// YearCount is a figure of a year.
type YearCount struct{ Year, N int }

// AgeGroups lists the age groups.
func (MRHomePage) AgeGroups() []string { return musrenbang.AgeGroups }

// Steps lists the calendar steps.
func (MRHomePage) Steps() []string { return musrenbang.CalendarSteps }

// Rate is a conversion rate.
func (MRHomePage) Rate(part, whole int) string {
	return strings.Replace(strconv.FormatFloat(musrenbang.Rate(part, whole), 'f', -1, 64), ".", ",", 1) + " %"
}

func (s *Server) mrHome(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.title")
	s.mrHomeRender(w, r, b, s.kit(b), http.StatusOK, "", "")
}

func (s *Server) mrHomeRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int, newCode, newChild string) {
	ctx := r.Context()
	mr := musrenbang.New(s.st)
	sc := b.Scope
	p := MRHomePage{Base: b, kit: k, CanModerate: sc.Can(domain.PermModerateProposals), CanPlan: sc.Can(domain.PermPlanTickets),
		Children: map[string][]musrenbang.Child{}, NewCode: newCode, NewChild: newChild, Year: s.now().In(b.Zone).Year()}
	if y, err := strconv.Atoi(r.URL.Query().Get("tahun")); err == nil && y >= 2000 && y <= 2100 {
		p.Year = y
	}
	if !p.CanModerate && !p.CanPlan && !sc.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	var err error
	if p.CanModerate {
		if p.Forums, err = mr.Forums(ctx, sc); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, f := range p.Forums {
			if p.Children[f.ID], err = mr.Children(ctx, sc, f.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if p.Queue, err = mr.Queue(ctx, sc, ""); err != nil {
			s.fail(w, r, err)
			return
		}
		if p.Villages, err = s.villagesOf(r, sc.RegionCode); err != nil {
			s.fail(w, r, err)
			return
		}
		if sc.Can(domain.PermManageUsers) {
			us, _, err := s.st.ListUsers(ctx, sc, domain.UserFilter{Role: domain.RoleFacilitator, Limit: 200})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, u := range us {
				p.FacilitatorUsers = append(p.FacilitatorUsers, FormOption{Value: u.ID, Label: u.Username})
			}
		}
	}
	if p.CanPlan {
		if p.Approved, err = mr.Public(ctx, musrenbang.PublicFilter{Region: sc.RegionCode, Status: "open"}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if p.Tickets, err = mr.Tickets(ctx, sc, 0); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Funnel, err = mr.FunnelFor(ctx, sc, "", p.Year); err != nil {
		s.fail(w, r, err)
		return
	}
	lines, err := mr.APBDLinesByYear(ctx, sc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for y, n := range lines {
		p.Lines = append(p.Lines, YearCount{y, n})
	}
	sort.Slice(p.Lines, func(i, j int) bool { return p.Lines[i].Year > p.Lines[j].Year })
	cal := sc.RegionCode
	if len(cal) > 5 {
		cal = cal[:5]
	}
	if p.Calendar, err = mr.Calendar(ctx, cal, p.Year); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "mr_home", p)
}

func (s *Server) mrHomeFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "mr.title", form, err, func(b Base, k kit, status int) { s.mrHomeRender(w, r, b, k, status, "", "") })
}

func (s *Server) mrForumCreate(w http.ResponseWriter, r *http.Request) {
	if _, err := musrenbang.New(s.st).CreateForum(r.Context(), principalOf(r).Scope, r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("region_code"))); err != nil {
		s.mrHomeFailed(w, r, "forum", err)
		return
	}
	http.Redirect(w, r, withOK("/musrenbang-anak", "forum_created"), http.StatusSeeOther)
}

func (s *Server) mrChildRegister(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	c, code, err := musrenbang.New(s.st).RegisterChild(r.Context(), principalOf(r).Scope, musrenbang.NewChild{ForumID: v("forum_id"), Nickname: v("nickname"),
		AgeGroup: v("age_group"), VillageCode: v("village_code"), ConsentBy: v("consent_by"), Phone: v("phone"), GuardianPhone: v("guardian_phone")})
	if err != nil {
		s.mrHomeFailed(w, r, "child", err)
		return
	}
	// The code is shown once, on this answer (never stored in clear).
	b := s.base(w, r, "mr.title")
	s.mrHomeRender(w, r, b, s.kit(b), http.StatusOK, code, c.Nickname)
}

// mrPublicPhoto serves a public proposal's photo.
func (s *Server) mrPublicPhoto(w http.ResponseWriter, r *http.Request) {
	code, ok := domain.NormalizePublicCode(r.PathValue("code"))
	if !ok {
		s.fail(w, r, domain.NotFound("photo"))
		return
	}
	mime, data, err := musrenbang.New(s.st).Photo(r.Context(), nil, code)
	s.servePhoto(w, r, mime, data, err)
}

// mrStaffPhoto serves a proposal's photo to its moderators (audited).
func (s *Server) mrStaffPhoto(w http.ResponseWriter, r *http.Request) {
	sc := principalOf(r).Scope
	mime, data, err := musrenbang.New(s.st).Photo(r.Context(), &sc, r.PathValue("id"))
	s.servePhoto(w, r, mime, data, err)
}

// servePhoto answers with a photo shown inline, never cached or sniffed
// (the audits' and the proposals' photos).
func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request, mime string, data []byte, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline")
	_, _ = w.Write(data)
}

// mrChildCode gives a child a new login code, shown once.
func (s *Server) mrChildCode(w http.ResponseWriter, r *http.Request) {
	code, err := musrenbang.New(s.st).ResetCode(r.Context(), principalOf(r).Scope, r.PathValue("id"))
	if err != nil {
		s.mrHomeFailed(w, r, "code", err)
		return
	}
	b := s.base(w, r, "mr.title")
	s.mrHomeRender(w, r, b, s.kit(b), http.StatusOK, code, r.PostFormValue("nickname"))
}

// mrForumFacilitator makes a facilitator account one of a forum's.
func (s *Server) mrForumFacilitator(w http.ResponseWriter, r *http.Request) {
	if err := musrenbang.New(s.st).AddFacilitator(r.Context(), principalOf(r).Scope, r.PathValue("id"), r.PostFormValue("user_id")); err != nil {
		s.mrHomeFailed(w, r, "facilitator", err)
		return
	}
	http.Redirect(w, r, withOK("/musrenbang-anak", "facilitator_added"), http.StatusSeeOther)
}

func (s *Server) mrCalendarSave(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	days := map[string]string{}
	for _, st := range musrenbang.CalendarSteps {
		days[st] = r.PostFormValue("day_" + st)
	}
	sc := principalOf(r).Scope
	region := sc.RegionCode
	if len(region) > 5 {
		region = region[:5]
	}
	if err := musrenbang.New(s.st).SetCalendar(r.Context(), sc, region, year, days); err != nil {
		s.mrHomeFailed(w, r, "calendar", err)
		return
	}
	http.Redirect(w, r, withOK("/musrenbang-anak?tahun="+strconv.Itoa(year), "calendar_saved"), http.StatusSeeOther)
}

// MRProposalPage is /musrenbang-anak/usulan/{id}.
type MRProposalPage struct {
	Base
	kit
	P        musrenbang.Proposal
	Others   []musrenbang.Proposal // approved ones it may be merged with
	Ticket   *musrenbang.Ticket
	CanPlan  bool
	Year     int
	Stages   []string
	Levels   []string
	Merged   []musrenbang.Proposal // for a merge: its originals
	CanSplit bool
	// CanModerate: the caller moderates the proposal's forum.
	CanModerate bool
}

// LineRows numbers the APBD line rows of the stage form.
func (MRProposalPage) LineRows() []int { return []int{0, 1, 2} }

// StepErrors are the stage form's refused fields.
func (p MRProposalPage) StepErrors() map[string]string {
	if p.which != "step" {
		return nil
	}
	return p.errs
}

func (s *Server) mrProposal(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "mr.proposal_title")
	s.mrProposalRender(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) mrProposalRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx := r.Context()
	mr := musrenbang.New(s.st)
	p, err := mr.Get(ctx, b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := MRProposalPage{Base: b, kit: k, P: p, CanPlan: b.Scope.Can(domain.PermPlanTickets), Year: s.now().In(b.Zone).Year(), Levels: musrenbang.Levels}
	var all []musrenbang.Proposal
	if b.Scope.Can(domain.PermModerateProposals) {
		if all, err = mr.Queue(ctx, b.Scope, ""); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, f := range all {
			if f.ID == p.ID {
				page.CanModerate = true
			}
		}
	}
	for _, x := range all {
		if x.ID != p.ID && x.Status == musrenbang.StatusApproved && x.Ticket == "" {
			page.Others = append(page.Others, x)
		}
		if x.MergedInto == p.Code && x.Status == musrenbang.StatusMerged {
			page.Merged = append(page.Merged, x)
		}
	}
	page.CanSplit = len(page.Merged) > 0 && p.Ticket == ""
	if p.Ticket != "" {
		ts, err := mr.Tickets(ctx, b.Scope, 0)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for i := range ts {
			if ts[i].ProposalID == p.ID {
				page.Ticket = &ts[i]
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "mr_proposal", page)
}

func (s *Server) mrProposalFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "mr.proposal_title", form, err, func(b Base, k kit, status int) { s.mrProposalRender(w, r, b, k, status) })
}

func (s *Server) mrProposalAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sc := principalOf(r).Scope
	mr := musrenbang.New(s.st)
	id, action := r.PathValue("id"), r.PathValue("action")
	v := r.PostFormValue
	back := "/musrenbang-anak/usulan/" + id
	var err error
	switch action {
	case "ubah":
		version, _ := strconv.Atoi(v("version"))
		err = mr.Edit(ctx, sc, id, v("title"), v("body"), version)
	case "setujui":
		err = mr.Approve(ctx, sc, id)
	case "hapus-foto":
		err = mr.RemovePhoto(ctx, sc, id)
	case "tolak":
		err = mr.Reject(ctx, sc, id, v("reason"))
	case "gabung":
		var m musrenbang.Proposal
		m, err = mr.Merge(ctx, sc, append([]string{id}, r.PostForm["with"]...), v("title"), v("body"))
		back = "/musrenbang-anak/usulan/" + m.ID
	case "pisah":
		err = mr.Split(ctx, sc, id)
		back = "/musrenbang-anak"
	case "tiket":
		year, _ := strconv.Atoi(v("year"))
		_, err = mr.SelectTicket(ctx, sc, id, year)
	default:
		s.fail(w, r, domain.NotFound("action"))
		return
	}
	if err != nil {
		s.mrProposalFailed(w, r, action, err)
		return
	}
	http.Redirect(w, r, withOK(back, "proposal_"+action), http.StatusSeeOther)
}

// mrTicketStep records a ticket's next stage from the proposal page.
func (s *Server) mrTicketStep(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	in := musrenbang.StepInput{Stage: v("stage"), Level: v("level"), Date: v("date"), Agency: v("agency"), SubActivity: v("sub_activity"),
		Evidence: v("evidence"), Reason: v("reason")}
	in.Year, _ = strconv.Atoi(v("year"))
	for i := range 3 {
		code := strings.TrimSpace(v("line_code_" + strconv.Itoa(i)))
		if code == "" {
			continue
		}
		amount, _ := kla.ParseNumber(v("line_amount_" + strconv.Itoa(i)))
		realised, _ := kla.ParseNumber(v("line_realised_" + strconv.Itoa(i)))
		in.Lines = append(in.Lines, musrenbang.Line{Code: code, Name: v("line_name_" + strconv.Itoa(i)), Amount: int64(amount), Realised: int64(realised)})
	}
	version, _ := strconv.Atoi(v("version"))
	proposal := v("proposal_id")
	if err := musrenbang.New(s.st).RecordStep(r.Context(), principalOf(r).Scope, r.PathValue("id"), in, version); err != nil {
		r.SetPathValue("id", proposal)
		s.mrProposalFailed(w, r, "step", err)
		return
	}
	http.Redirect(w, r, withOK("/musrenbang-anak/usulan/"+proposal, "ticket_step"), http.StatusSeeOther)
}
