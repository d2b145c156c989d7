-- The other dialect's 0036 leaves room in the pages of PostgreSQL's case
-- tallies so that updates stay on their row's page. SQLite updates a row
-- in place in its B-tree: nothing to do here; the migration keeps both
-- dialects' versions alike.
SELECT 1;
