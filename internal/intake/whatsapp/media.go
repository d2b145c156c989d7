package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"lindu/internal/cases"
	"lindu/internal/chanlog"
)

// Media of WhatsApp messages expire at Meta (the media id works for about
// 30 days, the download URL for minutes), so the fetcher fetches them as
// soon as a message is stored: the media id gives a short-lived URL, the
// URL (with the access token) gives the file. A failure is retried with
// backoff; a media id Meta no longer knows fails for good; both are shown
// on the report.

// errGone says Meta does not have the media (any more): no retry helps.
var errGone = errors.New("whatsapp: media not found at the Graph API")

// FetchMedia downloads a media file, at most limit bytes (a larger file
// comes back cut at limit+1 bytes, for the size check to refuse).
func (c *Client) FetchMedia(ctx context.Context, mediaID string, limit int64) ([]byte, error) {
	u := c.base() + "/" + url.PathEscape(mediaID)
	var info struct {
		URL      string `json:"url"`
		MIMEType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	b, err := c.get(ctx, u, 64<<10, "media "+mediaID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &info); err != nil || info.URL == "" {
		return nil, fmt.Errorf("whatsapp: unexpected media answer")
	}
	return c.get(ctx, info.URL, limit+1, "media "+mediaID)
}

// get is an authorised GET of up to limit bytes, logged (without the body
// of a file) to the channel log.
func (c *Client) get(ctx context.Context, u string, limit int64, what string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: bad media URL")
	}
	req.Header.Set("Authorization", "Bearer "+c.Settings.AccessToken)
	start := time.Now()
	entry := chanlog.Entry{Channel: "whatsapp", MessageKey: what, Method: http.MethodGet, URL: chanlog.RedactURL(u)}
	resp, err := c.http().Do(req)
	if err != nil {
		entry.Elapsed, entry.Error = time.Since(start), "unreachable"
		chanlog.Outbound(ctx, c.Store, c.Log, entry)
		return nil, fmt.Errorf("whatsapp: Graph API unreachable")
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	entry.Elapsed, entry.Status = time.Since(start), resp.StatusCode
	if resp.Header.Get("Content-Type") == "application/json" || resp.StatusCode >= 300 {
		entry.Response = chanlog.RedactJSON(b)
	} else {
		entry.Response = fmt.Sprintf("[%d bytes of %s]", len(b), resp.Header.Get("Content-Type"))
	}
	switch {
	case err != nil:
		entry.Error = "read failed"
		err = fmt.Errorf("whatsapp: reading media failed")
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone ||
		resp.StatusCode == http.StatusBadRequest:
		err = fmt.Errorf("%w (%d%s)", errGone, resp.StatusCode, graphError(b))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		err = fmt.Errorf("whatsapp: Graph API answered %d%s", resp.StatusCode, graphError(b))
	}
	if err != nil {
		entry.Error = err.Error()
	}
	chanlog.Outbound(ctx, c.Store, c.Log, entry)
	return b, err
}

// MediaFetcher fetches the media of WhatsApp reports.
type MediaFetcher struct {
	Client      *Client
	Cases       *cases.Service
	Log         *slog.Logger
	Interval    time.Duration // poll interval, default 10 s
	Backoff     time.Duration // first retry delay, default 30 s; doubles up to 2 h
	MaxAttempts int           // then the file fails for good; default 12 (about a day)

	once sync.Once
	wake chan struct{}
}

func (f *MediaFetcher) init() {
	f.once.Do(func() {
		f.wake = make(chan struct{}, 1)
		if f.Interval <= 0 {
			f.Interval = 10 * time.Second
		}
		if f.Backoff <= 0 {
			f.Backoff = 30 * time.Second
		}
		if f.MaxAttempts <= 0 {
			f.MaxAttempts = 12
		}
		if f.Log == nil {
			f.Log = slog.Default()
		}
	})
}

// Wake makes the fetcher look for work now (a message with media arrived).
func (f *MediaFetcher) Wake() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run fetches until ctx ends.
func (f *MediaFetcher) Run(ctx context.Context) {
	f.init()
	t := time.NewTicker(f.Interval)
	defer t.Stop()
	for {
		f.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
	}
}

// Round fetches every file due now and returns how many were kept (or
// refused for their type or size) and how many failed this time.
func (f *MediaFetcher) Round(ctx context.Context) (done, failed int) {
	f.init()
	for ctx.Err() == nil {
		jobs, err := f.Cases.ClaimMedia(ctx, "whatsapp", 10, 10*time.Minute)
		if err != nil {
			f.Log.Error("whatsapp: claiming media failed", "err", err.Error())
			return
		}
		for _, j := range jobs {
			if f.fetch(ctx, j) {
				done++
			} else {
				failed++
			}
		}
		if len(jobs) < 10 {
			return
		}
	}
	return
}

func (f *MediaFetcher) fetch(ctx context.Context, j cases.MediaJob) bool {
	fctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	data, err := f.Client.FetchMedia(fctx, j.ProviderID, f.Cases.MaxDocumentBytes())
	cancel()
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer rcancel()
	if err == nil {
		if err := f.Cases.MediaFetched(rctx, j.ID, data); err != nil {
			f.Log.Error("whatsapp: keeping media failed", "media", j.ID, "err", err.Error())
			return false
		}
		f.Log.Info("whatsapp: media fetched", "media", j.ID, "report_id", j.ReportID, "bytes", len(data))
		return true
	}
	final := errors.Is(err, errGone) || j.Attempts >= f.MaxAttempts
	d := f.Backoff
	for i := 1; i < j.Attempts && d < 2*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 2*time.Hour)
	f.Log.Warn("whatsapp: fetching media failed", "media", j.ID, "report_id", j.ReportID, "attempt", j.Attempts, "final", final,
		"err", err.Error())
	if err := f.Cases.MediaFailed(rctx, j.ID, err.Error(), final, time.Now().Add(d)); err != nil {
		f.Log.Error("whatsapp: recording a media failure failed", "media", j.ID, "err", err.Error())
	}
	return false
}
