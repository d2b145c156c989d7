package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/media/mediatest"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The audits API × every kind of user, on both databases: facilitators
// run audits; agencies see and answer only their own actions; dashboard
// users read results without children's names; nobody else gets in; a
// refused write changes nothing.
func TestAuditAPIMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if err := kla.UpsertAgencies(bg, w.st, sys, []domain.KLAAgency{{Code: "dlh", Name: "DLH", Kind: "opd"}, {Code: "dinkes", Name: "Dinkes", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("pkm", domain.RoleProvider, "61.07")
		for name, ag := range map[string]string{"opd-dlh": "dlh", "opd-dinkes": "dinkes"} {
			u := w.addUser(name, domain.RoleOPDOperator, "61.07")
			if err := kla.SetUserAgency(bg, w.st, sys, u.ID, ag); err != nil {
				t.Fatal(err)
			}
		}
		au := audits.New(w.st)
		f, err := au.CreateFacility(bg, sys, domain.Facility{Kind: domain.FacilityOther, Name: "Perpustakaan Anak", RegionCode: "61.07", Agency: "dlh"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := au.PlanAudit(bg, sys, f.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Kirana", Age: 13, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		no, yes := false, true
		if err := au.SaveAnswers(bg, sys, a.ID, []audits.Answer{{AuditAnswer: domain.AuditAnswer{Item: "aman", Yes: &yes}},
			{AuditAnswer: domain.AuditAnswer{Item: "bersih", Yes: &no, Note: "Kotor sekali kata Kirana"}}, {AuditAnswer: domain.AuditAnswer{Item: "ramah", Yes: &yes}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(bg, sys, a.ID); err != nil {
			t.Fatal(err)
		}
		acts, _ := au.Actions(bg, sys, "")
		if len(acts) != 1 {
			t.Fatalf("actions %d", len(acts))
		}
		runners := map[string]bool{"fasil": true, "reg-admin": true, "admin-a": true, "admin-b": true, "other-prov": true}
		regionRunners := map[string]bool{"fasil": true, "reg-admin": true}
		for name := range w.users {
			tok := w.token(name)
			code, body := w.api("GET", "/api/v1/audits/"+a.ID, tok, nil)
			raw, _ := json.Marshal(body)
			// Dashboard users of the region (the regent, supervisors, the
			// agencies' operators) read results; those of a district or
			// another province do not see a regency facility.
			seesRegion := name == "fasil" || name == "reg-admin" || name == "viewer" || name == "sup" || name == "opd-dlh" || name == "opd-dinkes"
			if seesRegion != (code == 200) {
				t.Errorf("%s GET audit: %d", name, code)
			}
			if (strings.Contains(string(raw), "Kirana")) && !regionRunners[name] {
				t.Errorf("%s reads the child's name or note", name)
			}
			code, body = w.api("GET", "/api/v1/audit-actions", tok, nil)
			raw, _ = json.Marshal(body)
			sees := strings.Contains(string(raw), acts[0].ID)
			if sees != (regionRunners[name] || name == "opd-dlh") {
				t.Errorf("%s GET actions: %d sees=%v", name, code, sees)
			}
			code, _ = w.api("POST", "/api/v1/audit-actions/"+acts[0].ID+"/response", tok, map[string]any{"response": ""})
			if name == "opd-dlh" || name == "reg-admin" || name == "admin-a" || name == "admin-b" || name == "other-prov" {
				if code != 422 && code != 404 {
					t.Errorf("%s POST response (empty): %d", name, code)
				}
			} else if code != 404 && code != 403 {
				t.Errorf("%s POST response: %d, want refused", name, code)
			}
			code, _ = w.api("POST", "/api/v1/audits", tok, map[string]any{"facility_id": f.ID, "planned_on": "2026-12-01", "team": []any{}})
			if runners[name] != (code == 422 || code == 404) || !runners[name] && code != 403 {
				t.Errorf("%s POST audits: %d", name, code)
			}
		}
		got, _ := au.Actions(bg, sys, "")
		if got[0].Status != audits.ActionOpen {
			t.Fatalf("a refused write changed the action: %+v", got[0])
		}
	})
}

// apiStatus sends a request without a body and returns only the status.
func (w *world) apiStatus(method, path, token string) int {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// apiPhoto posts a photo to the audits API as multipart/form-data.
func (w *world) apiPhoto(path, token, item string, data []byte) int {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("item", item)
	fw, _ := mw.CreateFormFile("file", "foto.jpg")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.ts.URL+path, &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// The audits API's photos, template versions, agencies' ranking and KLA
// evidence × every kind of user, on both databases: photos only for those
// who run audits in the region (a PDF refused, nothing stored); counts and
// evidence for dashboard readers; a provider gets nothing.
func TestAuditPhotoAPIMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if _, err := kla.EnsureShipped(bg, w.st); err != nil {
			t.Fatal(err)
		}
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("pkm", domain.RoleProvider, "61.07")
		op := w.addUser("opd-dlh", domain.RoleOPDOperator, "61.07")
		if err := kla.SetUserAgency(bg, w.st, sys, op.ID, "disporapar"); err != nil {
			t.Fatal(err)
		}
		au := audits.New(w.st)
		f, err := au.CreateFacility(bg, sys, domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Matriks", RegionCode: "61.07", Agency: "disporapar"})
		if err != nil {
			t.Fatal(err)
		}
		done, err := au.PlanAudit(bg, sys, f.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Laras", Age: 13, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		tpl, _ := au.Template(bg, domain.FacilityRBRA, 0)
		if err := au.SaveAnswers(bg, sys, done.ID, audits.AnswerAll(tpl, 3, "p3k")); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(bg, sys, done.ID); err != nil {
			t.Fatal(err)
		}
		dr, err := au.PlanAudit(bg, sys, f.ID, "2026-12-01", []audits.TeamMember{{FirstName: "Laras", Age: 13, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		ph, err := au.AddPhoto(bg, sys, dr.ID, "lokasi_aman", mediatest.GPSJPEG())
		if err != nil {
			t.Fatal(err)
		}
		regionRunners := map[string]bool{"fasil": true, "reg-admin": true}
		regionReaders := map[string]bool{"fasil": true, "reg-admin": true, "viewer": true, "sup": true, "opd-dlh": true}
		for name := range w.users {
			tok := w.token(name)
			code, body := w.api("GET", "/api/v1/audits/"+dr.ID+"/photos", tok, nil)
			if regionRunners[name] != (code == 200) || code == 200 && len(body["photos"].([]any)) != 1 {
				t.Errorf("%s GET photos: %d %v", name, code, body)
			}
			code = w.apiStatus("GET", "/api/v1/audits/"+dr.ID+"/photos/"+ph.ID, tok)
			if regionRunners[name] != (code == 200) || !regionRunners[name] && code != 404 {
				t.Errorf("%s GET a photo: %d", name, code)
			}
			code = w.apiPhoto("/api/v1/audits/"+dr.ID+"/photos", tok, "lokasi_aman", mediatest.PDF("bukan foto"))
			switch {
			case regionRunners[name] && code != 422, !regionRunners[name] && code != 403 && code != 404:
				t.Errorf("%s POST a PDF as a photo: %d", name, code)
			}
			code, _ = w.api("DELETE", "/api/v1/audits/"+done.ID+"/photos/"+ph.ID, tok, nil)
			if code != 404 && code != 409 {
				t.Errorf("%s DELETE through another audit: %d", name, code)
			}
			code, body = w.api("GET", "/api/v1/audit-agencies", tok, nil)
			raw, _ := json.Marshal(body)
			if regionReaders[name] != strings.Contains(string(raw), `"agency":"disporapar"`) || name == "pkm" && code != 403 {
				t.Errorf("%s GET audit-agencies: %d %s", name, code, raw)
			}
			code, body = w.api("GET", "/api/v1/audit-evidence?year=2026", tok, nil)
			raw, _ = json.Marshal(body)
			if regionReaders[name] != strings.Contains(string(raw), done.ID) || name == "pkm" && code != 403 || strings.Contains(string(raw), "Laras") {
				t.Errorf("%s GET audit-evidence: %d %s", name, code, raw)
			}
			code, _ = w.api("GET", "/api/v1/audit-templates/rbra/versions", tok, nil)
			if (name == "pkm" || name == "responder") != (code == 403) {
				t.Errorf("%s GET template versions: %d", name, code)
			}
		}
		if ps, _ := au.Photos(bg, sys, dr.ID); len(ps) != 1 {
			t.Fatalf("refused uploads stored photos: %d", len(ps))
		}
		if code := w.apiPhoto("/api/v1/audits/"+dr.ID+"/photos", w.token("fasil"), "lokasi_aman", mediatest.GPSJPEG()); code != 201 {
			t.Fatalf("a facilitator's photo: %d", code)
		}
		if code := w.apiStatus("DELETE", "/api/v1/audits/"+dr.ID+"/photos/"+ph.ID, w.token("fasil")); code != 204 {
			t.Fatalf("a facilitator's delete: %d", code)
		}
	})
}
