package domain

import (
	"math"
	"time"
)

// Audits of child-facing facilities by children's forums (SPEC F): a
// versioned, weighted checklist template; answers; a score normalised by
// the reachable maximum; mandatory (wajib) items that fail the facility
// whatever the total; predicate bands.

// Facility kinds.
const (
	FacilityRBRA  = "rbra"  // ruang bermain ramah anak (child-friendly playground)
	FacilityPRA   = "pra"   // puskesmas with pelayanan ramah anak
	FacilityOther = "other" // another child-facing facility
)

// FacilityKinds lists the kinds.
var FacilityKinds = []string{FacilityRBRA, FacilityPRA, FacilityOther}

// Answer types of a template item.
const (
	AnswerYesNo   = "yesno"   // yes scores the item's points, no scores 0
	AnswerOptions = "options" // graded options, each with its points
	AnswerScale   = "scale"   // 0..Max, scored value/Max × points
)

// AuditOption is one graded option of an item.
type AuditOption struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
}

// AuditItem is one item of a template section.
type AuditItem struct {
	Key       string        `json:"key"`
	Label     string        `json:"label"`
	Type      string        `json:"type"`
	Points    float64       `json:"points,omitempty"` // yesno and scale: the points of a full answer
	Max       int           `json:"max,omitempty"`    // scale: the highest value
	Options   []AuditOption `json:"options,omitempty"`
	Weight    float64       `json:"weight"`    // multiplies both the points scored and the reachable points
	Mandatory bool          `json:"mandatory"` // wajib: failing it fails the facility
	// PassAt is the share of its points (0..1) below which the item is a
	// finding (default 1 for yes/no, 0.5 otherwise).
	PassAt float64 `json:"pass_at,omitempty"`
}

// AuditSection groups items.
type AuditSection struct {
	Key   string      `json:"key"`
	Label string      `json:"label"`
	Items []AuditItem `json:"items"`
}

// PredicateBand is a predicate reached from MinPercent of the total.
type PredicateBand struct {
	MinPercent float64 `json:"min_percent"`
	Label      string  `json:"label"`
}

// AuditTemplate is one version of a checklist for a facility kind.
type AuditTemplate struct {
	Kind     string          `json:"kind"`
	Version  int             `json:"version"`
	Title    string          `json:"title"`
	Sections []AuditSection  `json:"sections"`
	Bands    []PredicateBand `json:"bands"` // highest first
	// Failed is the predicate when a mandatory item fails ("belum memenuhi").
	Failed string `json:"failed"`
	// KLA maps a KLA regime's id to the indicator a passed audit is
	// evidence for in the years that regime applies (module E).
	KLA map[string]string `json:"kla,omitempty"`
}

// AuditAnswer is the answer to one item: yes/no, an option's key or a
// scale value, or not applicable.
type AuditAnswer struct {
	Item   string `json:"item"`
	Yes    *bool  `json:"yes,omitempty"`
	Option string `json:"option,omitempty"`
	Value  *int   `json:"value,omitempty"`
	NA     bool   `json:"na,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Answered reports whether the answer says something.
func (a AuditAnswer) Answered() bool { return a.NA || a.Yes != nil || a.Option != "" || a.Value != nil }

// SectionScore is a section's result.
type SectionScore struct {
	Key       string  `json:"key"`
	Scored    float64 `json:"scored"`
	Reachable float64 `json:"reachable"`
	Percent   float64 `json:"percent"`
	Answered  int     `json:"answered"`
	Excluded  int     `json:"excluded"`
}

// AuditScore is an audit's result.
type AuditScore struct {
	Sections        []SectionScore `json:"sections"`
	Scored          float64        `json:"scored"`
	Reachable       float64        `json:"reachable"`
	Percent         float64        `json:"percent"`
	Predicate       string         `json:"predicate"`
	Passed          bool           `json:"passed"`                     // a predicate band reached and no mandatory item failed
	MandatoryFailed []string       `json:"mandatory_failed,omitempty"` // item keys
	Findings        []string       `json:"findings,omitempty"`         // item keys below their pass mark
	Unanswered      []string       `json:"unanswered,omitempty"`
}

// itemPoints is the points an answer scores and the reachable points of
// the item (before weight); ok is false for a not-applicable or missing
// answer (the item leaves numerator and denominator).
func itemPoints(it AuditItem, a AuditAnswer) (scored, reachable float64, ok bool) {
	if a.NA || !a.Answered() {
		return 0, 0, false
	}
	switch it.Type {
	case AnswerYesNo:
		if a.Yes == nil {
			return 0, 0, false
		}
		if *a.Yes {
			return it.Points, it.Points, true
		}
		return 0, it.Points, true
	case AnswerOptions:
		best := 0.0
		var got float64
		found := false
		for _, o := range it.Options {
			best = math.Max(best, o.Points)
			if o.Key == a.Option {
				got, found = o.Points, true
			}
		}
		if !found {
			return 0, 0, false
		}
		return got, best, true
	case AnswerScale:
		if a.Value == nil || it.Max <= 0 {
			return 0, 0, false
		}
		v := math.Min(math.Max(float64(*a.Value), 0), float64(it.Max))
		return v / float64(it.Max) * it.Points, it.Points, true
	}
	return 0, 0, false
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// ScoreAudit computes an audit's result. The formula, as the report
// states it: each item scores its answer's points × its weight, out of
// its reachable points × its weight (the best option, a full yes, the top
// of the scale); "not applicable" removes the item from both; a section's
// and the total's percentage is scored ÷ reachable × 100. A mandatory item
// scoring below its pass mark fails the facility whatever the total;
// otherwise the predicate is the highest band the total reaches.
func ScoreAudit(t AuditTemplate, answers []AuditAnswer) AuditScore {
	by := map[string]AuditAnswer{}
	for _, a := range answers {
		by[a.Item] = a
	}
	var out AuditScore
	for _, sec := range t.Sections {
		ss := SectionScore{Key: sec.Key}
		for _, it := range sec.Items {
			a, seen := by[it.Key]
			w := it.Weight
			if w <= 0 {
				w = 1
			}
			scored, reach, ok := itemPoints(it, a)
			if !ok {
				if !seen || !a.Answered() {
					out.Unanswered = append(out.Unanswered, it.Key)
				} else {
					ss.Excluded++
				}
				continue
			}
			ss.Answered++
			ss.Scored += scored * w
			ss.Reachable += reach * w
			pass := it.PassAt
			if pass <= 0 {
				pass = 0.5
				if it.Type == AnswerYesNo {
					pass = 1
				}
			}
			if reach > 0 && scored/reach < pass-1e-9 {
				out.Findings = append(out.Findings, it.Key)
				if it.Mandatory {
					out.MandatoryFailed = append(out.MandatoryFailed, it.Key)
				}
			}
		}
		if ss.Reachable > 0 {
			ss.Percent = round2(ss.Scored / ss.Reachable * 100)
		}
		ss.Scored, ss.Reachable = round2(ss.Scored), round2(ss.Reachable)
		out.Scored += ss.Scored
		out.Reachable += ss.Reachable
		out.Sections = append(out.Sections, ss)
	}
	if out.Reachable > 0 {
		out.Percent = round2(out.Scored / out.Reachable * 100)
	}
	out.Scored, out.Reachable = round2(out.Scored), round2(out.Reachable)
	switch {
	case len(out.MandatoryFailed) > 0:
		out.Predicate = t.Failed
	default:
		for _, b := range t.Bands {
			if out.Percent >= b.MinPercent {
				out.Predicate, out.Passed = b.Label, true
				break
			}
		}
		if out.Predicate == "" {
			out.Predicate = t.Failed
		}
	}
	return out
}

// Facility is a child-facing facility an audit looks at.
type Facility struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	RegionName string    `json:"region_name,omitempty"`
	Agency     string    `json:"agency"`             // the owning OPD's code
	Location   string    `json:"location,omitempty"` // indoor or outdoor typology
	CreatedAt  time.Time `json:"created_at"`
}
