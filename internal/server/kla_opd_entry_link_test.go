package server_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// An agency's page (/kla/opd/{code}) links to data entry only for who may
// enter that agency's values: a KLA manager and the agency's own
// operators; the link, when shown, opens the entry page.
func TestKLAAgencyPageEntryLink(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	op := w.addUser("op-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, access.System("test"), op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who    string
		agency string
		link   bool
	}{
		{"reg-admin", "dinkes", true}, {"reg-admin", "dp3a", true},
		{"op-kes", "dinkes", true}, {"op-kes", "dp3a", false},
		{"viewer", "dinkes", false}, {"sup", "dinkes", false}, {"cw-a", "dinkes", false},
	} {
		b := w.loggedIn(c.who)
		code, body, _ := b.get("/kla/opd/" + c.agency + "?year=2025")
		if code != 200 {
			t.Errorf("%s /kla/opd/%s: %d", c.who, c.agency, code)
			continue
		}
		if got := strings.Contains(body, `id="agency-enter"`); got != c.link {
			t.Errorf("%s /kla/opd/%s: entry link shown = %v", c.who, c.agency, got)
		}
		if c.link {
			if code, _, _ := b.get("/kla/isi"); code != 200 {
				t.Errorf("%s follows the entry link: %d", c.who, code)
			}
		}
	}
}
