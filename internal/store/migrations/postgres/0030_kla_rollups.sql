-- KLA roll-ups: the values of every province, regency and district (the
-- region's own and all below it) summed per catalogue, year, indicator and
-- the depth they were entered at (depth: the length of those regions'
-- codes, 2, 5, 8 or 13), so the dashboard reads a few rows per region
-- instead of every village's values. Kept exact and current by the KLA
-- area: every write of a value changes them by its difference in the same
-- transaction (internal/kla/rollup.go). Villages have none: their values
-- are their own. Keyed by year before region: the dashboard reads one
-- year of the regions below a region as one range (and the backfill writes
-- in key order, so that on PostgreSQL too the range lies on few pages).
-- Same columns as sqlite/0030_kla_rollups.sql.
CREATE TABLE kla_rollups (
    region_code  TEXT COLLATE "C" NOT NULL,
    regime       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    depth        INTEGER NOT NULL,
    n            INTEGER NOT NULL, -- values
    self_n       INTEGER NOT NULL, -- with a self-assessed value
    self_sum     DOUBLE PRECISION NOT NULL,
    self_pos     INTEGER NOT NULL, -- self-assessed above 0 (availability: any)
    ver_n        INTEGER NOT NULL, -- with a verified value
    ver_sum      DOUBLE PRECISION NOT NULL,
    ver_pos      INTEGER NOT NULL,
    evidence     INTEGER NOT NULL, -- self-assessed with evidence
    pending      INTEGER NOT NULL, -- by verification state
    verified     INTEGER NOT NULL,
    rejected     INTEGER NOT NULL,
    PRIMARY KEY (regime, year, region_code, indicator_id, depth)
);

-- The values there are now: districts from the values at and below them,
-- then regencies from their districts and their own values, then provinces
-- alike.
INSERT INTO kla_rollups (region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos,
    ver_n, ver_sum, ver_pos, evidence, pending, verified, rejected)
SELECT substr(region_code, 1, 8), regime, year, indicator_id, length(region_code), COUNT(*), COUNT(self_value),
    COALESCE(SUM(self_value), 0), SUM(CASE WHEN self_value > 0 THEN 1 ELSE 0 END),
    COUNT(verified_value), COALESCE(SUM(verified_value), 0), SUM(CASE WHEN verified_value > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN self_value IS NOT NULL AND has_evidence = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN verify_status = 'pending' THEN 1 ELSE 0 END), SUM(CASE WHEN verify_status = 'verified' THEN 1 ELSE 0 END),
    SUM(CASE WHEN verify_status = 'rejected' THEN 1 ELSE 0 END)
FROM kla_values WHERE length(region_code) >= 8
GROUP BY regime, year, substr(region_code, 1, 8), indicator_id, length(region_code)
ORDER BY regime, year, substr(region_code, 1, 8), indicator_id, length(region_code);

INSERT INTO kla_rollups (region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos,
    ver_n, ver_sum, ver_pos, evidence, pending, verified, rejected)
SELECT substr(region_code, 1, 5), regime, year, indicator_id, depth, SUM(n), SUM(self_n), SUM(self_sum), SUM(self_pos),
    SUM(ver_n), SUM(ver_sum), SUM(ver_pos), SUM(evidence), SUM(pending), SUM(verified), SUM(rejected)
FROM (
    SELECT region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos, ver_n, ver_sum, ver_pos,
        evidence, pending, verified, rejected
    FROM kla_rollups WHERE length(region_code) = 8
    UNION ALL
    SELECT region_code, regime, year, indicator_id, 5, 1, CASE WHEN self_value IS NULL THEN 0 ELSE 1 END,
        COALESCE(self_value, 0), CASE WHEN self_value > 0 THEN 1 ELSE 0 END,
        CASE WHEN verified_value IS NULL THEN 0 ELSE 1 END, COALESCE(verified_value, 0),
        CASE WHEN verified_value > 0 THEN 1 ELSE 0 END,
        CASE WHEN self_value IS NOT NULL AND has_evidence = 1 THEN 1 ELSE 0 END,
        CASE WHEN verify_status = 'pending' THEN 1 ELSE 0 END, CASE WHEN verify_status = 'verified' THEN 1 ELSE 0 END,
        CASE WHEN verify_status = 'rejected' THEN 1 ELSE 0 END
    FROM kla_values WHERE length(region_code) = 5
) AS below
GROUP BY regime, year, substr(region_code, 1, 5), indicator_id, depth
ORDER BY regime, year, substr(region_code, 1, 5), indicator_id, depth;

INSERT INTO kla_rollups (region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos,
    ver_n, ver_sum, ver_pos, evidence, pending, verified, rejected)
SELECT substr(region_code, 1, 2), regime, year, indicator_id, depth, SUM(n), SUM(self_n), SUM(self_sum), SUM(self_pos),
    SUM(ver_n), SUM(ver_sum), SUM(ver_pos), SUM(evidence), SUM(pending), SUM(verified), SUM(rejected)
FROM (
    SELECT region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos, ver_n, ver_sum, ver_pos,
        evidence, pending, verified, rejected
    FROM kla_rollups WHERE length(region_code) = 5
    UNION ALL
    SELECT region_code, regime, year, indicator_id, 2, 1, CASE WHEN self_value IS NULL THEN 0 ELSE 1 END,
        COALESCE(self_value, 0), CASE WHEN self_value > 0 THEN 1 ELSE 0 END,
        CASE WHEN verified_value IS NULL THEN 0 ELSE 1 END, COALESCE(verified_value, 0),
        CASE WHEN verified_value > 0 THEN 1 ELSE 0 END,
        CASE WHEN self_value IS NOT NULL AND has_evidence = 1 THEN 1 ELSE 0 END,
        CASE WHEN verify_status = 'pending' THEN 1 ELSE 0 END, CASE WHEN verify_status = 'verified' THEN 1 ELSE 0 END,
        CASE WHEN verify_status = 'rejected' THEN 1 ELSE 0 END
    FROM kla_values WHERE length(region_code) = 2
) AS below
GROUP BY regime, year, substr(region_code, 1, 2), indicator_id, depth
ORDER BY regime, year, substr(region_code, 1, 2), indicator_id, depth;
