package main

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// groups splits Kannel configuration text into its groups: "group = X"
// starts one, a blank line ends it; comment lines are kept.
func groups(conf string) map[string][]string {
	out := map[string][]string{}
	cur := ""
	for _, l := range strings.Split(conf, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			cur = ""
			continue
		}
		if strings.HasPrefix(l, "group") && strings.Contains(l, "=") && !strings.HasPrefix(l, "#") {
			cur = strings.TrimSpace(strings.SplitN(l, "=", 2)[1])
			continue
		}
		if cur != "" {
			out[cur] = append(out[cur], l)
		}
	}
	return out
}

// value returns the value of key in a group's lines, unquoted.
func value(t *testing.T, lines []string, key string) (string, bool) {
	t.Helper()
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) != key {
			continue
		}
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				t.Fatalf("%s: bad quoted value %s", key, v)
			}
			v = u
		}
		return v, true
	}
	return "", false
}

func TestKannelConfig(t *testing.T) {
	t.Parallel()
	env := dataEnv(t.TempDir())
	for k, v := range map[string]string{
		"LINDU_PUBLIC_URL":               "http://10.1.2.3:8080",
		"LINDU_ROOT_REGION":              "61.07",
		"LINDU_KANNEL_SENDSMS_URL":       "http://127.0.0.1:13013/cgi-bin/sendsms",
		"LINDU_KANNEL_USERNAME":          "lindu-gw",
		"LINDU_KANNEL_PASSWORD":          "gw-password-1",
		"LINDU_KANNEL_SECRET":            "KannelSecret42",
		"LINDU_KANNEL_FROM":              "1500771",
		"LINDU_WHATSAPP_VERIFY_TOKEN":    "wa-verify-token-xyz",
		"LINDU_WHATSAPP_APP_SECRET":      "wa-app-secret-xyz",
		"LINDU_WHATSAPP_ACCESS_TOKEN":    "wa-access-token-xyz",
		"LINDU_WHATSAPP_PHONE_NUMBER_ID": "109876543210",
	} {
		env[k] = v
	}
	r := runCmd(t, env, "", "kannel", "config")
	if r.code != 0 {
		t.Fatalf("lindu kannel config: %v", r)
	}
	out := r.stdout
	for _, secret := range []string{"wa-verify-token-xyz", "wa-app-secret-xyz", "wa-access-token-xyz"} {
		if strings.Contains(out, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("lindu kannel config printed a WhatsApp secret (%s):\n%s", secret, out)
		}
	}
	g := groups(out)

	svc, ok := g["sms-service"]
	if !ok {
		t.Fatalf("no group = sms-service in:\n%s", out)
	}
	raw, ok := value(t, svc, "get-url")
	if !ok {
		raw, ok = value(t, svc, "post-url")
	}
	if !ok {
		t.Fatalf("sms-service has neither get-url nor post-url:\n%s", out)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("sms-service URL %q: %v", raw, err)
	}
	if u.Scheme != "http" || u.Host != "10.1.2.3:8080" || u.Path != "/channels/kannel/receive" {
		t.Errorf("sms-service URL %q does not point at lindu's /channels/kannel/receive", raw)
	}
	if got := u.Query().Get("secret"); got != "KannelSecret42" {
		t.Errorf("sms-service URL carries secret %q, want the configured one", got)
	}
	// Kannel's message id (%I) is what makes smsbox's retries harmless;
	// the sender (%p) and the text (%b) are what lindu reads.
	for _, esc := range []string{"id=%I", "from=%p", "text=%b"} {
		if !strings.Contains(raw, esc) {
			t.Errorf("sms-service URL %q lacks %s", raw, esc)
		}
	}
	if v, _ := value(t, svc, "catch-all"); v != "true" {
		t.Errorf("sms-service catch-all = %q, want true", v)
	}
	// lindu replies through sendsms: its (empty) answer is no reply
	// (omit-empty), yet smsbox may text the sender when it gives up.
	if v, _ := value(t, svc, "max-messages"); v != "1" {
		t.Errorf("sms-service max-messages = %q, want 1 (smsbox's own text when it gives up)", v)
	}
	if v, _ := value(t, svc, "omit-empty"); v != "true" {
		t.Errorf("sms-service omit-empty = %q, want true (lindu's empty answer is no reply)", v)
	}

	// smsbox settings (printed for the smsbox group).
	m := regexp.MustCompile(`(?m)http-request-retry\s*=\s*(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no http-request-retry in:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n <= 0 {
		t.Errorf("http-request-retry = %d: smsbox would drop an SMS lindu could not take", n)
	}
	d := regexp.MustCompile(`(?m)http-queue-delay\s*=\s*(\d+)`).FindStringSubmatch(out)
	if d == nil {
		t.Fatalf("no http-queue-delay in:\n%s", out)
	}
	// The retry window covers a long outage of lindu or its database.
	retries, _ := strconv.Atoi(m[1])
	delay, _ := strconv.Atoi(d[1])
	if w := time.Duration(retries*delay) * time.Second; w < 6*time.Hour {
		t.Errorf("smsbox retries for %s only: a longer outage loses SMS", w)
	}
	// What smsbox texts a sender when it gives up: Indonesian, one SMS,
	// with what to do instead; never Kannel's English default.
	for _, key := range []string{"reply-couldnotfetch", "reply-requestfailed"} {
		m := regexp.MustCompile(`(?m)^#\s*` + key + `\s*=\s*(".*")$`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no %s for the smsbox group in:\n%s", key, out)
			continue
		}
		text, err := strconv.Unquote(m[1])
		if err != nil || !strings.Contains(text, "SAPA 129") || !strings.Contains(text, "Kirim ulang") || len([]rune(text)) > 160 {
			t.Errorf("%s = %q (%v): want one Indonesian SMS naming SAPA 129", key, text, err)
		}
	}
	if !strings.Contains(out, "restart smsbox only while lindu answers") {
		t.Errorf("the config does not warn that an smsbox restart loses its retries:\n%s", out)
	}

	user, ok := g["sendsms-user"]
	if !ok {
		t.Fatalf("no group = sendsms-user in:\n%s", out)
	}
	if v, _ := value(t, user, "username"); v != "lindu-gw" {
		t.Errorf("sendsms-user username = %q, want lindu-gw", v)
	}
	if v, _ := value(t, user, "password"); v != "gw-password-1" {
		t.Errorf("sendsms-user password = %q, want the configured one", v)
	}
	if v, _ := value(t, user, "default-sender"); v != "1500771" {
		t.Errorf("sendsms-user default-sender = %q, want 1500771", v)
	}
	if !strings.Contains(out, "sendsms-port = 13013") {
		t.Errorf("the sendsms port of LINDU_KANNEL_SENDSMS_URL is not mentioned:\n%s", out)
	}

	// The retry settings follow the flags.
	r = runCmd(t, env, "", "kannel", "config", "--http-request-retry", "7", "--http-queue-delay", "3")
	if r.code != 0 || !regexp.MustCompile(`http-request-retry\s*=\s*7\b`).MatchString(r.stdout) ||
		!regexp.MustCompile(`http-queue-delay\s*=\s*3\b`).MatchString(r.stdout) {
		t.Errorf("flags not reflected: %v", r)
	}
}

func TestKannelConfigNeedsSecret(t *testing.T) {
	t.Parallel()
	env := dataEnv(t.TempDir())
	env["LINDU_WHATSAPP_APP_SECRET"] = "wa-app-secret-xyz"
	r := runCmd(t, env, "", "kannel", "config")
	if r.code != 2 || len(lines(r.stderr)) != 1 || !strings.Contains(r.stderr, "LINDU_KANNEL_SECRET") || r.stdout != "" {
		t.Errorf("without LINDU_KANNEL_SECRET: %v", r)
	}
	if strings.Contains(r.stderr, "wa-app-secret-xyz") {
		t.Errorf("printed the WhatsApp app secret: %v", r)
	}
}
