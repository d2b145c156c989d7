-- Login limits (issue 9): a row per limit key ("ua:<username>|<address>",
-- "ip:<address>", "u:<username>", "totp:<user id>"). failures decay after an
-- hour without attempts; locked_until is the next time an attempt is taken,
-- a short progressive delay instead of the old 24-hour lock. Locks of the
-- old scheme are lifted on upgrade.
DELETE FROM login_throttle;
ALTER TABLE login_throttle ADD COLUMN last_at TIMESTAMPTZ;
