-- Case tallies roll up (issue 19): each case now counts in the tally row of
-- its own region code and of every region above it (province, regency,
-- district: the Kemendagri code's prefixes of 2, 5, 8 and 13 characters),
-- so the inbox's counts for any scope are the few rows of that one code,
-- read by the primary key, instead of the sum of every village's rows under
-- it (a regency's 374 rows at 200,000 cases, a province's thousands, on
-- every inbox view). A case write changes up to eight rows instead of two,
-- in one statement that takes their row locks in key order: two writers
-- changing cases of one regency (one closing a case while another reopens
-- one) wait for each other there instead of each holding a row the other
-- needs. The triggers of 0029 stay: they call the function replaced here.
-- Writers of cases wait for this migration's one transaction (the lock),
-- so no case is written between the refill and the new function. The
-- pattern index of 0034 is no longer used (the region is an equality
-- now). Same table and triggers as the other dialect's 0038.
LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE;
DROP INDEX case_tallies_region;
TRUNCATE case_tallies;

CREATE OR REPLACE FUNCTION case_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_code text;
    old_status text;
    new_code text;
    new_status text;
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        old_code := OLD.region_code;
        old_status := OLD.status;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        new_code := NEW.region_code;
        new_status := NEW.status;
    END IF;
    INSERT INTO case_tallies (region_code, status, n)
        SELECT d.region_code, d.status, SUM(d.delta) FROM (
            SELECT substr(old_code, 1, k) AS region_code, old_status AS status, -1 AS delta
            FROM unnest(ARRAY[2, 5, 8, 13]) k WHERE old_code IS NOT NULL AND length(old_code) >= k
            UNION ALL
            SELECT substr(new_code, 1, k), new_status, 1
            FROM unnest(ARRAY[2, 5, 8, 13]) k WHERE new_code IS NOT NULL AND length(new_code) >= k
        ) d GROUP BY d.region_code, d.status HAVING SUM(d.delta) <> 0
        ORDER BY d.region_code, d.status
        ON CONFLICT (region_code, status) DO UPDATE SET n = case_tallies.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

INSERT INTO case_tallies (region_code, status, n)
    SELECT substr(c.region_code, 1, k), c.status, COUNT(*)
    FROM cases c, unnest(ARRAY[2, 5, 8, 13]) k
    WHERE length(c.region_code) >= k
    GROUP BY substr(c.region_code, 1, k), c.status;
