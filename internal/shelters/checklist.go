package shelters

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// DefaultChecklist is the host verification checklist lindu starts with
// (research D2.4: no Indonesian checklist for community safe houses was
// found; this follows foster and relative-placement approval practice).
// An editable default: admins save new versions; a place's answers keep
// the version they answered.
var DefaultChecklist = []domain.ChecklistItem{
	{Key: "adult_ids", Label: "Identitas (KTP) tuan rumah dan semua orang dewasa di rumah sudah diperiksa", Required: true},
	{Key: "village_letter", Label: "Surat keterangan dari kepala desa", Required: true},
	{Key: "no_perpetrator", Label: "Tidak ada orang dewasa di rumah yang tercatat sebagai pelaku dalam kasus yang masih terbuka (diperiksa lindu)",
		Required: true, Auto: "no_perpetrator"},
	{Key: "police_clearance", Label: "SKCK atau keterangan RT untuk orang dewasa di rumah"},
	{Key: "sleeping_space", Label: "Ruang tidur terpisah untuk anak", Required: true},
	{Key: "lockable_door", Label: "Pintu kamar atau rumah dapat dikunci", Required: true},
	{Key: "water_latrine", Label: "Air bersih dan jamban", Required: true},
	{Key: "distance", Label: "Jarak ke puskesmas dan pos polisi tercatat"},
	{Key: "host_trained", Label: "Tuan rumah sudah mengikuti pelatihan (tanggal di catatan)", Required: true},
	{Key: "confidentiality", Label: "Pernyataan menjaga kerahasiaan sudah ditandatangani", Required: true},
	{Key: "household_consent", Label: "Seluruh anggota rumah tangga menyetujui", Required: true},
	{Key: "room_photo", Label: "Foto ruang anak (disimpan tertutup)"},
}

// Checklist returns the current verification checklist (the default,
// version 1, until an admin saves another). Authorization: anyone staff.
func (s *Service) Checklist(ctx context.Context) (domain.Checklist, error) {
	return currentChecklist(ctx, s.st)
}

func currentChecklist(ctx context.Context, q store.Querier) (domain.Checklist, error) {
	var c domain.Checklist
	var items string
	err := q.QueryRowContext(ctx, `SELECT version, items, created_by, created_at FROM place_checklists ORDER BY version DESC LIMIT 1`).
		Scan(&c.Version, &items, &c.CreatedBy, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Checklist{Version: 1, Items: DefaultChecklist, CreatedBy: "lindu"}, nil
	}
	if err != nil {
		return c, fmt.Errorf("shelters: checklist: %w", err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, json.Unmarshal([]byte(items), &c.Items)
}

// checklistVersion is one stored version (the default when version 1 was
// never saved).
func checklistVersion(ctx context.Context, q store.Querier, v int) (domain.Checklist, error) {
	var c domain.Checklist
	var items string
	err := q.QueryRowContext(ctx, `SELECT version, items, created_by, created_at FROM place_checklists WHERE version = $1`, v).
		Scan(&c.Version, &items, &c.CreatedBy, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) && v == 1 {
		return domain.Checklist{Version: 1, Items: DefaultChecklist, CreatedBy: "lindu"}, nil
	}
	if err != nil {
		return c, fmt.Errorf("shelters: checklist %d: %w", v, err)
	}
	return c, json.Unmarshal([]byte(items), &c.Items)
}

// SaveChecklist stores a new version of the checklist; the answers places
// gave keep the version they answered. Authorization: PermManageTeams
// (admins and supervisors who set the office's rules).
func (s *Service) SaveChecklist(ctx context.Context, sc domain.Scope, items []domain.ChecklistItem) (domain.Checklist, error) {
	if !sc.Can(domain.PermManageTeams) {
		return domain.Checklist{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	seen := map[string]bool{}
	f := domain.FieldErrors{}
	for i := range items {
		it := &items[i]
		it.Key, it.Label = strings.TrimSpace(it.Key), strings.TrimSpace(it.Label)
		if it.Key == "" || seen[it.Key] || len(it.Key) > 40 || it.Label == "" || len([]rune(it.Label)) > 300 ||
			(it.Auto != "" && it.Auto != "no_perpetrator") {
			f[fmt.Sprintf("items.%d", i)] = domain.M("place.field.checklist_item")
		}
		seen[it.Key] = true
	}
	if len(items) == 0 {
		f["items"] = domain.M("place.field.checklist_empty")
	}
	if len(f) > 0 {
		return domain.Checklist{}, domain.InvalidFields(f)
	}
	b, _ := json.Marshal(items)
	var c domain.Checklist
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		cur, err := currentChecklist(ctx, tx)
		if err != nil {
			return err
		}
		if cur.CreatedBy == "lindu" && cur.CreatedAt.IsZero() {
			// Keep the default as version 1 so places that answered it
			// still find it.
			d, _ := json.Marshal(DefaultChecklist)
			if _, err := tx.ExecContext(ctx, `INSERT INTO place_checklists (version, items, created_by, created_at) VALUES (1, $1, 'lindu', $2)
				ON CONFLICT (version) DO NOTHING`, string(d), tx.Now()); err != nil {
				return fmt.Errorf("shelters: save checklist: %w", err)
			}
		}
		c = domain.Checklist{Version: cur.Version + 1, Items: items, CreatedBy: sc.Actor(), CreatedAt: tx.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO place_checklists (version, items, created_by, created_at) VALUES ($1,$2,$3,$4)`,
			c.Version, string(b), c.CreatedBy, c.CreatedAt); err != nil {
			return fmt.Errorf("shelters: save checklist: %w", err)
		}
		return tx.Audit(ctx, sc, "place.checklist", "checklist", fmt.Sprint(c.Version), sc.RegionCode, fmt.Sprintf("items=%d", len(items)))
	})
	return c, err
}

// RecordChecks stores a place's answers to the current checklist
// (pass, fail or not applicable, with a note); lindu answers its own
// items itself (no adult of the household is a perpetrator in an open
// case). It returns the answers as stored. Authorization: PermManageCases
// in the place's region.
func (s *Service) RecordChecks(ctx context.Context, sc domain.Scope, placeID string, answers []domain.CheckResult) ([]domain.CheckResult, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, domain.NotFound("place")
	}
	var out []domain.CheckResult
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, placeID)
		if err != nil {
			return err
		}
		cl, err := currentChecklist(ctx, tx)
		if err != nil {
			return err
		}
		given := map[string]domain.CheckResult{}
		for _, a := range answers {
			given[a.Item] = a
		}
		f := domain.FieldErrors{}
		for _, it := range cl.Items {
			a, ok := given[it.Key]
			if it.Auto == "no_perpetrator" {
				a = domain.CheckResult{Item: it.Key, Result: domain.CheckPass}
				codes, err := s.householdPerpetrators(ctx, tx, placeID, p.RegionCode)
				if err != nil {
					return err
				}
				if len(codes) > 0 {
					a.Result, a.Note = domain.CheckFail, "Cocok dengan pelaku dalam kasus: "+strings.Join(codes, ", ")
				}
			} else if !ok || a.Result == "" {
				continue
			}
			if a.Result != domain.CheckPass && a.Result != domain.CheckFail && a.Result != domain.CheckNA {
				f["check."+it.Key] = domain.M("place.field.check_result")
				continue
			}
			if it.Required && a.Result == domain.CheckNA {
				f["check."+it.Key] = domain.M("place.field.check_required")
				continue
			}
			note, err := s.st.Seal(store.FieldPlaceCheckNote, strings.TrimSpace(a.Note))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO place_checks (id, place_id, version, item, result, note_enc, checked_by, checked_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (place_id, version, item) DO UPDATE SET result = excluded.result,
				note_enc = excluded.note_enc, checked_by = excluded.checked_by, checked_at = excluded.checked_at`,
				tx.NewID(), placeID, cl.Version, it.Key, a.Result, note, sc.Actor(), tx.Now()); err != nil {
				return fmt.Errorf("shelters: checks: %w", err)
			}
			out = append(out, domain.CheckResult{Item: it.Key, Result: a.Result, Note: strings.TrimSpace(a.Note), CheckedBy: sc.Actor(),
				CheckedAt: tx.Now()})
		}
		if len(f) > 0 {
			return domain.InvalidFields(f)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE places SET checklist_version = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			cl.Version, tx.Now(), placeID); err != nil {
			return fmt.Errorf("shelters: checks: %w", err)
		}
		if err := s.event(ctx, tx, sc, placeID, "checks", p.Status, p.Status, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "place.checks", "place", placeID, p.RegionCode, fmt.Sprintf("version=%d items=%d", cl.Version, len(out)))
	})
	return out, err
}

// Checks returns a place's answers to the checklist version it answered,
// with that version. Notes for those who manage places. Authorization: as
// GetPlace.
func (s *Service) Checks(ctx context.Context, sc domain.Scope, placeID string) (domain.Checklist, []domain.CheckResult, error) {
	p, err := s.GetPlace(ctx, sc, placeID)
	if err != nil {
		return domain.Checklist{}, nil, err
	}
	v := p.ChecklistVersion
	var cl domain.Checklist
	if v == 0 {
		cl, err = currentChecklist(ctx, s.st)
	} else {
		cl, err = checklistVersion(ctx, s.st, v)
	}
	if err != nil {
		return cl, nil, err
	}
	notes := sc.System || sc.Personal && sc.Can(domain.PermManageCases)
	res, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.CheckResult, error) {
		var c domain.CheckResult
		var enc string
		if err := r.Scan(&c.Item, &c.Result, &enc, &c.CheckedBy, &c.CheckedAt); err != nil {
			return c, err
		}
		c.CheckedAt = c.CheckedAt.UTC()
		var err error
		if notes {
			c.Note, err = s.st.Open(store.FieldPlaceCheckNote, enc)
		}
		return c, err
	}, `SELECT item, result, note_enc, checked_by, checked_at FROM place_checks WHERE place_id = $1 AND version = $2 ORDER BY item`,
		placeID, cl.Version)
	return cl, res, err
}

// checklistPassed refuses (with the failed or missing items) a place
// whose answers to the checklist version it answered do not pass every
// required item; the perpetrator check is made again now.
func (s *Service) checklistPassed(ctx context.Context, tx *store.Tx, p domain.Place) error {
	if p.ChecklistVersion == 0 {
		return domain.E(domain.EConflict, "place.err.not_checked")
	}
	cl, err := checklistVersion(ctx, tx, p.ChecklistVersion)
	if err != nil {
		return err
	}
	results := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT item, result FROM place_checks WHERE place_id = $1 AND version = $2`, p.ID, p.ChecklistVersion)
	if err != nil {
		return fmt.Errorf("shelters: checks: %w", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("shelters: checks: %w", err)
		}
		results[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shelters: checks: %w", err)
	}
	var failed []string
	for _, it := range cl.Items {
		if it.Auto == "no_perpetrator" {
			codes, err := s.householdPerpetrators(ctx, tx, p.ID, p.RegionCode)
			if err != nil {
				return err
			}
			if len(codes) > 0 {
				failed = append(failed, it.Label)
			}
			continue
		}
		if it.Required && results[it.Key] != domain.CheckPass {
			failed = append(failed, it.Label)
		}
	}
	if len(failed) > 0 {
		return domain.E(domain.EConflict, "place.err.checklist_failed", strings.Join(failed, "; "))
	}
	return nil
}

// householdPerpetrators returns the public codes of open cases of the
// place's regency in which an adult of its household (the host, and each
// line of the household) is recorded as a perpetrator, by name.
func (s *Service) householdPerpetrators(ctx context.Context, q store.Querier, placeID, region string) ([]string, error) {
	var hostEnc, householdEnc string
	if err := q.QueryRowContext(ctx, `SELECT host_name_enc, household_enc FROM places WHERE id = $1`, placeID).Scan(&hostEnc, &householdEnc); err != nil {
		return nil, fmt.Errorf("shelters: household: %w", err)
	}
	host, err := s.st.Open(store.FieldHostName, hostEnc)
	if err != nil {
		return nil, err
	}
	household, err := s.st.Open(store.FieldPlaceHousehold, householdEnc)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, n := range append([]string{host}, strings.Split(household, "\n")...) {
		if k := nameKey(n); k != "" {
			names[k] = true
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	regency := region
	if len(regency) > 5 {
		regency = regency[:5]
	}
	type row struct{ enc, code string }
	rows, err := store.Rows(ctx, q, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.enc, &x.code)
	}, `SELECT p.name_enc, c.code FROM perpetrators p JOIN cases c ON c.id = p.case_id
		WHERE c.status <> 'closed' AND c.region_code LIKE $1 AND p.name_enc <> ''`, regency+"%")
	if err != nil {
		return nil, fmt.Errorf("shelters: perpetrators: %w", err)
	}
	seen := map[string]bool{}
	var codes []string
	for _, x := range rows {
		name, err := s.st.Open(store.FieldPerpetratorName, x.enc)
		if err != nil {
			return nil, err
		}
		if names[nameKey(name)] && !seen[x.code] {
			seen[x.code] = true
			codes = append(codes, domain.FormatPublicCode(x.code))
		}
	}
	sort.Strings(codes)
	return codes, nil
}

// nameKey is a name compared loosely: lower case, letters and digits,
// single spaces ("Pak  Budi," and "pak budi" match).
func nameKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
