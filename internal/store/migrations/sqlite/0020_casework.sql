-- Case management after the first contact (issue 12): assessments with
-- history, the case plan and its actions, follow-up visits, approvals
-- (case plan, closure, reopening), and the case each clock belongs to so
-- an overdue action or visit shows in the inbox like a case's own clock.
-- Same tables and columns as the other dialect's 0020; only the types
-- differ. Narrative fields are sealed (*_enc); codes are not.

-- An assessment (asesmen): risk level and needs by domain. Re-assessing
-- adds a row with the next number; the newest is the current one.
CREATE TABLE case_assessments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    assessed_on TEXT NOT NULL,
    risk        TEXT NOT NULL,
    needs       TEXT NOT NULL DEFAULT '',
    notes_enc   TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (case_id, number)
);

-- The case plan (rencana penanganan): one per case; its status follows
-- the approvals (draft, submitted, approved, returned); revision counts
-- the times it went back to draft after approval.
CREATE TABLE case_plans (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    approved_at  TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 1
);

-- An action of the plan: a goal, what is done, who does it (a worker or
-- an organisation), by when, and where it stands.
CREATE TABLE case_plan_actions (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    plan_id             TEXT NOT NULL REFERENCES case_plans (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    domain              TEXT NOT NULL,
    goal_enc            TEXT NOT NULL DEFAULT '',
    action_enc          TEXT NOT NULL DEFAULT '',
    responsible_user_id TEXT REFERENCES users (id),
    responsible_org_enc TEXT NOT NULL DEFAULT '',
    due_on              TEXT NOT NULL,
    status              TEXT NOT NULL,
    done_at             TIMESTAMP,
    note_enc            TEXT NOT NULL DEFAULT '',
    created_by          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX case_plan_actions_case ON case_plan_actions (case_id, position);
CREATE INDEX case_plan_actions_user ON case_plan_actions (responsible_user_id, status);

-- A follow-up visit (kunjungan): when, who, and once made, its outcome;
-- recording one may schedule the next.
CREATE TABLE case_visits (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    action_id   TEXT REFERENCES case_plan_actions (id) ON DELETE SET NULL,
    planned_on  TEXT NOT NULL,
    visitor_id  TEXT REFERENCES users (id),
    status      TEXT NOT NULL,
    visited_on  TEXT NOT NULL DEFAULT '',
    outcome_enc TEXT NOT NULL DEFAULT '',
    next_id     TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_visits_case ON case_visits (case_id, planned_on);
CREATE INDEX case_visits_visitor ON case_visits (visitor_id, status);

-- An approval asked of a supervisor (persetujuan): of the case plan, of
-- closing the case or of reopening it; approved or returned with a
-- comment, or withdrawn by who asked.
CREATE TABLE case_approvals (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester    TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    note_enc     TEXT NOT NULL DEFAULT '',
    reach_again  INTEGER NOT NULL DEFAULT 0,
    decided_by   TEXT NOT NULL DEFAULT '',
    decider      TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    comment_enc  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_approvals_case ON case_approvals (case_id, requested_at);
CREATE INDEX case_approvals_pending ON case_approvals (status, requested_at);

-- The case a clock belongs to: the case's own clocks and those of its
-- plan actions, visits, referrals and transfers.
ALTER TABLE deadlines ADD COLUMN case_id TEXT;
UPDATE deadlines SET case_id = subject_id WHERE subject_type = 'case';
CREATE INDEX deadlines_case ON deadlines (case_id, met_at);
