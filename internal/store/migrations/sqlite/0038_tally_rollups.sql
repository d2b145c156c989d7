-- Case tallies roll up (issue 19): each case now counts in the tally row of
-- its own region code and of every region above it (province, regency,
-- district: the Kemendagri code's prefixes of 2, 5, 8 and 13 characters),
-- so the inbox's counts for any scope are the few rows of that one code,
-- read by the primary key, instead of the sum of every village's rows under
-- it (a regency's 374 rows at 200,000 cases, a province's thousands, on
-- every inbox view). A case write changes up to eight rows instead of two,
-- all in one statement. The ancestors' rows are filled from the cases in
-- this migration's one transaction, after the triggers are replaced.
DROP TRIGGER case_tallies_insert;
DROP TRIGGER case_tallies_delete;
DROP TRIGGER case_tallies_update;
DROP INDEX case_tallies_region;
DELETE FROM case_tallies;

CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_tallies (region_code, status, n)
        SELECT substr(NEW.region_code, 1, k.len), NEW.status, 1
        FROM (SELECT 2 AS len UNION ALL SELECT 5 UNION ALL SELECT 8 UNION ALL SELECT 13) k
        WHERE length(NEW.region_code) >= k.len
        ON CONFLICT (region_code, status) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_tallies_delete AFTER DELETE ON cases BEGIN
    UPDATE case_tallies SET n = n - 1
        WHERE status = OLD.status AND region_code IN (substr(OLD.region_code, 1, 2), substr(OLD.region_code, 1, 5),
            substr(OLD.region_code, 1, 8), substr(OLD.region_code, 1, 13));
END;

-- A move from one region to another with the same status leaves the rows
-- of the regions both are under as they were (their changes sum to 0).
CREATE TRIGGER case_tallies_update AFTER UPDATE OF region_code, status ON cases
    WHEN OLD.region_code IS NOT NEW.region_code OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO case_tallies (region_code, status, n)
        SELECT d.region_code, d.status, SUM(d.delta) FROM (
            SELECT substr(OLD.region_code, 1, k.len) AS region_code, OLD.status AS status, -1 AS delta
            FROM (SELECT 2 AS len UNION ALL SELECT 5 UNION ALL SELECT 8 UNION ALL SELECT 13) k
            WHERE length(OLD.region_code) >= k.len
            UNION ALL
            SELECT substr(NEW.region_code, 1, k.len), NEW.status, 1
            FROM (SELECT 2 AS len UNION ALL SELECT 5 UNION ALL SELECT 8 UNION ALL SELECT 13) k
            WHERE length(NEW.region_code) >= k.len
        ) d WHERE true GROUP BY d.region_code, d.status HAVING SUM(d.delta) <> 0
        ON CONFLICT (region_code, status) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO case_tallies (region_code, status, n)
    SELECT substr(c.region_code, 1, k.len), c.status, COUNT(*)
    FROM cases c, (SELECT 2 AS len UNION ALL SELECT 5 UNION ALL SELECT 8 UNION ALL SELECT 13) k
    WHERE length(c.region_code) >= k.len
    GROUP BY substr(c.region_code, 1, k.len), c.status;
