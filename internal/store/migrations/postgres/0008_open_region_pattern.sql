-- PostgreSQL reads LIKE '61.07.01.%' through an index only with
-- text_pattern_ops: rebuild the open-cases region index that way.
DROP INDEX cases_open_region;
CREATE INDEX cases_open_region ON cases (region_code text_pattern_ops) WHERE closed_at IS NULL;
