-- The other dialect's 0034 gives PostgreSQL an index for the region
-- condition of the case tallies, which its primary key cannot serve.
-- SQLite runs that condition as a range (store.sqliteSQL) on the primary
-- key already; the same index is made here so both schemas stay alike.
-- It costs a write only when a region gets its first case of a status
-- (updates of n change no indexed column).
CREATE INDEX case_tallies_region ON case_tallies (region_code);
