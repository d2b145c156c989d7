-- Emergency access ("akses darurat"): a user who does not handle a case
-- opens its personal data for a limited time by giving a reason. The
-- reason is sealed like every other free text about a case.
CREATE TABLE case_access_grants (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    reason_enc TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX case_access_grants_lookup ON case_access_grants (case_id, user_id, expires_at);
