-- Audit entries are written without a chain position inside the business
-- transaction (no global lock: concurrent requests no longer queue behind
-- one advisory lock), and a sealer gives committed entries their position
-- and hash afterwards (store.SealAudit). seq stays the entry's number in
-- insertion order, now from a sequence; pos is its place in the hash chain
-- (NULL while pending). Existing entries were chained in seq order.
ALTER TABLE audit_log ADD COLUMN pos BIGINT;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET pos = seq;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
CREATE UNIQUE INDEX audit_log_pos ON audit_log (pos);
CREATE INDEX audit_log_pending ON audit_log (seq) WHERE pos IS NULL;

CREATE SEQUENCE audit_log_seq_seq OWNED BY audit_log.seq;
SELECT setval('audit_log_seq_seq', COALESCE((SELECT MAX(seq) FROM audit_log), 0) + 1, false);
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq_seq');

-- Still append-only: the one change allowed is sealing a pending entry
-- once (setting pos, prev_hash and hash), with every other field unchanged.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.pos IS NULL AND OLD.hash = '' AND NEW.pos IS NOT NULL AND NEW.hash <> ''
       AND (NEW.seq, NEW.at, NEW.actor_id, NEW.actor, NEW.actor_role, NEW.action, NEW.object_type,
            NEW.object_id, NEW.region_code, NEW.ip, NEW.user_agent, NEW.detail)
           IS NOT DISTINCT FROM
           (OLD.seq, OLD.at, OLD.actor_id, OLD.actor, OLD.actor_role, OLD.action, OLD.object_type,
            OLD.object_id, OLD.region_code, OLD.ip, OLD.user_agent, OLD.detail) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
