package cases_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The SIMFONI-PPA export of a fixture: rows, fields and counts exact; a
// victim with two types counts once per type; another regency's case never
// appears; a caseworker gets only the cases they handle; the export is
// audited; the completeness counts what is missing.
func TestSIMFONIExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		sup := w.sc(w.sup)
		today := w.clk.Now().In(domain.WIB).Format("2006-01-02")
		nine, twelve, forty := 9, 12, 40
		full := domain.Victim{Name: "Melati", Sex: domain.SexFemale, Age: &nine, Education: "primary", Occupation: "student",
			MaritalStatus: "unmarried", Place: "household", Disabilities: []string{"hearing"},
			Types: []domain.ViolenceType{domain.VPhysical, domain.VPsychological}}
		thin := domain.Victim{Name: "Budi", Sex: domain.SexMale, Age: &twelve, Types: []domain.ViolenceType{domain.VNeglect}}
		c1, err := w.cs.CreateCase(ctx, sup, domain.NewCase{RegionCode: "61.07.01.2001", KDRT: true,
			Types: []domain.ViolenceType{domain.VPhysical, domain.VPsychological, domain.VNeglect}, Victims: []domain.Victim{full, thin}})
		if err != nil {
			t.Fatal(err)
		}
		for _, det := range []cases.CaseDetail{
			{Perpetrator: &domain.Perpetrator{Name: "X", Sex: domain.SexMale, Age: &forty, Relation: "step_parent", Education: "senior", Occupation: "labourer"}},
			{Perpetrator: &domain.Perpetrator{Sex: domain.SexFemale, Relation: "parent"}},
			{Service: &domain.Service{Type: "health", Provider: "Puskesmas", VictimID: c1.Victims[0].ID}},
			{Service: &domain.Service{Type: "complaint"}},
		} {
			if err := w.cs.AddDetail(ctx, sup, c1.ID, det); err != nil {
				t.Fatal(err)
			}
		}
		// Another regency's case, never in Bengkayang's export.
		if _, err := w.cs.CreateCase(ctx, access.System("test"), domain.NewCase{RegionCode: "61.08.01.2001",
			Types: []domain.ViolenceType{domain.VSexual}, Victims: []domain.Victim{full}}); err != nil {
			t.Fatal(err)
		}

		var rows []cases.SIMFONIRow
		n, err := w.cs.SIMFONIExport(ctx, sup, cases.SIMFONIFilter{From: today, To: today}, func(r cases.SIMFONIRow) error {
			rows = append(rows, r)
			return nil
		})
		if err != nil || n != 2 || len(rows) != 2 {
			t.Fatalf("export: %d rows, %v", n, err)
		}
		a, b := rows[0], rows[1]
		if a.CaseCode != c1.Code || !a.KDRT || a.Victim.Name != "" || a.Victim.Education != "primary" || a.Victim.MaritalStatus != "unmarried" ||
			strings.Join(a.Victim.Disabilities, ",") != "hearing" || a.Victim.Group != "A" || a.Victim.AgeBand != "6-12" ||
			a.Village == "" || a.District == "" || a.Regency == "" || a.VillageCode != "61.07.01.2001" {
			t.Errorf("first row %+v", a)
		}
		if got := typesOf(a.Victim.Types); got != "physical,psychological" {
			t.Errorf("first victim's types %s", got)
		}
		if a.Perpetrators != 2 || a.Perpetrator == nil || a.Perpetrator.Relation != "step_parent" || a.Perpetrator.Education != "senior" {
			t.Errorf("perpetrators %d %+v", a.Perpetrators, a.Perpetrator)
		}
		if !a.Services["health"] || !a.Services["complaint"] || b.Services["health"] || !b.Services["complaint"] {
			t.Errorf("services %v / %v", a.Services, b.Services)
		}
		if len(a.Missing) != 0 || strings.Join(b.Missing, ",") != "education,occupation,marital_status,place" {
			t.Errorf("missing %v / %v", a.Missing, b.Missing)
		}

		check, err := w.cs.SIMFONICheck(ctx, sup, cases.SIMFONIFilter{From: today, To: today})
		if err != nil || check.Victims != 2 || check.Incomplete != 1 || check.Missing["education"] != 1 || check.Missing["age"] != 0 ||
			len(check.Cases) != 1 || check.Cases[0].CaseCode != c1.Code {
			t.Errorf("completeness %+v %v", check, err)
		}

		// A caseworker of the regency who handles nothing exports nothing;
		// a viewer may not export; a region outside the caller's is refused.
		bystander := w.sc(storetest.User(t, w.st, "cw-ekspor", domain.RoleCaseworker, "61.07"))
		if n, err := w.cs.SIMFONIExport(ctx, bystander, cases.SIMFONIFilter{From: today, To: today}, func(cases.SIMFONIRow) error { return nil }); err != nil || n != 0 {
			t.Errorf("a caseworker who handles nothing exported %d rows (%v)", n, err)
		}
		if _, err := w.cs.SIMFONIExport(ctx, w.sc(w.viewer), cases.SIMFONIFilter{From: today, To: today}, func(cases.SIMFONIRow) error { return nil }); err == nil {
			t.Error("a viewer exported")
		}
		if _, err := w.cs.SIMFONIExport(ctx, sup, cases.SIMFONIFilter{RegionCode: "61.08", From: today, To: today}, func(cases.SIMFONIRow) error { return nil }); err == nil {
			t.Error("another regency exported")
		}
		es, err := w.st.ListAudit(ctx, access.System("test"), domain.AuditFilter{Action: "case.export_simfoni", Limit: 10})
		if err != nil || len(es) != 2 || !strings.Contains(es[len(es)-1].Detail+es[0].Detail, "rows=2") {
			t.Errorf("exports audited: %d %v", len(es), err)
		}
	})
}

func typesOf(ts []domain.ViolenceType) string {
	var s []string
	for _, t := range ts {
		s = append(s, string(t))
	}
	return strings.Join(s, ",")
}
