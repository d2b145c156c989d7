-- The inbox counts the cases of a region with a running clock, and the
-- overdue and due-soon ones among them, on every page view. The index of
-- running clocks now carries each case's region and closed_at, so those
-- counts can be answered from the index.
DROP INDEX cases_due_open;
CREATE INDEX cases_due_open ON cases (next_due_at, id, region_code, closed_at) WHERE next_due_at IS NOT NULL;
