package web

import (
	"net/http"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Transfers of a case to another regency or city (pemindahan kasus): the
// form on the case page, cancel, and the transfers page where the
// receiving supervisors accept or reject them (/kasus/pindahan).

func (s *Server) transferRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /kasus/{id}/pindah", s.staff(s.caseTransfer))
	mux.HandleFunc("GET /kasus/pindahan", s.staff(s.transfersList))
	mux.HandleFunc("POST /pindahan/{id}/putuskan", s.staff(s.transferDecide))
	mux.HandleFunc("POST /pindahan/{id}/batal", s.staff(s.transferCancel))
}

func (s *Server) caseTransfer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.cases.RequestTransfer(r.Context(), principalOf(r).Scope, id, strings.TrimSpace(r.PostFormValue("to_region")),
		r.PostFormValue("reason")); err != nil {
		s.caseActionFailed(w, r, "transfer", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "transfer_requested"), http.StatusSeeOther)
}

func (s *Server) transferCancel(w http.ResponseWriter, r *http.Request) {
	if err := s.cases.CancelTransfer(r.Context(), principalOf(r).Scope, r.PathValue("id")); err != nil {
		s.transfersFailed(w, r, err)
		return
	}
	if c := r.PostFormValue("case"); c != "" && !strings.ContainsAny(c, "/?#") {
		http.Redirect(w, r, caseURL(c, "", "transfer_cancelled"), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withOK("/kasus/pindahan", "transfer_cancelled"), http.StatusSeeOther)
}

func (s *Server) transferDecide(w http.ResponseWriter, r *http.Request) {
	accept := r.PostFormValue("decision") == "accept"
	err := s.cases.DecideTransfer(r.Context(), principalOf(r).Scope, r.PathValue("id"), accept, strings.TrimSpace(r.PostFormValue("new_region")),
		r.PostFormValue("comment"))
	if err != nil {
		s.transfersFailed(w, r, err)
		return
	}
	flash := "transfer_rejected"
	if accept {
		flash = "transfer_accepted"
	}
	http.Redirect(w, r, withOK("/kasus/pindahan", flash), http.StatusSeeOther)
}

// TransfersPage lists transfers into and out of the reader's region.
type TransfersPage struct {
	Base
	kit
	Incoming, Outgoing []domain.CaseTransfer
	CanDecide          bool
	// Places are, per receiving region, where in it a case may go: the
	// region itself and its districts.
	Places map[string][]FormOption
}

// PlacesFor are the choices of where an incoming case goes.
func (p TransfersPage) PlacesFor(region string) []FormOption { return p.Places[region] }

func (s *Server) transfersList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "transfers.title")
	s.transfersPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) transfersFailed(w http.ResponseWriter, r *http.Request, err error) {
	b := s.base(w, r, "transfers.title")
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		k.withForm(&b, "decide-"+r.PathValue("id"), r.PostForm, f)
		s.transfersPage(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		s.transfersPage(w, r, b, k, status)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) transfersPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermWorkCases) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	p := TransfersPage{Base: b, kit: k, CanDecide: b.Scope.Can(domain.PermManageCases)}
	var err error
	if p.Incoming, err = s.cases.ListTransfers(r.Context(), b.Scope, cases.TransferFilter{Incoming: true}); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Outgoing, err = s.cases.ListTransfers(r.Context(), b.Scope, cases.TransferFilter{}); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Places = map[string][]FormOption{}
	for _, t := range p.Incoming {
		if t.Status != domain.TransferRequested || p.Places[t.ToRegion] != nil {
			continue
		}
		opts := []FormOption{{Value: t.ToRegion, Label: t.ToName + " (" + b.T("transfers.whole_region") + ")"}}
		districts, err := s.st.SearchRegions(r.Context(), store.RegionQuery{Parent: t.ToRegion, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, d := range districts {
			opts = append(opts, FormOption{Value: d.Code, Label: d.Name})
		}
		p.Places[t.ToRegion] = opts
	}
	s.render(w, r, status, "transfers", p)
}

// ---- what the case page's transfer parts use ----

// TransferTargets are the other regencies and cities of the case's
// province, for the transfer form.
func (s *Server) transferTargets(r *http.Request, c domain.Case) []FormOption {
	prov := c.RegionCode
	for domain.RegionLevelOf(prov) > domain.LevelProvince {
		prov = domain.ParentRegionCode(prov)
	}
	regs, err := s.st.SearchRegions(r.Context(), store.RegionQuery{Parent: prov, Limit: 200})
	if err != nil {
		return nil
	}
	var out []FormOption
	for _, g := range regs {
		if !domain.RegionWithin(c.RegionCode, g.Code) && !principalOf(r).Scope.Contains(g.Code) {
			out = append(out, FormOption{Value: g.Code, Label: g.Name + " (" + g.Code + ")"})
		}
	}
	return out
}

// PendingTransfer is the case's transfer waiting for the receiving side.
func (p CasePage) PendingTransfer() *domain.CaseTransfer {
	if p.C.Transfer != nil && p.C.Transfer.Status == domain.TransferRequested {
		return p.C.Transfer
	}
	return nil
}
