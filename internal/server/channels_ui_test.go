package server_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/chanlog"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/media/mediatest"
	"lindu/internal/outbox"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A WhatsApp report's files on the report page, as staff meet them: the
// supervisor sees the document fetched ("tersimpan") and downloads it
// (the download is audited), a caseworker of the same region cannot; once
// verified, the file is a document of the case. An admin reads an outbox
// message's channel log, redacted; an admin of another region and a
// supervisor get not found.
func TestChannelPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		svc := &intake.Service{Store: w.st, Cases: w.srv.Cases, Region: "61.07"}
		res, err := svc.Handle(bg, intake.Message{Key: "wa:ui-1", Channel: domain.ChannelWhatsApp, From: "ID.8801234567",
			Text: "Surat dari sekolah tentang anak yang tidak pulang", Media: []domain.IncomingMedia{{Kind: domain.MediaDocument,
				ProviderID: "7001", DeclaredType: "application/pdf", FileName: "surat-sekolah.pdf"}, {Kind: domain.MediaVideo, ProviderID: "7002"}}})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := w.srv.Cases.ClaimMedia(bg, "whatsapp", 10, 0)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("claim: %v %v", jobs, err)
		}
		if err := w.srv.Cases.MediaFetched(bg, jobs[0].ID, mediatest.PDF("surat")); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Cases.MediaFailed(bg, jobs[1].ID, "whatsapp: media not found at the Graph API (404)", true, w.st.Now()); err != nil {
			t.Fatal(err)
		}

		sup := w.browser()
		sup.login("sup", pw)
		code, body, _ := sup.get("/laporan/" + res.ReportID)
		if code != 200 || !strings.Contains(body, "Lampiran WhatsApp") || !strings.Contains(body, "surat-sekolah.pdf") ||
			!strings.Contains(body, "tersimpan") || !strings.Contains(body, "gagal diambil dari WhatsApp") || strings.Contains(body, "Graph API") {
			t.Fatalf("report page %d: %s", code, body)
		}
		checkPage(t, "/laporan/{id}", body)
		link := "/laporan/" + res.ReportID + "/lampiran/" + jobs[0].ID
		if !strings.Contains(body, link) {
			t.Fatalf("no download link %s", link)
		}
		code, file, hdr := sup.get(link)
		if code != 200 || !strings.HasPrefix(file, "%PDF") || !strings.Contains(hdr.Get("Content-Disposition"), "surat-sekolah.pdf") {
			t.Fatalf("download %d %q %v", code, file[:min(len(file), 20)], hdr)
		}
		// The same through the API: the report lists its files, the
		// fetched one downloads.
		tok := w.token("sup")
		if code, rep := w.api("GET", "/api/v1/reports/"+res.ReportID, tok, nil); code != 200 || len(rep["media"].([]any)) != 2 {
			t.Fatalf("API report %d: %v", code, rep["media"])
		}
		if code, file, _ := w.apiRaw("GET", "/api/v1/reports/"+res.ReportID+"/media/"+jobs[0].ID, tok); code != 200 || !strings.HasPrefix(file, "%PDF") {
			t.Fatalf("API download %d", code)
		}
		if code, _, _ := w.apiRaw("GET", "/api/v1/reports/"+res.ReportID+"/media/"+jobs[0].ID, w.token("cw-b")); code != 404 {
			t.Fatalf("API download by a caseworker: %d, want 404", code)
		}
		cw := w.browser()
		cw.login("cw-b", pw)
		if code, _, _ := cw.get(link); code != 404 {
			t.Fatalf("caseworker download: %d, want 404", code)
		}
		// Verified: the file is the case's document now.
		c, err := w.srv.Cases.VerifyReport(bg, access.System("test"), res.ReportID, cases.VerifyInput{Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VNeglect}})
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ = sup.get("/laporan/" + res.ReportID)
		if !strings.Contains(body, "menjadi dokumen kasus") || !strings.Contains(body, "/kasus/"+c.ID+"#dokumen") {
			t.Fatalf("report page after verification lacks the case document link: %s", body)
		}

		// The channel log of the reply.
		rows, err := outbox.ByKeyPrefix(bg, w.st, access.System("test"), "reply:wa:ui-1")
		if err != nil || len(rows) != 1 {
			t.Fatalf("reply: %v %v", rows, err)
		}
		id := rows[0].ID
		if err := chanlog.Record(bg, w.st, chanlog.Entry{Channel: "whatsapp", Direction: chanlog.Out, OutboxID: id, Method: "POST",
			URL: chanlog.RedactURL("https://graph.facebook.com/v21.0/106540352242922/messages?access_token=SECRET-TOKEN"), Status: 400,
			Request:  chanlog.RedactJSON([]byte(`{"recipient":"ID.8801234567","text":{"body":"Laporan diterima, kode 123"}}`)),
			Response: `{"error":{"message":"Recipient not allowed","code":131030}}`, Error: "whatsapp: message refused (400 131030)"}); err != nil {
			t.Fatal(err)
		}
		admin := w.browser()
		admin.login("reg-admin", pw)
		_, list, _ := admin.get("/notifikasi?status=all")
		if !strings.Contains(list, "/notifikasi/"+id+"/log") {
			t.Fatalf("outbox list lacks the log link for the admin")
		}
		code, body, _ = admin.get("/notifikasi/" + id + "/log")
		if code != 200 || !strings.Contains(body, "Log saluran pesan") || !strings.Contains(body, "131030") ||
			strings.Contains(body, "SECRET-TOKEN") || strings.Contains(body, "ID.8801234567") || strings.Contains(body, "Laporan diterima, kode 123") {
			t.Fatalf("channel log %d: %s", code, body)
		}
		checkPage(t, "/notifikasi/{id}/log", body)
		for _, who := range []string{"sup", "admin-b"} {
			b := w.browser()
			b.login(who, pw)
			if code, _, _ := b.get("/notifikasi/" + id + "/log"); code != 404 {
				t.Errorf("%s reads the channel log: %d, want 404", who, code)
			}
		}
	})
}
