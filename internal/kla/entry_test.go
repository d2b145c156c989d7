package kla_test

import (
	"bytes"
	"errors"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The value form saves its evidence files in the transaction of the
// values, after the values are checked: a form with one bad line and an
// evidence file on another stores neither the values nor the file; a good
// form stores both, and sending it again unchanged keeps the file.
func TestSaveEntryAllOrNothingWithFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		files := func() int {
			t.Helper()
			n, err := kla.CountFiles(bg, st)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		pdf := func() *kla.NewFile {
			return &kla.NewFile{Name: "bukti.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 bukti")}
		}
		f0, v0 := files(), count(t, st, adm)
		for _, c := range []struct {
			name string
			rows []kla.EntryRow
			line int
			want string
		}{
			{"a word on another line", []kla.EntryRow{{IndicatorID: "11", Value: "91", File: pdf()}, {IndicatorID: "9", Value: "banyak"}}, 1, "kla.not_number"},
			{"a percentage over 100 with its file", []kla.EntryRow{{IndicatorID: "11", Value: "150", File: pdf()}}, 0, "kla.value.percent"},
			{"a file without a value", []kla.EntryRow{{IndicatorID: "9", Value: "40"}, {IndicatorID: "11", File: pdf()}}, 1, "kla.file_needs_value"},
			{"a file over 5 MB", []kla.EntryRow{{IndicatorID: "11", Value: "91", File: &kla.NewFile{Name: "besar.pdf",
				Data: bytes.Repeat([]byte("x"), kla.MaxFile+1)}}}, 0, "kla.file_error"},
			{"another agency's indicator", []kla.EntryRow{{IndicatorID: "11", Value: "91", File: pdf()}, {IndicatorID: "17", Value: "80"}}, 1, "kla.row.other_agency"},
			{"a bad link", []kla.EntryRow{{IndicatorID: "11", Value: "91", File: pdf(), Link: "javascript:alert(1)"}}, 0, "kla.row.link"},
		} {
			n, err := kla.SaveEntry(bg, st, op, regime, "61.07.01", 2025, c.rows)
			var ve *kla.ValuesError
			if !errors.As(err, &ve) || domain.CodeOf(err) != domain.EInvalid || ve.Rows[c.line].Key != c.want || n != 0 {
				t.Errorf("%s: %d %v (%+v), want %s on line %d", c.name, n, err, ve, c.want, c.line)
			}
			if f, v := files(), count(t, st, adm); f != f0 || v != v0 {
				t.Errorf("%s: stored %d files and %d values", c.name, f-f0, v-v0)
			}
		}

		// A good form: Indonesian and English separators alike.
		good := []kla.EntryRow{{IndicatorID: "11", Value: "91,5", Note: " PWS ", File: pdf()}, {IndicatorID: "12", Value: "1.234,0"},
			{IndicatorID: "9"}}
		if n, err := kla.SaveEntry(bg, st, op, regime, "61.07.01", 2025, good); err != nil || n != 2 {
			t.Fatalf("good form: %d %v", n, err)
		}
		vals, err := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, RegionCode: "61.07.01", Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]domain.KLAValue{}
		for _, v := range vals {
			byID[v.IndicatorID] = v
		}
		if v := byID["11"]; v.SelfValue == nil || *v.SelfValue != 91.5 || v.FileID == "" || v.Note != "PWS" {
			t.Errorf("indicator 11: %+v", v)
		}
		if v := byID["12"]; v.SelfValue == nil || *v.SelfValue != 1234 {
			t.Errorf("indicator 12: %+v", v)
		}
		if f := files(); f != f0+1 {
			t.Errorf("good form stored %d files", f-f0)
		}
		// The same form again without a file: nothing changes, the file stays.
		good[0].File = nil
		if n, err := kla.SaveEntry(bg, st, op, regime, "61.07.01", 2025, good); err != nil || n != 0 {
			t.Errorf("unchanged form: %d %v", n, err)
		}
		// A new note keeps the file too.
		good[0].Note = "PWS semester II"
		if n, err := kla.SaveEntry(bg, st, op, regime, "61.07.01", 2025, good); err != nil || n != 1 {
			t.Errorf("new note: %d %v", n, err)
		}
		vals, _ = kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, RegionCode: "61.07.01", Year: 2025})
		for _, v := range vals {
			if v.IndicatorID == "11" && (v.FileID != byID["11"].FileID || v.Note != "PWS semester II") {
				t.Errorf("after a new note: %+v", v)
			}
		}
		// A viewer enters nothing.
		if _, err := kla.SaveEntry(bg, st, domain.Scope{Role: domain.RoleViewer, RegionCode: "61.07"}, regime, "61.07", 2025, good); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("viewer: %v", err)
		}
	})
}
