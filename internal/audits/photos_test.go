package audits_test

import (
	"bytes"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/media/mediatest"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// F-T6 (photos): a photo taken with the phone's GPS on keeps none of its
// metadata, checked on the stored bytes; only JPEG, PNG and WebP are
// taken, at most PhotosPerItem per item, only while the audit is a draft;
// only those who run audits see photos, and every view is audited; a
// deleted photo is gone.
func TestAuditPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		sys := access.System("test")
		fas := access.ForUser(storetest.User(t, st, "fasilitator", domain.RoleFacilitator, "61.07"), "", "t")
		other := access.ForUser(storetest.User(t, st, "fasilitatorlain", domain.RoleFacilitator, "61.01"), "", "t")
		regent := access.ForUser(storetest.User(t, st, "bupati", domain.RoleViewer, "61.07"), "", "t")
		au := audits.New(st)
		f, err := au.CreateFacility(ctx, sys, domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Foto", RegionCode: "61.07", Agency: "dlh"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := au.PlanAudit(ctx, fas, f.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Dina", Age: 12, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		in := mediatest.GPSJPEG()
		if !bytes.Contains(in, mediatest.GPS) {
			t.Fatal("the fixture has no GPS position")
		}
		p, err := au.AddPhoto(ctx, fas, a.ID, "toilet_bersih", in)
		if err != nil || p.MimeType != "image/jpeg" {
			t.Fatalf("add photo: %+v %v", p, err)
		}
		var enc string
		if err := st.QueryRowContext(ctx, `SELECT content_enc FROM audit_photos WHERE id = $1`, p.ID).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains([]byte(enc), []byte{0xFF, 0xD8}) || bytes.Contains([]byte(enc), mediatest.GPS) {
			t.Fatal("the photo is not sealed at rest")
		}
		_, got, err := au.GetPhoto(ctx, fas, a.ID, p.ID)
		if err != nil || !bytes.HasPrefix(got, []byte{0xFF, 0xD8}) {
			t.Fatalf("get photo: %v", err)
		}
		for _, s := range [][]byte{mediatest.GPS, []byte("Exif\x00\x00"), []byte(mediatest.XMPText), []byte(mediatest.CommentText)} {
			if bytes.Contains(got, s) {
				t.Fatalf("the stored photo keeps %q", s)
			}
		}
		var views int
		if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit.photo_view' AND object_id = $1`, a.ID).Scan(&views); err != nil || views != 1 {
			t.Fatalf("photo views audited: %d %v", views, err)
		}
		// Refused: a PDF, a broken JPEG, an unknown item, the fourth photo.
		if _, err := au.AddPhoto(ctx, fas, a.ID, "toilet_bersih", mediatest.PDF("x")); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a PDF as a photo: %v", err)
		}
		if _, err := au.AddPhoto(ctx, fas, a.ID, "toilet_bersih", in[:40]); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("a broken photo: %v", err)
		}
		if _, err := au.AddPhoto(ctx, fas, a.ID, "tidak_ada", in); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("an unknown item: %v", err)
		}
		if err := audits.CheckPhoto("x", make([]byte, audits.MaxPhoto+1)); domain.CodeOf(err) != domain.ETooLarge {
			t.Fatalf("a large photo: %v", err)
		}
		for range audits.PhotosPerItem - 1 {
			if _, err := au.AddPhoto(ctx, fas, a.ID, "toilet_bersih", mediatest.MetaPNG()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := au.AddPhoto(ctx, fas, a.ID, "toilet_bersih", in); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("one photo too many: %v", err)
		}
		// Others: the regent and a facilitator of another regency.
		if _, _, err := au.GetPhoto(ctx, regent, a.ID, p.ID); !domain.IsNotFound(err) {
			t.Fatalf("the regent opened a photo: %v", err)
		}
		if ps, _ := au.Photos(ctx, regent, a.ID); len(ps) != 0 {
			t.Fatal("the regent lists photos")
		}
		if _, _, err := au.GetPhoto(ctx, other, a.ID, p.ID); !domain.IsNotFound(err) {
			t.Fatalf("another regency opened a photo: %v", err)
		}
		if _, err := au.AddPhoto(ctx, other, a.ID, "lokasi_aman", in); !domain.IsNotFound(err) {
			t.Fatalf("another regency added a photo: %v", err)
		}
		if err := au.DeletePhoto(ctx, fas, a.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		if ps, _ := au.Photos(ctx, fas, a.ID); len(ps) != audits.PhotosPerItem-1 {
			t.Fatalf("after a delete: %d photos", len(ps))
		}
		// Submitted: photos are part of the record.
		tpl, _ := au.Template(ctx, domain.FacilityRBRA, 0)
		if err := au.SaveAnswers(ctx, fas, a.ID, answerAll(tpl)); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(ctx, fas, a.ID); err != nil {
			t.Fatal(err)
		}
		ps, _ := au.Photos(ctx, fas, a.ID)
		if _, err := au.AddPhoto(ctx, fas, a.ID, "lokasi_aman", in); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("a photo after submitting: %v", err)
		}
		if err := au.DeletePhoto(ctx, fas, a.ID, ps[0].ID); domain.CodeOf(err) != domain.EConflict {
			t.Fatalf("a delete after submitting: %v", err)
		}
	})
}

// F-T8: a passed audit is evidence for the indicator its template maps
// in the regime of its year: the shipped RBRA template maps indicator 20
// of the 2011 catalogue; a PRA template mapped by an admin to a newer
// regime's PRAP indicator links its passed audits there. A failed audit
// is no evidence; other years and regions see none.
func TestAuditKLAEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		sys := access.System("test")
		if _, err := kla.EnsureShipped(ctx, st); err != nil {
			t.Fatal(err)
		}
		regent := access.ForUser(storetest.User(t, st, "bupati", domain.RoleViewer, "61.07"), "", "t")
		outside := access.ForUser(storetest.User(t, st, "bupatilain", domain.RoleViewer, "61.01"), "", "t")
		au := audits.New(st)
		run := func(kind, name, day string, fail ...string) audits.Audit {
			t.Helper()
			f, err := au.CreateFacility(ctx, sys, domain.Facility{Kind: kind, Name: name, RegionCode: "61.07.17", Agency: "dlh"})
			if err != nil {
				t.Fatal(err)
			}
			a, err := au.PlanAudit(ctx, sys, f.ID, day, []audits.TeamMember{{FirstName: "Eka", Age: 13, Forum: "FA"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			tpl, _ := au.Template(ctx, kind, a.TemplateVersion)
			if err := au.SaveAnswers(ctx, sys, a.ID, answerAll(tpl, fail...)); err != nil {
				t.Fatal(err)
			}
			if _, err := au.Submit(ctx, sys, a.ID); err != nil {
				t.Fatal(err)
			}
			return a
		}
		passed := run(domain.FacilityRBRA, "Taman Lulus", "2026-10-10")
		run(domain.FacilityRBRA, "Taman Gagal", "2026-10-11", "lokasi_aman") // a mandatory item fails
		ev, err := au.KLAEvidence(ctx, regent, kla.Regime2011, 2026, "61.07")
		if err != nil || len(ev["20"]) != 1 || ev["20"][0].AuditID != passed.ID || ev["20"][0].FacilityName != "Taman Lulus" {
			t.Fatalf("evidence for indicator 20: %+v %v", ev, err)
		}
		if ev, _ := au.KLAEvidence(ctx, regent, kla.Regime2011, 2025, "61.07"); len(ev) != 0 {
			t.Fatalf("another year: %+v", ev)
		}
		if ev, _ := au.KLAEvidence(ctx, outside, kla.Regime2011, 2026, ""); len(ev) != 0 {
			t.Fatalf("another regency: %+v", ev)
		}
		if _, err := au.KLAEvidence(ctx, outside, kla.Regime2011, 2026, "61.07"); !domain.IsNotFound(err) {
			t.Fatalf("another regency's region: %v", err)
		}
		// A 2027 regime with a PRAP indicator; the admin maps the PRA template.
		if err := kla.ImportRegime(ctx, st, sys, domain.KLARegime{ID: "uji-2027", Name: "Uji 2027", FromYear: 2027}, []domain.KLAIndicator{
			{ID: "III.7", Cluster: "III", Name: "Persentase puskesmas yang menyelenggarakan pelayanan ramah anak", Unit: "percent", Polarity: "higher", Agency: "dinkes"}}); err != nil {
			t.Fatal(err)
		}
		pra, _ := au.Template(ctx, domain.FacilityPRA, 0)
		pra.KLA = map[string]string{"uji-2027": "III.7"}
		if _, err := au.SaveTemplate(ctx, sys, pra); err != nil {
			t.Fatal(err)
		}
		p := run(domain.FacilityPRA, "Puskesmas Lulus", "2027-02-01")
		ev, err = au.KLAEvidence(ctx, regent, "uji-2027", 2027, "61.07.17")
		if err != nil || len(ev["III.7"]) != 1 || ev["III.7"][0].AuditID != p.ID || ev["III.7"][0].Predicate == "" {
			t.Fatalf("PRAP evidence: %+v %v", ev, err)
		}
		// The RBRA template maps nothing in the new regime.
		run(domain.FacilityRBRA, "Taman 2027", "2027-03-01")
		if ev, _ := au.KLAEvidence(ctx, regent, "uji-2027", 2027, ""); len(ev) != 1 {
			t.Fatalf("2027 evidence: %+v", ev)
		}
	})
}

// The dashboards' ranking: per agency, open, answered and overdue actions
// (past the due date in the region's time), closed ones left out, the
// agency with most overdue first; counts only, for the regent too.
func TestActionsByAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
		sys := access.System("test")
		if err := kla.UpsertAgencies(ctx, st, sys, []domain.KLAAgency{{Code: "dlh", Name: "Dinas Lingkungan Hidup", Kind: "opd"},
			{Code: "dinkes", Name: "Dinas Kesehatan", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		op := storetest.User(t, st, "operatordlh", domain.RoleOPDOperator, "61.07")
		if err := kla.SetUserAgency(ctx, st, sys, op.ID, "dlh"); err != nil {
			t.Fatal(err)
		}
		regent := access.ForUser(storetest.User(t, st, "bupati", domain.RoleViewer, "61.07"), "", "t")
		au := audits.New(st)
		audit := func(kind, agency, day string, fail ...string) {
			t.Helper()
			f, err := au.CreateFacility(ctx, sys, domain.Facility{Kind: kind, Name: "F " + agency + day, RegionCode: "61.07", Agency: agency})
			if err != nil {
				t.Fatal(err)
			}
			a, err := au.PlanAudit(ctx, sys, f.ID, day, []audits.TeamMember{{FirstName: "Fajar", Age: 14, Forum: "FA"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			tpl, _ := au.Template(ctx, kind, 0)
			if err := au.SaveAnswers(ctx, sys, a.ID, answerAll(tpl, fail...)); err != nil {
				t.Fatal(err)
			}
			if _, err := au.Submit(ctx, sys, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		audit(domain.FacilityRBRA, "dlh", "2026-11-01", "p3k", "toilet_bersih")
		clk.Advance(10 * 24 * time.Hour)
		audit(domain.FacilityRBRA, "dinkes", "2026-11-11", "p3k")
		acts, _ := au.Actions(ctx, access.ForUser(op, "", "t"), "")
		if len(acts) != 2 {
			t.Fatalf("dlh actions: %d", len(acts))
		}
		if err := au.Respond(ctx, access.ForUser(op, "", "t"), acts[0].ID, "sudah"); err != nil {
			t.Fatal(err)
		}
		// 3 Dec: dlh's two are past 1 Dec, dinkes's is due 11 Dec.
		clk.Advance(22 * 24 * time.Hour)
		rows, err := au.ActionsByAgency(ctx, regent, "")
		if err != nil || len(rows) != 2 {
			t.Fatalf("by agency: %+v %v", rows, err)
		}
		if r := rows[0]; r.Agency != "dlh" || r.AgencyName != "Dinas Lingkungan Hidup" || r.Overdue != 2 || r.Open != 1 || r.Answered != 1 || r.OldestDue != "2026-12-01" {
			t.Fatalf("dlh: %+v", r)
		}
		if r := rows[1]; r.Agency != "dinkes" || r.Overdue != 0 || r.Open != 1 || r.OldestDue != "" {
			t.Fatalf("dinkes: %+v", r)
		}
		if _, err := au.ActionsByAgency(ctx, regent, "61.01"); !domain.IsNotFound(err) {
			t.Fatalf("another regency: %v", err)
		}
		prov := access.ForUser(storetest.User(t, st, "provinsi", domain.RoleProvider, "61"), "", "t")
		if _, err := au.ActionsByAgency(ctx, prov, ""); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("a provider: %v", err)
		}
	})
}
