package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// KLA indicators, values and scores (SPEC E).

// klaYear reads ?year= (default: the current KLA year).
func klaYear(r *http.Request, fields domain.FieldErrors) int {
	y := kla.CurrentYear(time.Now())
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			fields["year"] = domain.M("kla.field.year")
			return y
		}
		y = n
	}
	return y
}

// listKLAIndicators answers the catalogue of the regime in force in ?year=
// (or of ?regime=). Authorization: any logged-in caller (reference data).
func (a *API) listKLAIndicators(w http.ResponseWriter, r *http.Request) {
	fields := domain.FieldErrors{}
	year := klaYear(r, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	ctx := r.Context()
	regime := r.URL.Query().Get("regime")
	if regime == "" {
		g, err := kla.RegimeFor(ctx, a.st, year)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		regime = g.ID
	}
	inds, err := kla.Indicators(ctx, a.st, regime)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(inds) == 0 {
		a.fail(w, r, domain.NotFound("regime"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"regime": regime, "indicators": inds})
}

// KLAValuesRequest is the body of PUT /api/v1/kla/values: one value or a
// list, entered all or none.
type KLAValuesRequest struct {
	domain.KLAValueInput
	Values []domain.KLAValueInput `json:"values"`
}

// putKLAValues enters self-assessed values. Authorization: as
// kla.PutValues (enter_kla; own agency's indicators; own region).
func (a *API) putKLAValues(w http.ResponseWriter, r *http.Request) {
	var req KLAValuesRequest
	if err := httpx.DecodeJSON(w, r, &req, 1<<20); err != nil {
		a.fail(w, r, err)
		return
	}
	in := req.Values
	if len(in) == 0 {
		in = []domain.KLAValueInput{req.KLAValueInput}
	}
	year := in[0].Year
	for _, v := range in {
		if v.Year != year {
			a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"year": domain.M("kla.field.one_year")}))
			return
		}
	}
	g, err := kla.RegimeFor(r.Context(), a.st, year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := kla.PutValues(r.Context(), a.st, scope(r), g.ID, in); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"saved": len(in), "regime": g.ID})
}

// KLAScoreResponse is the answer of GET /api/v1/kla/scores.
type KLAScoreResponse struct {
	Region           string              `json:"region"`
	Year             int                 `json:"year"`
	Regime           string              `json:"regime"`
	Total            float64             `json:"total"`
	Category         string              `json:"category"`
	VerifiedTotal    float64             `json:"verified_total"`
	VerifiedCategory string              `json:"verified_category"`
	Max              float64             `json:"max"`
	Clusters         []kla.ClusterScore  `json:"clusters"`
	Indicators       []KLAIndicatorScore `json:"indicators"`
	Missing          []KLAMissing        `json:"missing"`
}

// KLAIndicatorScore is one indicator of a score.
type KLAIndicatorScore struct {
	Indicator      string   `json:"indicator"`
	Cluster        string   `json:"cluster"`
	Value          *float64 `json:"value"`
	VerifiedValue  *float64 `json:"verified_value"`
	Points         float64  `json:"points"`
	VerifiedPoints float64  `json:"verified_points"`
	MaxPoints      float64  `json:"max_points"`
	Source         string   `json:"source,omitempty"`
}

// KLAMissing is an indicator without a value.
type KLAMissing struct {
	Indicator string `json:"indicator"`
	Name      string `json:"name"`
	Agency    string `json:"agency"`
}

// round2 rounds to two decimals, halves away from zero: -2.5 stays -2.5
// and -0.126 is -0.13 (int64(x*100+0.5) truncated negative numbers toward
// zero: -2.49 and -0.12).
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// klaScores scores a region and year. Authorization: view_dashboard,
// region inside the caller's.
func (a *API) klaScores(w http.ResponseWriter, r *http.Request) {
	fields := domain.FieldErrors{}
	year := klaYear(r, fields)
	region := r.URL.Query().Get("region")
	if region == "" {
		region = scope(r).RegionCode
		if region == "" {
			region = a.rootRegion
		}
	}
	if !domain.ValidRegionCode(region) {
		fields["region"] = domain.M("kla.field.region_code")
	}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	sc, g, err := kla.ScoreRegion(r.Context(), a.st, scope(r), region, year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := KLAScoreResponse{Region: region, Year: year, Regime: g.ID, Total: round2(sc.Total), Category: sc.Category,
		VerifiedTotal: round2(sc.VerifiedTotal), VerifiedCategory: sc.VerifiedCategory, Max: round2(sc.Max),
		Clusters: sc.Clusters, Indicators: []KLAIndicatorScore{}, Missing: []KLAMissing{}}
	for i := range out.Clusters {
		c := &out.Clusters[i]
		c.Points, c.Verified, c.Max = round2(c.Points), round2(c.Verified), round2(c.Max)
	}
	for _, is := range sc.Indicators {
		out.Indicators = append(out.Indicators, KLAIndicatorScore{Indicator: is.Indicator.ID, Cluster: is.Indicator.Cluster,
			Value: is.Value.Self, VerifiedValue: is.Value.Verified, Points: round2(is.Points), VerifiedPoints: round2(is.VerifiedPoints),
			MaxPoints: round2(is.Rule.MaxPoints), Source: is.Value.Source})
		if is.Missing {
			out.Missing = append(out.Missing, KLAMissing{Indicator: is.Indicator.ID, Name: is.Indicator.Name, Agency: is.Indicator.Agency})
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
