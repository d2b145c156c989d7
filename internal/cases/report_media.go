package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Media of reports: the photos, voice notes, videos, documents and stickers
// a WhatsApp report came with. The message's transaction keeps the
// provider's media id (AddReportMedia), so nothing is lost if the file
// cannot be fetched at once; the media fetcher (intake/whatsapp) claims due
// files (ClaimMedia), fetches them from the provider and hands them over
// (MediaFetched) or records the failure (MediaFailed). A fetched file is
// checked like an uploaded document (sniffed type, size, photo metadata
// stripped) and sealed; when its report is or becomes a case the file
// becomes a document of that case (moveReportMedia).

// MediaJob is a file the fetcher is to fetch.
type MediaJob struct {
	ID, ReportID, Channel, ProviderID, Kind, DeclaredType string
	Attempts                                              int // including this one
}

// AddReportMedia keeps the files a message announced, for the report it
// made or joined, inside the message's transaction; a message seen again
// adds nothing. Authorization: intake (a verified provider message).
func (s *Service) AddReportMedia(ctx context.Context, tx *store.Tx, reportID, messageKey string, ch domain.Channel, media []domain.IncomingMedia) error {
	for _, m := range media {
		if m.ProviderID == "" || len(m.ProviderID) > 200 {
			continue
		}
		name, err := s.st.Seal(store.FieldMediaFileName, cleanFileName(m.FileName))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_media (id, report_id, message_key, channel, provider_media_id, kind,
			declared_type, file_name_enc, status, next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)
			ON CONFLICT (message_key, provider_media_id) DO NOTHING`, tx.NewID(), reportID, messageKey, string(ch), m.ProviderID,
			m.Kind, trimTo(m.DeclaredType, 100), name, domain.MediaPending, tx.Now()); err != nil {
			return fmt.Errorf("cases: report media: %w", err)
		}
	}
	return nil
}

func trimTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ClaimMedia claims up to limit files due for fetching: each claimed row
// counts an attempt and is not due again for hold (another fetcher leaves
// it alone meanwhile; a fetcher that died releases it by time).
// Authorization: lindu itself (the media fetcher).
func (s *Service) ClaimMedia(ctx context.Context, channel string, limit int, hold time.Duration) ([]MediaJob, error) {
	var out []MediaJob
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		q := `SELECT id, report_id, channel, provider_media_id, kind, declared_type, attempts FROM report_media
			WHERE status = 'pending' AND next_attempt_at <= $1 AND channel = $2 ORDER BY next_attempt_at, id LIMIT $3`
		if s.st.Dialect() == store.Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		jobs, err := store.Rows(ctx, tx, func(r *sql.Rows) (MediaJob, error) {
			var j MediaJob
			err := r.Scan(&j.ID, &j.ReportID, &j.Channel, &j.ProviderID, &j.Kind, &j.DeclaredType, &j.Attempts)
			return j, err
		}, q, tx.Now(), channel, limit)
		if err != nil {
			return fmt.Errorf("cases: claim media: %w", err)
		}
		for _, j := range jobs {
			if _, err := tx.ExecContext(ctx, `UPDATE report_media SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2`,
				tx.Now().Add(hold), j.ID); err != nil {
				return fmt.Errorf("cases: claim media: %w", err)
			}
			j.Attempts++
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// MediaFetched keeps a fetched file: checked like an uploaded document; a
// type or size lindu does not accept is refused (kept as a record, with the
// reason). The file becomes a document of the report's case when there is
// one, else it is sealed with the report until there is. Authorization:
// lindu itself (the media fetcher).
func (s *Service) MediaFetched(ctx context.Context, id string, data []byte) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var status, reportID, kind, nameEnc string
		err := tx.QueryRowContext(ctx, `SELECT status, report_id, kind, file_name_enc FROM report_media WHERE id = $1`, id).
			Scan(&status, &reportID, &kind, &nameEnc)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("media")
		}
		if err != nil {
			return fmt.Errorf("cases: media fetched: %w", err)
		}
		if status != domain.MediaPending {
			return nil // fetched before (a slow fetcher's second try)
		}
		name, err := s.st.Open(store.FieldMediaFileName, nameEnc)
		if err != nil {
			return err
		}
		nd := domain.NewDocument{FileName: name, Data: data}
		clean, mime, err := s.checkDocument(&nd)
		if err != nil {
			_, e := tx.ExecContext(ctx, `UPDATE report_media SET status = 'refused', last_error = $1, size_bytes = $2 WHERE id = $3`,
				refusal(err), len(data), id)
			if e != nil {
				return fmt.Errorf("cases: media refused: %w", e)
			}
			return nil
		}
		content, err := s.st.Seal(store.FieldMediaContent, string(clean))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_media SET status = 'fetched', last_error = '', mime_type = $1, size_bytes = $2,
			content_enc = $3, fetched_at = $4 WHERE id = $5`, mime, len(clean), content, tx.Now(), id); err != nil {
			return fmt.Errorf("cases: media fetched: %w", err)
		}
		var caseID string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(case_id, '') FROM reports WHERE id = $1`, reportID).Scan(&caseID); err != nil {
			return fmt.Errorf("cases: media fetched: %w", err)
		}
		if caseID == "" {
			return nil
		}
		return s.moveReportMedia(ctx, tx, reportID, caseID)
	})
}

// refusal is why a fetched file is not kept, in words for staff.
func refusal(err error) string {
	if de, ok := domain.AsError(err); ok && de.Code == domain.ETooLarge {
		return i18n.T("id", "media.refused.too_large")
	}
	return i18n.T("id", "media.refused.type")
}

// MediaFailed records a failed fetch: retried at next, or for good when
// final (the provider no longer has the file, or every retry failed).
// Authorization: lindu itself (the media fetcher).
func (s *Service) MediaFailed(ctx context.Context, id, reason string, final bool, next time.Time) error {
	status := domain.MediaPending
	if final {
		status = domain.MediaFailed
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE report_media SET status = $1, last_error = $2, next_attempt_at = $3
			WHERE id = $4 AND status = 'pending'`, status, trimTo(reason, 300), next.UTC(), id)
		if err != nil {
			return fmt.Errorf("cases: media failed: %w", err)
		}
		return nil
	})
}

// moveReportMedia makes each fetched file of a report that is not a
// document yet a document of caseID, inside tx (a report verified or merged
// into a case, or a file fetched after that). The report's copy is dropped.
func (s *Service) moveReportMedia(ctx context.Context, tx *store.Tx, reportID, caseID string) error {
	type row struct{ id, kind, nameEnc, contentEnc, code string }
	rows, err := store.Rows(ctx, tx, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.kind, &x.nameEnc, &x.contentEnc, &x.code)
		return x, err
	}, `SELECT m.id, m.kind, m.file_name_enc, m.content_enc, r.code FROM report_media m JOIN reports r ON r.id = m.report_id
		WHERE m.report_id = $1 AND m.status = 'fetched' AND m.document_id = '' ORDER BY m.created_at, m.id`, reportID)
	if err != nil {
		return fmt.Errorf("cases: report media to case: %w", err)
	}
	sys := access.System("whatsapp-media")
	for _, x := range rows {
		name, err := s.st.Open(store.FieldMediaFileName, x.nameEnc)
		if err != nil {
			return err
		}
		data, err := s.st.Open(store.FieldMediaContent, x.contentEnc)
		if err != nil {
			return err
		}
		doc, err := s.AttachDocument(ctx, tx, sys, caseID, domain.NewDocument{FileName: name, Data: []byte(data),
			Title: i18n.T("id", "media.doc_title."+x.kind, domain.FormatPublicCode(x.code))})
		if err != nil {
			return fmt.Errorf("cases: report media to case: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_media SET document_id = $1, content_enc = '' WHERE id = $2`, doc.ID, x.id); err != nil {
			return fmt.Errorf("cases: report media to case: %w", err)
		}
	}
	return nil
}

// reportMedia lists a report's files; their names only for a scope that
// sees the report's personal data.
func (s *Service) reportMedia(ctx context.Context, personal bool, reportID string) ([]domain.ReportMedia, error) {
	out, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.ReportMedia, error) {
		var m domain.ReportMedia
		var nameEnc string
		var fetched sql.NullTime
		err := r.Scan(&m.ID, &m.ReportID, &m.Kind, &m.Status, &nameEnc, &m.MIMEType, &m.Size, &m.Attempts, &m.LastError,
			&m.DocumentID, &m.CreatedAt, &fetched)
		if err != nil {
			return m, err
		}
		if fetched.Valid {
			t := fetched.Time.UTC()
			m.FetchedAt = &t
		}
		m.CreatedAt = m.CreatedAt.UTC()
		if !personal {
			m.Masked = nameEnc != ""
			return m, nil
		}
		m.FileName, err = s.st.Open(store.FieldMediaFileName, nameEnc)
		return m, err
	}, `SELECT id, report_id, kind, status, file_name_enc, mime_type, size_bytes, attempts, last_error, document_id, created_at, fetched_at
		FROM report_media WHERE report_id = $1 ORDER BY created_at, id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("cases: report media: %w", err)
	}
	return out, nil
}

// DownloadReportMedia returns a report's fetched file that is not a case
// document yet (a case's files are downloaded as its documents), audited.
// Authorization: as GetReport, with the report's personal data.
func (s *Service) DownloadReportMedia(ctx context.Context, sc domain.Scope, reportID, mediaID string) (domain.DocumentContent, error) {
	r, err := s.GetReport(ctx, sc, reportID)
	if err != nil {
		return domain.DocumentContent{}, err
	}
	if !sc.Personal || r.PersonalMasked {
		return domain.DocumentContent{}, domain.NotFound("media")
	}
	var d domain.DocumentContent
	var nameEnc, contentEnc, kind string
	err = s.st.QueryRowContext(ctx, `SELECT kind, file_name_enc, mime_type, size_bytes, content_enc, created_at FROM report_media
		WHERE id = $1 AND report_id = $2 AND status = 'fetched' AND content_enc <> ''`, mediaID, reportID).
		Scan(&kind, &nameEnc, &d.MIMEType, &d.Size, &contentEnc, &d.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, domain.NotFound("media")
	}
	if err != nil {
		return d, fmt.Errorf("cases: report media: %w", err)
	}
	if d.FileName, err = s.st.Open(store.FieldMediaFileName, nameEnc); err != nil {
		return d, err
	}
	data, err := s.st.Open(store.FieldMediaContent, contentEnc)
	if err != nil {
		return d, err
	}
	d.Data, d.ID, d.Kind = []byte(data), mediaID, kind
	if d.FileName == "" {
		d.FileName = "whatsapp-" + kind + "-" + mediaID[max(len(mediaID)-8, 0):]
	}
	return d, s.st.Audit(ctx, sc, "report.media_download", "report", reportID, r.RegionCode, "media="+mediaID)
}

// AppendReportNote adds a line to a report's description whatever its
// state (a sender edited or deleted a message the report holds: the
// earlier text stays, so the description is its own history), audited.
// Authorization: intake (a verified provider message).
func (s *Service) AppendReportNote(ctx context.Context, tx *store.Tx, sc domain.Scope, id, note string, ch domain.Channel) error {
	var desc, region string
	err := tx.QueryRowContext(ctx, `SELECT description_enc, region_code FROM reports WHERE id = $1`, id).Scan(&desc, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFound("report")
	}
	if err != nil {
		return fmt.Errorf("cases: note on report: %w", err)
	}
	old, err := s.st.Open(store.FieldReportDescription, desc)
	if err != nil {
		return err
	}
	joined := old + "\n" + note
	if r := []rune(joined); len(r) > MaxDescription {
		joined = string(r[:MaxDescription])
	}
	enc, err := s.st.Seal(store.FieldReportDescription, joined)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET description_enc = $1 WHERE id = $2`, enc, id); err != nil {
		return fmt.Errorf("cases: note on report: %w", err)
	}
	return tx.Audit(ctx, publicReporter(sc), "report.note", "report", id, region, "channel="+string(ch))
}
