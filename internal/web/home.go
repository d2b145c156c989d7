package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/regiondata"
)

// HomePage is the public home page.
type HomePage struct {
	Base
	Root       domain.Region
	HasRoot    bool
	Counts     map[domain.RegionLevel]int
	DataSource string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "home.title")
	page := HomePage{Base: b, DataSource: regiondata.Source}
	if s.opt.RootRegion != "" {
		if root, err := s.st.GetRegion(r.Context(), s.opt.RootRegion); err == nil {
			page.Root, page.HasRoot = root, true
		}
	}
	counts, err := s.st.RegionCount(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Counts = counts
	s.render(w, r, http.StatusOK, "home", page)
}
