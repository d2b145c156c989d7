-- Case tallies (issue 19): how many cases each region code holds in each
-- status, kept by triggers in the same transaction as every insert, delete
-- and change of a case's status or region, so the inbox's counts (open,
-- new, per status) read a few hundred tally rows of the caller's region
-- instead of every case in it. The triggers are created before the tallies
-- are filled, in the migration's one transaction (CREATE TRIGGER locks out
-- writers of cases until it commits). Same table and triggers as the other
-- dialect's 0029.
CREATE TABLE case_tallies (
    region_code TEXT NOT NULL,
    status      TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (region_code, status)
);

CREATE FUNCTION case_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        UPDATE case_tallies SET n = n - 1 WHERE region_code = OLD.region_code AND status = OLD.status;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        INSERT INTO case_tallies (region_code, status, n) VALUES (NEW.region_code, NEW.status, 1)
            ON CONFLICT (region_code, status) DO UPDATE SET n = case_tallies.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER case_tallies_insert_delete AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_tallies_keep();

CREATE TRIGGER case_tallies_update AFTER UPDATE OF region_code, status ON cases
    FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION case_tallies_keep();

INSERT INTO case_tallies (region_code, status, n)
    SELECT region_code, status, COUNT(*) FROM cases GROUP BY region_code, status;
