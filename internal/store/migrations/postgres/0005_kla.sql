-- KLA (Kabupaten/Kota Layak Anak): the versioned indicator catalogue, the
-- scoring rubric per regime and year, values entered by agencies (self-
-- assessed and verified kept apart) with their history and evidence files,
-- performance agreements and programme budgets. Same tables and columns as
-- sqlite/0005_kla.sql.

-- The agency (OPD) an opd_operator enters data for; '' for everyone else.
ALTER TABLE users ADD COLUMN agency TEXT NOT NULL DEFAULT '';

-- Agencies and other parties: kind is opd, business, media or community.
CREATE TABLE kla_agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'opd'
);

CREATE TABLE kla_regimes (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    from_year  INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE kla_indicators (
    regime     TEXT NOT NULL REFERENCES kla_regimes (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    position   INTEGER NOT NULL,
    cluster    TEXT NOT NULL,
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    polarity   TEXT NOT NULL,
    agency     TEXT NOT NULL DEFAULT '',
    definition TEXT NOT NULL DEFAULT '',
    sub_items  TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    computed   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (regime, id)
);

-- One rule per indicator, regime and year the rule starts applying.
CREATE TABLE kla_rubric (
    regime       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    method       TEXT NOT NULL,
    max_points   DOUBLE PRECISION NOT NULL,
    worst        DOUBLE PRECISION NOT NULL DEFAULT 0,
    best         DOUBLE PRECISION NOT NULL DEFAULT 0,
    steps        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (regime, year, indicator_id)
);

-- The current value of an indicator in a region and year. Clustered on the
-- region code so a region's subtree is one range scan.
CREATE TABLE kla_values (
    region_code    TEXT COLLATE "C" NOT NULL,
    year           INTEGER NOT NULL,
    regime         TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    self_value     DOUBLE PRECISION,
    verified_value DOUBLE PRECISION,
    verify_status  TEXT NOT NULL DEFAULT 'pending',
    has_evidence   INTEGER NOT NULL DEFAULT 0,
    note           TEXT NOT NULL DEFAULT '',
    link           TEXT NOT NULL DEFAULT '',
    file_id        TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMPTZ NOT NULL,
    updated_by     TEXT NOT NULL DEFAULT '',
    verified_at    TIMESTAMPTZ,
    verified_by    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region_code, year, regime, indicator_id)
);
CREATE INDEX kla_values_year ON kla_values (year, regime, verify_status);

-- Every change of a value: entered, verified, rejected (append-only).
CREATE TABLE kla_value_history (
    id           TEXT PRIMARY KEY,
    region_code  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    regime       TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    value        DOUBLE PRECISION,
    note         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    file_id      TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX kla_value_history_key ON kla_value_history (region_code, year, regime, indicator_id, at);

CREATE TABLE kla_files (
    id           TEXT PRIMARY KEY,
    region_code  TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- Perjanjian Kinerja KLA: one party's agreement for a year.
CREATE TABLE kla_agreements (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    agency      TEXT NOT NULL,
    title       TEXT NOT NULL,
    signed_on   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX kla_agreements_region ON kla_agreements (region_code, year);
CREATE INDEX kla_agreements_agency ON kla_agreements (agency, year);

CREATE TABLE kla_commitments (
    id           TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES kla_agreements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    polarity     TEXT NOT NULL,
    target       DOUBLE PRECISION NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL
);
CREATE INDEX kla_commitments_agreement ON kla_commitments (agreement_id, position);

CREATE TABLE kla_realisations (
    id            TEXT PRIMARY KEY,
    commitment_id TEXT NOT NULL REFERENCES kla_commitments (id) ON DELETE CASCADE,
    on_date       TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX kla_realisations_commitment ON kla_realisations (commitment_id, on_date);

-- Programme > activity > sub-activity; money in whole rupiah on sub-activities.
CREATE TABLE kla_budget_items (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    agency      TEXT NOT NULL,
    parent_id   TEXT REFERENCES kla_budget_items (id) ON DELETE CASCADE,
    level       TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    budget      BIGINT NOT NULL DEFAULT 0,
    realised    BIGINT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX kla_budget_region ON kla_budget_items (region_code, year, agency);
CREATE INDEX kla_budget_parent ON kla_budget_items (parent_id);
