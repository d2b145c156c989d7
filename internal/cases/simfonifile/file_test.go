package simfonifile_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/cases/simfonifile"
	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

// The SIMFONI-PPA file of a fixture, cell by cell: three victims of two
// cases in the regency, one victim of another regency's case (never in
// the file); a victim with two types counts once under each, so the type
// columns sum to 4 over 3 victims; services given to one victim or to the
// whole case; the first of two perpetrators in columns; labels, not codes;
// no names; the XLSX holds the same cells; the export is audited with its
// region, period and row count; a viewer may not export (403) and a bad
// format is refused before anything is read or audited.
func TestSIMFONIFileMatchesFixture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // 08:00 WIB
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
		cs := cases.New(st, cases.Options{})
		sup := access.ForUser(storetest.User(t, st, "sup", domain.RoleSupervisor, "61.07"), "127.0.0.1", "test")
		viewer := access.ForUser(storetest.User(t, st, "bupati", domain.RoleViewer, "61.07"), "127.0.0.1", "test")
		c1, c2 := simfoniFixture(t, cs, sup)

		f := cases.SIMFONIFilter{From: "2026-03-01", To: "2026-03-02"}
		out, err := simfonifile.File(ctx, cs, sup, f, "id", "csv")
		if err != nil {
			t.Fatal(err)
		}
		if out.Rows != 3 || out.Name != "simfoni-61.07-2026-03-01-2026-03-02.csv" || !strings.HasPrefix(out.ContentType, "text/csv") {
			t.Errorf("file %q %q, %d rows", out.Name, out.ContentType, out.Rows)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out.Data, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("csv: %d lines, %v", len(rows), err)
		}
		header, _ := simfonifile.Header("id")
		if strings.Join(rows[0], "|") != strings.Join(header, "|") {
			t.Errorf("header %v", rows[0])
		}
		village, _ := st.GetRegion(ctx, "61.07.01.2001")
		district, _ := st.GetRegion(ctx, "61.07.01")
		regency, _ := st.GetRegion(ctx, "61.07")
		where := map[string]string{"Kode desa/kelurahan": "61.07.01.2001", "Desa/kelurahan": village.Name, "Kode kecamatan": "61.07.01",
			"Kecamatan": district.Name, "Kode kabupaten/kota": "61.07", "Kabupaten/kota": regency.Name, "Tanggal laporan": "2026-03-02",
			"Versi daftar rujukan SIMFONI-PPA": domain.SIMFONIVersion, "Status kasus": "Terverifikasi"}
		code1, code2 := domain.FormatPublicCode(c1.Code), domain.FormatPublicCode(c2.Code)
		want := []map[string]string{
			{"Kode kasus": code1, "Jenis kelamin korban": "Perempuan", "Umur korban saat kejadian": "9", "Kelompok umur": "6-12",
				"Perempuan (P) / Anak (A)": "A", "Pendidikan korban": "SD / sederajat", "Pekerjaan korban": "Pelajar / mahasiswa",
				"Status perkawinan korban": "Belum kawin", "Ragam disabilitas": "Sensorik rungu (pendengaran)", "Tempat kejadian": "Rumah tangga",
				"KDRT (1 = ya)": "1", "Jenis: Kekerasan fisik": "1", "Jenis: Kekerasan psikis": "1", "Jenis: Penelantaran / anak terlantar": "0",
				"Jenis: Kekerasan seksual": "0", "Jumlah pelaku": "2", "Jenis kelamin pelaku": "Laki-laki", "Umur pelaku": "40",
				"Pendidikan pelaku": "SMA / SMK / sederajat", "Pekerjaan pelaku": "Buruh", "Hubungan pelaku dengan korban": "Orang tua tiri",
				"Layanan: Layanan kesehatan": "1", "Layanan: Pengaduan": "1", "Layanan: Bantuan hukum": "0", "Data belum lengkap": ""},
			{"Kode kasus": code1, "Jenis kelamin korban": "Laki-laki", "Umur korban saat kejadian": "12", "Pendidikan korban": "",
				"Ragam disabilitas": "", "Tempat kejadian": "", "KDRT (1 = ya)": "1", "Jenis: Kekerasan fisik": "0",
				"Jenis: Kekerasan psikis": "0", "Jenis: Penelantaran / anak terlantar": "1", "Jumlah pelaku": "2",
				"Hubungan pelaku dengan korban": "Orang tua tiri", "Layanan: Layanan kesehatan": "0", "Layanan: Pengaduan": "1",
				"Data belum lengkap": "Pendidikan; Pekerjaan; Status perkawinan; Tempat kejadian"},
			{"Kode kasus": code2, "Jenis kelamin korban": "Perempuan", "Umur korban saat kejadian": "16", "Kelompok umur": "13-17",
				"Tempat kejadian": "Daring (online)", "KDRT (1 = ya)": "0", "Jenis: Kekerasan seksual": "1", "Jenis: Kekerasan fisik": "0",
				"Jumlah pelaku": "0", "Jenis kelamin pelaku": "", "Hubungan pelaku dengan korban": "", "Layanan: Bantuan hukum": "1",
				"Layanan: Pengaduan": "0", "Data belum lengkap": "Pendidikan; Pekerjaan; Status perkawinan; Hubungan pelaku"},
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for i, w := range want {
			for k, v := range where {
				w[k] = v
			}
			for k, v := range w {
				j, ok := col[k]
				if !ok {
					t.Fatalf("no column %q", k)
				}
				if got := rows[i+1][j]; got != v {
					t.Errorf("row %d, %s: %q, want %q", i+1, k, got, v)
				}
			}
		}
		// Victims per type: the type columns sum to 4 over 3 victims.
		sum := 0
		for _, vt := range domain.ViolenceTypes {
			for _, r := range rows[1:] {
				if r[col["Jenis: "+labelOf(t, rows[0], vt)]] == "1" {
					sum++
				}
			}
		}
		if sum != 4 {
			t.Errorf("type columns sum to %d, want 4", sum)
		}
		if s := string(out.Data); strings.Contains(s, "Melati") || strings.Contains(s, "Budi") || strings.Contains(s, "Pak X") ||
			strings.Contains(s, "RAHASIA") || strings.Contains(s, "61.08") {
			t.Errorf("the file holds a name, a narrative or another regency's case")
		}

		x, err := simfonifile.File(ctx, cs, sup, f, "id", "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		if err := spreadsheet.Read(ctx, x.Data, x.Name, spreadsheet.DefaultLimits, func(r spreadsheet.Row) error {
			got = append(got, r.Cells)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("xlsx: %d rows", len(got))
		}
		for i := range got {
			for j := range rows[i] {
				if j >= len(got[i]) && rows[i][j] == "" {
					continue
				}
				if j >= len(got[i]) || got[i][j] != rows[i][j] {
					t.Errorf("xlsx row %d col %d (%s): %v, csv %q", i, j, rows[0][j], cellAt(got[i], j), rows[i][j])
				}
			}
		}

		es, err := st.ListAudit(ctx, access.System("test"), domain.AuditFilter{Action: "case.export_simfoni", Limit: 10})
		if err != nil || len(es) != 2 || es[0].Detail != "region=61.07 from=2026-03-01 to=2026-03-02 rows=3" || es[0].Actor != "sup" {
			t.Fatalf("audit: %+v %v", es, err)
		}
		if _, err := simfonifile.File(ctx, cs, viewer, f, "id", "csv"); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("a viewer's export: %v", err)
		}
		if _, err := simfonifile.File(ctx, cs, sup, f, "id", "pdf"); domain.CodeOf(err) != domain.EInvalid {
			t.Errorf("a pdf export: %v", err)
		}
		if es, _ := st.ListAudit(ctx, access.System("test"), domain.AuditFilter{Action: "case.export_simfoni", Limit: 10}); len(es) != 2 {
			t.Errorf("%d exports audited after the refusals, want 2", len(es))
		}
	})
}

// simfoniFixture enters two cases of Bengkayang (three victims) and one of
// another regency, all reported on 2 March 2026.
func simfoniFixture(t *testing.T, cs *cases.Service, sup domain.Scope) (domain.Case, domain.Case) {
	t.Helper()
	nine, twelve, sixteen, forty := 9, 12, 16, 40
	melati := domain.Victim{Name: "Melati", Sex: domain.SexFemale, Age: &nine, Education: "primary", Occupation: "student",
		MaritalStatus: "unmarried", Place: "household", Disabilities: []string{"hearing"},
		Types: []domain.ViolenceType{domain.VPhysical, domain.VPsychological}}
	budi := domain.Victim{Name: "Budi", Sex: domain.SexMale, Age: &twelve, Types: []domain.ViolenceType{domain.VNeglect}}
	c1, err := cs.CreateCase(ctx, sup, domain.NewCase{RegionCode: "61.07.01.2001", KDRT: true, Summary: "RAHASIA kronologi",
		Types: []domain.ViolenceType{domain.VPhysical, domain.VPsychological, domain.VNeglect}, Victims: []domain.Victim{melati, budi}})
	if err != nil {
		t.Fatal(err)
	}
	for _, det := range []cases.CaseDetail{
		{Perpetrator: &domain.Perpetrator{Name: "Pak X", Sex: domain.SexMale, Age: &forty, Relation: "step_parent", Education: "senior", Occupation: "labourer"}},
		{Perpetrator: &domain.Perpetrator{Sex: domain.SexFemale, Relation: "parent"}},
		{Service: &domain.Service{Type: "health", Provider: "Puskesmas", VictimID: c1.Victims[0].ID}},
		{Service: &domain.Service{Type: "complaint"}},
	} {
		if err := cs.AddDetail(ctx, sup, c1.ID, det); err != nil {
			t.Fatal(err)
		}
	}
	c2, err := cs.CreateCase(ctx, sup, domain.NewCase{RegionCode: "61.07.01.2001", Types: []domain.ViolenceType{domain.VSexual},
		Victims: []domain.Victim{{Name: "Mawar", Sex: domain.SexFemale, Age: &sixteen, Place: "online"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.AddDetail(ctx, sup, c2.ID, cases.CaseDetail{Service: &domain.Service{Type: "legal_aid"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CreateCase(ctx, access.System("test"), domain.NewCase{RegionCode: "61.08.01.2001",
		Types: []domain.ViolenceType{domain.VSexual}, Victims: []domain.Victim{melati}}); err != nil {
		t.Fatal(err)
	}
	return c1, c2
}

// labelOf finds the type column of vt in header by its position among
// the type columns (they follow domain.ViolenceTypes' order).
func labelOf(t *testing.T, header []string, vt domain.ViolenceType) string {
	t.Helper()
	var types []string
	for _, h := range header {
		if l, ok := strings.CutPrefix(h, "Jenis: "); ok {
			types = append(types, l)
		}
	}
	for i, x := range domain.ViolenceTypes {
		if x == vt && i < len(types) {
			return types[i]
		}
	}
	t.Fatalf("no column for %s", vt)
	return ""
}

func cellAt(r []string, j int) any {
	if j < len(r) {
		return r[j]
	}
	return nil
}

// Every header and every field name of the file is translated in both
// languages (i18n.T gives the key back when it is missing).
func TestSIMFONIFileTexts(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		h, num := simfonifile.Header(lang)
		if len(num) != len(h) {
			t.Errorf("%s: %d columns, %d marked", lang, len(h), len(num))
		}
		for _, c := range h {
			if strings.Contains(c, "simfoni.") || strings.Contains(c, "vtype.") || strings.Contains(c, "svc.") {
				t.Errorf("%s: untranslated column %q", lang, c)
			}
		}
		r := cases.SIMFONIRow{Missing: cases.SIMFONIRequired, Victim: domain.Victim{Sex: domain.SexFemale, Education: "junior",
			Occupation: "student", MaritalStatus: "unmarried", Place: "school", Disabilities: domain.Disabilities}}
		cells := simfonifile.Cells(lang, r)
		if len(cells) != len(h) {
			t.Errorf("%s: %d cells under %d columns", lang, len(cells), len(h))
		}
		for _, c := range cells {
			if strings.Contains(c, "simfoni.") || strings.Contains(c, "disab.") {
				t.Errorf("%s: untranslated cell %q", lang, c)
			}
		}
	}
}
