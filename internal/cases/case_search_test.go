package cases_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/secret"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// searchCodes lists the codes of the cases sc finds with q.
func searchCodes(t *testing.T, cs *cases.Service, sc domain.Scope, q string) []string {
	t.Helper()
	list, _, err := cs.ListCases(ctx, sc, domain.CaseFilter{Query: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Code)
	}
	return out
}

// namedCase enters a case in region with one child named name.
func namedCase(t *testing.T, cs *cases.Service, sc domain.Scope, region, name string) domain.Case {
	t.Helper()
	age := 11
	c, err := cs.CreateCase(ctx, sc, domain.NewCase{RegionCode: region, Types: []domain.ViolenceType{domain.VPhysical},
		Victims: []domain.Victim{{Name: name, Sex: domain.SexFemale, Age: &age}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchByNameCodeAndPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		sup := w.sc(w.sup)
		// Two children with the same name: one in Bengkayang, one in
		// another regency, which no Bengkayang user may find.
		mine := namedCase(t, w.cs, sup, "61.07.01.2001", "Siti Rahmawatí")
		elsewhere := namedCase(t, w.cs, access.System("test"), "61.08.01.2001", "Siti Rahmawati")
		namedCase(t, w.cs, sup, "61.07.01.2001", "Melati Sari")
		// Both ways of matching: the ids read beforehand, and (above the
		// limit) the set computed by each query.
		for _, limit := range []int{5000, -1} {
			undo := cases.SetMaxResolvedIDs(limit)
			for _, q := range []string{"siti", "SITI", "rahma", "Rahmawati", "siti rahma", "  Siti   Rahmawatí "} {
				got := searchCodes(t, w.cs, sup, q)
				if len(got) != 1 || got[0] != mine.Code {
					t.Errorf("limit %d: %q found %v, want only %s (not %s)", limit, q, got, mine.Code, elsewhere.Code)
				}
			}
			undo()
		}
		for _, q := range []string{"siti melati", "sitx", "rahmawatii", "si"} {
			if got := searchCodes(t, w.cs, sup, q); len(got) != 0 {
				t.Errorf("%q found %v, want nothing", q, got)
			}
		}
		if got := searchCodes(t, w.cs, access.System("test"), "siti"); len(got) != 2 {
			t.Errorf("lindu itself finds %v, want both", got)
		}

		// Only roles that see personal data search by name, and a
		// caseworker finds only the cases whose personal data they see.
		if cases.NameSearchAllowed(w.sc(w.viewer)) || !cases.NameSearchAllowed(w.sc(w.peksos)) {
			t.Error("name search allowed to the wrong roles")
		}
		bystander := w.sc(storetest.User(t, w.st, "cw-kabupaten", domain.RoleCaseworker, "61.07"))
		if got := searchCodes(t, w.cs, bystander, "siti"); len(got) != 0 {
			t.Errorf("a caseworker who does not handle the case found %v", got)
		}
		if got := searchCodes(t, w.cs, bystander, domain.FormatPublicCode(mine.Code)); len(got) != 1 {
			t.Errorf("the same caseworker's search by case code found %v", got)
		}
		if got := searchCodes(t, w.cs, w.sc(w.peksos), "siti"); len(got) != 1 {
			t.Errorf("the district team's caseworker found %v", got)
		}

		// Renaming the child moves the index; removing it empties it.
		full, err := w.cs.GetCase(ctx, sup, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.EditVictim(ctx, sup, mine.ID, full.Victims[0].ID, full.Version, func(v *domain.Victim) { v.Name = "Putri Anggraini" }); err != nil {
			t.Fatal(err)
		}
		if got := searchCodes(t, w.cs, sup, "siti"); len(got) != 0 {
			t.Errorf("old name still found: %v", got)
		}
		if got := searchCodes(t, w.cs, sup, "anggra"); len(got) != 1 || got[0] != mine.Code {
			t.Errorf("new name found %v", got)
		}

		// Report codes, also of a report merged into the case, and the
		// reporter's phone number.
		rep, c := w.report(t, "61.07.01.2001")
		if got := searchCodes(t, w.cs, sup, rep.Code); len(got) != 1 || got[0] != c.Code {
			t.Errorf("report code found %v, want %s", got, c.Code)
		}
		if got := searchCodes(t, w.cs, w.sc(w.peksos), domain.FormatPublicCode(c.Code)); len(got) != 1 {
			t.Errorf("a caseworker's case-code search found %v", got)
		}
		second, _, err := w.cs.CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
			RegionCode: "61.07.01.2001", Description: "Anak yang sama terlihat lagi di pasar malam sendirian", ReporterName: "Bu Yohana Simanjuntak",
			ContactPhone: "0813 4444 7777"}, "61.07")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cs.MergeReport(ctx, sup, second.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{second.Code, "simanjun", "+62 813-4444-7777", "081344447777"} {
			if got := searchCodes(t, w.cs, sup, q); len(got) != 1 || got[0] != c.Code {
				t.Errorf("%q found %v, want %s", q, got, c.Code)
			}
		}
		if st, err := w.cs.PublicReportStatus(ctx, second.Code); err != nil || st.Code != second.Code || st.Status != "in_review" && st.Status != "handled" {
			t.Errorf("STATUS of a merged report: %+v %v", st, err)
		}

		// Name and phone searches are audited, without the text.
		entries, err := w.st.ListAudit(ctx, access.System("test"), domain.AuditFilter{Action: "case.search_name", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) < 5 {
			t.Fatalf("%d name searches audited", len(entries))
		}
		for _, e := range entries {
			if strings.Contains(strings.ToLower(e.Detail), "siti") || !strings.Contains(e.Detail, "results=") {
				t.Errorf("audit detail %q", e.Detail)
			}
		}
	})
}

// Key rotation rebuilds the name index under the new key: search still
// finds, and nothing is left under the old key.
func TestNameIndexFollowsKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		oldKey := secret.NewKey(time.Now())
		oldBox, _ := secret.NewBox([]secret.Key{oldKey})
		url := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: url, Box: oldBox})
		c := namedCase(t, area(st), access.System("test"), "61.07.01.2001", "Melati Wulandari")
		newKey := secret.NewKey(time.Now())
		newKey.ID += "n"
		both, _ := secret.NewBox([]secret.Key{newKey, oldKey})
		st2 := storetest.Open(t, d, storetest.Options{URL: url, Box: both, Regions: "-"})
		if _, err := st2.Reencrypt(ctx, sys()); err != nil {
			t.Fatal(err)
		}
		if dep, err := st2.KeyDependents(ctx); err != nil || dep.Total() != 0 {
			t.Fatalf("after rotation: %v\n%s", err, dep)
		}
		only, _ := secret.NewBox([]secret.Key{newKey})
		st3 := storetest.Open(t, d, storetest.Options{URL: url, Box: only, Regions: "-"})
		if got := searchCodes(t, area(st3), access.System("test"), "melati"); len(got) != 1 || got[0] != c.Code {
			t.Errorf("after rotation found %v", got)
		}
		var stale int
		if err := st3.QueryRowContext(ctx, `SELECT COUNT(*) FROM name_tokens WHERE key_id <> $1`, newKey.ID).Scan(&stale); err != nil || stale != 0 {
			t.Errorf("%d index entries under the old key (%v)", stale, err)
		}
	})
}

func TestNameTokens(t *testing.T) {
	got := store.NameTokens("  Siti  RAHMAWATÍ-binti A. Ahmad, Ñoño ")
	want := []string{"siti", "rahmawati", "binti", "ahmad", "nono"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tokens %v, want %v", got, want)
	}
}
