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
	Many             bool // more items than the list counts (uncounted)
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

// uncounted makes p the pager of a list whose count stopped at a cap: no
// page count, and a next link while the page shown was full.
func (p *listPager) uncounted(path string, v url.Values, full bool) {
	p.Pages, p.NextURL, p.Many = 0, "", true
	if full {
		v.Set("page", strconv.Itoa(p.Page+1))
		p.NextURL = path + "?" + v.Encode()
	}
}

// listPageNum is the page number asked for, 1 to 100000.
func listPageNum(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return min(max(n, 1), 100000)
}
