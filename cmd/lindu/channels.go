package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"lindu/internal/cases"
	"lindu/internal/chanlog"
	"lindu/internal/config"
	"lindu/internal/intake"
	"lindu/internal/intake/kannel"
	"lindu/internal/intake/whatsapp"
	"lindu/internal/jobs"
	"lindu/internal/metrics"
	"lindu/internal/sms"
	"lindu/internal/store"
)

func kannelSettings(cfg config.Config) kannel.Settings {
	var allow []string
	for _, a := range strings.Split(cfg.KannelAllowIPs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			allow = append(allow, a)
		}
	}
	return kannel.Settings{SendsmsURL: cfg.KannelSendsmsURL, Username: cfg.KannelUsername, Password: cfg.KannelPassword,
		Secret: cfg.KannelSecret, From: cfg.KannelFrom, AllowIPs: allow, PublicURL: cfg.PublicURL}
}

func whatsappSettings(cfg config.Config) whatsapp.Settings {
	return whatsapp.Settings{VerifyToken: cfg.WhatsAppVerifyToken, AppSecret: cfg.WhatsAppAppSecret, AccessToken: cfg.WhatsAppAccessToken,
		PhoneNumberID: cfg.WhatsAppPhoneNumberID, APIURL: cfg.WhatsAppAPIURL}
}

// channels builds the intake endpoints and the outbox sender of the
// configured channels (none when nothing is configured).
// channelSet is the channels' wiring: the endpoints, the outbox sender
// (nil without a gateway), the intake (for its metrics) and background
// jobs (the media fetcher, the channel log's purge).
type channelSet struct {
	routes []interface{ Routes(*http.ServeMux) }
	sender *sms.Sender
	intake *intake.Service
	jobs   []func(context.Context)
}

func channels(cfg config.Config, st *store.Store, area *cases.Service, log *slog.Logger) (channelSet, error) {
	kannelOn := cfg.KannelSecret != ""
	waOn := cfg.WhatsAppAppSecret != ""
	if !kannelOn && !waOn {
		return channelSet{}, nil
	}
	if cfg.RootRegion == "" {
		return channelSet{}, &config.UsageError{Msg: "the SMS and WhatsApp channels need --root-region: reports by SMS are filed in the deployment's region"}
	}
	// One group commit for the messages' small writes (sent, delivery
	// reports, channel log) of the sender and the providers' callbacks.
	commit := &store.Committer{Store: st}
	sender := &sms.Sender{Store: st, Log: log, Instance: jobs.InstanceName(), Gateways: map[string]sms.Gateway{}, Commit: commit}
	// A reply is written claimed for the sender and handed to it in
	// memory once committed, when its gateway is up (intake.Handoff): no
	// claim of its own, a commit less for every message.
	svc := &intake.Service{Store: st, Cases: area, Region: cfg.RootRegion, Sent: sender.Wake, Handoff: sender}
	// Messages that arrive together share a commit: on SQLite's one
	// writer, where each transaction waits its turn, and on PostgreSQL too,
	// where a message's own transaction cost a BEGIN, a COMMIT and its WAL
	// flush each (SMS round trips through Kannel, 1,500 SMS, 3 runs
	// alternating: 366-558/s alone, 626-701/s sharing). A sender's messages
	// take one lane (the key), so its lock is only ever waited for across
	// lanes by another lindu instance; a deadlock between two shared
	// transactions there is broken by PostgreSQL and each write then runs
	// again alone (store.Committer).
	svc.InTx = commit.DoKey
	hc := &http.Client{Timeout: 30 * time.Second, Transport: gatewayTransport()}
	var routes []interface{ Routes(*http.ServeMux) }
	jobs := []func(context.Context){func(ctx context.Context) { purgeChannelLog(ctx, st, log) }}
	if kannelOn {
		ks := kannelSettings(cfg)
		routes = append(routes, &kannel.Handler{Settings: ks, Intake: svc, Store: st, Log: log, Commit: commit})
		if cfg.KannelSendsmsURL != "" {
			sender.Gateways["sms"] = &kannel.Client{Settings: ks, HTTP: hc, Store: st, Log: log, Commit: commit}
		}
	}
	if waOn {
		ws := whatsappSettings(cfg)
		h := &whatsapp.Handler{Settings: ws, Intake: svc, Store: st, Log: log, Commit: commit}
		routes = append(routes, h)
		if cfg.WhatsAppAccessToken != "" && cfg.WhatsAppPhoneNumberID != "" {
			client := &whatsapp.Client{Settings: ws, HTTP: hc, Store: st, Log: log, Commit: commit}
			sender.Gateways["whatsapp"] = client
			fetcher := &whatsapp.MediaFetcher{Client: client, Cases: area, Log: log}
			h.MediaArrived = fetcher.Wake
			jobs = append(jobs, fetcher.Run)
		}
	}
	if len(sender.Gateways) == 0 {
		sender = nil
	}
	return channelSet{routes: routes, sender: sender, intake: svc, jobs: jobs}, nil
}

// gatewayTransport keeps connections to the gateways open for as many
// requests as the sender makes at once (Go's default keeps 2 per host, so
// most requests would open a new connection).
func gatewayTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 96 // as many as the Kannel client sends at once (kannel.Client.Concurrency)
	return t
}

// purgeChannelLog deletes channel log entries past chanlog.Retention,
// hourly, until ctx ends.
func purgeChannelLog(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := chanlog.Purge(ctx, st, time.Now().Add(-chanlog.Retention)); err != nil {
			if ctx.Err() == nil {
				log.Error("chanlog: purge failed", "err", err.Error())
			}
		} else if n > 0 {
			log.Info("chanlog: old entries purged", "entries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runJobs runs the channels' background jobs; the returned function stops
// them and waits.
func runJobs(ctx context.Context, jobs []func(context.Context)) func() {
	jctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j(jctx)
		}()
	}
	return func() { stop(); wg.Wait() }
}

// runSender starts the outbox sender when there is one; the returned
// function stops it and waits.
func runSender(ctx context.Context, s *sms.Sender, m *metrics.Registry) func() {
	if s == nil {
		return func() {}
	}
	s.Metrics = m
	m.GaugeVecFunc("lindu_gateway_up", "Whether a channel's gateway took the last message it was given (1) or failed (0).",
		[]string{"channel"}, func(context.Context) ([]metrics.Sample, error) {
			var out []metrics.Sample
			for c, up := range s.Up() {
				v := 0.0
				if up {
					v = 1
				}
				out = append(out, metrics.Sample{LabelValues: []string{c}, Value: v})
			}
			return out, nil
		})
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(sctx)
	}()
	return func() { stop(); <-done }
}

func cmdKannelConfig(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var retries, delay int
	cfg, err := config.Load("kannel config", args, env, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&retries, "http-request-retry", kannel.DefaultRetries, "smsbox retries of a failed call to lindu")
		fs.IntVar(&delay, "http-queue-delay", kannel.DefaultDelay, "seconds between those retries")
	})
	if err != nil {
		return err
	}
	if cfg.KannelSecret == "" {
		return &config.UsageError{Msg: "set LINDU_KANNEL_SECRET (or --kannel-secret) first: it goes into the URLs Kannel calls"}
	}
	fmt.Fprint(stdout, kannel.Config(kannelSettings(cfg), retries, delay))
	return nil
}
