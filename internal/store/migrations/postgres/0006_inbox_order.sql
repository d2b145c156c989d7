-- The inbox reads cases with a running clock through this (small) partial
-- index; the old index on next_due_at also indexed the NULLs of every
-- finished case and lured planners into sorting them all.
DROP INDEX cases_due;
CREATE INDEX cases_due_open ON cases (next_due_at, id) WHERE next_due_at IS NOT NULL;
