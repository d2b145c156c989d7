-- Sensitive fields of cases and reports sealed like the other personal
-- fields: a victim's disability, the place a child is placed, service
-- providers, referral agencies and reject reasons. SQL cannot encrypt: the
-- store moves existing plaintext into these columns in Go, in the same
-- transaction as this migration, and empties the old columns (kept, empty,
-- because SQLite cannot always drop columns). Same columns as the other
-- dialect's 0015.
ALTER TABLE victims ADD COLUMN disability_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE placements ADD COLUMN place_name_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN provider_enc TEXT NOT NULL DEFAULT '';
-- Whether the provider names a diversion or restorative justice (KLA
-- indicator 22 counts these without reading the sealed provider).
ALTER TABLE services ADD COLUMN restorative BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE referrals ADD COLUMN agency_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN reject_reason_enc TEXT NOT NULL DEFAULT '';

-- Rate-limit windows are purged after a day: the index finds them.
CREATE INDEX rate_limits_window ON rate_limits (window_start);
