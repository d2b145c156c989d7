-- Inbox speed: the case's types as one searchable column (",physical,sexual,")
-- so a type filter needs no join, and a covering index for status + region
-- counts.
ALTER TABLE cases ADD COLUMN type_set TEXT NOT NULL DEFAULT '';
UPDATE cases SET type_set = ',' || (SELECT group_concat(type, ',') FROM (SELECT type FROM case_types ct WHERE ct.case_id = cases.id ORDER BY type)) || ','
WHERE EXISTS (SELECT 1 FROM case_types ct WHERE ct.case_id = cases.id);
CREATE INDEX cases_status_region ON cases (status, region_code);
