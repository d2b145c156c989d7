-- Service providers and referrals they answer (issue 12): a registry of
-- providers (puskesmas, police PPA unit, legal aid...) with a sealed
-- contact and a phone lookup hash (a provider answers a referral by SMS
-- or WhatsApp without an account); referrals with the service asked,
-- urgency, due time, a code for the SMS answer and their state; consent
-- and legal basis per case and per referral. A referral of before this
-- migration keeps status '' (a free-text record). Same columns as the
-- other dialect's 0021; only the types differ.
CREATE TABLE providers (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    services    TEXT NOT NULL DEFAULT '',
    contact_enc TEXT NOT NULL DEFAULT '',
    phone_enc   TEXT NOT NULL DEFAULT '',
    phone_hash  TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX providers_region ON providers (region_code, name);
CREATE INDEX providers_phone ON providers (phone_hash);

-- A provider's staff account (role provider) sees its provider's
-- referrals only.
ALTER TABLE users ADD COLUMN provider_id TEXT REFERENCES providers (id);

ALTER TABLE referrals ADD COLUMN provider_id TEXT REFERENCES providers (id);
ALTER TABLE referrals ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN urgency TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN code TEXT;
ALTER TABLE referrals ADD COLUMN due_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN consent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN answered_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN answered_via TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN decline_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN done_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN revoked_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN revoke_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN sender_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX referrals_code ON referrals (code);
CREATE INDEX referrals_provider ON referrals (provider_id, status);

-- Consent and legal basis (persetujuan dan dasar hukum, UU PDP): given by
-- whom (sealed) and their relation to the child, for the case or for one
-- referral; withdrawn by whom, when, why.
CREATE TABLE case_consents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    referral_id  TEXT NOT NULL DEFAULT '',
    basis        TEXT NOT NULL,
    given_by_enc TEXT NOT NULL DEFAULT '',
    relation     TEXT NOT NULL DEFAULT '',
    given_on     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorder     TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT NOT NULL DEFAULT '',
    withdraw_enc TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_consents_case ON case_consents (case_id, recorded_at);
