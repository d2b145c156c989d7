-- KLA versions: a counter per province, regency and district, catalogue
-- and year, raised in the same transaction as every write that changes a
-- value at or below the region (internal/kla/rollup.go, rollupDelta and
-- rebuildRollups). While a region's counter stands still, nothing the
-- dashboard reads of the regions below it has changed: the dashboard keeps
-- what it read of a regency's villages (3,844 values at 124 villages) and
-- reads the counter instead. No row: no write since this migration (0).
-- Same columns as postgres/0035_kla_versions.sql.
CREATE TABLE kla_versions (
    regime      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (regime, year, region_code)
) WITHOUT ROWID;
