package httpx

import (
	"net/http"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/i18n"
)

// Text renders a message in lang. A key missing from the catalogue shows
// as itself (the key tests of each area keep that from happening).
func Text(lang string, m domain.Msg) string {
	if m.Key == "" {
		return ""
	}
	if i18n.Has(lang, m.Key) || i18n.Has(i18n.Default, m.Key) {
		return i18n.T(lang, m.Key, m.Args...)
	}
	return m.Key
}

// ErrorText is what a user reads for e in lang: the text of its key, or
// the generic text of its code when it has none.
func ErrorText(lang string, e *domain.Error) string {
	if e.Key != "" && (i18n.Has(lang, e.Key) || i18n.Has(i18n.Default, e.Key)) {
		return i18n.T(lang, e.Key, e.Args...)
	}
	return i18n.T(lang, "error."+string(e.Code))
}

// FieldTexts renders every field message of e in lang.
func FieldTexts(lang string, f domain.FieldErrors) map[string]string {
	if len(f) == 0 {
		return nil
	}
	out := make(map[string]string, len(f))
	for k, m := range f {
		out[k] = Text(lang, m)
	}
	return out
}

// APILang is the language of API error texts: Indonesian when the client
// asks for it (Accept-Language: id), else English.
func APILang(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "id" || strings.HasPrefix(tag, "id-"):
			return "id"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return "en"
}
