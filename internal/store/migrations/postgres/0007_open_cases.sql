-- Open cases (closed_at IS NULL) in report order, for the inbox's "open"
-- view: a partial index holds only them, so a district's open cases are
-- read in order instead of sorting every open case of the regency.
CREATE INDEX cases_open_reported ON cases (reported_at, id) WHERE closed_at IS NULL AND next_due_at IS NULL;
CREATE INDEX cases_open_region ON cases (region_code) WHERE closed_at IS NULL;
