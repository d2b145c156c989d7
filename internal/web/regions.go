package web

import (
	"net/http"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// RegionsPage browses and searches the region reference data. It is the
// no-JavaScript fallback of the region picker, and public.
type RegionsPage struct {
	Base
	Region   *domain.Region
	Crumbs   []domain.Region
	Children []domain.Region
	Query    string
	Results  []domain.Region
	Searched bool
}

// regions browses a region's children and searches by name, within the
// deployment's region. Authorization: anyone (public reference data).
func (s *Server) regions(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "regions.title")
	ctx := r.Context()
	page := RegionsPage{Base: b, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	parent := r.PathValue("code")
	if parent == "" && s.opt.RootRegion != "" {
		parent = s.opt.RootRegion
	}
	if parent != "" {
		if !domain.RegionWithin(parent, s.opt.RootRegion) {
			s.fail(w, r, domain.NotFound("region"))
			return
		}
		reg, err := s.st.GetRegion(ctx, parent)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Region = &reg
		for c := domain.ParentRegionCode(reg.Code); c != ""; c = domain.ParentRegionCode(c) {
			if !domain.RegionWithin(c, s.opt.RootRegion) {
				break
			}
			cr, err := s.st.GetRegion(ctx, c)
			if domain.IsNotFound(err) {
				continue
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			page.Crumbs = append([]domain.Region{cr}, page.Crumbs...)
		}
	}
	kids, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: parent, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Children = kids
	if page.Query != "" {
		page.Searched = true
		res, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: parent, Within: s.opt.RootRegion, Query: page.Query, Limit: 50})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Results = res
	}
	s.render(w, r, http.StatusOK, "regions", page)
}

// RegionLabel names a region with its kind in the page's language, as
// people say it: "Kec. Sanggau Ledo", "Desa Sungai Duri", "Kel.
// Benuamelayu Laut" ("Sanggau Ledo District" in English). Regencies and
// cities carry their kind in their name already ("Kabupaten Bengkayang");
// a village's kind is in its code (1xxx kelurahan, 2xxx desa).
func (b Base) RegionLabel(reg domain.Region) string {
	switch reg.Level {
	case domain.LevelProvince:
		return b.T("regions.kind.province", reg.Name)
	case domain.LevelDistrict:
		return b.T("regions.kind.district", reg.Name)
	case domain.LevelVillage:
		if strings.HasPrefix(reg.Name, "Desa ") || strings.HasPrefix(reg.Name, "Kelurahan ") {
			return reg.Name
		}
		seg := reg.Code[strings.LastIndexByte(reg.Code, '.')+1:]
		switch {
		case strings.HasPrefix(seg, "1"):
			return b.T("regions.kind.urban_village", reg.Name)
		case strings.HasPrefix(seg, "2"):
			return b.T("regions.kind.village", reg.Name)
		}
	}
	return reg.Name
}

// RegionLabelOf is RegionLabel of the region with code ("" for none or an
// unknown code).
func (b Base) RegionLabelOf(code string) string {
	if code == "" || b.regionOf == nil {
		return ""
	}
	reg, ok := b.regionOf(code)
	if !ok {
		return ""
	}
	return b.RegionLabel(reg)
}
