package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// KLAHistoryPage is /kla/riwayat.
type KLAHistoryPage struct {
	Base
	Region    domain.Region
	Year      int
	Indicator domain.KLAIndicator
	History   []domain.KLAHistory
}

func (s *Server) klaHistory(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.history_title")
	region, year := s.klaRegionYear(r, b)
	ctx := r.Context()
	reg, err := s.st.GetRegion(ctx, region)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := kla.RegimeFor(ctx, s.st, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inds, err := kla.Indicators(ctx, s.st, g.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := KLAHistoryPage{Base: b, Region: reg, Year: year}
	id := r.URL.Query().Get("indicator")
	found := false
	for _, i := range inds {
		if i.ID == id {
			page.Indicator, found = i, true
		}
	}
	if !found {
		s.fail(w, r, domain.NotFound("indicator"))
		return
	}
	if page.History, err = kla.ValueHistory(ctx, s.st, b.Scope, g.ID, reg.Code, year, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_history", page)
}
