package server_test

// End-to-end tests of the reports and cases API: public intake (validation,
// idempotency, rate limits, status without personal data), an access matrix
// of every case route x every role x a case inside and outside the caller's
// region, the workflow through the API, and a fuzz target for the public
// report endpoint.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var capiSys = access.System("test")

// capiDo sends a request with a raw body (string, or JSON-encoded value)
// and returns the status, raw body and headers. hdr are name, value pairs.
func capiDo(w *world, method, path, token string, body any, hdr ...string) (int, []byte, http.Header) {
	w.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = strings.NewReader(string(j))
	}
	req, _ := http.NewRequest(method, w.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

func capiJSON(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %.300s", raw)
	}
	return m
}

func capiReportCount(t testing.TB, st *store.Store) int {
	t.Helper()
	_, n, err := cases.New(st, cases.Options{}).ListReports(bg, capiSys, cases.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var capiNineDigits = regexp.MustCompile(`^[0-9]{9}$`)

func capiGoodReport(extra map[string]any) map[string]any {
	m := map[string]any{"description": "Anak kecil ditinggal sendirian berhari-hari tanpa makan",
		"region_code": "61.07.01.2001", "anonymous": true, "child_age": 6, "child_sex": "L"}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// Filing a report: 201 with a code; the same client_request_id (or
// Idempotency-Key) answers 200 with the same body and stores nothing more.
func TestAPIPublicReportIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		code, raw, h := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"client_request_id": "req-1"}))
		if code != 201 {
			t.Fatalf("create: %d %s", code, raw)
		}
		rec := capiJSON(t, raw)
		c, _ := rec["code"].(string)
		if !capiNineDigits.MatchString(c) || rec["code_formatted"] != c[0:3]+"-"+c[3:6]+"-"+c[6:9] ||
			rec["status_url"] != "/api/v1/reports/"+c+"/status" || h.Get("Location") != rec["status_url"] {
			t.Fatalf("receipt %s (Location %q)", raw, h.Get("Location"))
		}
		if _, ok := domain.NormalizePublicCode(c); !ok {
			t.Fatalf("code %s fails its check digit", c)
		}
		code2, raw2, _ := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"client_request_id": "req-1",
			"description": "Sent again after a timeout, with other words"}))
		if code2 != 200 || string(raw2) != string(raw) {
			t.Fatalf("repeat: %d %s, want 200 %s", code2, raw2, raw)
		}
		if n := capiReportCount(t, w.st); n != 1 {
			t.Fatalf("%d reports stored, want 1", n)
		}
		// The header works the same; header and body must agree.
		code, raw, _ = capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(nil), "Idempotency-Key", "hdr-7")
		code2, raw2, _ = capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"client_request_id": "hdr-7"}))
		if code != 201 || code2 != 200 || string(raw) != string(raw2) {
			t.Fatalf("header key: %d %s / %d %s", code, raw, code2, raw2)
		}
		code, raw, _ = capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"client_request_id": "a"}), "Idempotency-Key", "b")
		if code != 422 || !strings.Contains(string(raw), "client_request_id") {
			t.Fatalf("conflicting keys: %d %s", code, raw)
		}
		if n := capiReportCount(t, w.st); n != 2 {
			t.Fatalf("%d reports stored, want 2", n)
		}
		// The report is stored as the API channel, anonymously.
		reps, _, _ := w.srv.Cases.ListReports(bg, capiSys, cases.ReportFilter{})
		for _, r := range reps {
			if r.Channel != domain.ChannelAPI || !r.Anonymous {
				t.Fatalf("stored report %+v", r)
			}
		}
	})
}

// Malformed, unknown, incomplete, out-of-area and oversized reports are
// refused with a JSON error and store nothing.
func TestAPIPublicReportRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		j := func(m map[string]any) string { b, _ := json.Marshal(m); return string(b) }
		without := func(k string) string { m := capiGoodReport(nil); delete(m, k); return j(m) }
		cases := []struct {
			name   string
			body   string
			hdr    []string
			status int
			field  string
		}{
			{"malformed", `{"description":`, nil, 422, ""},
			{"not an object", `["a"]`, nil, 422, ""},
			{"two objects", j(capiGoodReport(nil)) + ` {}`, nil, 422, ""},
			{"empty", ``, nil, 422, ""},
			{"unknown field", j(capiGoodReport(map[string]any{"is_admin": true})), nil, 422, "is_admin"},
			{"missing description", without("description"), nil, 422, "description"},
			{"short description", j(capiGoodReport(map[string]any{"description": "tolong"})), nil, 422, "description"},
			{"missing region", without("region_code"), nil, 422, "region_code"},
			{"region outside the deployment", j(capiGoodReport(map[string]any{"region_code": "13.01"})), nil, 422, "region_code"},
			{"region not a code", j(capiGoodReport(map[string]any{"region_code": "Bengkayang"})), nil, 422, "region_code"},
			{"unknown village", j(capiGoodReport(map[string]any{"region_code": "61.07.01.2999"})), nil, 422, "region_code"},
			{"age wrong type", j(capiGoodReport(map[string]any{"child_age": "enam"})), nil, 422, "child_age"},
			{"age out of range", j(capiGoodReport(map[string]any{"child_age": -3})), nil, 422, "child_age"},
			{"sex", j(capiGoodReport(map[string]any{"child_sex": "X"})), nil, 422, "child_sex"},
			{"phone", j(capiGoodReport(map[string]any{"contact_phone": "call me maybe"})), nil, 422, "contact_phone"},
			{"key too long", j(capiGoodReport(map[string]any{"client_request_id": strings.Repeat("k", 200)})), nil, 422, "client_request_id"},
			{"key control chars", j(capiGoodReport(map[string]any{"client_request_id": "a\nb"})), nil, 422, "client_request_id"},
			{"oversized", j(capiGoodReport(map[string]any{"description": strings.Repeat("Anak ditelantarkan. ", 2000)})), nil, 413, ""},
			{"too long description", j(capiGoodReport(map[string]any{"description": strings.Repeat("x", 5001)})), nil, 422, "description"},
			{"wrong content type", j(capiGoodReport(nil)), []string{"Content-Type", "text/plain"}, 422, ""},
		}
		for _, c := range cases {
			code, raw, _ := capiDo(w, "POST", "/api/v1/reports", "", c.body, c.hdr...)
			if code != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, code, raw, c.status)
				continue
			}
			e, _ := capiJSON(t, raw)["error"].(map[string]any)
			if e == nil || e["message"] == "" {
				t.Errorf("%s: no JSON error: %s", c.name, raw)
				continue
			}
			if c.field != "" {
				if f, _ := e["fields"].(map[string]any); f[c.field] == nil {
					t.Errorf("%s: field %s not named: %s", c.name, c.field, raw)
				}
			}
		}
		if n := capiReportCount(t, w.st); n != 0 {
			t.Fatalf("refused requests stored %d reports", n)
		}
		// Refused bodies did not count against the limit: a full quota of
		// good reports still goes through.
		for i := 0; i < intake.ReportsPerAddress; i++ {
			if code, raw, _ := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(nil)); code != 201 {
				t.Fatalf("good report %d after refusals: %d %s", i+1, code, raw)
			}
		}
	})
}

// Per client address and per contact phone, with Retry-After; the window
// passes and reports are accepted again.
func TestAPIPublicReportRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		for i := 1; i <= intake.ReportsPerAddress+1; i++ {
			code, raw, h := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(nil))
			if i <= intake.ReportsPerAddress {
				if code != 201 {
					t.Fatalf("report %d: %d %s", i, code, raw)
				}
				continue
			}
			ra, err := strconv.Atoi(h.Get("Retry-After"))
			if code != 429 || errCode(capiJSON(t, raw)) != "too_many" || err != nil || ra < 1 || ra > 3600 {
				t.Fatalf("report over the limit: %d %s Retry-After %q", code, raw, h.Get("Retry-After"))
			}
		}
		if n := capiReportCount(t, w.st); n != intake.ReportsPerAddress {
			t.Fatalf("%d reports stored, want %d", n, intake.ReportsPerAddress)
		}
		// Staff are unaffected (other routes, other keys).
		if code, _ := w.api("GET", "/api/v1/reports", w.token("sup"), nil); code != 200 {
			t.Fatalf("staff list after public limit: %d", code)
		}
		w.clock.Advance(intake.ReportWindow)
		// Per phone: the same number however written.
		phones := []string{"0812 4444 5555", "+62 812-4444-5555", "62812 4444 5555", "(0812) 4444 5555", "081244445555", "+6281244445555"}
		for i, p := range phones {
			code, raw, h := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"anonymous": false, "contact_phone": p}))
			if i < intake.ReportsPerPhone && code != 201 {
				t.Fatalf("phone report %d: %d %s", i+1, code, raw)
			}
			if i >= intake.ReportsPerPhone && (code != 429 || h.Get("Retry-After") == "") {
				t.Fatalf("phone over the limit: %d %s", code, raw)
			}
		}
		if code, raw, _ := capiDo(w, "POST", "/api/v1/reports", "", capiGoodReport(map[string]any{"contact_phone": "0813 1111 2222"})); code != 201 {
			t.Fatalf("another phone: %d %s", code, raw)
		}
		// The limit keys hold no phone number.
		if n := capiReportCount(t, w.st); n != intake.ReportsPerAddress+intake.ReportsPerPhone+1 {
			t.Fatalf("%d reports stored", n)
		}
	})
}

// The public status shows progress and never personal data; lookups are
// limited per address.
func TestAPIPublicReportStatus(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		const desc, name, phone = "RAHASIA-NARASI anak dipukul ayahnya setiap malam", "RAHASIA-NAMA-PELAPOR", "0812 9876 5432"
		code, raw, _ := capiDo(w, "POST", "/api/v1/reports", "", map[string]any{"description": desc, "region_code": "61.07.01.2001",
			"anonymous": false, "reporter_name": name, "contact_phone": phone, "child_age": 11, "child_sex": "P"})
		if code != 201 {
			t.Fatalf("create: %d %s", code, raw)
		}
		rc := capiJSON(t, raw)["code"].(string)
		status := func(path string) (int, map[string]any) {
			t.Helper()
			code, raw, _ := capiDo(w, "GET", path, "", nil)
			for _, s := range []string{"RAHASIA", "98765432", "dipukul", `"description"`, `"contact_phone"`, `"reporter_name"`, `"region`, `"case`} {
				if strings.Contains(string(raw), s) {
					t.Fatalf("status %s leaks %q: %s", path, s, raw)
				}
			}
			return code, capiJSON(t, raw)
		}
		if code, v := status("/api/v1/reports/" + rc + "/status"); code != 200 || v["status"] != "received" || v["code"] != rc || v["received_at"] == nil {
			t.Fatalf("received: %d %v", code, v)
		}
		formatted := rc[0:3] + "-" + rc[3:6] + "-" + rc[6:9]
		if code, v := status("/api/v1/reports/" + formatted + "/status"); code != 200 || v["status"] != "received" {
			t.Fatalf("formatted code: %d %v", code, v)
		}
		wrong := rc[:8] + string('0'+(rc[8]-'0'+1)%10)
		for _, c := range []string{wrong, "123", "000000000", "abc"} {
			if code, v := status("/api/v1/reports/" + c + "/status"); code != 404 || errCode(v) != "not_found" {
				t.Fatalf("code %s: %d %v", c, code, v)
			}
		}
		// A supervisor verifies it through the API.
		sup := w.token("sup")
		_, list := w.api("GET", "/api/v1/reports?status=new", sup, nil)
		reps := list["reports"].([]any)
		if len(reps) != 1 {
			t.Fatalf("triage list: %v", list)
		}
		id := reps[0].(map[string]any)["id"].(string)
		code, c := w.api("POST", "/api/v1/reports/"+id+"/verify", sup, map[string]any{"priority": "high", "types": []string{"physical"}})
		if code != 201 || c["status"] != "verified" || c["summary"] != desc {
			t.Fatalf("verify: %d %v", code, c)
		}
		if code, v := status("/api/v1/reports/" + rc + "/status"); code != 200 || v["status"] != "in_review" || v["reviewed_at"] == nil {
			t.Fatalf("in review: %d %v", code, v)
		}
		caseID := c["id"].(string)
		if code, c := w.api("POST", "/api/v1/cases/"+caseID+"/transitions", sup, map[string]any{"to": "assigned", "assignee_id": w.users["cw-a"].ID}); code != 200 {
			t.Fatalf("assign: %d %v", code, c)
		}
		if code, c := w.api("POST", "/api/v1/cases/"+caseID+"/transitions", w.token("cw-a"), map[string]any{"to": "responded", "note": "bertemu anak"}); code != 200 {
			t.Fatalf("respond: %d %v", code, c)
		}
		if code, v := status("/api/v1/reports/" + rc + "/status"); code != 200 || v["status"] != "handled" || v["responded_at"] == nil {
			t.Fatalf("handled: %d %v", code, v)
		}
		// Lookups are limited per address: a fresh window allows exactly
		// intake.StatusLookupsPerAddress, found or not.
		w.clock.Advance(intake.StatusWindow)
		for i := 1; i <= intake.StatusLookupsPerAddress; i++ {
			path := "/api/v1/reports/" + rc + "/status"
			if i%2 == 0 {
				path = "/api/v1/reports/" + wrong + "/status"
			}
			if code, raw, _ := capiDo(w, "GET", path, "", nil); code != 200 && code != 404 {
				t.Fatalf("lookup %d: %d %s", i, code, raw)
			}
		}
		code, raw, h := capiDo(w, "GET", "/api/v1/reports/"+rc+"/status", "", nil)
		if code != 429 || h.Get("Retry-After") == "" || errCode(capiJSON(t, raw)) != "too_many" {
			t.Fatalf("lookup over the limit: %d %s", code, raw)
		}
	})
}

// ---- access matrix ----

// Planted personal data: none of it may reach a caller who may not see it.
var capiSecrets = []string{"RAHASIA-DESKRIPSI", "RAHASIA-PELAPOR", "77770001", "RAHASIA-RINGKASAN", "RAHASIA-KORBAN",
	"RAHASIA-PELAKU", "RAHASIA-CATATAN", "RAHASIA-LAYANAN", "RAHASIA-RUJUKAN", "RAHASIA-DISABILITAS", "RAHASIA-PENYEDIA",
	"RAHASIA-LEMBAGA", "RAHASIA-TEMPAT", "RAHASIA-ALASAN"}

func capiLeaks(raw []byte) []string {
	var out []string
	for _, s := range capiSecrets {
		if strings.Contains(string(raw), s) {
			out = append(out, s)
		}
	}
	for _, p := range people {
		if strings.Contains(string(raw), p.full) {
			out = append(out, p.full)
		}
	}
	return out
}

// capiRegion is one side of the matrix: a village with its taskforce, a
// case and a pending report full of personal data.
type capiRegion struct {
	name    string
	village string
	team    domain.Team
	cs      domain.Case   // assigned to the village team
	pending domain.Report // a new report in the village
}

type capiWorld struct {
	*world
	a, b capiRegion
	toks map[string]string
	// pkm is a provider some tests register (casework_matrix_test.go).
	pkm string
}

func newCapiWorld(t *testing.T, d store.Dialect) *capiWorld {
	t.Helper()
	w := &capiWorld{world: newWorld(t, d, server.Options{RootRegion: "61.07"}), toks: map[string]string{}}
	for _, u := range []struct {
		name   string
		role   domain.Role
		region string
	}{
		{"resp-in", domain.RoleResponder, "61.07.01.2001"},
		{"resp-out", domain.RoleResponder, "61.07.01.2001"},
		{"opd", domain.RoleOPDOperator, "61.07"},
		{"fasil", domain.RoleFacilitator, "61.07.01"},
		{"cw-lead", domain.RoleCaseworker, "61.07.01"},
	} {
		nu, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: u.name, Role: u.role, RegionCode: u.region, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = nu
	}
	for name := range w.users {
		w.toks[name] = w.token(name)
	}
	w.a = w.plant(t, "A", "61.07.01.2001", []string{w.users["resp-in"].ID})
	w.b = w.plant(t, "B", "61.07.02.2001", []string{w.users["cw-b"].ID})
	if _, err := w.srv.Cases.Reassign(bg, capiSys, w.a.cs.ID, "", w.users["cw-lead"].ID, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *capiWorld) newReport(t *testing.T, village, tag string) domain.Report {
	t.Helper()
	age := 7
	rep, _, err := w.srv.Cases.CreateReport(bg, access.Public("10.0.0.1", "test"), domain.NewReport{Channel: domain.ChannelWeb,
		RegionCode: village, Description: "RAHASIA-DESKRIPSI " + tag + " anak dikurung di rumah kosong", ChildAge: &age,
		ChildSex: domain.SexMale, ContactPhone: "0812 7777 0001", ReporterName: "RAHASIA-PELAPOR " + tag}, "61.07")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (w *capiWorld) newCase(t *testing.T, village, tag string) domain.Case {
	t.Helper()
	age := 9
	c, err := w.srv.Cases.CreateCase(bg, capiSys, domain.NewCase{RegionCode: village, Priority: domain.PriorityHigh,
		Types: []domain.ViolenceType{domain.VPhysical, domain.VNeglect}, Summary: "RAHASIA-RINGKASAN " + tag,
		Victims: []domain.Victim{{Name: "RAHASIA-KORBAN " + tag, Sex: domain.SexFemale, Age: &age, Disability: "RAHASIA-DISABILITAS " + tag,
			Types: []domain.ViolenceType{domain.VPhysical}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusAssigned {
		t.Fatalf("case %s not routed: %s", tag, c.Status)
	}
	return c
}

func (w *capiWorld) plant(t *testing.T, name, village string, members []string) capiRegion {
	t.Helper()
	r := capiRegion{name: name, village: village}
	var err error
	r.team, err = w.srv.Cases.CreateTeam(bg, capiSys, domain.Team{Name: "Satgas " + name, Kind: "village_taskforce", RegionCode: village, MemberIDs: members})
	if err != nil {
		t.Fatal(err)
	}
	r.cs = w.newCase(t, village, name)
	for _, d := range []cases.CaseDetail{
		{Note: "RAHASIA-CATATAN " + name},
		{Perpetrator: &domain.Perpetrator{Name: "RAHASIA-PELAKU " + name, Sex: domain.SexMale, Relation: "parent"}},
		{Service: &domain.Service{Type: "health", Provider: "RAHASIA-PENYEDIA " + name, Note: "RAHASIA-LAYANAN " + name}},
		{Referral: &domain.Referral{Agency: "RAHASIA-LEMBAGA " + name, Reason: "RAHASIA-RUJUKAN " + name}},
		{Placement: &domain.Placement{Kind: "safe_house", PlaceName: "RAHASIA-TEMPAT " + name}},
	} {
		if err := w.srv.Cases.AddDetail(bg, capiSys, r.cs.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	merged := w.newReport(t, village, name+"-merged")
	if err := w.srv.Cases.MergeReport(bg, capiSys, merged.ID, r.cs.ID); err != nil {
		t.Fatal(err)
	}
	r.pending = w.newReport(t, village, name+"-pending")
	return r
}

func capiVersion(t *testing.T, st *store.Store, id string) int {
	t.Helper()
	c, err := cases.New(st, cases.Options{}).GetCase(bg, capiSys, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Version
}

// capiExpect is one row of the access matrix: what a user may do with the
// case (and report) of village A (61.07.01.2001, Sungai Raya) and village B
// (61.07.02.2001, Samalantan). Written out by hand, not derived from the
// policy, so that a change of the policy shows up here.
type capiExpect struct {
	user       string
	list       bool // GET /cases answers 200 (else 403)
	seeA, seeB bool // GET /cases/{id}: 200 (else 404)
	work       bool // notes, details, workflow steps on cases it sees (else 404)
	manage     bool // assignment of cases it sees (else 404)
	triage     bool // GET /reports answers 200 (else 403)
	repA, repB bool // report of A / B: read, duplicates, verify, merge, reject (else 404)
	// fullA, fullB: the case it sees comes with its personal data (else
	// masked: the user handles neither the case nor its teams).
	fullA, fullB bool
	// emergA, emergB: POST /cases/{id}/emergency-access with a reason:
	// 201 opened, 409 the user sees the personal data already, 404.
	emergA, emergB int
}

var capiMatrix = []capiExpect{
	//  user          list   seeA   seeB   work   manage triage repA   repB   fullA  fullB  emergA emergB
	{"reg-admin", true, true, true, true, true, true, true, true, true, true, 409, 409},        // admin 61.07
	{"admin-a", true, true, false, true, true, true, true, false, true, false, 409, 404},       // admin 61.07.01
	{"admin-b", true, false, true, true, true, true, false, true, false, true, 404, 409},       // admin 61.07.02
	{"sup", true, true, true, true, true, true, true, true, true, true, 409, 409},              // supervisor 61.07
	{"cw-a", true, true, false, true, false, false, false, false, false, false, 201, 404},      // caseworker 61.07.01.2001, handles neither case: A masked
	{"cw-lead", true, true, false, true, false, false, false, false, true, false, 409, 404},    // caseworker 61.07.01, lead of case A
	{"cw-b", true, false, true, true, false, false, false, false, false, true, 404, 409},       // caseworker 61.07.02 (member of team B)
	{"resp-in", true, true, false, true, false, false, false, false, true, false, 409, 404},    // responder 61.07.01.2001, member of team A
	{"resp-out", true, false, false, true, false, false, false, false, false, false, 404, 404}, // responder 61.07.01.2001, in no team
	{"other-prov", true, false, false, true, true, true, false, false, false, false, 404, 404}, // admin 13.01 (another province)
	{"viewer", false, false, false, false, false, false, false, false, false, false, 404, 404}, // viewer 61.07: no case access
	{"opd", false, false, false, false, false, false, false, false, false, false, 404, 404},    // OPD operator 61.07
	{"fasil", false, false, false, false, false, false, false, false, false, false, 404, 404},  // facilitator 61.07.01
}

func capiPick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// Every case and report route x every role x a case inside and outside the
// caller's region. Outside (or without the permission) answers 404, list
// endpoints 403 for roles without access; personal fields reach only those
// who see the case; refused requests change nothing.
func TestAPICaseAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		if len(capiMatrix) != len(w.users) {
			t.Fatalf("matrix has %d rows for %d users", len(capiMatrix), len(w.users))
		}
		requests := 0
		check := func(who, what string, want, got int, raw []byte, personalOK bool) {
			t.Helper()
			requests++
			if got != want {
				t.Errorf("%s %s: %d, want %d: %.200s", who, what, got, want, raw)
			}
			if !personalOK {
				if l := capiLeaks(raw); len(l) > 0 {
					t.Errorf("%s %s (%d) leaks %v", who, what, got, l)
				}
			}
		}
		for ui, e := range capiMatrix {
			tok := w.toks[e.user]
			// Lists: never personal fields, only cases in scope.
			code, raw, _ := capiDo(w.world, "GET", "/api/v1/cases?limit=200", tok, nil)
			check(e.user, "GET /cases", capiPick(e.list, 200, 403), code, raw, false)
			if code == 200 {
				if strings.Contains(string(raw), w.a.cs.Code) != e.seeA || strings.Contains(string(raw), w.b.cs.Code) != e.seeB {
					t.Errorf("%s GET /cases: A listed %v, B listed %v", e.user, strings.Contains(string(raw), w.a.cs.Code),
						strings.Contains(string(raw), w.b.cs.Code))
				}
			}
			code, raw, _ = capiDo(w.world, "GET", "/api/v1/reports?limit=200", tok, nil)
			check(e.user, "GET /reports", capiPick(e.triage, 200, 403), code, raw, false)
			if code == 200 && (strings.Contains(string(raw), w.a.pending.Code) != e.repA || strings.Contains(string(raw), w.b.pending.Code) != e.repB) {
				t.Errorf("%s GET /reports lists the wrong reports", e.user)
			}

			for _, side := range []struct {
				r              capiRegion
				see, rep, full bool
				emerg          int
			}{{w.a, e.seeA, e.repA, e.fullA, e.emergA}, {w.b, e.seeB, e.repB, e.fullB, e.emergB}} {
				id, where := side.r.cs.ID, " case "+side.r.name
				v0 := capiVersion(t, w.st, id)
				changes := 0
				secrets := []string{"RAHASIA-RINGKASAN " + side.r.name, "RAHASIA-KORBAN " + side.r.name, "RAHASIA-PELAKU " + side.r.name,
					"RAHASIA-CATATAN " + side.r.name, "RAHASIA-LAYANAN " + side.r.name, "RAHASIA-RUJUKAN " + side.r.name,
					"RAHASIA-DESKRIPSI " + side.r.name + "-merged", "RAHASIA-DISABILITAS " + side.r.name, "RAHASIA-PENYEDIA " + side.r.name,
					"RAHASIA-LEMBAGA " + side.r.name, "RAHASIA-TEMPAT " + side.r.name}
				mustShow := func(what string, raw []byte, want ...string) {
					t.Helper()
					for _, s := range want {
						if !strings.Contains(string(raw), s) {
							t.Errorf("%s %s%s lacks %q", e.user, what, where, s)
						}
					}
				}
				full := side.see && side.full

				code, raw, _ := capiDo(w.world, "GET", "/api/v1/cases/"+id, tok, nil)
				check(e.user, "GET"+where, capiPick(side.see, 200, 404), code, raw, full)
				if full {
					mustShow("GET", raw, secrets...)
				} else if side.see {
					mustShow("GET", raw, `"personal_masked":true`, `"access_requestable":true`)
				}
				canWork := side.see && e.work
				for _, p := range []struct {
					path string
					body any
				}{
					{"notes", map[string]any{"note": "RAHASIA-CATATAN dari " + e.user}},
					{"victims", map[string]any{"name": "RAHASIA-KORBAN adik", "sex": "L", "age": 4, "types": []string{"neglect"}}},
					{"perpetrators", map[string]any{"name": "RAHASIA-PELAKU paman", "sex": "L", "age": 40, "relation": "family"}},
					{"services", map[string]any{"type": "psychosocial", "provider": "UPTD PPA", "note": "RAHASIA-LAYANAN konseling"}},
					{"referrals", map[string]any{"agency": "Unit PPA Polres Bengkayang", "reason": "RAHASIA-RUJUKAN laporan polisi"}},
					{"placements", map[string]any{"kind": "safe_house", "place_name": "Rumah Aman Bengkayang", "from_date": "2026-01-05"}},
				} {
					code, raw, _ := capiDo(w.world, "POST", "/api/v1/cases/"+id+"/"+p.path, tok, p.body)
					check(e.user, "POST "+p.path+where, capiPick(canWork, 201, 404), code, raw, canWork && full)
					if code == 201 {
						changes++
					}
				}
				changes += capiEdits(t, w, e.user, ui, side.r, canWork && full, side.see, check)
				// A step the workflow refuses: 409 for those who see the
				// case, 404 for the others; nothing changes either way.
				code, raw, _ = capiDo(w.world, "POST", "/api/v1/cases/"+id+"/transitions", tok, map[string]any{"to": "new"})
				check(e.user, "POST transitions (refused step)"+where, capiPick(canWork, 409, 404), code, raw, false)
				code, raw, _ = capiDo(w.world, "POST", "/api/v1/cases/"+id+"/assignment", tok,
					map[string]any{"team_id": side.r.team.ID, "note": "tetap satgas desa"})
				check(e.user, "POST assignment"+where, capiPick(side.see && e.manage, 200, 404), code, raw, side.see && e.manage)
				if code == 200 {
					changes++
				}
				if v := capiVersion(t, w.st, id); v != v0+changes {
					t.Errorf("%s on%s: version %d -> %d after %d changes", e.user, where, v0, v, changes)
				}

				// Emergency access (akses darurat): a short reason is
				// refused; a good one opens the case until the grant ends.
				if side.emerg == 201 {
					code, raw, _ = capiDo(w.world, "POST", "/api/v1/cases/"+id+"/emergency-access", tok, map[string]any{"reason": "darurat"})
					check(e.user, "POST emergency-access (short reason)"+where, 422, code, raw, false)
				}
				code, raw, _ = capiDo(w.world, "POST", "/api/v1/cases/"+id+"/emergency-access", tok,
					map[string]any{"reason": "Satgas tidak dapat dihubungi dan anak dilaporkan hilang"})
				check(e.user, "POST emergency-access"+where, side.emerg, code, raw, full || side.emerg == 201)
				if side.emerg == 201 {
					mustShow("POST emergency-access", raw, append(secrets, `"emergency_access_until"`)...)
					code, raw, _ = capiDo(w.world, "GET", "/api/v1/cases/"+id, tok, nil)
					check(e.user, "GET with emergency access"+where, 200, code, raw, true)
					mustShow("GET with emergency access", raw, secrets...)
					w.clock.Advance(cases.DefaultEmergencyAccess)
					code, raw, _ = capiDo(w.world, "GET", "/api/v1/cases/"+id, tok, nil)
					check(e.user, "GET after emergency access"+where, 200, code, raw, false)
					mustShow("GET after emergency access", raw, `"access_requestable":true`)
				}
				if v := capiVersion(t, w.st, id); v != v0+changes {
					t.Errorf("%s emergency access%s changed the case's version: %d -> %d", e.user, where, v0+changes, v)
				}

				// A real workflow step on a fresh case of the same village.
				fresh := w.newCase(t, side.r.village, "fresh")
				code, raw, _ = capiDo(w.world, "POST", "/api/v1/cases/"+fresh.ID+"/transitions", tok, map[string]any{"to": "acknowledged", "note": "diterima"})
				check(e.user, "POST transitions (acknowledge)"+where, capiPick(canWork, 200, 404), code, raw, canWork)
				if got := capiVersion(t, w.st, fresh.ID); got != fresh.Version+capiPick(canWork, 1, 0) {
					t.Errorf("%s acknowledge%s: version %d -> %d", e.user, where, fresh.Version, got)
				}

				// Reports: read, duplicates, and the three triage decisions
				// on fresh reports.
				rid := side.r.pending.ID
				code, raw, _ = capiDo(w.world, "GET", "/api/v1/reports/"+rid, tok, nil)
				check(e.user, "GET report"+where, capiPick(side.rep, 200, 404), code, raw, side.rep)
				if side.rep && (!strings.Contains(string(raw), "RAHASIA-DESKRIPSI") || !strings.Contains(string(raw), "77770001")) {
					t.Errorf("%s GET report%s lacks personal fields: %.200s", e.user, where, raw)
				}
				code, raw, _ = capiDo(w.world, "GET", "/api/v1/reports/"+rid+"/duplicates", tok, nil)
				check(e.user, "GET duplicates"+where, capiPick(side.rep, 200, 404), code, raw, false)
				if side.rep && !strings.Contains(string(raw), `"why":["same_village"`) {
					t.Errorf("%s duplicates%s do not suggest the cases in the same village: %.300s", e.user, where, raw)
				}
				for _, act := range []struct {
					path string
					body any
					ok   int
				}{
					{"verify", map[string]any{"priority": "medium", "types": []string{"neglect"}}, 201},
					{"merge", map[string]any{"case_id": side.r.cs.ID}, 200},
					{"reject", map[string]any{"reason": "laporan ganda"}, 200},
				} {
					rep := w.newReport(t, side.r.village, "fresh")
					vc := capiVersion(t, w.st, side.r.cs.ID)
					code, raw, _ := capiDo(w.world, "POST", "/api/v1/reports/"+rep.ID+"/"+act.path, tok, act.body)
					check(e.user, "POST report "+act.path+where, capiPick(side.rep, act.ok, 404), code, raw, side.rep)
					got, err := w.srv.Cases.GetReport(bg, capiSys, rep.ID)
					if err != nil {
						t.Fatal(err)
					}
					if (got.Status == domain.ReportNew) == side.rep {
						t.Errorf("%s %s%s: report status %s", e.user, act.path, where, got.Status)
					}
					if act.path == "merge" && !side.rep && capiVersion(t, w.st, side.r.cs.ID) != vc {
						t.Errorf("%s refused merge%s changed the case", e.user, where)
					}
				}
			}
		}
		// Without a token every one of these routes answers 401 and
		// nothing else.
		anon := []struct{ method, path string }{{"GET", "/api/v1/cases"}, {"GET", "/api/v1/cases/" + w.a.cs.ID},
			{"POST", "/api/v1/cases/" + w.a.cs.ID + "/notes"}, {"POST", "/api/v1/cases/" + w.a.cs.ID + "/transitions"},
			{"POST", "/api/v1/cases/" + w.a.cs.ID + "/assignment"}, {"POST", "/api/v1/cases/" + w.a.cs.ID + "/emergency-access"}, {"GET", "/api/v1/reports"}, {"GET", "/api/v1/reports/" + w.a.pending.ID},
			{"PATCH", "/api/v1/cases/" + w.a.cs.ID}, {"GET", "/api/v1/cases/" + w.a.cs.ID + "/changes"},
			{"PATCH", "/api/v1/cases/" + w.a.cs.ID + "/victims/" + w.a.cs.Victims[0].ID},
			{"DELETE", "/api/v1/cases/" + w.a.cs.ID + "/victims/" + w.a.cs.Victims[0].ID},
			{"POST", "/api/v1/reports/" + w.a.pending.ID + "/verify"}, {"GET", "/api/v1/teams"}, {"GET", "/api/v1/outbox"}}
		for _, r := range anon {
			code, raw, _ := capiDo(w.world, r.method, r.path, "", `{"note":"x","to":"closed"}`)
			check("anonymous", r.method+" "+r.path, 401, code, raw, false)
		}
		t.Logf("%d requests checked for %d users", requests, len(capiMatrix))
	})
}

// ---- workflow ----

func TestAPICaseTransitions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sup, cw := w.token("sup"), w.token("cw-a")
		// No teams in this world, nobody on duty: the case stays verified.
		code, c := w.api("POST", "/api/v1/cases", sup, map[string]any{"region_code": "61.07.01.2001", "priority": "high",
			"types": []string{"neglect", "physical"}, "summary": "Anak terlantar di pasar", "place": "public", "incident_date": "2026-01-03",
			"reported_at": w.clock.Now().Add(-time.Hour).Format(time.RFC3339),
			"victims":     []map[string]any{{"name": "Korban", "sex": "L", "age": 8, "types": []string{"neglect"}}}})
		if code != 201 || c["status"] != "verified" {
			t.Fatalf("create: %d %v", code, c)
		}
		id := c["id"].(string)
		version := func() int {
			t.Helper()
			return capiVersion(t, w.st, id)
		}
		step := func(tok string, body map[string]any, wantStatus int, wantCode string) map[string]any {
			t.Helper()
			v0 := version()
			code, out := w.api("POST", "/api/v1/cases/"+id+"/transitions", tok, body)
			w.clock.Advance(time.Minute) // distinct times: the timeline is ordered by time
			if code != wantStatus || (wantCode != "" && errCode(out) != wantCode) {
				t.Fatalf("%v: %d %v, want %d %s", body, code, out, wantStatus, wantCode)
			}
			if v := version(); (code == 200) != (v == v0+1) || (code != 200 && v != v0) {
				t.Fatalf("%v: version %d -> %d with status %d", body, v0, v, code)
			}
			if code == 200 && out["status"] != body["to"] {
				t.Fatalf("%v: case is %v", body, out["status"])
			}
			return out
		}
		step(sup, map[string]any{"to": "assigned"}, 422, "invalid") // nobody to assign
		step(sup, map[string]any{"to": "assigned", "assignee_id": w.users["cw-b"].ID}, 422, "invalid")
		step(sup, map[string]any{"to": "assigned", "assignee_id": w.users["cw-a"].ID, "note": "ke peksos desa"}, 200, "")
		step(sup, map[string]any{"to": "closed"}, 422, "invalid")               // closing needs a note
		step(sup, map[string]any{"to": "in_service"}, 409, "conflict")          // not a step from assigned
		step(sup, map[string]any{"to": "dismissed"}, 422, "invalid")            // unknown status
		step(sup, map[string]any{"to": ""}, 422, "invalid")                     // no status
		step(cw, map[string]any{"to": "closed", "note": "x"}, 403, "forbidden") // before first contact: supervisors only
		step(cw, map[string]any{"to": "acknowledged"}, 200, "")
		step(cw, map[string]any{"to": "responded", "note": "bertemu anak di pasar"}, 200, "")
		step(cw, map[string]any{"to": "in_service"}, 200, "")
		out := step(sup, map[string]any{"to": "closed", "note": "anak kembali ke keluarga"}, 200, "")
		if out["closed_at"] == nil || out["acknowledged_at"] == nil || out["responded_at"] == nil {
			t.Fatalf("timestamps: %v", out)
		}
		out = step(sup, map[string]any{"to": "responded", "note": "x"}, 409, "conflict")
		if msg := out["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "closed") || !strings.Contains(msg, "in_service") {
			t.Fatalf("unclear message: %s", msg)
		}
		step(sup, map[string]any{"to": "in_service"}, 422, "invalid") // reopening needs a reason
		// Malformed bodies change nothing either.
		for _, b := range []string{`{"to":`, `{"to":"closed","why":"x"}`, `{"to":5}`} {
			v0 := version()
			if code, out := w.api("POST", "/api/v1/cases/"+id+"/transitions", sup, b); code != 422 || version() != v0 {
				t.Fatalf("%s: %d %v", b, code, out)
			}
		}
		// The timeline holds every step with actor and note.
		_, got := w.api("GET", "/api/v1/cases/"+id, sup, nil)
		var steps []string
		for _, ev := range got["events"].([]any) {
			e := ev.(map[string]any)
			if e["kind"] == "transition" {
				steps = append(steps, fmt.Sprintf("%s>%s by %s", e["from_status"], e["to_status"], e["actor"]))
			}
			if e["to_status"] == "closed" && e["note"] != "anak kembali ke keluarga" {
				t.Errorf("closing note: %v", e)
			}
		}
		want := "verified>assigned by sup|assigned>acknowledged by cw-a|acknowledged>responded by cw-a|responded>in_service by cw-a|in_service>closed by sup"
		if strings.Join(steps, "|") != want {
			t.Fatalf("timeline:\n%s\nwant\n%s", strings.Join(steps, "|"), want)
		}
		// Every answer carrying the case's personal fields was a read
		// written to the audit log, including those of the workflow steps.
		es, err := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "case.view_personal", ObjectID: id})
		if err != nil {
			t.Fatal(err)
		}
		byActor := map[string]int{}
		for _, e := range es {
			byActor[e.Actor]++
		}
		if byActor["sup"] != 4 || byActor["cw-a"] != 3 {
			t.Fatalf("view_personal audit entries by actor: %v", byActor)
		}
		// Reopened into service with a reason.
		step(sup, map[string]any{"to": "in_service", "note": "anak kabur lagi"}, 200, "")
		// Unknown case.
		if code, out := w.api("POST", "/api/v1/cases/nope/transitions", sup, map[string]any{"to": "closed", "note": "x"}); code != 404 {
			t.Fatalf("unknown case: %d %v", code, out)
		}
	})
}

// Inbox filters, direct entry, teams, duty roster, deadline rules and the
// outbox through the API.
func TestAPICasesInboxTeamsDutySLAOutbox(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sup, cw, viewer := w.token("sup"), w.token("cw-a"), w.token("viewer")
		// Teams.
		code, team := w.api("POST", "/api/v1/teams", sup, map[string]any{"name": "Satgas Sungai Duri", "kind": "village_taskforce",
			"region_code": "61.07.01.2001", "member_ids": []string{w.users["cw-a"].ID}})
		if code != 201 || len(team["members"].([]any)) != 1 {
			t.Fatalf("create team: %d %v", code, team)
		}
		teamID := team["id"].(string)
		if code, out := w.api("POST", "/api/v1/teams", sup, map[string]any{"name": "X", "kind": "village_taskforce", "region_code": "61.07.01"}); code != 422 {
			t.Fatalf("village team on a district: %d %v", code, out)
		}
		if code, out := w.api("POST", "/api/v1/teams", cw, map[string]any{"name": "X", "kind": "uptd", "region_code": "61.07.01"}); code != 403 {
			t.Fatalf("caseworker creates team: %d %v", code, out)
		}
		if code, out := w.api("PUT", "/api/v1/teams/"+teamID+"/members", sup, map[string]any{"member_ids": []string{w.users["cw-a"].ID, w.users["sup"].ID}}); code != 200 || len(out["member_ids"].([]any)) != 2 {
			t.Fatalf("members: %d %v", code, out)
		}
		if code, out := w.api("PUT", "/api/v1/teams/"+teamID+"/members", w.token("admin-b"), map[string]any{"member_ids": []string{}}); code != 404 {
			t.Fatalf("members out of scope: %d %v", code, out)
		}
		if code, out := w.api("GET", "/api/v1/teams", cw, nil); code != 200 || len(out["teams"].([]any)) != 1 {
			t.Fatalf("list teams: %d %v", code, out)
		}
		if code, _ := w.api("GET", "/api/v1/teams", viewer, nil); code != 403 {
			t.Fatalf("viewer lists teams: %d", code)
		}
		if code, out := w.api("GET", "/api/v1/teams/"+teamID, w.token("cw-b"), nil); code != 404 {
			t.Fatalf("team out of scope: %d %v", code, out)
		}
		// Duty roster.
		now := w.clock.Now()
		code, shift := w.api("POST", "/api/v1/duty", sup, map[string]any{"user_id": w.users["cw-b"].ID, "region_code": "61.07.02",
			"starts_at": now.Add(-time.Hour).Format(time.RFC3339), "ends_at": now.Add(8 * time.Hour).Format(time.RFC3339)})
		if code != 201 || shift["user_id"] != w.users["cw-b"].ID || shift["id"] == "" {
			t.Fatalf("duty: %d %v", code, shift)
		}
		if code, out := w.api("POST", "/api/v1/duty", sup, map[string]any{"user_id": w.users["cw-b"].ID, "region_code": "61.07.02",
			"starts_at": "tomorrow", "ends_at": "later"}); code != 422 || out["error"].(map[string]any)["fields"].(map[string]any)["starts_at"] == nil {
			t.Fatalf("bad duty times: %d %v", code, out)
		}
		if code, out := w.api("GET", "/api/v1/duty", cw, nil); code != 200 || len(out["shifts"].([]any)) != 0 {
			t.Fatalf("duty outside caseworker's region: %d %v", code, out)
		}
		if code, out := w.api("GET", "/api/v1/duty?from="+now.Add(-48*time.Hour).UTC().Format(time.RFC3339), sup, nil); code != 200 || len(out["shifts"].([]any)) != 1 {
			t.Fatalf("duty list: %d %v", code, out)
		}
		if code, _ := w.api("GET", "/api/v1/duty?from=yesterday", sup, nil); code != 422 {
			t.Fatalf("bad from: %d", code)
		}
		// Deadline rules.
		if code, out := w.api("GET", "/api/v1/sla-rules", cw, nil); code != 200 || len(out["rules"].([]any)) != 3 {
			t.Fatalf("rules: %d %v", code, out)
		}
		if code, out := w.api("PUT", "/api/v1/sla-rules", sup, map[string]any{"priority": "high", "type": "sexual", "ack_minutes": 15, "response_minutes": 120}); code != 200 || len(out["rules"].([]any)) != 4 {
			t.Fatalf("set rule: %d %v", code, out)
		}
		if code, _ := w.api("PUT", "/api/v1/sla-rules", cw, map[string]any{"priority": "high", "ack_minutes": 1, "response_minutes": 2}); code != 403 {
			t.Fatalf("caseworker sets rule: %d", code)
		}
		if code, _ := w.api("PUT", "/api/v1/sla-rules", sup, map[string]any{"priority": "urgent", "ack_minutes": 0, "response_minutes": 2}); code != 422 {
			t.Fatalf("bad rule: %d", code)
		}
		// Direct entry: routed to the village team; a caseworker may only
		// enter a case for review.
		code, c := w.api("POST", "/api/v1/cases", sup, map[string]any{"region_code": "61.07.01.2001", "priority": "high", "types": []string{"sexual"}})
		if code != 201 || c["status"] != "assigned" || c["team_id"] != teamID {
			t.Fatalf("direct entry: %d %v", code, c)
		}
		if code, out := w.api("POST", "/api/v1/cases", cw, map[string]any{"region_code": "61.07.01.2001", "types": []string{"neglect"}}); code != 403 {
			t.Fatalf("caseworker enters a verified case: %d %v", code, out)
		}
		code, c2 := w.api("POST", "/api/v1/cases", cw, map[string]any{"region_code": "61.07.01.2001", "types": []string{"neglect"}, "needs_review": true})
		if code != 201 || c2["status"] != "new" {
			t.Fatalf("caseworker enters a case for review: %d %v", code, c2)
		}
		for _, b := range []map[string]any{
			{"region_code": "61.07.02.2001", "types": []string{"neglect"}, "needs_review": true}, // outside
			{"region_code": "61.07.01.2001", "types": []string{"bullying"}, "needs_review": true},
			{"region_code": "61.07.01.2001", "types": []string{"neglect"}, "reported_at": "kemarin", "needs_review": true},
			{"region_code": "61.07.01.2001", "types": []string{"neglect"}, "needs_review": true, "victims": []map[string]any{{"sex": "X"}}},
		} {
			if code, out := w.api("POST", "/api/v1/cases", cw, b); code != 422 {
				t.Fatalf("bad case %v: %d %v", b, code, out)
			}
		}
		// Inbox filters.
		list := func(tok, q string) (int, map[string]any) {
			t.Helper()
			return w.api("GET", "/api/v1/cases?"+q, tok, nil)
		}
		if code, out := list(cw, "assignee=me"); code != 200 || out["total"].(float64) != 1 {
			t.Fatalf("assignee=me: %d %v", code, out)
		}
		if code, out := list(sup, "status=new"); code != 200 || out["total"].(float64) != 1 || out["counts"].(map[string]any)["open"].(float64) != 2 {
			t.Fatalf("status=new: %d %v", code, out)
		}
		if code, out := list(sup, "type=sexual&priority=high&open=true&team="+teamID+"&region=61.07.01&q="+c["code"].(string)); code != 200 || out["total"].(float64) != 1 {
			t.Fatalf("combined filters: %d %v", code, out)
		}
		if code, out := list(sup, "due=overdue"); code != 200 || out["total"].(float64) != 0 {
			t.Fatalf("overdue: %d %v", code, out)
		}
		w.clock.Advance(16 * time.Minute) // past the 15-minute rule for sexual violence
		if code, out := list(sup, "due=overdue"); code != 200 || out["total"].(float64) != 1 {
			t.Fatalf("overdue after the rule's deadline: %d %v", code, out)
		}
		for _, q := range []string{"status=open", "open=maybe", "due=later", "region=61-07", "type=x", "priority=urgent", "limit=0",
			"limit=201", "offset=-1", "q=" + strings.Repeat("1", 41)} {
			if code, out := list(sup, q); code != 422 || errCode(out) != "invalid" {
				t.Fatalf("%s: %d %v", q, code, out)
			}
		}
		// Outbox: the assignment told the team's member.
		if code, out := w.api("GET", "/api/v1/outbox?mine=1", cw, nil); code != 200 || len(out["messages"].([]any)) == 0 {
			t.Fatalf("outbox mine: %d %v", code, out)
		}
		if code, out := w.api("GET", "/api/v1/outbox?status=pending", sup, nil); code != 200 || len(out["messages"].([]any)) == 0 {
			t.Fatalf("outbox: %d %v", code, out)
		}
		if code, out := w.api("GET", "/api/v1/outbox", viewer, nil); code != 200 || len(out["messages"].([]any)) != 0 {
			t.Fatalf("viewer outbox: %d %v", code, out)
		}
		if code, _ := w.api("GET", "/api/v1/outbox?status=lost", sup, nil); code != 422 {
			t.Fatalf("bad outbox status: %d", code)
		}
		// Reports list validation.
		if code, _ := w.api("GET", "/api/v1/reports?status=open", sup, nil); code != 422 {
			t.Fatalf("bad report status: %d", code)
		}
	})
}

// ---- fuzz ----

// FuzzPublicReport posts arbitrary bodies to the public report endpoint:
// the answer is one of the documented statuses with a JSON body, never a
// 5xx, and only a 201 stores a report. The per-address limit trips during
// fuzzing (every request comes from 127.0.0.1): 429 is a valid answer, after
// which the clock moves on a window so that the store is exercised again.
func FuzzPublicReport(f *testing.F) {
	for _, s := range []string{
		`{"description":"Anak ditinggal sendirian di rumah","region_code":"61.07.01.2001","anonymous":true}`,
		`{"description":"Anak dipukul tetangga setiap hari","region_code":"61.07","anonymous":false,"child_age":5,"child_sex":"P","contact_phone":"0812 3456 7890","reporter_name":"Ibu Ani","client_request_id":"fz-1"}`,
		`{"description":"x","region_code":"13.01"}`, `{}`, `[]`, `null`, `{"description":`, `{"child_age":1e99}`,
		`{"description":"Anak\u0000dipukul setiap hari","region_code":"61.07.01.2001","child_sex":"L"}`,
		`{"description":"Anak terlantar di pasar","region_code":"61.07.01.2001","client_request_id":"\u202e"}`,
	} {
		f.Add(s)
	}
	w := newWorld(f, store.SQLite, server.Options{RootRegion: "61.07"})
	f.Fuzz(func(t *testing.T, body string) {
		before := capiReportCount(t, w.st)
		req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/reports", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		after := capiReportCount(t, w.st)
		switch resp.StatusCode {
		case 201:
			if after != before+1 || !strings.Contains(string(raw), `"code"`) {
				t.Fatalf("201 but reports %d -> %d: %s", before, after, raw)
			}
		case 200:
			if after != before || !strings.Contains(string(raw), `"code"`) {
				t.Fatalf("200 but reports %d -> %d: %s", before, after, raw)
			}
		case 400, 413, 415, 422, 429:
			if after != before || !strings.Contains(string(raw), `"error"`) {
				t.Fatalf("%d changed reports %d -> %d or no JSON error: %s", resp.StatusCode, before, after, raw)
			}
			if resp.StatusCode == 429 {
				// Open a new window so that later inputs reach the store again.
				w.clock.Advance(intake.ReportWindow)
			}
		default:
			t.Fatalf("status %d for %q: %s", resp.StatusCode, body, raw)
		}
	})
}

// capiEdits runs the change routes (PATCH the case, a victim, perpetrator
// and service; DELETE the last added of each; GET the history) as user
// (row ui of the matrix) on the case of r, and returns how many changes
// were accepted. Those who handle the case (edit) change it; others who see
// it get 404 for changes and the history without personal values; a stale
// version answers 412 (If-Match) or 409 (body) and changes nothing.
func capiEdits(t *testing.T, w *capiWorld, user string, ui int, r capiRegion, edit, see bool,
	check func(who, what string, want, got int, raw []byte, personalOK bool)) int {
	t.Helper()
	tok, id, where := w.toks[user], r.cs.ID, " case "+r.name
	c, err := w.srv.Cases.GetCase(bg, capiSys, id)
	if err != nil {
		t.Fatal(err)
	}
	last := func(ids ...string) string { return ids[len(ids)-1] }
	var vids, pids, sids []string
	for _, v := range c.Victims {
		vids = append(vids, v.ID)
	}
	for _, p := range c.Perpetrators {
		pids = append(pids, p.ID)
	}
	for _, s := range c.Services {
		sids = append(sids, s.ID)
	}
	changes := 0
	ok := capiPick(edit, 200, 404)
	for _, x := range []struct {
		method, path string
		body         map[string]any
	}{
		{"PATCH", "", map[string]any{"legal_basis": "UU 35/2014 " + user}},
		{"PATCH", "/victims/" + vids[0], map[string]any{"age": 20 + ui, "education": "primary", "disabilities": []string{"hearing"}}},
		{"PATCH", "/perpetrators/" + pids[0], map[string]any{"age": 30 + ui, "relation": "step_parent", "occupation": "farmer_fisher"}},
		{"PATCH", "/services/" + sids[0], map[string]any{"outcome": "hasil " + user, "ended_on": "2099-01-01"}},
		{"DELETE", "/victims/" + last(vids...), map[string]any{"reason": "RAHASIA-ALASAN tercatat dua kali"}},
		{"DELETE", "/perpetrators/" + last(pids...), map[string]any{"reason": "RAHASIA-ALASAN salah input"}},
		{"DELETE", "/services/" + last(sids...), map[string]any{"reason": "RAHASIA-ALASAN salah input"}},
	} {
		if x.method == "DELETE" && edit && len(vids) < 2 {
			continue // keep the planted records: other rows read them
		}
		v := capiVersion(t, w.st, id)
		// A stale version: refused, nothing written.
		x.body["version"] = v - 1
		code, raw, _ := capiDo(w.world, x.method, "/api/v1/cases/"+id+x.path, tok, x.body)
		check(user, x.method+" "+x.path+" (stale version)"+where, capiPick(edit, 409, 404), code, raw, false)
		delete(x.body, "version")
		code, raw, _ = capiDo(w.world, x.method, "/api/v1/cases/"+id+x.path, tok, x.body, "If-Match", fmt.Sprintf(`"%d"`, v-1))
		check(user, x.method+" "+x.path+" (stale If-Match)"+where, capiPick(edit, 412, 404), code, raw, false)
		code, raw, hdr := capiDo(w.world, x.method, "/api/v1/cases/"+id+x.path, tok, x.body, "If-Match", fmt.Sprintf(`"%d"`, v))
		check(user, x.method+" "+x.path+where, ok, code, raw, edit)
		if code == 200 {
			changes++
			if hdr.Get("ETag") != fmt.Sprintf(`"%d"`, v+1) {
				t.Errorf("%s %s%s: ETag %q after version %d", user, x.method, where, hdr.Get("ETag"), v)
			}
		}
	}
	code, raw, _ := capiDo(w.world, "GET", "/api/v1/cases/"+id+"/changes", tok, nil)
	check(user, "GET changes"+where, capiPick(see, 200, 404), code, raw, edit)
	if see && !strings.Contains(string(raw), `"field":"legal_basis"`) {
		t.Errorf("%s GET changes%s: no history: %.300s", user, where, raw)
	}
	return changes
}
