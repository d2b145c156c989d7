-- Case tallies (issue 19): how many cases each region code holds in each
-- status, kept by triggers in the same transaction as every insert, delete
-- and change of a case's status or region, so the inbox's counts (open,
-- new, per status) read a few hundred tally rows of the caller's region
-- instead of every case in it. The triggers are created before the tallies
-- are filled, in the migration's one transaction. Same table and triggers
-- as the other dialect's 0029.
CREATE TABLE case_tallies (
    region_code TEXT NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (region_code, status)
);

CREATE TRIGGER case_tallies_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_tallies (region_code, status, n) VALUES (NEW.region_code, NEW.status, 1)
        ON CONFLICT (region_code, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_tallies_delete AFTER DELETE ON cases BEGIN
    UPDATE case_tallies SET n = n - 1 WHERE region_code = OLD.region_code AND status = OLD.status;
END;

CREATE TRIGGER case_tallies_update AFTER UPDATE OF region_code, status ON cases
    WHEN OLD.region_code IS NOT NEW.region_code OR OLD.status IS NOT NEW.status BEGIN
    UPDATE case_tallies SET n = n - 1 WHERE region_code = OLD.region_code AND status = OLD.status;
    INSERT INTO case_tallies (region_code, status, n) VALUES (NEW.region_code, NEW.status, 1)
        ON CONFLICT (region_code, status) DO UPDATE SET n = n + 1;
END;

INSERT INTO case_tallies (region_code, status, n)
    SELECT region_code, status, COUNT(*) FROM cases GROUP BY region_code, status;
