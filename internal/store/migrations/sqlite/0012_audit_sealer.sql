-- Audit entries are written without a chain position inside the business
-- transaction, and a sealer gives committed entries their position and hash
-- afterwards (store.SealAudit), the same code path as on PostgreSQL. seq
-- stays the entry's number in insertion order (the rowid); pos is its place
-- in the hash chain (NULL while pending). Existing entries were chained in
-- seq order.
ALTER TABLE audit_log ADD COLUMN pos INTEGER;
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET pos = seq;
CREATE UNIQUE INDEX audit_log_pos ON audit_log (pos);
CREATE INDEX audit_log_pending ON audit_log (seq) WHERE pos IS NULL;

-- Still append-only: the one change allowed is sealing a pending entry
-- once (setting pos, prev_hash and hash), with every other field unchanged.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.pos IS NOT NULL OR OLD.hash <> '' OR NEW.pos IS NULL OR NEW.hash = ''
  OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor IS NOT OLD.actor OR NEW.actor_role IS NOT OLD.actor_role OR NEW.action IS NOT OLD.action
  OR NEW.object_type IS NOT OLD.object_type OR NEW.object_id IS NOT OLD.object_id
  OR NEW.region_code IS NOT OLD.region_code OR NEW.ip IS NOT OLD.ip OR NEW.user_agent IS NOT OLD.user_agent
  OR NEW.detail IS NOT OLD.detail
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
