-- The inbox lists the open cases without a running clock newest first,
-- LIMIT a page, within the caller's region. The index of those cases now
-- carries the region (and the two columns of its condition), so that
-- list reads the index alone until it has a page of the caller's region:
-- for a district of a 200,000-case regency SQLite otherwise sorted all
-- 1,000 of the district's open cases, or looked up each case it passed.
DROP INDEX cases_open_reported;
CREATE INDEX cases_open_reported ON cases (reported_at, id, region_code, closed_at, next_due_at)
    WHERE closed_at IS NULL AND next_due_at IS NULL;
