-- Reports, cases (SIMFONI-PPA conventions), teams and routing, stored
-- deadlines with escalation steps, and the durable outbox. Same tables and
-- columns as the other dialect's 0002; only the types differ.

CREATE TABLE reports (
    id                 TEXT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    channel            TEXT NOT NULL,
    idempotency_key    TEXT UNIQUE,
    received_at        TIMESTAMP NOT NULL,
    region_code        TEXT NOT NULL REFERENCES regions (code),
    description_enc    TEXT NOT NULL,
    child_age          INTEGER,
    child_sex          TEXT NOT NULL DEFAULT '',
    anonymous          INTEGER NOT NULL DEFAULT 0,
    contact_phone_enc  TEXT NOT NULL DEFAULT '',
    contact_phone_hash TEXT,
    reporter_name_enc  TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    case_id            TEXT,
    reject_reason      TEXT NOT NULL DEFAULT '',
    triaged_at         TIMESTAMP,
    triaged_by         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reports_status ON reports (status, received_at);
CREATE INDEX reports_region ON reports (region_code);
CREATE INDEX reports_phone ON reports (contact_phone_hash, received_at);
CREATE INDEX reports_case ON reports (case_id);

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX teams_region ON teams (region_code, kind);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE duty_roster (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL
);
CREATE INDEX duty_roster_time ON duty_roster (starts_at, ends_at);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    region_code     TEXT NOT NULL REFERENCES regions (code),
    status          TEXT NOT NULL,
    priority        TEXT NOT NULL,
    summary_enc     TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL DEFAULT '',
    incident_date   TEXT NOT NULL DEFAULT '',
    legal_basis     TEXT NOT NULL DEFAULT '',
    team_id         TEXT REFERENCES teams (id),
    support_team_id TEXT REFERENCES teams (id),
    assignee_id     TEXT REFERENCES users (id),
    reported_at     TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    verified_at     TIMESTAMP,
    acknowledged_at TIMESTAMP,
    responded_at    TIMESTAMP,
    closed_at       TIMESTAMP,
    next_due_at     TIMESTAMP,
    next_due_kind   TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_region ON cases (region_code, reported_at);
CREATE INDEX cases_status ON cases (status, reported_at);
CREATE INDEX cases_due ON cases (next_due_at);
CREATE INDEX cases_assignee ON cases (assignee_id);
CREATE INDEX cases_team ON cases (team_id);
CREATE INDEX cases_support_team ON cases (support_team_id);
CREATE INDEX cases_reported ON cases (reported_at);

CREATE TABLE case_types (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    type    TEXT NOT NULL,
    PRIMARY KEY (case_id, type)
);
CREATE INDEX case_types_type ON case_types (type, case_id);

CREATE TABLE victims (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    name_enc    TEXT NOT NULL DEFAULT '',
    sex         TEXT NOT NULL DEFAULT '',
    age         INTEGER,
    disability  TEXT NOT NULL DEFAULT '',
    education   TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX victims_case ON victims (case_id);

CREATE TABLE victim_types (
    victim_id TEXT NOT NULL REFERENCES victims (id) ON DELETE CASCADE,
    type      TEXT NOT NULL,
    PRIMARY KEY (victim_id, type)
);

CREATE TABLE perpetrators (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    name_enc   TEXT NOT NULL DEFAULT '',
    sex        TEXT NOT NULL DEFAULT '',
    age        INTEGER,
    relation   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX perpetrators_case ON perpetrators (case_id);

CREATE TABLE services (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    victim_id  TEXT REFERENCES victims (id) ON DELETE SET NULL,
    type       TEXT NOT NULL,
    provider   TEXT NOT NULL DEFAULT '',
    given_on   TEXT NOT NULL,
    note_enc   TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX services_case ON services (case_id);
CREATE INDEX services_type ON services (type, given_on);

CREATE TABLE referrals (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    agency      TEXT NOT NULL,
    reason_enc  TEXT NOT NULL DEFAULT '',
    referred_on TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id);

CREATE TABLE placements (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    victim_id  TEXT REFERENCES victims (id) ON DELETE SET NULL,
    kind       TEXT NOT NULL,
    place_name TEXT NOT NULL,
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX placements_case ON placements (case_id);

CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note_enc    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE sla_rules (
    priority         TEXT NOT NULL,
    type             TEXT NOT NULL DEFAULT '',
    ack_minutes      INTEGER NOT NULL,
    response_minutes INTEGER NOT NULL,
    PRIMARY KEY (priority, type)
);

CREATE TABLE deadlines (
    id           TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    met_at       TIMESTAMP,
    UNIQUE (subject_type, subject_id, kind)
);
CREATE INDEX deadlines_open ON deadlines (met_at, due_at);

CREATE TABLE escalations (
    id          TEXT PRIMARY KEY,
    deadline_id TEXT NOT NULL REFERENCES deadlines (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL,
    target      TEXT NOT NULL,
    fire_at     TIMESTAMP NOT NULL,
    fired_at    TIMESTAMP,
    fired_by    TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    UNIQUE (deadline_id, step)
);
CREATE INDEX escalations_due ON escalations (fired_at, fire_at);

CREATE TABLE outbox (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL UNIQUE,
    created_at          TIMESTAMP NOT NULL,
    channel             TEXT NOT NULL,
    recipient_user_id   TEXT NOT NULL DEFAULT '',
    to_phone_enc        TEXT NOT NULL DEFAULT '',
    region_code         TEXT NOT NULL DEFAULT '',
    body                TEXT NOT NULL,
    case_id             TEXT NOT NULL DEFAULT '',
    report_id           TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMP NOT NULL,
    sent_at             TIMESTAMP,
    delivered_at        TIMESTAMP,
    provider_message_id TEXT NOT NULL DEFAULT '',
    last_error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient_user_id, created_at);
CREATE INDEX outbox_region ON outbox (region_code, created_at);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL
);
