-- A keyed blind index of the names sealed in victims.name_enc and
-- reports.reporter_name_enc, so that "siti" finds "Siti Rahmawati" without
-- decrypting the table: each row holds one keyed hash of a normalised name
-- token or of a token's prefix (store/names.go), and the key id it was made
-- with, so that key rotation rebuilds what an old key made. A row with an
-- empty token marks a name that gave no token (indexed, nothing to find).
-- The store fills it for existing rows on start. Same columns as the other
-- dialect's 0018.
CREATE TABLE name_tokens (
    source  TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    token   TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    PRIMARY KEY (source, row_id, token)
);
CREATE INDEX name_tokens_token ON name_tokens (token, source, row_id);
CREATE INDEX name_tokens_key ON name_tokens (key_id);
