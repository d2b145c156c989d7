-- Channels that lose nothing (issue 17). report_media: a photo, voice note,
-- video, document or sticker a report came with by WhatsApp: the provider's
-- media id is kept at once, the file is fetched by the media fetcher
-- (pending -> fetched, or failed after its retries, or refused when its
-- type or size is not accepted); once fetched its content is sealed here
-- until the report becomes a case, then it is a document of the case
-- (document_id) and its content lives there. channel_log: each exchange
-- with Kannel and the Graph API, redacted (no secret, no number, no text),
-- kept for a limited time. outbox.parts: how many SMS parts a message
-- went out in (a concatenated message is delivered when every part is).
-- delivery_reports.detail: the gateway's failure reason. Same columns as
-- the other dialect's 0023.
CREATE TABLE report_media (
    id                TEXT PRIMARY KEY,
    report_id         TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    message_key       TEXT NOT NULL,
    channel           TEXT NOT NULL,
    provider_media_id TEXT NOT NULL,
    kind              TEXT NOT NULL,
    declared_type     TEXT NOT NULL DEFAULT '',
    file_name_enc     TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMP NOT NULL,
    last_error        TEXT NOT NULL DEFAULT '',
    mime_type         TEXT NOT NULL DEFAULT '',
    size_bytes        INTEGER NOT NULL DEFAULT 0,
    content_enc       TEXT NOT NULL DEFAULT '',
    document_id       TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    fetched_at        TIMESTAMP,
    UNIQUE (message_key, provider_media_id)
);
CREATE INDEX report_media_report ON report_media (report_id, created_at);
CREATE INDEX report_media_due ON report_media (status, next_attempt_at);

CREATE TABLE channel_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    channel     TEXT NOT NULL,
    direction   TEXT NOT NULL,
    outbox_id   TEXT NOT NULL DEFAULT '',
    message_key TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL,
    url         TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    elapsed_ms  INTEGER NOT NULL DEFAULT 0,
    request     TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX channel_log_outbox ON channel_log (outbox_id, at);
CREATE INDEX channel_log_at ON channel_log (at);

ALTER TABLE outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delivery_reports ADD COLUMN detail TEXT NOT NULL DEFAULT '';
