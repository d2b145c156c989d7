package config

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envOf is a config.Env from a map: every other variable is empty, so the
// tests never see the shell's LINDU_* variables.
func envOf(vars map[string]string) Env {
	return func(k string) string { return vars[k] }
}

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	var stderr bytes.Buffer
	c, err := Load("serve", args, envOf(env), &stderr, nil)
	if err == nil && stderr.Len() > 0 {
		t.Errorf("Load wrote to stderr without an error: %q", stderr.String())
	}
	return c, err
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DB:            "sqlite:" + filepath.Join("data", "lindu.db"),
		Addr:          "localhost:8080",
		DataDir:       "./data",
		SecretKeyFile: filepath.Join("data", "secret.key"),
		LogFormat:     "text",
		LogLevel:      "info",
		PublicURL:     "http://localhost:8080",
		ShutdownGrace: 15 * time.Second,

		AuditKeyFile:         filepath.Join("data", "audit-signing.key"),
		AuditCheckpointFile:  filepath.Join("data", "audit-checkpoints.txt"),
		AuditCheckpointEvery: 10 * time.Minute,
		EmergencyAccess:      4 * time.Hour,
		SessionIdle:          30 * time.Minute,
		SessionMax:           12 * time.Hour,
	}
	if c != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if c.Require2FA || c.TrustProxy || c.SecureCookies || c.Demo || c.RootRegion != "" {
		t.Errorf("a switch is on by default: %+v", c)
	}
	if c.KannelSecret != "" || c.WhatsAppAppSecret != "" {
		t.Errorf("a channel is on by default: %+v", c)
	}
}

func TestDataDirDerivesDBAndKeyFile(t *testing.T) {
	c, err := load(t, map[string]string{"LINDU_DATA_DIR": "/var/lib/lindu"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/var/lib/lindu/lindu.db" || c.SecretKeyFile != "/var/lib/lindu/secret.key" {
		t.Errorf("DB %q, key file %q", c.DB, c.SecretKeyFile)
	}
	// An explicit database and key file are kept.
	c, err = load(t, map[string]string{"LINDU_DATA_DIR": "/d", "LINDU_DB": "postgres://u@127.0.0.1:5432/lindu",
		"LINDU_SECRET_KEY_FILE": "/etc/lindu/key"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://u@127.0.0.1:5432/lindu" || c.SecretKeyFile != "/etc/lindu/key" {
		t.Errorf("DB %q, key file %q", c.DB, c.SecretKeyFile)
	}
	// The audit signing key and the checkpoints live beside the key file.
	if c.AuditKeyFile != "/etc/lindu/audit-signing.key" || c.AuditCheckpointFile != "/etc/lindu/audit-checkpoints.txt" {
		t.Errorf("audit key %q, checkpoints %q", c.AuditKeyFile, c.AuditCheckpointFile)
	}
	if _, err := load(t, map[string]string{"LINDU_AUDIT_CHECKPOINT_EVERY": "often"}); err == nil {
		t.Error("LINDU_AUDIT_CHECKPOINT_EVERY=often accepted")
	}
}

func TestEnvironment(t *testing.T) {
	env := map[string]string{
		"LINDU_DB":                       "sqlite:/tmp/x.db",
		"LINDU_ADDR":                     "127.0.0.1:9000",
		"LINDU_DATA_DIR":                 "/srv/lindu",
		"LINDU_ROOT_REGION":              "61.07",
		"LINDU_REQUIRE_2FA":              "1",
		"LINDU_TRUST_PROXY":              "true",
		"LINDU_LOG_FORMAT":               "json",
		"LINDU_LOG_LEVEL":                "warn",
		"LINDU_PUBLIC_URL":               "https://lindu.example.go.id",
		"LINDU_KANNEL_SENDSMS_URL":       "http://127.0.0.1:13013/cgi-bin/sendsms",
		"LINDU_KANNEL_USERNAME":          "lindu",
		"LINDU_KANNEL_PASSWORD":          "pw",
		"LINDU_KANNEL_SECRET":            "s3cret",
		"LINDU_KANNEL_FROM":              "1234",
		"LINDU_KANNEL_ALLOW_IPS":         "127.0.0.1,10.0.0.2",
		"LINDU_WHATSAPP_VERIFY_TOKEN":    "vt",
		"LINDU_WHATSAPP_APP_SECRET":      "as",
		"LINDU_WHATSAPP_ACCESS_TOKEN":    "at",
		"LINDU_WHATSAPP_PHONE_NUMBER_ID": "pn",
		"LINDU_WHATSAPP_API_URL":         "http://127.0.0.1:1/v21.0",
		"LINDU_EMERGENCY_ACCESS":         "90m",
	}
	c, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.DB, c.Addr, c.DataDir, c.RootRegion, c.LogFormat, c.LogLevel, c.PublicURL,
		c.KannelSendsmsURL, c.KannelUsername, c.KannelPassword, c.KannelSecret, c.KannelFrom, c.KannelAllowIPs,
		c.WhatsAppVerifyToken, c.WhatsAppAppSecret, c.WhatsAppAccessToken, c.WhatsAppPhoneNumberID, c.WhatsAppAPIURL}
	want := []string{"sqlite:/tmp/x.db", "127.0.0.1:9000", "/srv/lindu", "61.07", "json", "warn", "https://lindu.example.go.id",
		"http://127.0.0.1:13013/cgi-bin/sendsms", "lindu", "pw", "s3cret", "1234", "127.0.0.1,10.0.0.2",
		"vt", "as", "at", "pn", "http://127.0.0.1:1/v21.0"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("setting %d: got %q, want %q", i, got[i], want[i])
		}
	}
	if !c.Require2FA || !c.TrustProxy {
		t.Errorf("2FA %v, trust proxy %v: want both on", c.Require2FA, c.TrustProxy)
	}
	if !c.SecureCookies {
		t.Errorf("an https public URL must turn Secure cookies on automatically")
	}
	if c.EmergencyAccess != 90*time.Minute {
		t.Errorf("emergency access %v, want 1h30m", c.EmergencyAccess)
	}
}

func TestFlagsOverEnvironment(t *testing.T) {
	env := map[string]string{
		"LINDU_DB":               "sqlite:/env.db",
		"LINDU_ADDR":             "127.0.0.1:1111",
		"LINDU_ROOT_REGION":      "61.07",
		"LINDU_REQUIRE_2FA":      "1",
		"LINDU_LOG_LEVEL":        "error",
		"LINDU_KANNEL_SECRET":    "from-env",
		"LINDU_PUBLIC_URL":       "https://env.example",
		"LINDU_SECURE_COOKIES":   "1",
		"LINDU_WHATSAPP_API_URL": "http://env/v1",
	}
	c, err := load(t, env, "--db", "sqlite:/flag.db", "--addr", "127.0.0.1:2222", "--root-region", "13.01",
		"--require-2fa=false", "--log-level", "debug", "--kannel-secret", "from-flag", "--public-url", "https://flag.example",
		"--secure-cookies", "0", "--whatsapp-api-url", "http://flag/v2")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/flag.db" || c.Addr != "127.0.0.1:2222" || c.RootRegion != "13.01" || c.LogLevel != "debug" ||
		c.KannelSecret != "from-flag" || c.PublicURL != "https://flag.example" || c.WhatsAppAPIURL != "http://flag/v2" {
		t.Errorf("flags must win over the environment: %+v", c)
	}
	if c.Require2FA {
		t.Errorf("--require-2fa=false must win over LINDU_REQUIRE_2FA=1")
	}
	if c.SecureCookies {
		t.Errorf("--secure-cookies 0 must win over LINDU_SECURE_COOKIES=1 and an https URL")
	}
	// A variable a flag does not override stays.
	c, err = load(t, env, "--addr", "127.0.0.1:3333")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/env.db" || c.KannelSecret != "from-env" || !c.Require2FA || !c.SecureCookies {
		t.Errorf("environment lost: %+v", c)
	}
}

func TestPublicURLDefaultsToAddr(t *testing.T) {
	c, err := load(t, nil, "--addr", "0.0.0.0:8081")
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "http://0.0.0.0:8081" || c.SecureCookies {
		t.Errorf("public URL %q, secure %v", c.PublicURL, c.SecureCookies)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		contains string
		secret   string // must not appear in the message
	}{
		{name: "bad database URL flag", args: []string{"--db", "mysql://root:hunter2@db/lindu"}, contains: "database URL"},
		{name: "bad database URL env", env: map[string]string{"LINDU_DB": "nonsense"}, contains: "database URL"},
		{name: "bad listen address", args: []string{"--addr", "nonsense"}, contains: "listen address"},
		{name: "listen address without port", env: map[string]string{"LINDU_ADDR": "localhost"}, contains: "HOST:PORT"},
		{name: "bad root region", args: []string{"--root-region", "61.x"}, contains: "root region"},
		{name: "bad root region env", env: map[string]string{"LINDU_ROOT_REGION": "bengkayang"}, contains: "root region"},
		{name: "Kannel URL without secret", env: map[string]string{"LINDU_KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms"},
			contains: "LINDU_KANNEL_SECRET"},
		{name: "Kannel URL without secret flag", args: []string{"--kannel-sendsms-url", "http://127.0.0.1:13013/cgi-bin/sendsms"},
			contains: "LINDU_KANNEL_SECRET"},
		{name: "Kannel URL not http", env: map[string]string{"LINDU_KANNEL_SENDSMS_URL": "ftp://lindu:topsecretpw@gw/sendsms",
			"LINDU_KANNEL_SECRET": "s"}, contains: "sendsms URL", secret: "topsecretpw"},
		{name: "bad boolean env 2FA", env: map[string]string{"LINDU_REQUIRE_2FA": "maybe"}, contains: "LINDU_REQUIRE_2FA"},
		{name: "bad boolean env trust proxy", env: map[string]string{"LINDU_TRUST_PROXY": "yes"}, contains: "LINDU_TRUST_PROXY"},
		{name: "bad boolean flag", args: []string{"--require-2fa=maybe"}, contains: "require-2fa"},
		{name: "bad secure cookies env", env: map[string]string{"LINDU_SECURE_COOKIES": "sometimes"}, contains: "secure-cookies"},
		{name: "bad secure cookies flag", args: []string{"--secure-cookies", "x"}, contains: "secure-cookies"},
		{name: "bad log format", args: []string{"--log-format", "xml"}, contains: "log format"},
		{name: "bad log level", env: map[string]string{"LINDU_LOG_LEVEL": "loud"}, contains: "log level"},
		{name: "unknown flag", args: []string{"--bogus"}, contains: "bogus"},
		{name: "stray argument", args: []string{"extra"}, contains: "extra"},
		{name: "empty data dir", args: []string{"--data-dir", ""}, contains: "data directory"},
		{name: "bad emergency access env", env: map[string]string{"LINDU_EMERGENCY_ACCESS": "4"}, contains: "LINDU_EMERGENCY_ACCESS"},
		{name: "emergency access too long", args: []string{"--emergency-access", "72h"}, contains: "emergency access"},
		{name: "emergency access too short", env: map[string]string{"LINDU_EMERGENCY_ACCESS": "1m"}, contains: "emergency access"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := Load("serve", c.args, envOf(c.env), &stderr, nil)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v (%T), want a *UsageError", err, err)
			}
			msg := ue.Error()
			if msg == "" || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message must be one non-empty line: %q", msg)
			}
			if !strings.Contains(msg, c.contains) {
				t.Errorf("message %q does not mention %q", msg, c.contains)
			}
			if c.secret != "" && strings.Contains(msg, c.secret) {
				t.Errorf("message %q leaks a secret", msg)
			}
			if stderr.Len() > 0 {
				t.Errorf("Load wrote to stderr on a usage error (the caller prints it): %q", stderr.String())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	_, err := Load("serve", []string{"-h"}, envOf(nil), &stderr, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		t.Errorf("help is not a usage error")
	}
	for _, want := range []string{"Usage of lindu serve", "-db", "LINDU_KANNEL_SECRET", "LINDU_WHATSAPP_APP_SECRET"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help does not mention %q", want)
		}
	}
}

func TestExtraFlags(t *testing.T) {
	var retries int
	c, err := Load("kannel config", []string{"--http-request-retry", "7", "--kannel-secret", "s"}, envOf(nil), &bytes.Buffer{},
		func(fs *flag.FlagSet) { fs.IntVar(&retries, "http-request-retry", 100, "") })
	if err != nil {
		t.Fatal(err)
	}
	if retries != 7 || c.KannelSecret != "s" {
		t.Errorf("retries %d, secret %q", retries, c.KannelSecret)
	}
}
