-- Statistics (issue 16, SPEC H). stat_releases: published releases of a
-- region's statistics for a year (2024-A, 2024-B...): the tables as
-- computed (staff only), as published after disclosure control, the cells
-- changed since the previous release and the explanations kept for rule
-- violations; never updated. stat_rules: validation rules an admin adds
-- (left measure, operator, right measure or number, importance).
-- stat_explanations: why a value is kept despite a violated rule or a
-- year-on-year jump, per region, year and check. stat_hist_tables:
-- historical tables imported for years before lindu, as published and as
-- recomputed (JSON), with the checks found at import. Same columns as the
-- other dialect's 0028.
CREATE TABLE stat_releases (
    id           TEXT PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    label        TEXT NOT NULL,
    threshold    INTEGER NOT NULL,
    tables_json  TEXT NOT NULL,
    public_json  TEXT NOT NULL,
    changes_json TEXT NOT NULL,
    notes_json   TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    UNIQUE (region_code, year, seq)
);

CREATE TABLE stat_rules (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    left_side   TEXT NOT NULL,
    op          TEXT NOT NULL,
    right_side  TEXT NOT NULL,
    importance  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX stat_rules_region ON stat_rules (region_code);

CREATE TABLE stat_explanations (
    region_code TEXT NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    check_key   TEXT NOT NULL,
    comment     TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, year, check_key)
);

CREATE TABLE stat_hist_tables (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    title       TEXT NOT NULL,
    file_sha    TEXT NOT NULL,
    table_json  TEXT NOT NULL,
    checks_json TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (region_code, title)
);
