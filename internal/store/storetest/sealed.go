package storetest

import (
	"database/sql"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/secret"
)

// Shared by the store's upgrade test and the case area's sealing test.

// The sensitive facts of a case that are not names: a victim's
// disability, where a child is placed, who serves them, where they are
// referred, and why a report was rejected.
const (
	SealDisability = "RAHASIA-DISABILITAS tunarungu"
	SealProvider   = "RAHASIA-PENYEDIA Diversi di Polres Bengkayang"
	SealAgency     = "RAHASIA-RUJUKAN Unit PPA Polres Bengkayang"
	SealPlace      = "RAHASIA-TEMPAT Rumah Aman Melati"
	SealReject     = "RAHASIA-TOLAK pelapor menyebut nama anak tetangga"
)

// sealedColumns are the raw columns that must hold ciphertext, with the
// bound field name and the plaintext column that must stay empty.
var sealedColumns = []struct{ table, sealed, plain, field, value string }{
	{"victims", "disability_enc", "disability", "victims.disability", SealDisability},
	{"services", "provider_enc", "provider", "services.provider", SealProvider},
	{"referrals", "agency_enc", "agency", "referrals.agency", SealAgency},
	{"placements", "place_name_enc", "place_name", "placements.place_name", SealPlace},
	{"reports", "reject_reason_enc", "reject_reason", "reports.reject_reason", SealReject},
}

// CheckSealedAtRest reads the tables directly: every planted value is
// ciphertext bound to its field, and no plaintext column holds anything.
func CheckSealedAtRest(t *testing.T, db *sql.DB, box *secret.Box) {
	t.Helper()
	for _, c := range sealedColumns {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + c.table + ` WHERE ` + c.plain + ` <> ''`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s.%s: %d rows still in plaintext", c.table, c.plain, n)
		}
		rows, err := db.Query(`SELECT ` + c.sealed + ` FROM ` + c.table + ` WHERE ` + c.sealed + ` <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for rows.Next() {
			var ct string
			if err := rows.Scan(&ct); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(ct, "RAHASIA") || !strings.HasPrefix(ct, "enc1:") {
				t.Errorf("%s.%s is not ciphertext: %q", c.table, c.sealed, ct)
			}
			if pt, err := box.Decrypt(c.field, ct); err == nil && pt == c.value {
				found = true
			}
		}
		rows.Close()
		if !found {
			t.Errorf("%s.%s: no value decrypts to %q under %s", c.table, c.sealed, c.value, c.field)
		}
	}
}

// SealedValues lists the planted sensitive values c carries.
func SealedValues(c domain.Case) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, v := range c.Victims {
		add(v.Disability)
	}
	for _, s := range c.Services {
		add(s.Provider)
	}
	for _, r := range c.Referrals {
		add(r.Agency)
	}
	for _, p := range c.Placements {
		add(p.PlaceName)
	}
	return out
}
