-- The other dialect's 0037 adds the function that stops a public report's
-- one statement over a rate limit. SQLite writes in the process, where a
-- report is no cheaper as one statement: nothing to do here; the migration
-- keeps both dialects' versions alike.
SELECT 1;
