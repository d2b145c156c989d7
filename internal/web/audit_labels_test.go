package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"lindu/internal/i18n"
)

// auditCallRE finds the action of every audit write: Audit(ctx, sc,
// "code", ...) and the store's audit(ctx, tx, sc, "code", ...), with a
// trailing + for a code built from a prefix; auditVarRE the codes kept in
// a variable first (action := "case.edit").
var (
	auditCallRE = regexp.MustCompile(`[aA]udit\(ctx, (?:tx, )?[^,()]+, "([a-z_.]+)"(\s*\+)?`)
	auditVarRE  = regexp.MustCompile(`action :?= "([a-z]+\.[a-z_.]+)"(\s*\+)?`)
)

// TestAuditActionsLabelled: every action the code writes to the audit log
// has a sentence in both languages (a code built from a prefix has one for
// its prefix, and is listed in auditDynamic).
func TestAuditActionsLabelled(t *testing.T) {
	found := map[string]bool{} // code → built from a prefix
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{auditCallRE, auditVarRE} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				found[m[1]] = found[m[1]] || m[2] != ""
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 100 || !found["case.add_"] || found["auth.login"] {
		t.Fatalf("the scan found %d actions; the patterns no longer match the code", len(found))
	}
	for code, dynamic := range found {
		if dynamic && !slices.Contains(auditDynamic, code) {
			t.Errorf("action %q+… is built from a prefix: list it in auditDynamic", code)
		}
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, auditActionKey+code) {
				t.Errorf("audit action %q has no label in %s (%s%s in locales/%s/auditlog.txt)", code, lang, auditActionKey, code, lang)
			}
		}
		fam, _, _ := strings.Cut(code, ".")
		if !i18n.Has("en", "auditlog.family."+fam) {
			t.Errorf("audit action family %q has no label", fam)
		}
	}
}

func TestAuditDetailWords(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"id", "factor=password", "Cara masuk: kata sandi"},
		{"en", "factor=password,totp_pending", "Sign-in method: password, two-step verification pending"},
		{"id", "fields=summary,victims via=emergency_access", "Bagian: ringkasan, korban; Melalui: akses darurat"},
		{"id", "change=c1 fields=victim.name", "Perubahan: c1; Bagian: victim nama"},
		{"en", "year 2026", "year 2026"},
		{"id", "year 2026", "tahun 2026"},
		{"en", "agency=dinkes", "Agency: Dinas Kesehatan"},
		{"id", "referral=r1 sent->accepted_x", "Rujukan: r1; sent → accepted x"},
		{"en", "format=csv rows=3 filter=status=open&due=overdue", "Format: csv; Rows: 3; Filter: Status open, Due overdue"},
	} {
		if got := auditDetailText(c.lang, c.in, auditNames{"agency": {"dinkes": "Dinas Kesehatan"}}); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.lang, c.in, got, c.want)
		}
	}
	if got := auditActionLabel("id", "case.view_personal"); got != "Melihat data pribadi kasus" {
		t.Errorf("label: %q", got)
	}
	if got := auditActionLabel("en", "stay.expired"); got != "Placed a child in a safe place" {
		t.Errorf("dynamic label: %q", got)
	}
	if got := auditActionLabel("id", "case.brand_new"); got != "Kasus: brand new" {
		t.Errorf("unknown label: %q", got)
	}
	if !auditExact("auth.login") || auditExact("auth.") || auditExact("case.create") {
		t.Error("auditExact")
	}
}
