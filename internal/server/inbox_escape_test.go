package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The inbox writes its rows and its team filter's options in Go
// (CasesPage.rowsHTML, teamOptionsHTML), not through html/template: what
// users typed (a team's name, shown in the "who" column and as an option)
// must arrive escaped, in text and in the row's link, and the team the
// filter names is the option selected.
func TestInboxEscapesWhatUsersTyped(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		const hostile = `Satgas <script>alert("x")</script> & 'Desa' <b>`
		team, err := w.srv.Cases.CreateTeam(bg, access.System("test"), domain.Team{Name: hostile, Kind: "village_taskforce", RegionCode: village})
		if err != nil {
			t.Fatal(err)
		}
		rep := reportByCode(t, w, fileReport(t, w, reportForm()))
		sup := w.loggedIn("sup")
		code, _, h := sup.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"high"}, "types": {"physical"}})
		m := caseLocRE.FindStringSubmatch(h.Get("Location"))
		if code != 303 || m == nil {
			t.Fatalf("verify: %d", code)
		}
		c, err := w.srv.Cases.GetCase(bg, access.System("test"), m[1])
		if err != nil {
			t.Fatal(err)
		}
		if c.TeamName != hostile {
			t.Fatalf("the case went to team %q, want the hostile one", c.TeamName)
		}
		code, body, _ := sup.get("/kasus")
		if code != 200 {
			t.Fatalf("/kasus: %d", code)
		}
		checkPage(t, "/kasus", body)
		for _, raw := range []string{"<script>", "<b>", `"x"`, "'Desa'"} {
			if strings.Contains(body, raw) {
				t.Errorf("the inbox shows %q unescaped", raw)
			}
		}
		escaped := `Satgas &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Desa&#39; &lt;b&gt;`
		if !strings.Contains(body, escaped) {
			t.Errorf("the inbox does not show the team's name escaped (%s)", escaped)
		}
		if !strings.Contains(body, `<a href="/kasus/`+c.ID+`" class="code">`+domain.FormatPublicCode(c.Code)+`</a>`) {
			t.Error("the case's row has no link to it")
		}
		if !strings.Contains(pageText(body), hostile) {
			t.Error("the page's text is not the team's name")
		}
		if !strings.Contains(body, `<option value="`+team.ID+`">`+escaped+`</option>`) {
			t.Error("the team filter has no option for the team, escaped and not selected")
		}
		code, body, _ = sup.get("/kasus?f=1&open=1&team=" + url.QueryEscape(team.ID))
		if code != 200 || !strings.Contains(body, `<option value="`+team.ID+`" selected>`+escaped+`</option>`) {
			t.Errorf("/kasus filtered by the team (%d): its option is not selected", code)
		}
		checkPage(t, "/kasus?team=", body)
	})
}
