package shelters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Default stay limits by kind (a safe house 14 days: the longest local SOP
// found, Malang and Kaltim); institutions have none (they review instead).
var defaultStayDays = map[string]int{domain.PlaceSafeHouse: 14, domain.PlaceShelter: 14}

// StayDays is how many days a child may stay in p before the stay must be
// extended (0: no limit).
func StayDays(p domain.Place) int {
	if p.MaxStayDays > 0 {
		return p.MaxStayDays
	}
	return defaultStayDays[p.Kind]
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// CreatePlace registers a place in the caller's region: a community safe
// house as a proposal (it is verified through the checklist, then
// activated), anything else active. Authorization: PermManageCases, the
// place's region within the caller's.
func (s *Service) CreatePlace(ctx context.Context, sc domain.Scope, np domain.NewPlace) (domain.Place, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Place{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	f := domain.FieldErrors{}
	np.Name, np.HostName, np.Address = strings.TrimSpace(np.Name), strings.TrimSpace(np.HostName), strings.TrimSpace(np.Address)
	if !inList(np.Kind, domain.PlaceKinds) {
		f["kind"] = domain.M("place.field.kind")
	}
	if np.Name == "" || utf8.RuneCountInString(np.Name) > 120 {
		f["name"] = domain.M("place.field.name")
	}
	if np.Owner != domain.OwnerGovernment && np.Owner != domain.OwnerCommunity {
		f["owner"] = domain.M("place.field.owner")
	}
	if np.Capacity < 1 || np.Capacity > 1000 {
		f["capacity"] = domain.M("place.field.capacity")
	}
	if np.MaxStayDays < 0 || np.MaxStayDays > 3650 {
		f["max_stay_days"] = domain.M("place.field.max_stay_days")
	}
	if np.HostPhone = strings.TrimSpace(np.HostPhone); np.HostPhone != "" {
		p, ok := domain.NormalizePhone(np.HostPhone)
		if !ok {
			f["host_phone"] = domain.M("report.field.phone")
		}
		np.HostPhone = p
	}
	if np.Kind == domain.PlaceSafeHouse && np.HostName == "" {
		f["host_name"] = domain.M("place.field.host_name")
	}
	if np.Kind == domain.PlaceSafeHouse && np.Owner != domain.OwnerCommunity {
		f["owner"] = domain.M("place.field.owner_safe_house")
	}
	if domain.Institution(np.Kind) {
		if np.PermitExpires != "" && !validDate(np.PermitExpires) {
			f["permit_expires"] = domain.M("field.date")
		}
		if np.Accreditation != "" {
			if _, ok := domain.AccreditationYears[np.Accreditation]; !ok {
				f["accreditation"] = domain.M("place.field.accreditation")
			}
		}
		if np.AccreditationUntil != "" && !validDate(np.AccreditationUntil) {
			f["accreditation_until"] = domain.M("field.date")
		}
	}
	if !domain.RegionWithin(np.RegionCode, sc.RegionCode) {
		f["region_code"] = domain.M("report.field.region_outside_service")
	}
	if len(f) > 0 {
		return domain.Place{}, domain.InvalidFields(f)
	}
	status := domain.PlaceActive
	if np.Kind == domain.PlaceSafeHouse {
		status = domain.PlaceProposal
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, np.RegionCode).Scan(&n); err != nil {
			return fmt.Errorf("shelters: region: %w", err)
		}
		if n == 0 {
			return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("report.field.region")})
		}
		var sealed [4]string
		for i, v := range []struct{ field, text string }{{store.FieldHostName, np.HostName}, {store.FieldHostPhone, np.HostPhone},
			{store.FieldPlaceAddress, np.Address}, {store.FieldPlaceHousehold, strings.TrimSpace(np.Household)}} {
			var err error
			if sealed[i], err = s.st.Seal(v.field, v.text); err != nil {
				return err
			}
		}
		hash := ""
		if np.HostPhone != "" {
			hash = s.st.LookupHash(store.HashPhone, np.HostPhone)
		}
		id = tx.NewID()
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO places (id, kind, name, region_code, owner, status, capacity, max_stay_days,
			host_name_enc, host_phone_enc, host_phone_hash, address_enc, household_enc, permit_number, permit_expires, accreditation,
			accreditation_until, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19)`,
			id, np.Kind, np.Name, np.RegionCode, np.Owner, status, np.Capacity, np.MaxStayDays, sealed[0], sealed[1], hash, sealed[2],
			sealed[3], strings.TrimSpace(np.PermitNumber), np.PermitExpires, np.Accreditation, np.AccreditationUntil, sc.Actor(), now); err != nil {
			return fmt.Errorf("shelters: create place: %w", err)
		}
		if err := s.event(ctx, tx, sc, id, "created", "", status, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "place.create", "place", id, np.RegionCode, "kind="+np.Kind)
	})
	if err != nil {
		return domain.Place{}, err
	}
	return s.GetPlace(ctx, sc, id)
}

func inList(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// event records a change of a place inside tx.
func (s *Service) event(ctx context.Context, tx *store.Tx, sc domain.Scope, placeID, kind, from, to, note string) error {
	enc, err := s.st.Seal(store.FieldPlaceEventNote, note)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO place_events (id, place_id, at, actor, kind, from_status, to_status, note_enc)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, tx.NewID(), placeID, tx.Now(), sc.Actor(), kind, from, to, enc); err != nil {
		return fmt.Errorf("shelters: place event: %w", err)
	}
	return nil
}

const placeCols = `p.id, p.kind, p.name, p.region_code, COALESCE(r.name, ''), p.owner, p.status, p.capacity, p.max_stay_days,
	p.host_name_enc, p.host_phone_enc, p.address_enc, p.household_enc, p.permit_number, p.permit_expires, p.warnings,
	p.accreditation, p.accreditation_until, p.checklist_version, p.version, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM stays y WHERE y.place_id = p.id AND y.status = 'active'),
	(SELECT COUNT(*) FROM stays y WHERE y.place_id = p.id AND y.status = 'held' AND y.hold_expires_at > $1)`

const placeFrom = ` FROM places p LEFT JOIN regions r ON r.code = p.region_code`

// personalPlaces reports whether sc sees hosts' names, phones and
// addresses: those who place children.
func personalPlaces(sc domain.Scope) bool {
	return sc.System || sc.Personal && sc.Can(domain.PermWorkCases)
}

func (s *Service) scanPlace(sc domain.Scope, row interface{ Scan(...any) error }) (domain.Place, error) {
	var p domain.Place
	var enc [4]string
	err := row.Scan(&p.ID, &p.Kind, &p.Name, &p.RegionCode, &p.RegionName, &p.Owner, &p.Status, &p.Capacity, &p.MaxStayDays,
		&enc[0], &enc[1], &enc[2], &enc[3], &p.PermitNumber, &p.PermitExpires, &p.Warnings, &p.Accreditation, &p.AccreditationUntil,
		&p.ChecklistVersion, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.Occupied, &p.Held)
	if err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if !personalPlaces(sc) {
		p.PersonalMasked = enc[0] != "" || enc[1] != "" || enc[2] != "" || enc[3] != ""
		return p, nil
	}
	for i, dst := range []*string{&p.HostName, &p.HostPhone, &p.Address, &p.Household} {
		field := []string{store.FieldHostName, store.FieldHostPhone, store.FieldPlaceAddress, store.FieldPlaceHousehold}[i]
		if *dst, err = s.st.Open(field, enc[i]); err != nil {
			return p, err
		}
	}
	return p, nil
}

// GetPlace returns a place in the caller's region; the host's name, phone
// and address for those who place children, the view audited.
// Authorization: PermViewCases (staff who work cases in the region);
// without PermWorkCases and personal data the host's are masked. Viewers
// (the regent), agencies and children's forums do not see the registry:
// where a safe house is stays with those who place children.
func (s *Service) GetPlace(ctx context.Context, sc domain.Scope, id string) (domain.Place, error) {
	if !sc.Can(domain.PermViewCases) {
		return domain.Place{}, domain.NotFound("place")
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 3)
	row := s.st.QueryRowContext(ctx, `SELECT `+placeCols+placeFrom+` WHERE p.id = $2 AND `+where, append([]any{s.st.Now(), id}, args...)...)
	p, err := s.scanPlace(sc, row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, domain.NotFound("place")
	}
	if err != nil {
		return p, fmt.Errorf("shelters: place: %w", err)
	}
	if personalPlaces(sc) && !sc.System && (p.HostName != "" || p.HostPhone != "" || p.Address != "") {
		if err := s.st.Audit(ctx, sc, "place.view_personal", "place", id, p.RegionCode, "fields=host,phone,address"); err != nil {
			return p, err
		}
	}
	return p, nil
}

// PlaceFilter selects places for ListPlaces.
type PlaceFilter struct {
	Kind, Status, Region string
	WithRoom             bool // only places that take children and have a free place
}

// ListPlaces lists the places of the caller's region, without hosts'
// personal data. Authorization: as GetPlace.
func (s *Service) ListPlaces(ctx context.Context, sc domain.Scope, f PlaceFilter) ([]domain.Place, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	region := sc.RegionCode
	if f.Region != "" && domain.RegionWithin(f.Region, region) {
		region = f.Region
	}
	where, args := store.ScopeClause("p.region_code", region, 2)
	args = append([]any{s.st.Now()}, args...)
	conds := []string{where}
	if f.Kind != "" {
		args = append(args, f.Kind)
		conds = append(conds, fmt.Sprintf("p.kind = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf("p.status = $%d", len(args)))
	}
	list := sc
	list.Personal = false // a list never carries hosts' data
	out, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.Place, error) { return s.scanPlace(list, r) },
		`SELECT `+placeCols+placeFrom+` WHERE `+strings.Join(conds, " AND ")+` ORDER BY p.region_code, p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("shelters: places: %w", err)
	}
	if f.WithRoom {
		kept := out[:0]
		for _, p := range out {
			if Accepts(p, s.st.Now()) == nil && p.Free() > 0 {
				kept = append(kept, p)
			}
		}
		out = kept
	}
	return out, nil
}

// Accepts says why a place takes no child at now (nil: it does): only an
// active place takes children (a revocation proposed still does); an
// institution also needs a permit that has not expired.
func Accepts(p domain.Place, now time.Time) error {
	switch p.Status {
	case domain.PlaceActive, domain.PlaceRevocationProposed:
	default:
		return domain.E(domain.EConflict, "place.err.not_active", p.Status)
	}
	if domain.Institution(p.Kind) && p.PermitExpires != "" && p.PermitExpires < now.UTC().Format("2006-01-02") {
		return domain.E(domain.EConflict, "place.err.permit_expired", p.PermitExpires)
	}
	return nil
}

// lockPlace reads a place inside tx for a change, serialising every
// change and placement of that place (on PostgreSQL an advisory lock;
// SQLite has one writer).
func (s *Service) lockPlace(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (domain.Place, error) {
	if err := tx.Serialize(ctx, "place:"+id); err != nil {
		return domain.Place{}, err
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 3)
	sys := sc
	sys.System, sys.Personal = false, false
	p, err := s.scanPlace(sys, tx.QueryRowContext(ctx, `SELECT `+placeCols+placeFrom+` WHERE p.id = $2 AND `+where,
		append([]any{tx.Now(), id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, domain.NotFound("place")
	}
	if err != nil {
		return p, fmt.Errorf("shelters: lock place: %w", err)
	}
	return p, nil
}

// MovePlace changes a place's status with the reason: a safe house is
// verified only when every required item of its checklist passed; a place
// with a child staying or held cannot be retired. Authorization:
// PermManageCases in the place's region.
func (s *Service) MovePlace(ctx context.Context, sc domain.Scope, id, to, reason string, version int) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("place")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("place.field.reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return domain.E(domain.EConflict, "error.conflict")
		}
		if !domain.CanMovePlace(p.Status, to) {
			return domain.E(domain.EConflict, "place.err.move", p.Status, to)
		}
		if to == domain.PlaceVerified {
			if err := s.checklistPassed(ctx, tx, p); err != nil {
				return err
			}
		}
		if to == domain.PlaceRetired || to == domain.PlaceRevoked {
			if p.Occupied+p.Held > 0 {
				return domain.E(domain.EConflict, "place.err.occupied", p.Occupied+p.Held)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE places SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			to, tx.Now(), id); err != nil {
			return fmt.Errorf("shelters: move place: %w", err)
		}
		if err := s.event(ctx, tx, sc, id, "status", p.Status, to, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "place.status", "place", id, p.RegionCode, p.Status+"->"+to)
	})
}

// AddWarning records a written warning to an institution (teguran); the
// third proposes the revocation of its permit. Authorization:
// PermManageCases in the place's region.
func (s *Service) AddWarning(ctx context.Context, sc domain.Scope, id, reason string) (int, error) {
	if !sc.Can(domain.PermManageCases) {
		return 0, domain.NotFound("place")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, domain.InvalidFields(domain.FieldErrors{"reason": domain.M("place.field.reason")})
	}
	var n int
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !domain.Institution(p.Kind) {
			return domain.E(domain.EConflict, "place.err.not_institution")
		}
		if p.Status == domain.PlaceRevoked || p.Status == domain.PlaceRetired {
			return domain.E(domain.EConflict, "place.err.move", p.Status, domain.PlaceRevocationProposed)
		}
		n = p.Warnings + 1
		status := p.Status
		if n >= domain.MaxWarnings && status != domain.PlaceRevocationProposed {
			status = domain.PlaceRevocationProposed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE places SET warnings = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4`,
			n, status, tx.Now(), id); err != nil {
			return fmt.Errorf("shelters: warning: %w", err)
		}
		if err := s.event(ctx, tx, sc, id, "warning", p.Status, status, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "place.warning", "place", id, p.RegionCode, fmt.Sprintf("warnings=%d", n))
	})
	return n, err
}

// ExpiringPermits lists the institutions of the caller's region whose
// operating permit or accreditation expires within days (or has expired),
// soonest first. Authorization: as ListPlaces.
func (s *Service) ExpiringPermits(ctx context.Context, sc domain.Scope, days int) ([]domain.Place, error) {
	all, err := s.ListPlaces(ctx, sc, PlaceFilter{})
	if err != nil {
		return nil, err
	}
	limit := s.st.Now().AddDate(0, 0, days).Format("2006-01-02")
	var out []domain.Place
	for _, p := range all {
		if !domain.Institution(p.Kind) || p.Status == domain.PlaceRetired {
			continue
		}
		if p.PermitExpires != "" && p.PermitExpires <= limit || p.AccreditationUntil != "" && p.AccreditationUntil <= limit {
			out = append(out, p)
		}
	}
	soon := func(p domain.Place) string {
		if p.AccreditationUntil != "" && (p.PermitExpires == "" || p.AccreditationUntil < p.PermitExpires) {
			return p.AccreditationUntil
		}
		return p.PermitExpires
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && soon(out[j]) < soon(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// PlaceHistory lists a place's changes, oldest first; their notes for
// those who manage places. Authorization: as GetPlace.
func (s *Service) PlaceHistory(ctx context.Context, sc domain.Scope, id string) ([]domain.PlaceEvent, error) {
	if _, err := s.GetPlace(ctx, sc, id); err != nil {
		return nil, err
	}
	notes := sc.System || sc.Personal && sc.Can(domain.PermManageCases)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (domain.PlaceEvent, error) {
		var e domain.PlaceEvent
		var enc string
		if err := r.Scan(&e.At, &e.Actor, &e.Kind, &e.FromStatus, &e.ToStatus, &enc); err != nil {
			return e, err
		}
		e.At = e.At.UTC()
		var err error
		if notes {
			e.Note, err = s.st.Open(store.FieldPlaceEventNote, enc)
		}
		return e, err
	}, `SELECT at, actor, kind, from_status, to_status, note_enc FROM place_events WHERE place_id = $1 ORDER BY at, id`, id)
}

// EditPlace changes a place's details: name, capacity, stay limit, the
// host's name, phone, address and household, the operating permit (a
// renewal) and the accreditation. Capacity cannot drop below the children
// staying or held. Each change is on the place's history with what
// changed (never the host's data) and audited. Authorization:
// PermManageCases in the place's region; version guards against a stale
// form.
func (s *Service) EditPlace(ctx context.Context, sc domain.Scope, id string, np domain.NewPlace, version int) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("place")
	}
	f := domain.FieldErrors{}
	np.Name, np.HostName, np.Address = strings.TrimSpace(np.Name), strings.TrimSpace(np.HostName), strings.TrimSpace(np.Address)
	if np.Name == "" || utf8.RuneCountInString(np.Name) > 120 {
		f["name"] = domain.M("place.field.name")
	}
	if np.Capacity < 1 || np.Capacity > 1000 {
		f["capacity"] = domain.M("place.field.capacity")
	}
	if np.MaxStayDays < 0 || np.MaxStayDays > 3650 {
		f["max_stay_days"] = domain.M("place.field.max_stay_days")
	}
	if np.HostPhone = strings.TrimSpace(np.HostPhone); np.HostPhone != "" {
		p, ok := domain.NormalizePhone(np.HostPhone)
		if !ok {
			f["host_phone"] = domain.M("report.field.phone")
		}
		np.HostPhone = p
	}
	for k, v := range map[string]string{"permit_expires": np.PermitExpires, "accreditation_until": np.AccreditationUntil} {
		if v != "" && !validDate(v) {
			f[k] = domain.M("field.date")
		}
	}
	if np.Accreditation != "" {
		if _, ok := domain.AccreditationYears[np.Accreditation]; !ok {
			f["accreditation"] = domain.M("place.field.accreditation")
		}
	}
	if len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.lockPlace(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return domain.E(domain.EConflict, "error.conflict")
		}
		if p.Kind == domain.PlaceSafeHouse && np.HostName == "" {
			return domain.InvalidFields(domain.FieldErrors{"host_name": domain.M("place.field.host_name")})
		}
		if np.Capacity < p.Occupied+p.Held {
			return domain.InvalidFields(domain.FieldErrors{"capacity": domain.M("place.field.capacity_taken", p.Occupied+p.Held)})
		}
		var sealed [4]string
		for i, v := range []struct{ field, text string }{{store.FieldHostName, np.HostName}, {store.FieldHostPhone, np.HostPhone},
			{store.FieldPlaceAddress, np.Address}, {store.FieldPlaceHousehold, strings.TrimSpace(np.Household)}} {
			if sealed[i], err = s.st.Seal(v.field, v.text); err != nil {
				return err
			}
		}
		hash := ""
		if np.HostPhone != "" {
			hash = s.st.LookupHash(store.HashPhone, np.HostPhone)
		}
		var changed []string
		for _, c := range []struct {
			name     string
			old, new any
		}{{"name", p.Name, np.Name}, {"capacity", p.Capacity, np.Capacity}, {"max_stay_days", p.MaxStayDays, np.MaxStayDays},
			{"permit_number", p.PermitNumber, strings.TrimSpace(np.PermitNumber)}, {"permit_expires", p.PermitExpires, np.PermitExpires},
			{"accreditation", p.Accreditation, np.Accreditation}, {"accreditation_until", p.AccreditationUntil, np.AccreditationUntil}} {
			if fmt.Sprint(c.old) != fmt.Sprint(c.new) {
				changed = append(changed, fmt.Sprintf("%s: %v → %v", c.name, c.old, c.new))
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE places SET name = $1, capacity = $2, max_stay_days = $3, host_name_enc = $4, host_phone_enc = $5,
			host_phone_hash = $6, address_enc = $7, household_enc = $8, permit_number = $9, permit_expires = $10, accreditation = $11,
			accreditation_until = $12, version = version + 1, updated_at = $13 WHERE id = $14`, np.Name, np.Capacity, np.MaxStayDays,
			sealed[0], sealed[1], hash, sealed[2], sealed[3], strings.TrimSpace(np.PermitNumber), np.PermitExpires, np.Accreditation,
			np.AccreditationUntil, tx.Now(), id); err != nil {
			return fmt.Errorf("shelters: edit place: %w", err)
		}
		if err := s.event(ctx, tx, sc, id, "edited", p.Status, p.Status, strings.Join(changed, "; ")); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "place.edit", "place", id, p.RegionCode, "fields="+fmt.Sprint(len(changed)))
	})
}
