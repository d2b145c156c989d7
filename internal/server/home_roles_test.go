package server_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// homeWorld is newCapiWorld (a case and a new report in village A of
// district 61.07.01 and in village B of 61.07.02) plus, ten days later:
//   - an urgent referral of case A, unanswered: both cases, both reports
//     and the referral are past their clocks;
//   - the shipped KLA catalogue and, for the current KLA year Y, dinkes's
//     11 = 100 % at the regency (verified) and 7 = 0 per 1000 (best, not
//     verified), 8 only in Y-2 (stale), and 12 = 7 in 13.01 (another
//     province); an operator op-kes of dinkes at the regency.
//
// By hand (31 indicators of 1000/31 = 32.26 points): the regency scores
// 64.52 (verified 32.26), no category; dinkes expects 7, entered 2,
// verified 1, stale 1, loses 5 shares = 161.29; the agencies holding the
// score back most are dp3a (8 shares, 258.06), dinkes, disdik (3 shares,
// 96.77), bappeda and dinsos (2 shares, 64.52 each; by name).
type homeWorld struct {
	*capiWorld
	year int
}

func newHomeWorld(t *testing.T, d store.Dialect) *homeWorld {
	t.Helper()
	w := &homeWorld{capiWorld: newCapiWorld(t, d)}
	p, err := w.srv.Cases.SaveProvider(bg, capiSys, domain.Provider{RegionCode: "61.07", Name: "Puskesmas", Kind: "health",
		Services: []string{"health"}, Phone: "+6281200008888"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.RecordConsent(bg, capiSys, w.a.cs.ID, domain.NewConsent{Basis: domain.BasisVital, GivenBy: "luka", GivenOn: cwaToday()}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.Refer(bg, capiSys, w.a.cs.ID, domain.NewReferral{ProviderID: p.ID, Service: "health", Urgency: "urgent", Reason: "periksa"}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(10 * 24 * time.Hour)
	w.year = kla.CurrentYear(w.clock.Now())
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	op := w.addUser("op-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, capiSys, op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []domain.KLAValueInput{
		{IndicatorID: "11", RegionCode: "61.07", Year: w.year, Value: 100},
		{IndicatorID: "7", RegionCode: "61.07", Year: w.year, Value: 0},
		{IndicatorID: "8", RegionCode: "61.07", Year: w.year - 2, Value: 5},
		{IndicatorID: "12", RegionCode: "13.01", Year: w.year, Value: 7},
	} {
		if err := kla.PutValues(bg, w.st, capiSys, kla.Regime2011, []domain.KLAValueInput{v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := kla.VerifyValue(bg, w.st, capiSys, kla.Regime2011, "61.07", w.year, "11", true, nil, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

var homeTagRE = regexp.MustCompile(`<[^>]+>`)

// section is the text of the element with id (up to its closing tag of
// the same name), tags removed and spaces collapsed; "" when absent.
func section(body, id, tag string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	i += strings.Index(body[i:], ">") + 1
	j := strings.Index(body[i:], "</"+tag+">")
	if j < 0 {
		j = len(body) - i
	}
	return strings.Join(strings.Fields(homeTagRE.ReplaceAllString(body[i:i+j], " ")), " ")
}

// Each role's home shows its own block with the fixture's numbers, and
// neither the blocks of other roles nor anything from outside its region.
func TestHomeByRole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newHomeWorld(t, d)
		codeA, codeB := domain.FormatPublicCode(w.a.cs.Code), domain.FormatPublicCode(w.b.cs.Code)
		y := strconv.Itoa(w.year)
		type blocks struct{ overdue, agency, kla bool }
		for _, c := range []struct {
			user   string
			want   blocks
			has    []string
			hasnt  []string
			checks func(t *testing.T, body string)
		}{
			{"sup", blocks{overdue: true}, []string{codeA, codeB}, nil, func(t *testing.T, body string) {
				if s := section(body, "home-overdue-cases", "a"); s != "2 kasus lewat tenggat" {
					t.Errorf("sup: overdue cases %q", s)
				}
				if s := section(body, "home-overdue-reports", "a"); s != "2 laporan belum diperiksa lewat tenggat" {
					t.Errorf("sup: overdue reports %q", s)
				}
				if s := section(body, "home-overdue-referrals", "a"); s != "1 rujukan belum dijawab lewat tenggat" {
					t.Errorf("sup: overdue referrals %q", s)
				}
				if !strings.Contains(body, `href="/kasus?f=1&amp;open=1&amp;due=overdue"`) || !strings.Contains(body, `href="/laporan?status=new"`) {
					t.Error("sup: no links to the filtered inbox and report list")
				}
				// Case A's referral clock (urgent: due within a day or two)
				// passed last; both cases' first clocks passed ~10 days ago.
				tbl := section(body, "home-overdue-table", "table")
				if !strings.Contains(tbl, "Konfirmasi petugas") || !strings.Contains(tbl, "hari") {
					t.Errorf("sup: overdue table %q", tbl)
				}
			}},
			{"admin-a", blocks{overdue: true, kla: true}, []string{codeA}, []string{codeB}, func(t *testing.T, body string) {
				for id, want := range map[string]string{"home-overdue-cases": "1 kasus", "home-overdue-reports": "1 laporan", "home-overdue-referrals": "1 rujukan"} {
					if s := section(body, id, "a"); !strings.HasPrefix(s, want) {
						t.Errorf("admin-a: %s %q", id, s)
					}
				}
				// Nothing of the district was entered: every agency loses.
				if s := section(body, "home-kla-total", "span"); s != "0.00" {
					t.Errorf("admin-a: KLA total %q", s)
				}
			}},
			{"admin-b", blocks{overdue: true, kla: true}, []string{codeB}, []string{codeA}, func(t *testing.T, body string) {
				if s := section(body, "home-overdue-referrals", "a"); !strings.HasPrefix(s, "0 rujukan") {
					t.Errorf("admin-b: referrals %q", s)
				}
			}},
			{"viewer", blocks{kla: true}, nil, []string{codeA, codeB}, func(t *testing.T, body string) {
				if s := section(body, "home-kla-total", "span"); s != "64.52" {
					t.Errorf("viewer: KLA total %q", s)
				}
				if s := section(body, "home-kla-verified", "span"); s != "32.26" {
					t.Errorf("viewer: verified %q", s)
				}
				if s := section(body, "home-kla-category", "span"); s != "Belum berpredikat" {
					t.Errorf("viewer: category %q", s)
				}
				tbl := section(body, "home-holding", "table")
				order := []string{"Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak 0 dari 8 0 0 258.06",
					"Dinas Kesehatan 2 dari 7 1 1 161.29", "Dinas Pendidikan dan Kebudayaan 0 dari 3 0 0 96.77",
					"Badan Perencanaan Pembangunan Daerah 0 dari 2 0 0 64.52", "Dinas Sosial 0 dari 2 0 0 64.52"}
				at := 0
				for _, row := range order {
					i := strings.Index(tbl[at:], row)
					if i < 0 {
						t.Errorf("viewer: holding table lacks %q in order: %s", row, tbl)
						break
					}
					at += i + len(row)
				}
				if strings.Contains(tbl, "Dinas Perhubungan") {
					t.Errorf("viewer: more than five agencies: %s", tbl)
				}
				if !strings.Contains(body, `href="/kla/kelengkapan?region=61.07&amp;year=`+y+`"`) {
					t.Error("viewer: no link to the completeness table")
				}
			}},
			{"op-kes", blocks{agency: true}, nil, []string{codeA, codeB}, func(t *testing.T, body string) {
				if s := section(body, "home-missing-count", "span"); s != "5" {
					t.Errorf("op-kes: missing %q", s)
				}
				if s := section(body, "home-entered", "span"); s != "2" {
					t.Errorf("op-kes: entered %q", s)
				}
				row := section(body, "home-agency-row", "table")
				if !strings.Contains(row, "7 2 1 1 161.29 op-kes") {
					t.Errorf("op-kes: completeness row %q", row)
				}
				list := section(body, "home-missing", "ul")
				for _, id := range []string{"8", "9", "10", "12", "15"} {
					if !strings.Contains(body, `href="/kla/isi?region=61.07&amp;year=`+y+`#row-`+id+`"`) {
						t.Errorf("op-kes: no link to enter %s", id)
					}
				}
				if !strings.Contains(list, "8. ") || !strings.Contains(list, "data lama tahun "+strconv.Itoa(w.year-2)) || strings.Contains(list, "11. ") {
					t.Errorf("op-kes: missing list %q", list)
				}
			}},
			{"opd", blocks{agency: true}, nil, nil, func(t *testing.T, body string) {
				if !strings.Contains(body, `id="home-no-agency"`) || strings.Contains(body, `id="home-missing"`) {
					t.Error("unbound operator: no notice that the account has no agency")
				}
			}},
			{"cw-a", blocks{}, nil, []string{codeB}, nil},
			{"fasil", blocks{}, nil, []string{codeA, codeB}, nil},
			{"other-prov", blocks{overdue: true, kla: true}, nil, []string{codeA, codeB}, func(t *testing.T, body string) {
				if s := section(body, "home-overdue-cases", "a"); !strings.HasPrefix(s, "0 kasus") {
					t.Errorf("other-prov: cases %q", s)
				}
				// 12 = 7 of 10 (count, default linear 0-10) in 13.01.
				if s := section(body, "home-kla-total", "span"); s != "22.58" {
					t.Errorf("other-prov: KLA total %q", s)
				}
			}},
		} {
			b := w.loggedIn(c.user)
			code, body, _ := b.get("/beranda")
			if code != 200 {
				t.Fatalf("%s: /beranda %d", c.user, code)
			}
			checkPage(t, c.user+" /beranda", body)
			got := blocks{strings.Contains(body, `id="home-overdue"`), strings.Contains(body, `id="home-agency"`), strings.Contains(body, `id="home-kla"`)}
			if got != c.want {
				t.Errorf("%s: blocks %+v, want %+v", c.user, got, c.want)
			}
			for _, s := range c.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s: home lacks %q", c.user, s)
				}
			}
			for _, s := range c.hasnt {
				if strings.Contains(body, s) {
					t.Errorf("%s: home shows %q from outside the user's reach", c.user, s)
				}
			}
			if c.checks != nil {
				c.checks(t, body)
			}
		}

		// English: the blocks are translated.
		b := w.loggedIn("viewer")
		b.post("/lang", map[string][]string{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/beranda"}})
		if _, body, _ := b.get("/beranda"); !strings.Contains(body, "KLA score for "+y) || !strings.Contains(body, "2 of 7") {
			t.Errorf("English home: %s", section(body, "home-kla", "section"))
		}
	})
}

// /kla/kelengkapan: who may open it (as the KLA dashboard), the region
// and year it shows, and the fixture's numbers.
func TestCompletenessPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newHomeWorld(t, d)
		y := strconv.Itoa(w.year)
		for _, c := range []struct {
			user, query string
			code        int
		}{
			{"viewer", "", 200}, {"reg-admin", "", 200}, {"admin-a", "", 200}, {"sup", "", 200}, {"cw-a", "", 200},
			{"op-kes", "", 200}, {"fasil", "", 200}, {"opd", "", 200},
			{"resp-in", "", 403},
			{"admin-a", "?region=61.07", 404}, {"other-prov", "?region=61.07", 404}, {"viewer", "?region=13.01", 404},
		} {
			b := w.loggedIn(c.user)
			code, body, _ := b.get("/kla/kelengkapan" + c.query)
			if code != c.code {
				t.Errorf("%s %s: %d, want %d", c.user, c.query, code, c.code)
			}
			if code == 200 {
				checkPage(t, c.user+" /kla/kelengkapan", body)
			}
		}
		if code, _, _ := w.browser().get("/kla/kelengkapan"); code != 303 {
			t.Errorf("anonymous: %d", code)
		}

		b := w.loggedIn("viewer")
		code, body, _ := b.get("/kla/kelengkapan?region=61.07&year=" + y)
		if code != 200 {
			t.Fatalf("viewer: %d", code)
		}
		first := section(body, "agency-0", "tr")
		if !strings.HasPrefix(first, "Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak") || !strings.Contains(first, "8 0 0 0 258.06 Belum ada operator") {
			t.Errorf("first row: %q", first)
		}
		second := section(body, "agency-1", "tr")
		if !strings.HasPrefix(second, "Dinas Kesehatan") || !strings.Contains(second, "7 2 1 1 161.29 op-kes 5 indikator") ||
			!strings.Contains(second, "data lama tahun "+strconv.Itoa(w.year-2)) {
			t.Errorf("dinkes row: %q", second)
		}
		// The viewer (task force) verifies: a link to the agency's values;
		// it enters nothing.
		if !strings.Contains(body, `href="/kla/opd/dinkes?year=`+y+`"`) || !strings.Contains(body, `href="/kla/verifikasi?agency=dinkes&amp;region=61.07&amp;year=`+y+`"`) ||
			strings.Contains(body, `href="/kla/isi?`) {
			t.Error("viewer: row links")
		}
		if !strings.Contains(body, `id="completeness-terms"`) {
			t.Error("the definitions are not on the page")
		}
		// The operator may enter only their own agency's values.
		_, body, _ = w.loggedIn("op-kes").get("/kla/kelengkapan?year=" + y)
		if n := strings.Count(body, `href="/kla/isi?region=61.07&amp;year=`+y+`"`); n != 1 || !strings.Contains(section(body, "agency-1", "tr"), "Isi data") {
			t.Errorf("operator: %d entry links", n)
		}
		// A district: nothing entered there.
		_, body, _ = w.loggedIn("admin-a").get("/kla/kelengkapan?year=" + y)
		if s := section(body, "agency-0", "tr"); !strings.Contains(s, "8 0 0 0 258.06") {
			t.Errorf("district first row: %q", s)
		}
		if s := section(body, "completeness-table", "table"); strings.Contains(s, "op-kes") {
			t.Errorf("district admin sees the regency's operator: %q", s)
		}
		// The dashboard links to it with its region and year.
		_, body, _ = b.get("/kla?region=61.07&year=" + y)
		if !strings.Contains(body, `href="/kla/kelengkapan?region=61.07&amp;year=`+y+`"`) {
			t.Error("no link from the KLA dashboard")
		}
	})
}

// On a 390 px phone (when LINDU_TEST_CHROMIUM is set) the homes of the
// regent, the supervisor and the agency operator and the completeness
// table fit without sideways scrolling and pass the accessibility check.
func TestBrowserHomeOnPhone(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newHomeWorld(t, store.SQLite)
	for _, user := range []string{"viewer", "sup", "op-kes"} {
		c := newChrome(t, ctx, execPath)
		c.loginOnPhone(w.ts.URL, user, pw)
		c.do("open the home", chromedp.Navigate(w.ts.URL+"/beranda"))
		c.fits(user + " home")
		c.do("open the completeness table", chromedp.Navigate(w.ts.URL+"/kla/kelengkapan"))
		c.fits(user + " completeness table")
	}
}
