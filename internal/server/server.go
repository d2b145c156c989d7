// Package server assembles lindu's HTTP handler: HTML pages, the JSON API,
// health and metrics endpoints, and the middleware around them. cmd/lindu
// and the end-to-end tests build the same handler through New.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"lindu/internal/api"
	"lindu/internal/cases"
	"lindu/internal/checkpoint"
	"lindu/internal/httpx"
	"lindu/internal/metrics"
	"lindu/internal/store"
	"lindu/internal/web"
)

// Options configure the handler.
type Options struct {
	Store         *store.Store
	Log           *slog.Logger
	RootRegion    string
	Require2FA    bool
	SecureCookies bool
	// HSTS sends Strict-Transport-Security (the public URL is https).
	HSTS       bool
	TrustProxy bool
	Version    string
	Now        func() time.Time
	// ReportMinFormAge: see web.Options (0 = default 3 s, negative = off).
	ReportMinFormAge time.Duration
	// Channels are the SMS/WhatsApp intake endpoints (intake/kannel,
	// intake/whatsapp), registered on the same mux.
	Channels []interface{ Routes(*http.ServeMux) }
	// Checkpoints signs audit checkpoints for the admins' download.
	Checkpoints *checkpoint.Keeper
	// Cases is the case area (nil: on Store with default options).
	Cases *cases.Service
}

// Server is the assembled HTTP handler.
type Server struct {
	http.Handler
	Metrics *metrics.Registry
	API     *api.API
	Mux     *http.ServeMux
	Cases   *cases.Service
}

// New builds the handler.
func New(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Cases == nil {
		o.Cases = cases.New(o.Store, cases.Options{})
	}
	m := metrics.New()
	authn := &httpx.Authenticator{Store: o.Store, TrustProxy: o.TrustProxy, Require2FA: o.Require2FA,
		SecureCookies: o.SecureCookies}
	w, err := web.New(web.Options{Store: o.Store, Auth: authn, Log: o.Log, RootRegion: o.RootRegion,
		SecureCookies: o.SecureCookies, Version: o.Version, Now: o.Now, ReportMinFormAge: o.ReportMinFormAge,
		Checkpoints: o.Checkpoints, Cases: o.Cases})
	if err != nil {
		return nil, err
	}
	a := api.New(o.Store, o.Cases, o.Log, o.RootRegion, o.TrustProxy)
	mux := http.NewServeMux()
	w.Routes(mux)
	a.Register(mux)
	for _, c := range o.Channels {
		c.Routes(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := o.Store.Ping(ctx); err != nil {
			o.Log.Warn("readyz: database unreachable", "err", err.Error())
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unreachable\n"))
			return
		}
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", metricsHandler(m))
	registerMetrics(m, o)
	// A request refused before its handler answers like its front end.
	fail := func(rw http.ResponseWriter, r *http.Request, err error) {
		if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/channels/") {
			httpx.WriteError(rw, r, o.Log, err)
			return
		}
		w.Fail(rw, r, err)
	}
	authn.Fail = fail
	h := httpx.RecordRoute(mux)
	h = authn.Middleware(h)
	h = httpx.CheckFormText([]string{"/channels/", "/static/"}, fail, h)
	h = httpx.LimitBodies(2<<20, 32<<20, []string{"/kla/", "/api/v1/kla/", "/kasus/*/dokumen", "/api/v1/cases/*/documents"}, fail, h)
	h = httpx.CrossOrigin(h)
	h = httpx.SecurityHeaders(h)
	if o.HSTS {
		h = httpx.HSTS(h)
	}
	h = httpx.Observe(o.Log, m, h)
	return &Server{Handler: h, Metrics: m, API: a, Mux: mux, Cases: o.Cases}, nil
}
