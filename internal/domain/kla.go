package domain

import (
	"math"
	"time"
)

// KLA (Kabupaten/Kota Layak Anak) reference data and values. The catalogue
// is versioned: a regime (Permen PPPA 12/2011, 12/2022...) holds its
// indicators, and a rubric per regime and year turns values into points.

// KLA units of measure.
const (
	UnitPercent      = "percent"
	UnitCount        = "count"
	UnitRate         = "rate_per_1000"
	UnitAvailability = "availability"
)

// KLAUnits lists the units an indicator may have.
var KLAUnits = []string{UnitPercent, UnitCount, UnitRate, UnitAvailability}

// Polarity says whether a higher or a lower value is better.
type Polarity string

const (
	Higher Polarity = "higher"
	Lower  Polarity = "lower"
)

// Valid reports whether p is known.
func (p Polarity) Valid() bool { return p == Higher || p == Lower }

// Indicators computed from lindu's own case records (SPEC E, cluster V).
const (
	ComputedServices    = "case_services"    // share of children's cases that received a service
	ComputedRestorative = "case_restorative" // share of ABH cases closed by restorative justice
)

// KLACluster names, in display order.
var KLAClusters = []string{"kelembagaan", "I", "II", "III", "IV", "V"}

// KLARegime is one version of the catalogue.
type KLARegime struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	FromYear int    `json:"from_year"` // first year it applies to
	Count    int    `json:"indicators"`
}

// KLAIndicator is one indicator of a regime.
type KLAIndicator struct {
	Regime     string   `json:"regime"`
	ID         string   `json:"id"`
	Position   int      `json:"position"`
	Cluster    string   `json:"cluster"`
	Name       string   `json:"name"`
	Unit       string   `json:"unit"`
	Polarity   Polarity `json:"polarity"`
	Agency     string   `json:"agency"` // code of the responsible OPD
	Definition string   `json:"definition,omitempty"`
	SubItems   string   `json:"sub_items,omitempty"` // one per line
	Source     string   `json:"source,omitempty"`
	Computed   string   `json:"computed,omitempty"` // ComputedServices, ComputedRestorative or ""
}

// ValidKLAValue checks a value against the indicator's unit and says what
// is wrong as a message key of the KLA catalogue (a zero Msg when fine).
func (ind KLAIndicator) ValidKLAValue(v float64) Msg {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return M("kla.not_number")
	}
	switch ind.Unit {
	case UnitPercent:
		if v < 0 || v > 100 {
			return M("kla.value.percent")
		}
	case UnitAvailability:
		if v != 0 && v != 1 {
			return M("kla.value.availability")
		}
	case UnitCount:
		if v < 0 || v != math.Trunc(v) || v > 1e9 {
			return M("kla.value.count")
		}
	default:
		if v < 0 || v > 1e6 {
			return M("kla.value.rate")
		}
	}
	return Msg{}
}

// KLAAgency is an agency (OPD) or another party to agreements.
type KLAAgency struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"` // opd, business, media, community
}

// KLAPartyKinds lists the kinds of parties.
var KLAPartyKinds = []string{"opd", "business", "media", "community"}

// Rubric methods.
const (
	RubricLinear    = "linear"    // points grow linearly from worst to best
	RubricThreshold = "threshold" // steps "value:fraction,..." (fraction of max points)
)

// KLARule turns one indicator's value into points.
type KLARule struct {
	IndicatorID string  `json:"indicator_id"`
	Year        int     `json:"year"` // first year the rule applies to (0: built-in default)
	Method      string  `json:"method"`
	MaxPoints   float64 `json:"max_points"`
	Worst       float64 `json:"worst"` // linear: value that earns nothing
	Best        float64 `json:"best"`  // linear: value that earns MaxPoints
	Steps       string  `json:"steps,omitempty"`
}

// Verification states of a value.
const (
	KLAPending  = "pending"
	KLAVerified = "verified"
	KLARejected = "rejected"
)

// KLAValue is the current value of an indicator in a region and year.
type KLAValue struct {
	RegionCode    string     `json:"region_code"`
	RegionName    string     `json:"region_name,omitempty"`
	Year          int        `json:"year"`
	Regime        string     `json:"regime"`
	IndicatorID   string     `json:"indicator"`
	SelfValue     *float64   `json:"value"`
	VerifiedValue *float64   `json:"verified_value"`
	Status        string     `json:"status"`
	Note          string     `json:"note,omitempty"`
	Link          string     `json:"link,omitempty"`
	FileID        string     `json:"file_id,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at"`
	UpdatedBy     string     `json:"updated_by"`
	VerifiedAt    *time.Time `json:"verified_at,omitempty"`
	VerifiedBy    string     `json:"verified_by,omitempty"`
}

// KLAValueInput is one value to enter.
type KLAValueInput struct {
	IndicatorID string  `json:"indicator"`
	RegionCode  string  `json:"region_code"`
	Year        int     `json:"year"`
	Value       float64 `json:"value"`
	Note        string  `json:"note"`
	Link        string  `json:"link"`
	FileID      string  `json:"file_id,omitempty"`
}

// KLAHistory is one change of a value.
type KLAHistory struct {
	Kind   string    `json:"kind"` // entered, verified, rejected
	Value  *float64  `json:"value"`
	Note   string    `json:"note,omitempty"`
	Link   string    `json:"link,omitempty"`
	FileID string    `json:"file_id,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// KLA categories (predikat) on the 1000-point total.
const (
	CategoryNone    = ""
	CategoryPratama = "Pratama"
	CategoryMadya   = "Madya"
	CategoryNindya  = "Nindya"
	CategoryUtama   = "Utama"
	CategoryKLA     = "KLA"
)

// KLACategoryBands are the lower bounds of each category, ascending:
// Pratama 500-600, Madya 601-700, Nindya 701-800, Utama 801-900, KLA 901-1000.
var KLACategoryBands = []struct {
	Name string
	From float64
}{{CategoryPratama, 500}, {CategoryMadya, 601}, {CategoryNindya, 701}, {CategoryUtama, 801}, {CategoryKLA, 901}}

// KLACategory returns the category of a total. Totals are compared after
// rounding to two decimals, so 600.004 is still Pratama and 600.5 is not
// yet Madya (the bands are whole points: Madya starts at 601).
func KLACategory(total float64) string {
	t := math.Round(total*100) / 100
	cat := CategoryNone
	for _, b := range KLACategoryBands {
		if t >= b.From {
			cat = b.Name
		}
	}
	return cat
}

// NextKLACategory returns the next category above total and the points it
// starts at; ok is false at the top.
func NextKLACategory(total float64) (name string, from float64, ok bool) {
	t := math.Round(total*100) / 100
	for _, b := range KLACategoryBands {
		if t < b.From {
			return b.Name, b.From, true
		}
	}
	return "", 0, false
}

// Capaian is the achievement of a commitment in percent (DOMAIN 6):
// higher-is-better realisation/target×100; lower-is-better
// (2×target−realisation)/target×100 (LKjIP practice). A zero target gives 0.
func Capaian(p Polarity, target, realisation float64) float64 {
	if target == 0 {
		return 0
	}
	if p == Lower {
		return (2*target - realisation) / target * 100
	}
	return realisation / target * 100
}

// CapaianFormula is the formula used, for display next to the figure.
func CapaianFormula(p Polarity) string {
	if p == Lower {
		return "(2 × target − realisasi) / target × 100%"
	}
	return "realisasi / target × 100%"
}

// Commitment status.
const (
	OnTrack  = "on_track"
	AtRisk   = "at_risk"
	OffTrack = "off_track"
	NoData   = "no_data"
)

// CommitmentStatus compares the capaian with what is expected by now: a
// higher-is-better commitment is expected to progress linearly over its
// period (elapsed fraction × 100%), a lower-is-better one (a level such as
// a rate) to be at 100% all along. On track within 10 points of the
// expectation, at risk within 25, off track beyond.
func CommitmentStatus(p Polarity, capaian, elapsed float64, hasData bool) string {
	if !hasData {
		return NoData
	}
	expected := 100.0
	if p == Higher {
		expected = 100 * math.Max(0, math.Min(1, elapsed))
	}
	switch gap := expected - capaian; {
	case gap <= 10:
		return OnTrack
	case gap <= 25:
		return AtRisk
	}
	return OffTrack
}

// KLACommitment is one measurable promise of an agreement.
type KLACommitment struct {
	ID           string           `json:"id"`
	AgreementID  string           `json:"agreement_id"`
	Name         string           `json:"name"`
	Unit         string           `json:"unit"`
	Polarity     Polarity         `json:"polarity"`
	Target       float64          `json:"target"`
	PeriodStart  string           `json:"period_start"` // YYYY-MM-DD
	PeriodEnd    string           `json:"period_end"`
	Realisations []KLARealisation `json:"realisations"`
}

// Latest returns the newest realisation (the cumulative figure to date).
func (c KLACommitment) Latest() (KLARealisation, bool) {
	if len(c.Realisations) == 0 {
		return KLARealisation{}, false
	}
	return c.Realisations[len(c.Realisations)-1], true
}

// KLARealisation is a realisation entry.
type KLARealisation struct {
	ID     string    `json:"id"`
	OnDate string    `json:"on_date"`
	Value  float64   `json:"value"`
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// KLAAgreement is a party's Perjanjian Kinerja KLA for a year.
type KLAAgreement struct {
	ID          string          `json:"id"`
	RegionCode  string          `json:"region_code"`
	Year        int             `json:"year"`
	Agency      string          `json:"agency"`
	AgencyName  string          `json:"agency_name"`
	AgencyKind  string          `json:"agency_kind"`
	Title       string          `json:"title"`
	SignedOn    string          `json:"signed_on,omitempty"`
	Commitments []KLACommitment `json:"commitments"`
}

// Budget levels.
const (
	BudgetProgramme   = "programme"
	BudgetActivity    = "activity"
	BudgetSubActivity = "sub_activity"
)

// KLABudgetItem is a programme, activity or sub-activity. Budget and
// Realised are whole rupiah; for programmes and activities they are the
// sums of the items below.
type KLABudgetItem struct {
	ID         string           `json:"id"`
	RegionCode string           `json:"region_code"`
	Year       int              `json:"year"`
	Agency     string           `json:"agency"`
	ParentID   string           `json:"parent_id,omitempty"`
	Level      string           `json:"level"`
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	Budget     int64            `json:"budget"`
	Realised   int64            `json:"realised"`
	Children   []*KLABudgetItem `json:"children,omitempty"`
}

// Percent is realised/budget×100 (0 without a budget).
func (b KLABudgetItem) Percent() float64 {
	if b.Budget == 0 {
		return 0
	}
	return float64(b.Realised) / float64(b.Budget) * 100
}
