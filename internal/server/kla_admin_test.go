package server_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The user admin pages bind an opd_operator to an agency (OPD) from the
// KLA list, in the same request and audited; an unknown agency is a field
// error and creates nothing; the user page and the API show the agency;
// another role is unbound.
func TestUserAgencyOnAdminPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		if _, err := kla.EnsureShipped(bg, w.st); err != nil {
			t.Fatal(err)
		}
		b := w.loggedIn("reg-admin")
		_, body, _ := b.get("/users/new")
		if !strings.Contains(body, `<select id="agency" name="agency"`) || !strings.Contains(body, `<option value="dinkes">`) ||
			!strings.Contains(body, "Perangkat daerah (OPD)") {
			t.Fatal("no agency select on /users/new")
		}
		form := func(agency string) url.Values {
			return url.Values{"csrf": {b.csrf}, "username": {"op-puskesmas"}, "role": {"opd_operator"},
				"region_code": {"61.07.01"}, "agency": {agency}, "password": {"correct horse battery"}}
		}
		code, body, _ := b.post("/users", form("no-such-opd"))
		if code != 422 || !strings.Contains(body, `id="agency-err">Perangkat daerah tidak dikenal.`) {
			t.Fatalf("unknown agency: %d", code)
		}
		if _, err := w.st.CredentialsByUsername(bg, "op-puskesmas"); !domain.IsNotFound(err) {
			t.Fatalf("user created despite the bad agency: %v", err)
		}
		code, _, _ = b.post("/users", form("dinkes"))
		if code != 201 {
			t.Fatalf("create: %d", code)
		}
		c, err := w.st.CredentialsByUsername(bg, "op-puskesmas")
		if err != nil || c.User.Agency != "dinkes" {
			t.Fatalf("agency after create: %q %v", c.User.Agency, err)
		}
		id := c.User.ID
		audited := func(want string) {
			t.Helper()
			es, err := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "user.agency", ObjectID: id, Limit: 10})
			if err != nil || len(es) == 0 || es[0].Detail != "agency="+want || es[0].ActorID != w.users["reg-admin"].ID {
				t.Fatalf("audit of the binding to %q: %+v %v", want, es, err)
			}
		}
		audited("dinkes")
		_, body, _ = b.get("/users/" + id)
		if !regexp.MustCompile(`id="user-agency">[^<]+<span class="hint">dinkes</span>`).MatchString(body) ||
			!strings.Contains(body, `<option value="dinkes" selected>`) {
			t.Fatal("user page does not show the agency")
		}
		// The API's user JSON has the agency.
		st, js := w.api("GET", "/api/v1/users/"+id, w.token("reg-admin"), nil)
		if st != 200 || js["agency"] != "dinkes" {
			t.Fatalf("API user: %d %v", st, js["agency"])
		}
		st, js = w.api("GET", "/api/v1/users/"+w.users["cw-a"].ID, w.token("reg-admin"), nil)
		if v, ok := js["agency"]; st != 200 || !ok || v != "" {
			t.Fatalf("API user without agency: %d %v", st, js)
		}
		edit := func(role, agency string) (int, string) {
			code, body, _ := b.post("/users/"+id, url.Values{"csrf": {b.csrf}, "role": {role}, "region_code": {"61.07.01"},
				"agency": {agency}, "full_name": {""}, "email": {""}, "phone": {""}})
			return code, body
		}
		if code, body := edit("opd_operator", "bogus"); code != 422 || !strings.Contains(body, `id="agency-err"`) {
			t.Fatalf("edit with unknown agency: %d", code)
		}
		if a, _ := kla.UserAgency(bg, w.st, id); a != "dinkes" {
			t.Fatalf("bad edit changed the agency to %q", a)
		}
		if code, _ := edit("opd_operator", "disdik"); code != 303 {
			t.Fatalf("edit: %d", code)
		}
		if a, _ := kla.UserAgency(bg, w.st, id); a != "disdik" {
			t.Fatalf("agency after edit %q", a)
		}
		audited("disdik")
		// Another role is not bound to an agency.
		if code, _ := edit("caseworker", "disdik"); code != 303 {
			t.Fatalf("edit role: %d", code)
		}
		if a, _ := kla.UserAgency(bg, w.st, id); a != "" {
			t.Fatalf("caseworker still bound to %q", a)
		}
		audited("")
	})
}

// A bad rubric comes back as the form (422) with each message under its
// field and the typed values kept; a good one is saved.
func TestRubricFieldErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	b := w.loggedIn("reg-admin")
	code, body, _ := b.get("/kla/katalog?regime=" + kla.Regime2011)
	if code != 200 || !strings.Contains(body, `id="rubric-table"`) {
		t.Fatalf("catalogue: %d", code)
	}
	// The form as shown, then spoiled in a few places.
	form := url.Values{"csrf": {b.csrf}, "regime": {kla.Regime2011}, "year": {"2025"}}
	inputRE := regexp.MustCompile(`name="((?:max|worst|best|steps)_[^"]+)" value="([^"]*)"`)
	for _, m := range inputRE.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], m[2])
	}
	methodRE := regexp.MustCompile(`name="(method_[^"]+)"><option value="linear"( selected)?>`)
	for _, m := range methodRE.FindAllStringSubmatch(body, -1) {
		if m[2] != "" {
			form.Set(m[1], "linear")
		} else {
			form.Set(m[1], "threshold")
		}
	}
	if len(form) < 100 {
		t.Fatalf("rubric form has %d fields", len(form))
	}
	good := url.Values{}
	for k, v := range form {
		good[k] = v
	}
	form.Set("max_1", "banyak")
	form.Set("method_2", "linear")
	form.Set("worst_2", "80")
	form.Set("best_2", "80")
	form.Set("method_3", "threshold")
	form.Set("steps_3", "50")
	form.Set("max_4", "2000")
	form.Set("year", "1999")
	code, body, _ = b.post("/kla/rubrik", form)
	if code != 422 {
		t.Fatalf("bad rubric: %d", code)
	}
	for _, want := range []string{
		`id="rx-1-err">Isi dengan angka.`,
		`id="rb-2-err">Nilai terburuk dan terbaik harus berbeda.`,
		`id="rs-3-err">Langkah &#34;50&#34;: tulis nilai:bagian, mis. 80:0.5`,
		`id="rx-4-err">Poin maksimum antara 0 dan 1000.`,
		`id="rub-year-err">Tahun antara 2000 dan 2100.`,
		`name="max_1" value="banyak"`, `name="year" value="1999"`,
		`<option value="threshold" selected>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %s", want)
		}
	}
	if rules, _ := kla.StoredRules(bg, w.st, kla.Regime2011, 2025); len(rules) != 0 {
		t.Fatalf("bad rubric saved %d rules", len(rules))
	}
	// Higher-is-better indicator with best below worst: under "best".
	form = url.Values{}
	for k, v := range good {
		form[k] = v
	}
	form.Set("worst_1", "90")
	form.Set("best_1", "10")
	if code, body, _ = b.post("/kla/rubrik", form); code != 422 || !strings.Contains(body, `id="rb-1-err">Makin tinggi makin baik`) {
		t.Fatalf("polarity error: %d", code)
	}
	good.Set("csrf", b.csrf)
	if code, _, h := b.post("/kla/rubrik", good); code != 303 || !strings.Contains(h.Get("Location"), "year=2025") {
		t.Fatalf("good rubric: %d %s", code, h.Get("Location"))
	}
	if rules, _ := kla.StoredRules(bg, w.st, kla.Regime2011, 2025); len(rules) < 31 {
		t.Fatalf("good rubric saved %d rules", len(rules))
	}
}

// The dashboard's year selector never offers a year after the current
// calendar year, and a future ?year= is brought back to it.
func TestDashboardYearsNotInFuture(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		now       time.Time
		top, kla_ int
	}{
		{time.Date(2026, 3, 15, 10, 0, 0, 0, domain.WIB), 2026, 2025},
		{time.Date(2026, 8, 15, 10, 0, 0, 0, domain.WIB), 2026, 2026},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, domain.WIB), 2026, 2026},
	} {
		t.Run(c.now.Format("2006-01-02"), func(t *testing.T) {
			clk := storetest.NewClock(c.now)
			w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07", Now: clk.Now})
			if _, err := kla.EnsureShipped(bg, w.st); err != nil {
				t.Fatal(err)
			}
			b := w.loggedIn("viewer")
			code, body, _ := b.get("/kla")
			if code != 200 {
				t.Fatalf("dashboard: %d", code)
			}
			sel := regexp.MustCompile(`(?s)<select id="kla-year" name="year">(.*?)</select>`).FindStringSubmatch(body)
			if sel == nil {
				t.Fatal("no year selector")
			}
			var years []int
			for _, m := range regexp.MustCompile(`<option value="(\d+)"( selected)?>`).FindAllStringSubmatch(sel[1], -1) {
				y, _ := strconv.Atoi(m[1])
				years = append(years, y)
				if m[2] != "" && y != c.kla_ {
					t.Errorf("selected %d, want the KLA year %d", y, c.kla_)
				}
			}
			if len(years) == 0 || years[0] != c.top || years[len(years)-1] != c.kla_-5 {
				t.Fatalf("years offered %v, want %d down to %d", years, c.top, c.kla_-5)
			}
			_, body, _ = b.get("/kla?year=" + strconv.Itoa(c.top+3))
			if !strings.Contains(body, `<option value="`+strconv.Itoa(c.top)+`" selected>`) {
				t.Errorf("future ?year= not brought back to %d", c.top)
			}
		})
	}
}
