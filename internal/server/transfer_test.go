package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Transfers through the pages and the API on both databases: who may ask,
// who may decide (only the receiving region's supervisors), the case moving
// with access, the sending side read-only; every transfer route for every
// role of the world.
func TestTransferPagesAndAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		id := w.a.cs.ID
		recv, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: "sup-sambas", Role: domain.RoleSupervisor, RegionCode: "61.01", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		w.users["sup-sambas"] = recv
		// GET /kasus/pindahan: whoever works cases.
		for user, want := range map[string]int{"sup": 200, "cw-lead": 200, "resp-in": 200, "viewer": 403, "opd": 403, "fasil": 403, "sup-sambas": 200} {
			b := w.loggedIn(user)
			if code, body, _ := b.get("/kasus/pindahan"); code != want {
				t.Errorf("%s GET /kasus/pindahan: %d, want %d", user, code, want)
			} else if code == 200 {
				checkPage(t, "transfers page", body)
			}
		}
		// Asking: only those who handle the case.
		for user, want := range map[string]int{"cw-a": 404, "cw-b": 404, "viewer": 404, "sup-sambas": 404} {
			b := w.loggedIn(user)
			if code, _, _ := b.post("/kasus/"+id+"/pindah", url.Values{"csrf": {b.csrf}, "to_region": {"61.01"}, "reason": {"pindah"}}); code != want {
				t.Errorf("%s asks a transfer: %d, want %d", user, code, want)
			}
		}
		lead := w.loggedIn("cw-lead")
		_, body, _ := lead.get("/kasus/" + id)
		if !strings.Contains(body, `id="request-transfer"`) {
			t.Fatal("no transfer form for the case's lead")
		}
		if code, _, _ := lead.post("/kasus/"+id+"/pindah", url.Values{"csrf": {lead.csrf}, "to_region": {"61.07"}, "reason": {"pindah"}}); code != 422 {
			t.Errorf("transfer into the own regency: %d", code)
		}
		if code, _, _ := lead.post("/kasus/"+id+"/pindah", url.Values{"csrf": {lead.csrf}, "to_region": {"61.01"}, "reason": {"Keluarga pindah"}}); code != 303 {
			t.Fatalf("transfer: %d", code)
		}
		tok := w.token("sup-sambas")
		st, list := w.api("GET", "/api/v1/transfers?direction=in", tok, nil)
		if st != 200 || len(list["transfers"].([]any)) != 1 {
			t.Fatalf("incoming transfers: %d %v", st, list)
		}
		tid := list["transfers"].([]any)[0].(map[string]any)["id"].(string)
		// Deciding: only the receiving region's supervisors.
		for user, want := range map[string]int{"sup": 404, "cw-lead": 404, "reg-admin": 404, "viewer": 404} {
			if code, _ := w.api("POST", "/api/v1/transfers/"+tid+"/decision", w.toks[user], map[string]any{"decision": "accept"}); code != want {
				t.Errorf("%s decides: %d, want %d", user, code, want)
			}
		}
		sb := w.loggedIn("sup-sambas")
		if _, body, _ := sb.get("/kasus/pindahan"); !strings.Contains(body, `<select id="tn-`+tid+`"`) || !strings.Contains(body, `value="61.01.01"`) {
			t.Error("the receiving supervisor has no choice of where the case goes")
		}
		if code, _, _ := sb.post("/pindahan/"+tid+"/putuskan", url.Values{"csrf": {sb.csrf}, "decision": {"reject"}}); code != 422 {
			t.Errorf("reject without a reason: %d", code)
		}
		if code, _, _ := sb.post("/pindahan/"+tid+"/putuskan", url.Values{"csrf": {sb.csrf}, "decision": {"accept"}, "new_region": {"61.01.01"}}); code != 303 {
			t.Fatalf("accept: %d", code)
		}
		// The receiving side works it; the sender reads it, read-only.
		if code, _, _ := sb.get("/kasus/" + id + "?tab=rencana"); code != 200 {
			t.Errorf("receiving supervisor opens the case: %d", code)
		}
		sup := w.loggedIn("sup")
		code, body, _ := sup.get("/kasus/" + id)
		if code != 200 || !strings.Contains(body, `id="read-only-note"`) || strings.Contains(body, `id="to-closed"`) {
			t.Errorf("sending supervisor's view: %d read-only=%v", code, strings.Contains(body, `id="read-only-note"`))
		}
		if code, _, _ := sup.post("/kasus/"+id+"/note", url.Values{"csrf": {sup.csrf}, "note": {"x"}}); code != 404 {
			t.Errorf("sending supervisor adds a note: %d", code)
		}
		if code, c := w.api("GET", "/api/v1/cases/"+id, w.toks["sup"], nil); code != 200 || c["read_only"] != true {
			t.Errorf("API read-only view: %d %v", code, c["read_only"])
		}
		if code, _ := w.api("GET", "/api/v1/cases/"+id, w.toks["cw-b"], nil); code != 404 {
			t.Errorf("another district reads the moved case: %d", code)
		}
		if code, _ := w.api("POST", "/api/v1/transfers/"+tid+"/cancel", w.toks["cw-lead"], nil); code != 404 {
			t.Errorf("cancel after the move: %d", code)
		}
	})
}
