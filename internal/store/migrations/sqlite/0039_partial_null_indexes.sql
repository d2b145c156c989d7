-- Indexes that leave out what is still empty (issue 19). A new report has
-- no case yet, its triage clock no case either, and a new audit entry no
-- place in the hash chain until the sealer gives it one: each of these
-- indexes took an entry for the NULL, a page written at every public
-- report and every audited read, that no query reads (every query of
-- these columns compares them, or says IS NOT NULL, which the databases
-- take as the index's condition). Same statements as the other dialect's
-- 0039.
DROP INDEX reports_case;
CREATE INDEX reports_case ON reports (case_id) WHERE case_id IS NOT NULL;
DROP INDEX deadlines_case;
CREATE INDEX deadlines_case ON deadlines (case_id, met_at) WHERE case_id IS NOT NULL;
DROP INDEX audit_log_pos;
CREATE UNIQUE INDEX audit_log_pos ON audit_log (pos) WHERE pos IS NOT NULL;
