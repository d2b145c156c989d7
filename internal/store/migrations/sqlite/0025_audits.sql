-- Children's forum audits of facilities (issue 14, SPEC F). facilities:
-- playgrounds (RBRA), puskesmas (PRA) and other child-facing places with
-- their owning agency. audit_templates: versioned checklists (JSON body:
-- sections, items, options with points, weights, mandatory items,
-- predicate bands); an audit keeps the version it used, so editing a
-- template never changes a past audit. audits: planned, drafted, submitted
-- with the score stored; the team (first names, ages, forum) sealed.
-- audit_answers: one row per item (the answer as JSON, the children's own
-- rating 1-5, a note sealed). audit_actions: a finding for the owning
-- agency with a due date, the agency's answer, closed by the children's
-- re-check (or a facilitator's override with a reason). Same columns as
-- the other dialect's 0025.
CREATE TABLE facilities (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    agency      TEXT NOT NULL,
    location    TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX facilities_region ON facilities (region_code, kind);

CREATE TABLE audit_templates (
    kind        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, version)
);

CREATE TABLE audits (
    id               TEXT PRIMARY KEY,
    facility_id      TEXT NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    template_version INTEGER NOT NULL,
    planned_on       TEXT NOT NULL,
    status           TEXT NOT NULL,
    team_enc         TEXT NOT NULL DEFAULT '',
    facilitator_id   TEXT NOT NULL DEFAULT '',
    facilitator      TEXT NOT NULL,
    recheck_of       TEXT NOT NULL DEFAULT '',
    score_percent    REAL NOT NULL DEFAULT 0,
    children_percent REAL NOT NULL DEFAULT 0,
    predicate        TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL DEFAULT '',
    submitted_at     TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX audits_facility ON audits (facility_id, created_at);

CREATE TABLE audit_answers (
    id           TEXT PRIMARY KEY,
    audit_id     TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    item         TEXT NOT NULL,
    answer       TEXT NOT NULL,
    child_rating INTEGER NOT NULL DEFAULT 0,
    note_enc     TEXT NOT NULL DEFAULT '',
    UNIQUE (audit_id, item)
);

CREATE TABLE audit_actions (
    id               TEXT PRIMARY KEY,
    audit_id         TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    facility_id      TEXT NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    item             TEXT NOT NULL,
    label            TEXT NOT NULL,
    agency           TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL,
    response         TEXT NOT NULL DEFAULT '',
    responded_by     TEXT NOT NULL DEFAULT '',
    responded_at     TIMESTAMP,
    closed_by        TEXT NOT NULL DEFAULT '',
    closed_at        TIMESTAMP,
    close_reason     TEXT NOT NULL DEFAULT '',
    recheck_audit_id TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (audit_id, item)
);
CREATE INDEX audit_actions_agency ON audit_actions (agency, status, due_on);
CREATE INDEX audit_actions_facility ON audit_actions (facility_id, item, status);
