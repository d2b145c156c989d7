-- Channels (SMS through Kannel, WhatsApp Cloud API): every inbound message
-- stored once under its provider's idempotency key, the outbox claimed by
-- one sender at a time, and delivery reports per message. Same tables and
-- columns as the other dialect's 0004; only the types differ.

CREATE TABLE inbound_messages (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    phone_hash      TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    report_id       TEXT NOT NULL DEFAULT '',
    case_id         TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    reply_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inbound_messages_phone ON inbound_messages (phone_hash, received_at);
CREATE INDEX inbound_messages_report ON inbound_messages (report_id);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_provider_id ON outbox (provider_message_id);

CREATE TABLE delivery_reports (
    id          TEXT PRIMARY KEY,
    outbox_id   TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    status      TEXT NOT NULL,
    provider    TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    UNIQUE (outbox_id, provider, code)
);
CREATE INDEX delivery_reports_outbox ON delivery_reports (outbox_id, at);
