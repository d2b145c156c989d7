-- The reports waiting for triage of the caller's region, counted on every
-- view of the triage list and of the case inbox (its chip): with the
-- region outside the index, each waiting report of the status was a
-- look-up of its row to test the region (160 in the benchmark regency,
-- 18 % of lindu's CPU for the triage list's API on SQLite). With the
-- region in the index the count reads the index alone, and the list,
-- walking the status newest first, looks up only the rows of its page.
-- The index replaces 0002's (status, received_at): same writes per
-- report. Same statements as the other dialect's 0041.
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports (status, received_at, region_code);
