package audits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/media"
	"lindu/internal/store"
)

// Photos of an answer: optional, a few per item, taken on a phone. The
// type is sniffed from the bytes (JPEG, PNG or WebP only) and the Exif,
// XMP and comments (the GPS position of the phone) are removed before the
// photo is sealed. Only those who run audits see them: a photo may show
// a child, so the regent, the agencies and the report do not.

// MaxPhoto is the largest photo accepted.
const MaxPhoto = 5 << 20

// PhotosPerItem is how many photos an item keeps.
const PhotosPerItem = 3

// Photo is a stored photo's description.
type Photo struct {
	ID        string    `json:"id"`
	AuditID   string    `json:"audit_id"`
	Item      string    `json:"item"`
	MimeType  string    `json:"mime_type"`
	Size      int       `json:"size_bytes"`
	CreatedAt time.Time `json:"created_at"`
}

// AddPhoto stores a photo of an item of a draft audit, stripped of its
// metadata. Authorization: PermRunAudits in the facility's region.
func (s *Service) AddPhoto(ctx context.Context, sc domain.Scope, auditID, item string, data []byte) (Photo, error) {
	if !mayRun(sc) {
		return Photo{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	if _, err := s.auditRegion(ctx, sc, auditID); err != nil {
		return Photo{}, err
	}
	mime, clean, err := cleanPhoto(item, data)
	if err != nil {
		return Photo{}, err
	}
	p := Photo{AuditID: auditID, Item: item, MimeType: mime, Size: len(clean)}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := s.lockDraft(ctx, tx, sc, auditID)
		if err != nil {
			return err
		}
		if _, ok := itemOf(t, item); !ok {
			return domain.InvalidFields(domain.FieldErrors{"photo." + item: domain.M("audit.field.answer")})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_photos WHERE audit_id = $1 AND item = $2`, auditID, item).Scan(&n); err != nil {
			return fmt.Errorf("audits: photos: %w", err)
		}
		if n >= PhotosPerItem {
			return domain.E(domain.EConflict, "audit.err.photo_count", PhotosPerItem)
		}
		enc, err := s.st.Seal(store.FieldAuditPhoto, string(clean))
		if err != nil {
			return err
		}
		p.ID, p.CreatedAt = tx.NewID(), tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_photos (id, audit_id, item, mime_type, size_bytes, content_enc, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, p.ID, auditID, item, mime, len(clean), enc, sc.Actor(), p.CreatedAt); err != nil {
			return fmt.Errorf("audits: add photo: %w", err)
		}
		f, err := s.facility(ctx, tx, sc, a.FacilityID)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "audit.photo_add", "audit", auditID, f.RegionCode, fmt.Sprintf("item=%s bytes=%d", item, len(clean)))
	})
	return p, err
}

// CheckPhoto says whether data would be accepted as a photo of item
// (size, type, structure), before anything is stored. Pure.
func CheckPhoto(item string, data []byte) error {
	_, _, err := cleanPhoto(item, data)
	return err
}

// cleanPhoto sniffs a photo and strips its metadata.
func cleanPhoto(item string, data []byte) (string, []byte, error) {
	if len(data) > MaxPhoto {
		return "", nil, domain.E(domain.ETooLarge, "audit.err.photo_large", MaxPhoto>>20)
	}
	mime := media.Sniff(data)
	if mime != media.JPEG && mime != media.PNG && mime != media.WebP {
		return "", nil, domain.InvalidFields(domain.FieldErrors{"photo." + item: domain.M("audit.field.photo_type")})
	}
	clean, err := media.Strip(mime, data)
	if err != nil {
		return "", nil, domain.InvalidFields(domain.FieldErrors{"photo." + item: domain.M("audit.field.photo_broken")})
	}
	return mime, clean, nil
}

// itemOf finds an item of a template.
func itemOf(t domain.AuditTemplate, key string) (domain.AuditItem, bool) {
	for _, sec := range t.Sections {
		for _, it := range sec.Items {
			if it.Key == key {
				return it, true
			}
		}
	}
	return domain.AuditItem{}, false
}

// Photos lists an audit's photos (without their bytes). Authorization:
// PermRunAudits in the region; anyone else gets none.
func (s *Service) Photos(ctx context.Context, sc domain.Scope, auditID string) ([]Photo, error) {
	if !mayRun(sc) {
		return nil, nil
	}
	if _, err := s.auditRegion(ctx, sc, auditID); err != nil {
		return nil, err
	}
	return store.Rows(ctx, s.st, func(r *sql.Rows) (Photo, error) {
		var p Photo
		return p, r.Scan(&p.ID, &p.AuditID, &p.Item, &p.MimeType, &p.Size, &p.CreatedAt)
	}, `SELECT id, audit_id, item, mime_type, size_bytes, created_at FROM audit_photos WHERE audit_id = $1 ORDER BY item, created_at, id`, auditID)
}

// auditRegion returns the region of an audit's facility inside sc's, else
// not found.
func (s *Service) auditRegion(ctx context.Context, sc domain.Scope, auditID string) (string, error) {
	var region string
	err := s.st.QueryRowContext(ctx, `SELECT f.region_code FROM audits a JOIN facilities f ON f.id = a.facility_id WHERE a.id = $1`, auditID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return "", domain.NotFound("audit")
	}
	if err != nil {
		return "", fmt.Errorf("audits: audit region: %w", err)
	}
	return region, nil
}

// GetPhoto returns a photo's bytes and audits the view. Authorization:
// PermRunAudits in the region; anything else is not found.
func (s *Service) GetPhoto(ctx context.Context, sc domain.Scope, auditID, photoID string) (Photo, []byte, error) {
	if !mayRun(sc) {
		return Photo{}, nil, domain.NotFound("photo")
	}
	region, err := s.auditRegion(ctx, sc, auditID)
	if err != nil {
		return Photo{}, nil, domain.NotFound("photo")
	}
	var p Photo
	var enc string
	err = s.st.QueryRowContext(ctx, `SELECT id, audit_id, item, mime_type, size_bytes, created_at, content_enc FROM audit_photos WHERE id = $1 AND audit_id = $2`,
		photoID, auditID).Scan(&p.ID, &p.AuditID, &p.Item, &p.MimeType, &p.Size, &p.CreatedAt, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil, domain.NotFound("photo")
	}
	if err != nil {
		return p, nil, fmt.Errorf("audits: photo: %w", err)
	}
	data, err := s.st.Open(store.FieldAuditPhoto, enc)
	if err != nil {
		return p, nil, err
	}
	if err := s.st.Audit(ctx, sc, "audit.photo_view", "audit", auditID, region, "photo="+photoID); err != nil {
		return p, nil, err
	}
	return p, []byte(data), nil
}

// DeletePhoto removes a photo of a draft audit (a face shown by mistake).
// Authorization: PermRunAudits in the region.
func (s *Service) DeletePhoto(ctx context.Context, sc domain.Scope, auditID, photoID string) error {
	if !mayRun(sc) {
		return domain.NotFound("photo")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := s.lockDraft(ctx, tx, sc, auditID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_photos WHERE id = $1 AND audit_id = $2`, photoID, auditID)
		if err != nil {
			return fmt.Errorf("audits: delete photo: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.NotFound("photo")
		}
		f, err := s.facility(ctx, tx, sc, a.FacilityID)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "audit.photo_delete", "audit", auditID, f.RegionCode, "photo="+photoID)
	})
}
