package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// listPager is the state of the pager of a list page (cases, reports,
// users), rendered by templates/pager.html: page structs embed it and their
// templates call {{template "pager" .}}.
type listPager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

// newPager builds the previous/next links of page (1-based) of a list of
// total items, per to a page, at path with the query v (v is changed).
func newPager(path string, v url.Values, page, total, per int) listPager {
	p := listPager{Page: page, Pages: (total + per - 1) / per}
	link := func(n int) string {
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// listPageNum is the page number asked for, 1 to 100000.
func listPageNum(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return min(max(n, 1), 100000)
}
