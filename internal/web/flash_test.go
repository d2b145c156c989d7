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
		"a_very_long_key_that_goes_on_and_on_and_on_": false, "kla_accepted_n:50": true, "x:1:2:3": true, "x:1:2:3:4": false,
		"x:": false, "x:-1": false, "x:<b>": false, "x:1234567890": false} {
		if flashKey.MatchString(k) != want {
			t.Errorf("flash key %q accepted: %v", k, !want)
		}
	}
}

// A message that states numbers: the numbers travel with the key through
// the redirect, and only whole numbers that fit the message are shown.
func TestFlashCount(t *testing.T) {
	loc := withOKCount("/kla/verifikasi?year=2025&page=2", "kla_accepted_n", 50)
	rest, key := splitFlash(loc)
	if rest != "/kla/verifikasi?year=2025&page=2" || key != "kla_accepted_n:50" || !flashKey.MatchString(key) {
		t.Fatalf("splitFlash(%q) = %q, %q", loc, rest, key)
	}
	for _, c := range []struct{ lang, value, want string }{
		{"id", "kla_accepted_n:50", "50 nilai diterima dan tercatat terverifikasi."},
		{"en", "kla_accepted_n:50", "50 values accepted and recorded as verified."},
		{"id", "kla_value_rejected", "1 nilai ditolak; perangkat daerah dapat mengisinya ulang dengan bukti baru."},
		{"id", "kla_saved", "Tersimpan."},
		{"id", "kla_accepted_n", ""},     // a number missing
		{"id", "kla_saved:3", ""},        // a number too many
		{"id", "kla_accepted_n:3:4", ""}, // a number too many
		{"id", "no_such_message:3", ""},  // unknown key
	} {
		if got := flashText(c.lang, c.value); got != c.want {
			t.Errorf("flashText(%s, %q) = %q, want %q", c.lang, c.value, got, c.want)
		}
	}
}
