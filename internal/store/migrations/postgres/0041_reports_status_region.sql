-- The reports waiting for triage of the caller's region, counted on every
-- view of the triage list and of the case inbox (its chip): with the
-- region outside the index, each waiting report of the status was a
-- look-up of its row to test the region. With the region in the index
-- the count reads the index alone (160 waiting reports of the benchmark
-- regency, in the sqlite3 shell: 0.18 ms before, 0.03 to 0.09 ms after),
-- and the list, walking the status newest first, looks up only the rows
-- of its page. The index replaces 0002's (status, received_at): same
-- writes per report. Same statements as the other dialect's 0041.
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports (status, received_at, region_code);
