package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The SIMFONI-PPA export: one row per victim of the cases reported in a
// period and region, with the case, the victim, the first perpetrator,
// the place, the types and the services in SIMFONI's terms (codes; the web
// and the API label them), and how many victims still lack a field
// SIMFONI requires. No names and no narratives: SIMFONI entry is by the
// caseworker, this is the data to key in or import. Cases are those whose
// personal data the caller sees (all of the region's for those who manage
// cases; a caseworker's own): the disability kinds are health data.

// SIMFONIFilter selects the cases of an export: region (within the
// caller's), and the report date From..To (inclusive, YYYY-MM-DD, in the
// region's time zone).
type SIMFONIFilter struct {
	RegionCode string
	From, To   string
}

// SIMFONIRow is one victim of the export.
type SIMFONIRow struct {
	CaseID, CaseCode, Status                string
	ReportedOn, IncidentDate                string
	VillageCode, Village, District, Regency string
	DistrictCode, RegencyCode               string // the village code's first 8 and 5 characters
	KDRT                                    bool
	Victim                                  domain.Victim // without Name and Disability note
	Perpetrators                            int
	Perpetrator                             *domain.Perpetrator // the first, without Name
	Services                                map[string]bool     // service types given to the victim or the whole case
	Missing                                 []string            // required SIMFONI fields not recorded
}

// mayExportSIMFONI: roles that handle cases. For the others (a viewer)
// the export does not exist (404), as a case outside their scope.
func mayExportSIMFONI(sc domain.Scope) bool {
	return sc.Can(domain.PermWorkCases) || sc.Can(domain.PermManageCases)
}

// simfoniChunk is how many cases one round of detail queries reads.
const simfoniChunk = 200

// checkSIMFONI checks the filter and returns the UTC bounds of its period.
func checkSIMFONI(sc domain.Scope, f *SIMFONIFilter) (time.Time, time.Time, error) {
	fe := domain.FieldErrors{}
	if f.RegionCode == "" {
		f.RegionCode = sc.RegionCode
	}
	if !domain.ValidRegionCode(f.RegionCode) || !domain.RegionWithin(f.RegionCode, sc.RegionCode) {
		fe["region"] = domain.M("case.field.region_village")
	}
	zone := domain.ZoneFor(f.RegionCode)
	from, err1 := time.ParseInLocation("2006-01-02", f.From, zone)
	to, err2 := time.ParseInLocation("2006-01-02", f.To, zone)
	if err1 != nil {
		fe["from"] = domain.M("field.date")
	}
	if err2 != nil || (err1 == nil && to.Before(from)) {
		fe["to"] = domain.M("field.date")
	}
	if err := invalid(fe); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from.UTC(), to.AddDate(0, 0, 1).UTC(), nil
}

// SIMFONIExport calls fn for every victim of the selection, in report
// order, reading the cases simfoniChunk at a time, and audits the export
// (region, period, rows). Authorization: PermWorkCases or PermManageCases
// (else not found); only cases whose personal data the caller sees.
func (s *Service) SIMFONIExport(ctx context.Context, sc domain.Scope, f SIMFONIFilter, fn func(SIMFONIRow) error) (int, error) {
	if !mayExportSIMFONI(sc) {
		return 0, domain.E(domain.EForbidden, "case.err.forbidden_view")
	}
	from, to, err := checkSIMFONI(sc, &f)
	if err != nil {
		return 0, err
	}
	s = s.bulk()
	ids, err := s.simfoniCases(ctx, sc, f, from, to)
	if err != nil {
		return 0, err
	}
	n := 0
	for len(ids) > 0 {
		chunk := ids[:min(simfoniChunk, len(ids))]
		ids = ids[len(chunk):]
		rows, err := s.simfoniRows(ctx, chunk)
		if err != nil {
			return n, err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return n, err
			}
			n++
		}
	}
	detail := fmt.Sprintf("region=%s from=%s to=%s rows=%d", f.RegionCode, f.From, f.To, n)
	return n, s.st.Audit(ctx, sc, "case.export_simfoni", "case", "", f.RegionCode, detail)
}

// simfoniCases lists the ids of the selected cases in report order.
func (s *Service) simfoniCases(ctx context.Context, sc domain.Scope, f SIMFONIFilter, from, to time.Time) ([]string, error) {
	where, args := caseScope(sc, "c", 1)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	rc, ra := store.ScopeClause("c.region_code", f.RegionCode, len(args)+1)
	args = append(args, ra...)
	q := `SELECT c.id FROM cases c WHERE ` + where + ` AND ` + rc + ` AND c.reported_at >= ` + arg(from) + ` AND c.reported_at < ` + arg(to) +
		` AND c.status <> 'new'` + handledBy(sc, s.st.Now(), arg) + ` ORDER BY c.reported_at, c.id`
	ids, err := store.Rows(ctx, s.st, func(rs *sql.Rows) (string, error) {
		var id string
		return id, rs.Scan(&id)
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: simfoni export: %w", err)
	}
	return ids, nil
}

// codePrefix is the code of the region of n characters holding code
// ("61.07" of "61.07.01.2001"), or "" when code is shorter.
func codePrefix(code string, n int) string {
	if len(code) < n {
		return ""
	}
	return code[:n]
}

// inList is " IN ($n, ...)" over ids, appending them to args.
func inList(ids []string, args *[]any) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		*args = append(*args, id)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return " IN (" + strings.Join(ph, ",") + ")"
}

// simfoniRows reads the victims of the cases ids, with what each row
// needs of their case, types, perpetrators and services.
func (s *Service) simfoniRows(ctx context.Context, ids []string) ([]SIMFONIRow, error) {
	var args []any
	in := inList(ids, &args)
	rows, err := store.Rows(ctx, s.st, func(rs *sql.Rows) (SIMFONIRow, error) {
		var r SIMFONIRow
		var age sql.NullInt64
		var reported time.Time
		var disabilities string
		err := rs.Scan(&r.CaseID, &r.CaseCode, &r.Status, &reported, &r.IncidentDate, &r.VillageCode, &r.Village, &r.District, &r.Regency,
			&r.KDRT, &r.Victim.ID, &r.Victim.Sex, &age, &r.Victim.Education, &r.Victim.Occupation, &r.Victim.MaritalStatus, &r.Victim.Place,
			&disabilities)
		if err != nil {
			return r, err
		}
		r.ReportedOn = reported.In(domain.ZoneFor(r.VillageCode)).Format("2006-01-02")
		r.DistrictCode, r.RegencyCode = codePrefix(r.VillageCode, 8), codePrefix(r.VillageCode, 5)
		r.Victim.Age = intPtr(age)
		r.Victim.AgeBand, r.Victim.Group = domain.AgeBand(r.Victim.Age), domain.VictimGroup(r.Victim.Age, r.Victim.Sex)
		ds, err := s.st.Open(store.FieldVictimDisabilities, disabilities)
		if ds != "" {
			r.Victim.Disabilities = strings.Split(ds, ",")
		}
		return r, err
	}, `SELECT c.id, c.code, c.status, c.reported_at, c.incident_date, c.region_code, COALESCE(g.name, ''), COALESCE(g2.name, ''),
		COALESCE(g3.name, ''), c.kdrt, v.id, v.sex, v.age, v.education, v.occupation, v.marital_status, v.place, v.disabilities_enc
		FROM cases c JOIN victims v ON v.case_id = c.id LEFT JOIN regions g ON g.code = c.region_code
		LEFT JOIN regions g2 ON g2.code = substr(c.region_code, 1, 8) LEFT JOIN regions g3 ON g3.code = substr(c.region_code, 1, 5)
		WHERE c.id`+in+` ORDER BY c.reported_at, c.id, v.created_at, v.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: simfoni export: %w", err)
	}
	if err := s.simfoniDetails(ctx, ids, rows); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Missing = simfoniMissing(rows[i])
	}
	return rows, nil
}

// simfoniDetails fills the rows' types (the victim's, else the case's),
// perpetrators and services, one query each for the whole chunk.
func (s *Service) simfoniDetails(ctx context.Context, ids []string, rows []SIMFONIRow) error {
	var args []any
	in := inList(ids, &args)
	type pair struct{ a, b string }
	scanPair := func(rs *sql.Rows) (pair, error) {
		var p pair
		return p, rs.Scan(&p.a, &p.b)
	}
	vtypes, err := store.Rows(ctx, s.st, scanPair, `SELECT vt.victim_id, vt.type FROM victim_types vt JOIN victims v ON v.id = vt.victim_id
		WHERE v.case_id`+in+` ORDER BY vt.type`, args...)
	if err != nil {
		return fmt.Errorf("cases: simfoni export: %w", err)
	}
	ctypes, err := store.Rows(ctx, s.st, scanPair, `SELECT case_id, type FROM case_types WHERE case_id`+in+` ORDER BY type`, args...)
	if err != nil {
		return fmt.Errorf("cases: simfoni export: %w", err)
	}
	type svc struct{ caseID, victimID, typ string }
	svcs, err := store.Rows(ctx, s.st, func(rs *sql.Rows) (svc, error) {
		var x svc
		return x, rs.Scan(&x.caseID, &x.victimID, &x.typ)
	}, `SELECT case_id, COALESCE(victim_id, ''), type FROM services WHERE case_id`+in, args...)
	if err != nil {
		return fmt.Errorf("cases: simfoni export: %w", err)
	}
	type perp struct {
		caseID string
		p      domain.Perpetrator
	}
	perps, err := store.Rows(ctx, s.st, func(rs *sql.Rows) (perp, error) {
		var x perp
		var age sql.NullInt64
		err := rs.Scan(&x.caseID, &x.p.ID, &x.p.Sex, &age, &x.p.Relation, &x.p.Education, &x.p.Occupation)
		x.p.Age = intPtr(age)
		return x, err
	}, `SELECT case_id, id, sex, age, relation, education, occupation FROM perpetrators WHERE case_id`+in+` ORDER BY created_at, id`, args...)
	if err != nil {
		return fmt.Errorf("cases: simfoni export: %w", err)
	}
	byVictim, byCase := map[string][]domain.ViolenceType{}, map[string][]domain.ViolenceType{}
	for _, p := range vtypes {
		byVictim[p.a] = append(byVictim[p.a], domain.ViolenceType(p.b))
	}
	for _, p := range ctypes {
		byCase[p.a] = append(byCase[p.a], domain.ViolenceType(p.b))
	}
	for i := range rows {
		r := &rows[i]
		if r.Victim.Types = byVictim[r.Victim.ID]; len(r.Victim.Types) == 0 {
			r.Victim.Types = byCase[r.CaseID]
		}
		r.Services = map[string]bool{}
		for _, x := range svcs {
			if x.caseID == r.CaseID && (x.victimID == "" || x.victimID == r.Victim.ID) {
				r.Services[x.typ] = true
			}
		}
		for _, x := range perps {
			if x.caseID == r.CaseID {
				if r.Perpetrators == 0 {
					p := x.p
					r.Perpetrator = &p
				}
				r.Perpetrators++
			}
		}
	}
	return nil
}

// SIMFONIRequired are the fields SIMFONI-PPA requires of each victim, in
// the order the completeness report lists them.
var SIMFONIRequired = []string{"age", "sex", "education", "occupation", "marital_status", "place", "types", "relation"}

// simfoniMissing names the required fields r does not record.
func simfoniMissing(r SIMFONIRow) []string {
	v := r.Victim
	var out []string
	for _, f := range SIMFONIRequired {
		var missing bool
		switch f {
		case "age":
			missing = v.Age == nil
		case "sex":
			missing = v.Sex == "" || v.Sex == domain.SexUnknown
		case "education":
			missing = v.Education == "" || v.Education == "unknown"
		case "occupation":
			missing = v.Occupation == "" || v.Occupation == "unknown"
		case "marital_status":
			missing = v.MaritalStatus == "" || v.MaritalStatus == "unknown"
		case "place":
			missing = v.Place == ""
		case "types":
			missing = len(v.Types) == 0
		case "relation":
			missing = r.Perpetrator == nil || r.Perpetrator.Relation == "" || r.Perpetrator.Relation == "unknown"
		}
		if missing {
			out = append(out, f)
		}
	}
	return out
}

// SIMFONICompleteness counts, for the selection of an export, the victims
// and how many of them lack each required field, and lists the cases with
// something missing (every case, in report order; the caller pages).
type SIMFONICompleteness struct {
	Victims    int              `json:"victims"`
	Incomplete int              `json:"incomplete"`
	Missing    map[string]int   `json:"missing"` // per field of SIMFONIRequired
	Cases      []IncompleteCase `json:"cases"`
}

// IncompleteCase is a case with victims lacking SIMFONI fields: no
// personal data, only the code, village and the fields missing.
type IncompleteCase struct {
	CaseID   string   `json:"case_id"`
	CaseCode string   `json:"case_code"`
	Village  string   `json:"village"`
	Missing  []string `json:"missing"`
}

// SIMFONICheck computes the completeness of an export's selection.
// Authorization: as SIMFONIExport (not audited: it shows no personal data).
func (s *Service) SIMFONICheck(ctx context.Context, sc domain.Scope, f SIMFONIFilter) (SIMFONICompleteness, error) {
	out := SIMFONICompleteness{Missing: map[string]int{}}
	if !mayExportSIMFONI(sc) {
		return out, domain.E(domain.EForbidden, "case.err.forbidden_view")
	}
	from, to, err := checkSIMFONI(sc, &f)
	if err != nil {
		return out, err
	}
	ids, err := s.simfoniCases(ctx, sc, f, from, to)
	if err != nil {
		return out, err
	}
	at := map[string]int{}
	for len(ids) > 0 {
		chunk := ids[:min(simfoniChunk, len(ids))]
		ids = ids[len(chunk):]
		rows, err := s.simfoniRows(ctx, chunk)
		if err != nil {
			return out, err
		}
		for _, r := range rows {
			out.Victims++
			if len(r.Missing) == 0 {
				continue
			}
			out.Incomplete++
			for _, m := range r.Missing {
				out.Missing[m]++
			}
			i, ok := at[r.CaseID]
			if !ok {
				i = len(out.Cases)
				at[r.CaseID] = i
				out.Cases = append(out.Cases, IncompleteCase{CaseID: r.CaseID, CaseCode: r.CaseCode, Village: r.Village})
			}
			out.Cases[i].Missing = mergeFields(out.Cases[i].Missing, r.Missing)
		}
	}
	return out, nil
}

// mergeFields adds the fields of b missing from a, in SIMFONIRequired order.
func mergeFields(a, b []string) []string {
	has := map[string]bool{}
	for _, x := range append(a, b...) {
		has[x] = true
	}
	var out []string
	for _, f := range SIMFONIRequired {
		if has[f] {
			out = append(out, f)
		}
	}
	return out
}
