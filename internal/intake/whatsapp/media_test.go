package whatsapp_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/chanlog"
	"lindu/internal/domain"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/whatsapp"
	"lindu/internal/media/mediatest"
	"lindu/internal/sms"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// fakeGraph is a Graph API on 127.0.0.1 for media: GET /<media id> gives
// a download URL on the same server, GET /download/<media id> the file;
// a media id without a file is 404 (expired at Meta); answers for a
// media id can be set to fail first.
type fakeGraph struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	fail  map[string]int // media id -> how many 500s first
	auth  []string
	sends [][]byte
	wamid string
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{files: map[string][]byte{}, fail: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		g.sends = append(g.sends, b.Bytes())
		_, _ = w.Write([]byte(`{"messaging_product":"whatsapp","messages":[{"id":"` + g.wamid + `"}]}`))
		return
	}
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/download"), "/")
	if g.fail[id] > 0 {
		g.fail[id]--
		http.Error(w, `{"error":{"message":"Service temporarily unavailable","code":2}}`, http.StatusInternalServerError)
		return
	}
	data, ok := g.files[id]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"message":"Unsupported get request. Object does not exist","code":100}}`))
		return
	}
	if strings.HasPrefix(r.URL.Path, "/download/") {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"url": g.srv.URL + "/download/" + id, "mime_type": "image/jpeg", "id": id,
		"file_size": len(data), "messaging_product": "whatsapp"})
}

func mediaState(t *testing.T, st *store.Store, providerID string) (status string, attempts int, lastErr, docID string) {
	t.Helper()
	if err := st.QueryRowContext(bg, `SELECT status, attempts, last_error, document_id FROM report_media WHERE provider_media_id = $1`,
		providerID).Scan(&status, &attempts, &lastErr, &docID); err != nil {
		t.Fatal(err)
	}
	return
}

// A photo and a voice note by WhatsApp: the media ids are kept with the
// report at once; the fetcher gets the files from the Graph API (the photo
// retried after a server error), strips the photo's location, seals them,
// and they become documents of the case when the report is verified. A
// media id the Graph API no longer knows fails for good, shown on the
// report; a video (a type lindu does not keep) is refused with the reason.
// The channel log has each exchange, without the access token.
func TestWhatsAppMediaFetched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		h := intaketest.Start(t, d, "whatsapp", newHandler)
		g := newFakeGraph(t)
		photo := mediatest.GPSJPEG()
		g.files["1003383421387256"] = photo
		g.fail["1003383421387256"] = 1
		// audio.http's voice note (1531219227491842) is not at the Graph API.
		g.files["1282356239195831"] = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom video")
		for _, f := range []string{"image.http", "audio.http", "video.http"} {
			req, err := intaketest.LoadRequest(filepath.Join(h.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			signed(&req)
			if out := h.Do(t, req, ""); out.Status != 200 || len(out.Messages) != 1 {
				t.Fatalf("%s: %d %+v", f, out.Status, out.Messages)
			}
		}
		ws := testSettings
		ws.APIURL = g.srv.URL
		area := cases.New(h.Store, cases.Options{})
		client := &whatsapp.Client{Settings: ws, HTTP: intaketest.Client(), Store: h.Store}
		f := &whatsapp.MediaFetcher{Client: client, Cases: area, Log: slog.New(slog.DiscardHandler)}
		done, failed := f.Round(bg)
		if done != 1 || failed != 2 {
			t.Fatalf("first round: %d kept, %d failed; want 1 (the video, refused) and 2", done, failed)
		}
		if s, n, e, _ := mediaState(t, h.Store, "1003383421387256"); s != domain.MediaPending || n != 1 || !strings.Contains(e, "500") {
			t.Fatalf("photo after a server error: %s attempt %d %q; want pending, retried", s, n, e)
		}
		if s, _, e, _ := mediaState(t, h.Store, "1531219227491842"); s != domain.MediaFailed || !strings.Contains(e, "404") {
			t.Fatalf("voice note gone at Meta: %s %q; want failed for good", s, e)
		}
		if s, _, e, _ := mediaState(t, h.Store, "1282356239195831"); s != domain.MediaRefused || e != "jenis berkas tidak diterima" {
			t.Fatalf("video: %s %q; want refused", s, e)
		}
		// The retry is due later; make it due now.
		if err := h.Store.InTx(bg, func(tx *store.Tx) error {
			_, err := tx.ExecContext(bg, `UPDATE report_media SET next_attempt_at = $1`, tx.Now().Add(-time.Second))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if done, failed := f.Round(bg); done != 1 || failed != 0 {
			t.Fatalf("second round: %d kept, %d failed", done, failed)
		}
		if s, n, _, _ := mediaState(t, h.Store, "1003383421387256"); s != domain.MediaFetched || n != 2 {
			t.Fatalf("photo: %s after %d attempts", s, n)
		}
		for _, a := range g.auth {
			if a != "Bearer "+testSettings.AccessToken {
				t.Fatalf("Graph API request authorised with %q", a)
			}
		}

		// The report shows its files; its photo is downloadable, without GPS.
		sys := access.System("test")
		var reportID string
		if err := h.Store.QueryRowContext(bg, `SELECT report_id FROM report_media WHERE provider_media_id = '1003383421387256'`).Scan(&reportID); err != nil {
			t.Fatal(err)
		}
		rep, err := area.GetReport(bg, sys, reportID)
		if err != nil || len(rep.Media) != 1 || rep.Media[0].Status != domain.MediaFetched || rep.Media[0].MIMEType != "image/jpeg" {
			t.Fatalf("report media %+v %v", rep.Media, err)
		}
		dl, err := area.DownloadReportMedia(bg, sys, reportID, rep.Media[0].ID)
		if err != nil || !bytes.HasPrefix(dl.Data, []byte{0xff, 0xd8}) || bytes.Contains(dl.Data, []byte("GPS")) || len(dl.Data) >= len(photo) {
			t.Fatalf("download: %d bytes (photo %d), err %v; want the photo without its Exif", len(dl.Data), len(photo), err)
		}

		// Verified, the report's case has the photo as a document.
		c, err := area.VerifyReport(bg, sys, reportID, cases.VerifyInput{Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}})
		if err != nil {
			t.Fatal(err)
		}
		docs, err := area.ListDocuments(bg, sys, c.ID)
		if err != nil || len(docs) != 1 || docs[0].Kind != domain.DocPhoto || !strings.HasPrefix(docs[0].Title, "Foto WhatsApp (laporan ") {
			t.Fatalf("case documents %+v %v", docs, err)
		}
		if _, _, _, doc := mediaState(t, h.Store, "1003383421387256"); doc != docs[0].ID {
			t.Fatalf("media's document %q, want %q", doc, docs[0].ID)
		}
		if _, err := area.DownloadReportMedia(bg, sys, reportID, rep.Media[0].ID); !domain.IsNotFound(err) {
			t.Fatalf("the report's copy after the move: %v; want not found (the case's document holds it)", err)
		}

		// The channel log: each Graph API exchange, no token anywhere.
		var n int
		var leak int
		if err := h.Store.QueryRowContext(bg, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN url LIKE '%'||$1||'%' OR request LIKE '%'||$1||'%'
			THEN 1 ELSE 0 END), 0) FROM channel_log WHERE channel = 'whatsapp' AND direction = 'out'`, testSettings.AccessToken).Scan(&n, &leak); err != nil {
			t.Fatal(err)
		}
		if n < 5 || leak != 0 {
			t.Fatalf("channel log: %d outbound entries, %d with the token", n, leak)
		}
		_ = chanlog.Retention
	})
}

// A sender with a username gets the reply by their business-scoped user
// id ("recipient", no "to"); their answer to lindu's reply (context.id)
// joins the report that reply belonged to.
func TestWhatsAppUsernameReplyAndContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		h := intaketest.Start(t, d, "whatsapp", newHandler)
		g := newFakeGraph(t)
		g.wamid = "wamid.HBgNNjI4MTI3Nzc3MDAwMhUCABEYEkNPTlRFWFRSRVBMWTAxAA=="
		do := func(f string) intaketest.Outcome {
			req, err := intaketest.LoadRequest(filepath.Join(h.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			signed(&req)
			out := h.Do(t, req, "")
			if out.Status != 200 || len(out.Messages) != 1 {
				t.Fatalf("%s: %d %+v", f, out.Status, out.Messages)
			}
			return out
		}
		first := do("username.http")
		ws := testSettings
		ws.APIURL = g.srv.URL
		sender := &sms.Sender{Store: h.Store, Log: slog.New(slog.DiscardHandler), Instance: "t",
			Gateways: map[string]sms.Gateway{"whatsapp": &whatsapp.Client{Settings: ws, HTTP: intaketest.Client(), Store: h.Store}}}
		if s, _ := sender.Round(bg); s != 1 {
			t.Fatalf("sent %d", s)
		}
		var m map[string]any
		if len(g.sends) != 1 || json.Unmarshal(g.sends[0], &m) != nil || m["recipient"] != "ID.1502576394655843" || m["to"] != nil {
			t.Fatalf("Graph API got %s; want recipient = the user id and no to", g.sends)
		}
		answer := do("context-reply.http")
		got := answer.Messages[0]
		if got.Kind != "append" || got.ReportID != first.Messages[0].ReportID ||
			!strings.Contains(got.ReportText, "Anaknya sekarang di rumah neneknya") {
			t.Fatalf("answer to lindu's reply: %s on report %s (want append on %s): %q", got.Kind, got.ReportID,
				first.Messages[0].ReportID, got.ReportText)
		}
	})
}
