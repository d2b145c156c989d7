package server_test

import (
	"net/http"
	"strings"
	"testing"

	"lindu/internal/server"
	"lindu/internal/store"
)

// TestAPIStaffDirectoryForManagersOnly: the API's user directory follows
// the /users page: caseworkers and supervisors list no one and read only
// themselves; an admin lists the users of their region.
func TestAPIStaffDirectoryForManagersOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	for _, user := range []string{"cw-a", "sup", "viewer"} {
		tok := w.token(user)
		if code, _ := w.statsAPI("GET", "/api/v1/users", tok, ""); code != http.StatusForbidden {
			t.Errorf("%s lists users: %d", user, code)
		}
		if code, body := w.statsAPI("GET", "/api/v1/users/"+w.users["reg-admin"].ID, tok, ""); code != http.StatusNotFound || strings.Contains(body, "Rahasia") {
			t.Errorf("%s reads another user: %d", user, code)
		}
		if code, _ := w.statsAPI("GET", "/api/v1/users/"+w.users[user].ID, tok, ""); code != http.StatusOK {
			t.Errorf("%s reads themselves: %d", user, code)
		}
	}
	if code, body := w.statsAPI("GET", "/api/v1/users", w.token("reg-admin"), ""); code != http.StatusOK || !strings.Contains(body, "cw-a") {
		t.Errorf("admin lists users: %d", code)
	}
}
