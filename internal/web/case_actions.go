package web

import (
	"net/http"
	"net/url"
)

// Actions on a case: POST forms of the case page. Success redirects back
// to the case with a flash; refused input re-renders the page with the
// messages next to the fields (422); a conflict or refusal shows why (409,
// 403); a case the caller may not see is not found (404).

// caseActionFailed re-renders the case page after a refused action.
func (s *Server) caseActionFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	b := s.base(w, r, "case.title")
	k := s.kit(b)
	tab := formTab[form]
	if tab == "" {
		tab = caseworkFormTab(form)
	}
	if tab == "" {
		tab = referralFormTab(form)
	}
	if tab == "" {
		tab = tabFor(r.URL.Query().Get("tab"))
	}
	if f, ok := formErrors(err); ok {
		k.withForm(&b, form, r.PostForm, f)
		s.casePage(w, r, b, k, http.StatusUnprocessableEntity, tab)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		k.which, k.posted = form, r.PostForm
		s.casePage(w, r, b, k, status, tab)
		return
	}
	s.fail(w, r, err)
}

func caseURL(id, tab, flash string) string {
	u := "/kasus/" + url.PathEscape(id)
	if tab != "" && tab != "ringkasan" {
		u += "?tab=" + tab
	}
	return withOK(u, flash)
}
