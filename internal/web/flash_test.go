package web

import "testing"

func TestSplitFlash(t *testing.T) {
	for _, c := range []struct{ in, rest, key string }{
		{"/tim", "/tim", ""},
		{"/tim?ok=team_created", "/tim", "team_created"},
		{"/tim?ok=duty_added#duty", "/tim#duty", "duty_added"},
		{"/kla/isi?year=2026&region=61.07&imported=3&ok=kla_imported", "/kla/isi?year=2026&region=61.07&imported=3", "kla_imported"},
		{withOK("/tempat/x", "place_checked") + "#periksa", "/tempat/x#periksa", "place_checked"},
		{withOK("/kasus?status=new&ok=old", "case_status"), "/kasus?status=new", "case_status"},
		{withOK("/tim#routing", "routing_saved"), "/tim#routing", "routing_saved"},
		{"/kasus?okay=1&status=new", "/kasus?okay=1&status=new", ""},
	} {
		if rest, key := splitFlash(c.in); rest != c.rest || key != c.key {
			t.Errorf("splitFlash(%q) = %q, %q; want %q, %q", c.in, rest, key, c.rest, c.key)
		}
	}
	for k, want := range map[string]bool{"team_created": true, "proposal_hapus-foto": true, "": false, "<b>": false,
		"a_very_long_key_that_goes_on_and_on_and_on_": false} {
		if flashKey.MatchString(k) != want {
			t.Errorf("flash key %q accepted: %v", k, !want)
		}
	}
}
