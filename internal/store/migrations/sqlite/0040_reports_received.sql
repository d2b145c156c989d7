-- The triage list's "all" (every report of the caller's region, newest
-- first) sorted all the region's reports for each page: with 200,000
-- reports behind a regency's cases, 1.2 s a view on SQLite (issue 19).
-- Walked newest first, the list stops at its page. Same statement as the
-- other dialect's 0040.
CREATE INDEX reports_received ON reports (received_at);
