package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/spreadsheet"
)

// Every text key a template or handler uses exists in both languages, and
// so do the dynamic families (roles, levels, error codes).
func TestEveryKeyTranslated(t *testing.T) {
	keys := map[string]string{}
	tplKey := regexp.MustCompile(`\.T "([a-z_.0-9]+)"`)
	goKey := regexp.MustCompile(`\bT\("([a-z_.0-9]+)"|base\(w, r, "([a-z_.0-9]+)"\)`)
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(templateFS, p)
		for _, m := range tplKey.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = p
		}
		return nil
	})
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			k := m[1] + m[2]
			if !strings.HasSuffix(k, ".") {
				keys[k] = f
			}
		}
	}
	// Message keys of errors and field errors, built here, in the store and
	// in domain: domain.M("key"), domain.E(code, "key") (M and E inside domain).
	msgKey := regexp.MustCompile(`\b(?:domain\.)?(?:M\(|E\((?:domain\.)?E[A-Za-z]+, )"([a-z_.0-9]+)"`)
	for _, dir := range []string{".", "../store", "../domain"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, _ := os.ReadFile(f)
			for _, m := range msgKey.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") { // "field." + an older English sentence
					keys[m[1]] = f
				}
			}
		}
	}
	for _, r := range domain.Roles {
		keys["role."+string(r)] = "roles"
		keys["roledesc."+string(r)] = "roles"
	}
	for _, c := range []domain.ErrorCode{domain.EInvalid, domain.ENotFound, domain.EConflict, domain.EUnauthorized,
		domain.EForbidden, domain.ETooMany, domain.ETooLarge, domain.EInternal, domain.EUnavailable} {
		keys["error."+string(c)] = "error codes"
	}
	for _, k := range spreadsheet.ErrorKeys {
		keys["kla.upload_"+k] = "upload limits"
	}
	for _, l := range []string{"1", "2", "3", "4"} {
		keys["level."+l] = "levels"
	}
	for _, f := range []string{"lock_lifted", "logged_out", "user_saved", "totp_reset", "password_changed", "totp_enabled", "totp_disabled", "token_revoked"} {
		keys["flash."+f] = "redirects"
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k, where := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: key %q missing in %s", where, k, lang)
			}
		}
	}
	// And no English key is missing in Indonesian (the default).
	for _, k := range i18n.Keys("en") {
		if !i18n.Has("id", k) {
			t.Errorf("key %q exists in English only", k)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/users": "/users", "": "/x", "//evil.com": "/x", "https://evil.com": "/x", "/\\evil": "/x",
		"users": "/x", "/a\r\nSet-Cookie: x": "/x", "/\t/evil.example": "/x", "/%09/evil": "/%09/evil",
		"/\x7f/x": "/x", "/x\\y": "/x", "/kasus?status=new": "/kasus?status=new",
	} {
		if got := localPath(in, "/x"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
