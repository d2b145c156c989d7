package cases

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lindu/internal/domain"
)

// The checks of what people type into reports and cases. Each returns an
// EInvalid error naming every bad field with a message key, or nil; they
// normalise their input on the way (trimmed text, one of each type).

// Report limits (characters).
const (
	MinDescription = 10
	MaxDescription = 5000
	maxName        = 200
	maxKey         = 200
	maxReject      = 1000
	maxSummary     = 20000
	maxLegalBasis  = 500
	maxDisability  = 200
	maxProvider    = 200
	maxServiceNote = 4000
	maxAgency      = 200
	maxPlaceName   = 200
	maxCaseNote    = 8000
)

// ValidateReport checks and normalises a new report; it returns a coded
// error naming every bad field. root, when set, is the deployment's region.
// Pure: anyone may call it (the public report form checks before counting
// a request against the limits).
func ValidateReport(nr *domain.NewReport, root string) error {
	f := domain.FieldErrors{}
	nr.Description = CleanText(nr.Description)
	switch n := utf8.RuneCountInString(nr.Description); {
	case n < MinDescription:
		f["description"] = domain.M("report.field.description_short", MinDescription)
	case n > MaxDescription:
		f["description"] = domain.M("field.max_chars", MaxDescription)
	}
	nr.RegionCode = strings.TrimSpace(nr.RegionCode)
	if !domain.ValidRegionCode(nr.RegionCode) {
		f["region_code"] = domain.M("report.field.region")
	} else if root != "" && !domain.RegionWithin(nr.RegionCode, root) {
		f["region_code"] = domain.M("report.field.region_outside_service")
	}
	if nr.ChildAge != nil && (*nr.ChildAge < 0 || *nr.ChildAge > 120) {
		f["child_age"] = domain.M("report.field.child_age")
	}
	if !nr.ChildSex.Valid() {
		f["child_sex"] = domain.M("field.sex")
	}
	if nr.ContactPhone = strings.TrimSpace(nr.ContactPhone); nr.ContactPhone != "" {
		// A WhatsApp sender with a username has no number, only its user id.
		p, ok := domain.NormalizeAddress(nr.ContactPhone, nr.Channel)
		if !ok {
			f["contact_phone"] = domain.M("report.field.phone")
		}
		nr.ContactPhone = p
	}
	nr.ReporterName = strings.TrimSpace(nr.ReporterName)
	if len(nr.ReporterName) > maxName {
		f["reporter_name"] = domain.M("field.max_chars", maxName)
	}
	if nr.Anonymous {
		nr.ReporterName = ""
	}
	if len(nr.IdempotencyKey) > maxKey {
		f["idempotency_key"] = domain.M("field.max_chars", maxKey)
	}
	return invalid(f)
}

// CleanText is the text of a report as it is stored: valid UTF-8, without
// control characters other than newlines and tabs, trimmed. Every channel
// cleans a description through it (ValidateReport for the forms; the SMS
// and WhatsApp intake for text messages). Pure: anyone may call it.
func CleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.TrimSpace(s)
}

// invalid is nil for no field errors, else the EInvalid error naming them.
func invalid(f domain.FieldErrors) error {
	if len(f) == 0 {
		return nil
	}
	return domain.InvalidFields(f)
}

// validateCase checks a new case.
func validateCase(nc *domain.NewCase) error {
	f := domain.FieldErrors{}
	if !domain.ValidRegionCode(nc.RegionCode) {
		f["region_code"] = domain.M("case.field.region_village")
	}
	if nc.Priority == "" {
		nc.Priority = domain.PriorityMedium
	}
	if !nc.Priority.Valid() {
		f["priority"] = domain.M("case.field.priority")
	}
	var kdrt bool
	if nc.Types, kdrt = domain.KDRTInTypes(nc.Types); kdrt {
		nc.KDRT = true
	}
	if len(nc.Types) == 0 {
		f["types"] = domain.M("case.field.types_required")
	}
	seen := map[domain.ViolenceType]bool{}
	var types []domain.ViolenceType
	for _, t := range nc.Types {
		if !t.Valid() {
			f["types"] = domain.M("case.field.type_unknown")
		} else if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	nc.Types = types
	nc.Summary = strings.TrimSpace(nc.Summary)
	if len(nc.Summary) > maxSummary {
		f["summary"] = domain.M("field.max_chars", maxSummary)
	}
	if !domain.ValidPlace(nc.Place) {
		f["place"] = domain.M("case.field.place_unknown")
	}
	if nc.IncidentDate != "" && !validDate(nc.IncidentDate) {
		f["incident_date"] = domain.M("field.date")
	}
	if len(nc.LegalBasis) > maxLegalBasis {
		f["legal_basis"] = domain.M("field.max_chars", maxLegalBasis)
	}
	for i := range nc.Victims {
		for k, m := range victimFields(&nc.Victims[i]) {
			f["victims."+strconv.Itoa(i)+"."+k] = m
		}
	}
	return invalid(f)
}

// validateVictim checks a victim.
func validateVictim(v *domain.Victim) error { return invalid(victimFields(v)) }

func victimFields(v *domain.Victim) domain.FieldErrors {
	f := domain.FieldErrors{}
	v.Name = strings.TrimSpace(v.Name)
	if len(v.Name) > maxName {
		f["name"] = domain.M("field.max_chars", maxName)
	}
	if !v.Sex.Valid() {
		f["sex"] = domain.M("field.sex")
	}
	if !validAge(v.Age) {
		f["age"] = domain.M("field.age")
	}
	if !domain.ValidPlace(v.Place) {
		f["place"] = domain.M("case.field.place_unknown")
	}
	if len(v.Disability) > maxDisability {
		f["disability"] = domain.M("case.field.too_long")
	}
	simfoniFields(f, v.Education, v.Occupation)
	if !domain.ValidMarital(v.MaritalStatus) {
		f["marital_status"] = domain.M("case.field.list_unknown")
	}
	v.Disabilities = uniqueCodes(v.Disabilities)
	for _, d := range v.Disabilities {
		if !domain.ValidDisability(d) {
			f["disabilities"] = domain.M("case.field.list_unknown")
		}
	}
	// KDRT is the case's setting (Case.KDRT), not a victim's type.
	v.Types, _ = domain.KDRTInTypes(v.Types)
	for _, t := range v.Types {
		if !t.Valid() {
			f["types"] = domain.M("case.field.type_unknown")
		}
	}
	return f
}

// simfoniFields checks a person's education and occupation codes.
func simfoniFields(f domain.FieldErrors, education, occupation string) {
	if !domain.ValidEducation(education) {
		f["education"] = domain.M("case.field.list_unknown")
	}
	if !domain.ValidOccupation(occupation) {
		f["occupation"] = domain.M("case.field.list_unknown")
	}
}

// uniqueCodes trims codes and drops empty and repeated ones, in order.
func uniqueCodes(codes []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// validAge accepts no age or an age in years.
func validAge(a *int) bool { return a == nil || (*a >= 0 && *a <= 120) }

// validDate accepts YYYY-MM-DD.
func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
