-- Children's forum audits, continued (issue 14). audit_photos: optional
-- photos of an answer, sniffed and stripped of Exif/GPS before they are
-- sealed (content_enc). audits.kla_regime/kla_indicator: the KLA indicator
-- a passed audit is evidence for (from the template's mapping for the
-- regime of the audit's year), so module E lists it without a re-upload.
-- Same columns as the other dialect's 0026.
CREATE TABLE audit_photos (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    content_enc TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_photos_audit ON audit_photos (audit_id, item);

ALTER TABLE audits ADD COLUMN kla_regime TEXT NOT NULL DEFAULT '';
ALTER TABLE audits ADD COLUMN kla_indicator TEXT NOT NULL DEFAULT '';
CREATE INDEX audits_kla ON audits (kla_regime, kla_indicator);
