-- Documents of a case (visum, police report, court decision, letters,
-- photos, voice notes): what they are in case_documents, their content in
-- case_document_contents so that listing a case's documents never reads
-- the files. Titles, descriptions, file names, delete reasons and the
-- content are sealed. A deleted document keeps its row as a tombstone
-- (who, when, why) and loses its content. Same columns as the other
-- dialect's 0017.
CREATE TABLE case_documents (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    victim_id         TEXT REFERENCES victims (id) ON DELETE SET NULL,
    kind              TEXT NOT NULL,
    title_enc         TEXT NOT NULL DEFAULT '',
    description_enc   TEXT NOT NULL DEFAULT '',
    file_name_enc     TEXT NOT NULL DEFAULT '',
    mime_type         TEXT NOT NULL,
    size_bytes        INTEGER NOT NULL,
    created_by_id     TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    deleted_at        TIMESTAMPTZ,
    deleted_by_id     TEXT NOT NULL DEFAULT '',
    deleted_by        TEXT NOT NULL DEFAULT '',
    delete_reason_enc TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_documents_case ON case_documents (case_id, created_at);

CREATE TABLE case_document_contents (
    document_id TEXT PRIMARY KEY REFERENCES case_documents (id) ON DELETE CASCADE,
    content_enc TEXT NOT NULL
);
