-- Safe houses and institutions (issue 13, SPEC D). places: one registry of
-- community safe houses (rumah aman berbasis komunitas), government
-- shelters and LKSA/panti, with their lifecycle status, capacity, and for
-- institutions the operating permit (expiry, warnings) and accreditation;
-- the host's name, phone and address are sealed. place_events: every
-- change of a place (status, checklist, warning), by whom, when, why.
-- place_checklists: versioned verification templates (items as JSON);
-- place_checks: a place's answers to one template version.
-- stays: a child of a case held for, or staying in, a place; one
-- held or active placement per child (the partial unique index), the
-- capacity counted in the placing transaction; holds expire; a transfer
-- closes the previous placement and links it (previous_id). A host asked
-- by SMS (status asked, a public code, asked_until) answers YA or TIDAK. Same columns
-- as the other dialect's 0024.
CREATE TABLE places (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    region_code          TEXT NOT NULL REFERENCES regions (code),
    owner                TEXT NOT NULL,
    status               TEXT NOT NULL,
    capacity             INTEGER NOT NULL,
    max_stay_days        INTEGER NOT NULL DEFAULT 0,
    host_name_enc        TEXT NOT NULL DEFAULT '',
    host_phone_enc       TEXT NOT NULL DEFAULT '',
    host_phone_hash      TEXT NOT NULL DEFAULT '',
    address_enc          TEXT NOT NULL DEFAULT '',
    household_enc        TEXT NOT NULL DEFAULT '',
    permit_number        TEXT NOT NULL DEFAULT '',
    permit_expires       TEXT NOT NULL DEFAULT '',
    warnings             INTEGER NOT NULL DEFAULT 0,
    accreditation        TEXT NOT NULL DEFAULT '',
    accreditation_until  TEXT NOT NULL DEFAULT '',
    checklist_version    INTEGER NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL DEFAULT 1,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX places_region ON places (region_code, kind, status);
CREATE INDEX places_phone ON places (host_phone_hash);

CREATE TABLE place_events (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note_enc    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX place_events_place ON place_events (place_id, at);

CREATE TABLE place_checklists (
    version     INTEGER PRIMARY KEY,
    items       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE place_checks (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    item        TEXT NOT NULL,
    result      TEXT NOT NULL,
    note_enc    TEXT NOT NULL DEFAULT '',
    checked_by  TEXT NOT NULL,
    checked_at  TIMESTAMP NOT NULL,
    UNIQUE (place_id, version, item)
);

CREATE TABLE stays (
    id                 TEXT PRIMARY KEY,
    place_id           TEXT NOT NULL REFERENCES places (id),
    case_id            TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    victim_id          TEXT NOT NULL REFERENCES victims (id) ON DELETE CASCADE,
    status             TEXT NOT NULL,
    emergency          INTEGER NOT NULL DEFAULT 0,
    reason_enc         TEXT NOT NULL DEFAULT '',
    gatekeeping_enc    TEXT NOT NULL DEFAULT '',
    gatekeeping_by     TEXT NOT NULL DEFAULT '',
    hold_expires_at    TIMESTAMP,
    from_at            TIMESTAMP,
    to_at              TIMESTAMP,
    stay_until         TIMESTAMP,
    extension_reason_enc TEXT NOT NULL DEFAULT '',
    extension_approver TEXT NOT NULL DEFAULT '',
    exit_reason        TEXT NOT NULL DEFAULT '',
    exit_destination   TEXT NOT NULL DEFAULT '',
    previous_id        TEXT NOT NULL DEFAULT '',
    code               TEXT NOT NULL DEFAULT '',
    asked_until        TIMESTAMP,
    review_no          INTEGER NOT NULL DEFAULT 0,
    next_review        TIMESTAMP,
    placed_by_id       TEXT NOT NULL DEFAULT '',
    placed_by          TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stays_place ON stays (place_id, status);
CREATE INDEX stays_case ON stays (case_id, created_at);
CREATE INDEX stays_code ON stays (code);
CREATE UNIQUE INDEX stays_one_per_child ON stays (victim_id) WHERE status IN ('held', 'active');

-- A host's trainings, incentives (kind, amount in rupiah, date; per-night
-- ones computed from a stay's nights) and supervision visits (findings
-- sealed, the next visit due).
CREATE TABLE place_trainings (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX place_trainings_place ON place_trainings (place_id, held_on);

CREATE TABLE place_incentives (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    given_on    TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    stay_id     TEXT NOT NULL DEFAULT '',
    nights      INTEGER NOT NULL DEFAULT 0,
    rate        BIGINT NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX place_incentives_place ON place_incentives (place_id, given_on);
CREATE UNIQUE INDEX place_incentives_stay ON place_incentives (stay_id) WHERE stay_id <> '';

CREATE TABLE place_visits (
    id            TEXT PRIMARY KEY,
    place_id      TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    visited_on    TEXT NOT NULL,
    visitor       TEXT NOT NULL,
    findings_enc  TEXT NOT NULL DEFAULT '',
    next_due      TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX place_visits_place ON place_visits (place_id, visited_on);
