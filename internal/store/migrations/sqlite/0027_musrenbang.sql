-- Musrenbang Anak (issue 15, SPEC G). forums: children's forums with
-- their facilitators (forum_facilitators). child_accounts: children
-- registered by a facilitator (nickname, age group, village, guardian
-- consent; no e-mail, no surname, no school); a login code (hashed) and an
-- optional phone (sealed, with a keyed hash for SMS support). child_sessions:
-- the children's own sessions (hashed tokens). proposals: title and text
-- sealed (they may hold personal data until a facilitator edits them),
-- an optional photo sealed too (metadata stripped; public once approved),
-- pre-moderated; a merge keeps the originals (merged_into) and is
-- reversible. proposal_authors, proposal_supports (one per child per
-- proposal). child_messages: the children's inbox. tickets: golden tickets
-- to the Musrenbang, with their stages (ticket_steps) and APBD lines
-- (ticket_lines). planning_calendar: the year's planning dates. Same
-- columns as the other dialect's 0027.
CREATE TABLE forums (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX forums_region ON forums (region_code);

CREATE TABLE forum_facilitators (
    forum_id TEXT NOT NULL REFERENCES forums (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (forum_id, user_id)
);

CREATE TABLE child_accounts (
    id              TEXT PRIMARY KEY,
    forum_id        TEXT NOT NULL REFERENCES forums (id),
    nickname_enc    TEXT NOT NULL,
    age_group       TEXT NOT NULL,
    village_code    TEXT NOT NULL REFERENCES regions (code),
    consent_by      TEXT NOT NULL,
    consent_at      TIMESTAMP NOT NULL,
    code_hash       TEXT NOT NULL UNIQUE,
    phone_enc       TEXT NOT NULL DEFAULT '',
    phone_hash      TEXT NOT NULL DEFAULT '',
    guardian_enc    TEXT NOT NULL DEFAULT '',
    guardian_hash   TEXT NOT NULL DEFAULT '',
    disabled_at     TIMESTAMP,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX child_accounts_forum ON child_accounts (forum_id);
CREATE INDEX child_accounts_phone ON child_accounts (phone_hash);

CREATE TABLE child_sessions (
    token_hash TEXT PRIMARY KEY,
    child_id   TEXT NOT NULL REFERENCES child_accounts (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE proposals (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    forum_id      TEXT NOT NULL REFERENCES forums (id),
    title_enc     TEXT NOT NULL,
    body_enc      TEXT NOT NULL,
    cluster       TEXT NOT NULL,
    village_code  TEXT NOT NULL REFERENCES regions (code),
    age_group     TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    merged_into   TEXT NOT NULL DEFAULT '',
    supports      INTEGER NOT NULL DEFAULT 0,
    photo_type    TEXT NOT NULL DEFAULT '',
    photo_enc     TEXT NOT NULL DEFAULT '',
    moderated_by  TEXT NOT NULL DEFAULT '',
    moderated_at  TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX proposals_forum ON proposals (forum_id, status);
CREATE INDEX proposals_status ON proposals (status, village_code);

CREATE TABLE proposal_authors (
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    child_id    TEXT NOT NULL REFERENCES child_accounts (id),
    PRIMARY KEY (proposal_id, child_id)
);

CREATE TABLE proposal_supports (
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    child_id    TEXT NOT NULL REFERENCES child_accounts (id),
    via         TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (proposal_id, child_id)
);

CREATE TABLE proposal_events (
    id          TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id, at);

CREATE TABLE child_messages (
    id         TEXT PRIMARY KEY,
    child_id   TEXT NOT NULL REFERENCES child_accounts (id) ON DELETE CASCADE,
    proposal_id TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    dedupe     TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX child_messages_child ON child_messages (child_id, created_at);

CREATE TABLE tickets (
    id           TEXT PRIMARY KEY,
    proposal_id  TEXT NOT NULL UNIQUE REFERENCES proposals (id),
    year         INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    agency       TEXT NOT NULL DEFAULT '',
    sub_activity TEXT NOT NULL DEFAULT '',
    rkpd_year    INTEGER NOT NULL DEFAULT 0,
    apbd_year    INTEGER NOT NULL DEFAULT 0,
    selected_by  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_year ON tickets (year, stage);

CREATE TABLE ticket_steps (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    stage     TEXT NOT NULL,
    detail    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX ticket_steps_ticket ON ticket_steps (ticket_id, at);

CREATE TABLE ticket_lines (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    apbd_year  INTEGER NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    amount     INTEGER NOT NULL,
    realised   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ticket_id, code)
);
CREATE INDEX ticket_lines_year ON ticket_lines (apbd_year, code);

CREATE TABLE planning_calendar (
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    step        TEXT NOT NULL,
    day         TEXT NOT NULL,
    PRIMARY KEY (region_code, year, step)
);
