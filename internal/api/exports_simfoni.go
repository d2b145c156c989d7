package api

// The SIMFONI-PPA export as JSON: one row per victim with SIMFONI's codes
// (the web page serves the same rows labelled, as CSV and XLSX), and the
// completeness of the selection. The case area decides which cases;
// format=csv|xlsx gives the web page's file (cases/simfonifile).

import (
	"net/http"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/cases/simfonifile"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/i18n"
)

// SIMFONIExportRow is one victim of GET /api/v1/exports/simfoni.
type SIMFONIExportRow struct {
	CaseCode     string              `json:"case_code"`
	Status       string              `json:"status"`
	ReportedOn   string              `json:"reported_on"`
	IncidentDate string              `json:"incident_date,omitempty"`
	RegionCode   string              `json:"region_code"`
	Village      string              `json:"village"`
	DistrictCode string              `json:"district_code"`
	District     string              `json:"district"`
	RegencyCode  string              `json:"regency_code"`
	Regency      string              `json:"regency"`
	KDRT         bool                `json:"kdrt"`
	Victim       domain.Victim       `json:"victim"`
	Perpetrators int                 `json:"perpetrators"`
	Perpetrator  *domain.Perpetrator `json:"first_perpetrator,omitempty"`
	Services     []string            `json:"services"`
	Missing      []string            `json:"missing"`
}

// SIMFONIExport is the answer of GET /api/v1/exports/simfoni.
type SIMFONIExport struct {
	Version string             `json:"simfoni_version"`
	Rows    []SIMFONIExportRow `json:"rows"`
}

func simfoniFilterOf(r *http.Request) cases.SIMFONIFilter {
	q := r.URL.Query()
	return cases.SIMFONIFilter{RegionCode: strings.TrimSpace(q.Get("region")), From: q.Get("from"), To: q.Get("to")}
}

func (a *API) exportSIMFONI(w http.ResponseWriter, r *http.Request) {
	if format := r.URL.Query().Get("format"); format != "" && format != "json" {
		a.exportSIMFONIFile(w, r, format)
		return
	}
	out := SIMFONIExport{Version: domain.SIMFONIVersion, Rows: []SIMFONIExportRow{}}
	_, err := a.cases.SIMFONIExport(r.Context(), scope(r), simfoniFilterOf(r), func(row cases.SIMFONIRow) error {
		x := SIMFONIExportRow{CaseCode: row.CaseCode, Status: row.Status, ReportedOn: row.ReportedOn, IncidentDate: row.IncidentDate,
			RegionCode: row.VillageCode, Village: row.Village, DistrictCode: row.DistrictCode, District: row.District,
			RegencyCode: row.RegencyCode, Regency: row.Regency, KDRT: row.KDRT,
			Victim: row.Victim, Perpetrators: row.Perpetrators, Perpetrator: row.Perpetrator, Services: []string{}, Missing: row.Missing}
		for _, t := range domain.ServiceTypes {
			if row.Services[t] {
				x.Services = append(x.Services, t)
			}
		}
		if x.Missing == nil {
			x.Missing = []string{}
		}
		out.Rows = append(out.Rows, x)
		return nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) simfoniCompleteness(w http.ResponseWriter, r *http.Request) {
	c, err := a.cases.SIMFONICheck(r.Context(), scope(r), simfoniFilterOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if c.Cases == nil {
		c.Cases = []cases.IncompleteCase{}
	}
	httpx.WriteJSON(w, http.StatusOK, c)
}

// exportSIMFONIFile serves the export as the web page's CSV or XLSX file,
// labelled in Indonesian (lang=en: English).
func (a *API) exportSIMFONIFile(w http.ResponseWriter, r *http.Request, format string) {
	lang := i18n.Default
	if r.URL.Query().Get("lang") == "en" {
		lang = "en"
	}
	out, err := simfonifile.File(r.Context(), a.cases, scope(r), simfoniFilterOf(r), lang, format)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", out.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+out.Name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out.Data)
}
