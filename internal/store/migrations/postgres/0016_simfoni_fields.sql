-- The SIMFONI-PPA fields a case record holds beyond 0002: a victim's
-- occupation, marital status and disability types (sealed: health data), a
-- perpetrator's education and occupation, when a service ended and its
-- outcome (sealed: it tells about the child), and domestic violence (KDRT)
-- as a setting of the case instead of a type of violence. Same columns as
-- the other dialect's 0016.
ALTER TABLE victims ADD COLUMN occupation TEXT NOT NULL DEFAULT '';
ALTER TABLE victims ADD COLUMN marital_status TEXT NOT NULL DEFAULT '';
ALTER TABLE victims ADD COLUMN disabilities_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE perpetrators ADD COLUMN education TEXT NOT NULL DEFAULT '';
ALTER TABLE perpetrators ADD COLUMN occupation TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN ended_on TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN outcome_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN kdrt BOOLEAN NOT NULL DEFAULT FALSE;

-- KDRT was a type until now: it becomes the setting, and leaves the types
-- (a case keeps its other types; one that had only KDRT keeps "other").
UPDATE cases SET kdrt = TRUE WHERE id IN (SELECT case_id FROM case_types WHERE type = 'kdrt');
INSERT INTO case_types (case_id, type)
    SELECT case_id, 'other' FROM case_types t WHERE type = 'kdrt'
    AND NOT EXISTS (SELECT 1 FROM case_types o WHERE o.case_id = t.case_id AND o.type <> 'kdrt');
DELETE FROM case_types WHERE type = 'kdrt';
INSERT INTO victim_types (victim_id, type)
    SELECT victim_id, 'other' FROM victim_types t WHERE type = 'kdrt'
    AND NOT EXISTS (SELECT 1 FROM victim_types o WHERE o.victim_id = t.victim_id AND o.type <> 'kdrt');
DELETE FROM victim_types WHERE type = 'kdrt';
