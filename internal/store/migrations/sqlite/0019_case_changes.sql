-- The history of a case's record: every field changed after creation, one
-- row per field, with the old and new values sealed (values of personal
-- fields are shown only to those who may see them; coded fields to anyone
-- who may see the case). change_id groups the fields of one save, which
-- also writes one timeline event carrying the same change_id. Same columns
-- as the other dialect's 0019.
CREATE TABLE case_changes (
    id        TEXT PRIMARY KEY,
    change_id TEXT NOT NULL,
    case_id   TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at        TIMESTAMP NOT NULL,
    actor_id  TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    personal  INTEGER NOT NULL DEFAULT 0,
    old_enc   TEXT NOT NULL DEFAULT '',
    new_enc   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_changes_case ON case_changes (case_id, at);
CREATE INDEX case_changes_change ON case_changes (change_id);

ALTER TABLE case_events ADD COLUMN change_id TEXT NOT NULL DEFAULT '';
