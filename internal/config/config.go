// Package config reads lindu's settings from flags and environment
// variables (flags win), validates them once, and hands a plain struct to
// cmd/lindu. There are no package-level settings anywhere else.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Config is the validated configuration of a lindu process.
type Config struct {
	DB            string // LINDU_DB: "sqlite:/path" or "postgres://..."
	Addr          string // LINDU_ADDR: listen address
	DataDir       string // LINDU_DATA_DIR: SQLite file, key file
	SecretKeyFile string // LINDU_SECRET_KEY_FILE
	RootRegion    string // LINDU_ROOT_REGION: the deployment's region ("" = all Indonesia)
	Require2FA    bool   // LINDU_REQUIRE_2FA=1: TOTP required for admin and supervisor
	SecureCookies bool   // LINDU_SECURE_COOKIES: Secure flag on cookies (default on unless plain HTTP on localhost)
	LogFormat     string // LINDU_LOG_FORMAT: "text" or "json"
	LogLevel      string // LINDU_LOG_LEVEL: debug, info, warn, error
	TrustProxy    bool   // LINDU_TRUST_PROXY=1: take the client IP from X-Forwarded-For
	PublicURL     string // LINDU_PUBLIC_URL: how users reach lindu (for links in messages)
	Demo          bool   // --demo: load the demo data set on an empty database
	ShutdownGrace time.Duration
	// EmergencyAccess (LINDU_EMERGENCY_ACCESS): how long an emergency access
	// (akses darurat) to a case's personal data lasts.
	EmergencyAccess time.Duration
	// SessionIdle (LINDU_SESSION_IDLE) ends a web session after this long
	// without a request; SessionMax (LINDU_SESSION_MAX) this long after login.
	SessionIdle, SessionMax time.Duration

	// Audit checkpoints (see README "Audit log").
	AuditKeyFile         string        // LINDU_AUDIT_KEY_FILE: Ed25519 signing key (default beside the key file)
	AuditCheckpointFile  string        // LINDU_AUDIT_CHECKPOINT_FILE: signed checkpoints (default beside the key file)
	AuditCheckpointEvery time.Duration // LINDU_AUDIT_CHECKPOINT_EVERY: serve's interval (0: only at start and stop)

	// Channels (SMS through Kannel, WhatsApp Cloud API); see README.
	KannelSendsmsURL      string // LINDU_KANNEL_SENDSMS_URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms
	KannelUsername        string // LINDU_KANNEL_USERNAME (sendsms-user)
	KannelPassword        string // LINDU_KANNEL_PASSWORD
	KannelSecret          string // LINDU_KANNEL_SECRET: in the URLs Kannel calls
	KannelFrom            string // LINDU_KANNEL_FROM: sender number or short code (optional)
	KannelAllowIPs        string // LINDU_KANNEL_ALLOW_IPS: comma-separated addresses allowed to call (optional)
	WhatsAppVerifyToken   string // LINDU_WHATSAPP_VERIFY_TOKEN
	WhatsAppAppSecret     string // LINDU_WHATSAPP_APP_SECRET
	WhatsAppAccessToken   string // LINDU_WHATSAPP_ACCESS_TOKEN
	WhatsAppPhoneNumberID string // LINDU_WHATSAPP_PHONE_NUMBER_ID
	WhatsAppAPIURL        string // LINDU_WHATSAPP_API_URL (default https://graph.facebook.com/v21.0)
}

// Defaults returns the configuration before flags and environment.
func Defaults() Config {
	return Config{
		Addr:          "localhost:8080",
		DataDir:       "./data",
		LogFormat:     "text",
		LogLevel:      "info",
		ShutdownGrace: 15 * time.Second,

		AuditCheckpointEvery: 10 * time.Minute,
		EmergencyAccess:      cases.DefaultEmergencyAccess,
		SessionIdle:          store.DefaultSessionIdle,
		SessionMax:           store.DefaultSessionMax,
	}
}

// UsageError is a bad flag, variable or value: cmd/lindu prints it in one
// line and exits with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usage(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// Env reads a variable; tests pass their own.
type Env func(string) string

// Load parses args (the subcommand's flags) over the environment over
// defaults. extra lets a subcommand add its own flags to the same set.
func Load(name string, args []string, env Env, stderr io.Writer, extra func(*flag.FlagSet)) (Config, error) {
	c := Defaults()
	if env == nil {
		env = os.Getenv
	}
	secure, err := c.readEnv(env)
	if err != nil {
		return c, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	c.register(fs, &secure)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage of lindu %s:\n", name)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return c, err
		}
		return c, usage("%v", err)
	}
	if fs.NArg() > 0 {
		return c, usage("unexpected argument %q", fs.Arg(0))
	}
	return c, c.finish(secure)
}

// readEnv takes the settings given in LINDU_* variables; secure is
// LINDU_SECURE_COOKIES, decided on in finish.
func (c *Config) readEnv(env Env) (secure string, err error) {
	fromEnv := func(key string, dst *string) {
		if v := env(key); v != "" {
			*dst = v
		}
	}
	fromEnv("LINDU_DB", &c.DB)
	fromEnv("LINDU_ADDR", &c.Addr)
	fromEnv("LINDU_DATA_DIR", &c.DataDir)
	fromEnv("LINDU_SECRET_KEY_FILE", &c.SecretKeyFile)
	fromEnv("LINDU_ROOT_REGION", &c.RootRegion)
	fromEnv("LINDU_LOG_FORMAT", &c.LogFormat)
	fromEnv("LINDU_LOG_LEVEL", &c.LogLevel)
	fromEnv("LINDU_PUBLIC_URL", &c.PublicURL)
	fromEnv("LINDU_KANNEL_SENDSMS_URL", &c.KannelSendsmsURL)
	fromEnv("LINDU_KANNEL_USERNAME", &c.KannelUsername)
	fromEnv("LINDU_KANNEL_PASSWORD", &c.KannelPassword)
	fromEnv("LINDU_KANNEL_SECRET", &c.KannelSecret)
	fromEnv("LINDU_KANNEL_FROM", &c.KannelFrom)
	fromEnv("LINDU_KANNEL_ALLOW_IPS", &c.KannelAllowIPs)
	fromEnv("LINDU_WHATSAPP_VERIFY_TOKEN", &c.WhatsAppVerifyToken)
	fromEnv("LINDU_WHATSAPP_APP_SECRET", &c.WhatsAppAppSecret)
	fromEnv("LINDU_WHATSAPP_ACCESS_TOKEN", &c.WhatsAppAccessToken)
	fromEnv("LINDU_WHATSAPP_PHONE_NUMBER_ID", &c.WhatsAppPhoneNumberID)
	fromEnv("LINDU_WHATSAPP_API_URL", &c.WhatsAppAPIURL)
	fromEnv("LINDU_AUDIT_KEY_FILE", &c.AuditKeyFile)
	fromEnv("LINDU_AUDIT_CHECKPOINT_FILE", &c.AuditCheckpointFile)
	boolEnv := func(key string, dst *bool) {
		if v := env(key); v != "" && err == nil {
			b, e := strconv.ParseBool(v)
			if e != nil {
				err = usage("%s=%q: want 1 or 0", key, v)
			}
			*dst = b
		}
	}
	boolEnv("LINDU_REQUIRE_2FA", &c.Require2FA)
	boolEnv("LINDU_TRUST_PROXY", &c.TrustProxy)
	if v := env("LINDU_AUDIT_CHECKPOINT_EVERY"); v != "" {
		d, e := time.ParseDuration(v)
		if e != nil || d < 0 {
			return "", usage("LINDU_AUDIT_CHECKPOINT_EVERY=%q: want a duration such as 10m, or 0", v)
		}
		c.AuditCheckpointEvery = d
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"LINDU_SESSION_IDLE", &c.SessionIdle}, {"LINDU_SESSION_MAX", &c.SessionMax}} {
		if v := env(d.name); v != "" {
			x, e := time.ParseDuration(v)
			if e != nil {
				return "", usage("%s=%q: want a duration such as 30m or 12h", d.name, v)
			}
			*d.dst = x
		}
	}
	fromEnv("LINDU_SECURE_COOKIES", &secure)
	if v := env("LINDU_EMERGENCY_ACCESS"); v != "" && err == nil {
		d, e := time.ParseDuration(v)
		if e != nil {
			err = usage("LINDU_EMERGENCY_ACCESS=%q: want a duration such as 4h or 90m", v)
		}
		c.EmergencyAccess = d
	}
	return secure, err
}

// register adds the common flags to fs, each defaulting to what the
// environment said; secure receives -secure-cookies.
func (c *Config) register(fs *flag.FlagSet, secure *string) {
	fs.StringVar(&c.DB, "db", c.DB, "database URL: sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB (env LINDU_DB; default sqlite in the data dir)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env LINDU_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory for the SQLite file and the key file (env LINDU_DATA_DIR)")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", c.SecretKeyFile, "encryption key file (env LINDU_SECRET_KEY_FILE; default DATA_DIR/secret.key)")
	fs.StringVar(&c.RootRegion, "root-region", c.RootRegion, "region code this deployment serves, e.g. 61.07 (env LINDU_ROOT_REGION; default: all of Indonesia)")
	fs.BoolVar(&c.Require2FA, "require-2fa", c.Require2FA, "require a TOTP second factor for admin and supervisor (env LINDU_REQUIRE_2FA=1)")
	fs.StringVar(secure, "secure-cookies", *secure, "Secure flag on cookies: 1, 0 or empty for automatic (env LINDU_SECURE_COOKIES)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env LINDU_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error (env LINDU_LOG_LEVEL)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "take client addresses from X-Forwarded-For (env LINDU_TRUST_PROXY=1)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public base URL, e.g. https://lindu.bengkayangkab.go.id (env LINDU_PUBLIC_URL)")
	fs.StringVar(&c.KannelSendsmsURL, "kannel-sendsms-url", c.KannelSendsmsURL, "Kannel sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms (env LINDU_KANNEL_SENDSMS_URL)")
	fs.StringVar(&c.KannelUsername, "kannel-username", c.KannelUsername, "Kannel sendsms-user username (env LINDU_KANNEL_USERNAME)")
	fs.StringVar(&c.KannelPassword, "kannel-password", c.KannelPassword, "Kannel sendsms-user password (env LINDU_KANNEL_PASSWORD)")
	fs.StringVar(&c.KannelSecret, "kannel-secret", c.KannelSecret, "secret in the URLs Kannel calls; enables /channels/kannel/* (env LINDU_KANNEL_SECRET)")
	fs.StringVar(&c.KannelFrom, "kannel-from", c.KannelFrom, "sender number or short code of outgoing SMS (env LINDU_KANNEL_FROM)")
	fs.StringVar(&c.KannelAllowIPs, "kannel-allow-ips", c.KannelAllowIPs, "comma-separated addresses allowed to call the Kannel endpoints (env LINDU_KANNEL_ALLOW_IPS)")
	fs.StringVar(&c.WhatsAppVerifyToken, "whatsapp-verify-token", c.WhatsAppVerifyToken, "WhatsApp webhook verify token (env LINDU_WHATSAPP_VERIFY_TOKEN)")
	fs.StringVar(&c.WhatsAppAppSecret, "whatsapp-app-secret", c.WhatsAppAppSecret, "WhatsApp app secret for X-Hub-Signature-256; enables the webhook (env LINDU_WHATSAPP_APP_SECRET)")
	fs.StringVar(&c.WhatsAppAccessToken, "whatsapp-access-token", c.WhatsAppAccessToken, "WhatsApp Cloud API access token (env LINDU_WHATSAPP_ACCESS_TOKEN)")
	fs.StringVar(&c.WhatsAppPhoneNumberID, "whatsapp-phone-number-id", c.WhatsAppPhoneNumberID, "WhatsApp phone number id (env LINDU_WHATSAPP_PHONE_NUMBER_ID)")
	fs.StringVar(&c.WhatsAppAPIURL, "whatsapp-api-url", c.WhatsAppAPIURL, "Graph API base URL (env LINDU_WHATSAPP_API_URL; default https://graph.facebook.com/v21.0)")
	fs.StringVar(&c.AuditKeyFile, "audit-key-file", c.AuditKeyFile, "Ed25519 key that signs audit checkpoints (env LINDU_AUDIT_KEY_FILE; default audit-signing.key beside the key file)")
	fs.StringVar(&c.AuditCheckpointFile, "audit-checkpoint-file", c.AuditCheckpointFile, "file the signed audit checkpoints are appended to (env LINDU_AUDIT_CHECKPOINT_FILE; default audit-checkpoints.txt beside the key file)")
	fs.DurationVar(&c.AuditCheckpointEvery, "audit-checkpoint-every", c.AuditCheckpointEvery, "how often serve signs an audit checkpoint; 0: only at start and stop (env LINDU_AUDIT_CHECKPOINT_EVERY)")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "a web session ends after this long without a request, 1m to 24h (env LINDU_SESSION_IDLE)")
	fs.DurationVar(&c.SessionMax, "session-max", c.SessionMax, "a web session ends this long after login, 5m to 7 days (env LINDU_SESSION_MAX)")
	fs.DurationVar(&c.EmergencyAccess, "emergency-access", c.EmergencyAccess, "how long an emergency access to a case's personal data lasts, 15m to 24h (env LINDU_EMERGENCY_ACCESS)")
}

func (c *Config) finish(secure string) error {
	if c.DataDir == "" {
		return usage("data directory must not be empty")
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "lindu.db")
	}
	if _, err := store.ParseURL(c.DB); err != nil {
		return usage("bad database URL: %v", err)
	}
	if c.SecretKeyFile == "" {
		c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.AuditKeyFile == "" {
		c.AuditKeyFile = filepath.Join(filepath.Dir(c.SecretKeyFile), "audit-signing.key")
	}
	if c.AuditCheckpointFile == "" {
		c.AuditCheckpointFile = filepath.Join(filepath.Dir(c.SecretKeyFile), "audit-checkpoints.txt")
	}
	if c.AuditCheckpointEvery < 0 {
		return usage("bad audit checkpoint interval %v: want a duration such as 10m, or 0", c.AuditCheckpointEvery)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usage("bad listen address %q: want HOST:PORT, e.g. localhost:8080", c.Addr)
	}
	if c.RootRegion != "" && !domain.ValidRegionCode(c.RootRegion) {
		return usage("bad root region %q: want a Kemendagri code such as 61.07", c.RootRegion)
	}
	if c.SessionIdle < time.Minute || c.SessionIdle > 24*time.Hour {
		return usage("bad session idle timeout %s: want 1m to 24h", c.SessionIdle)
	}
	if c.SessionMax < 5*time.Minute || c.SessionMax > 7*24*time.Hour || c.SessionMax < c.SessionIdle {
		return usage("bad session maximum %s: want 5m to 168h, at least the idle timeout", c.SessionMax)
	}
	if c.EmergencyAccess < 15*time.Minute || c.EmergencyAccess > 24*time.Hour {
		return usage("bad emergency access duration %s: want 15m to 24h", c.EmergencyAccess)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return usage("bad log format %q: want text or json", c.LogFormat)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return usage("bad log level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch secure {
	case "":
		// Automatic: Secure when users reach lindu over HTTPS (behind a
		// TLS-terminating proxy); a Secure cookie over plain HTTP would
		// make logging in impossible.
		c.SecureCookies = strings.HasPrefix(c.PublicURL, "https://")
	default:
		b, err := strconv.ParseBool(secure)
		if err != nil {
			return usage("bad secure-cookies value %q: want 1 or 0", secure)
		}
		c.SecureCookies = b
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if c.KannelSendsmsURL != "" && !strings.HasPrefix(c.KannelSendsmsURL, "http://") && !strings.HasPrefix(c.KannelSendsmsURL, "https://") {
		return usage("bad Kannel sendsms URL: want http://HOST:PORT/cgi-bin/sendsms")
	}
	if c.KannelSendsmsURL != "" && c.KannelSecret == "" {
		return usage("LINDU_KANNEL_SENDSMS_URL needs LINDU_KANNEL_SECRET (delivery reports come back through it)")
	}
	return nil
}
