-- An estimate's stored answer (response, ~17 KB of JSON for a three-level 12-week estimate) is kept out of line
-- without compression. Compressing it (pglz, PostgreSQL's default) cost about 0.4 ms of PostgreSQL CPU per estimate,
-- a quarter of the estimate's insert (1.55 -> 1.15 ms, replayed 500 times each way, alternating, on the 2-core
-- machine of the README's benchmarks), to keep ~7 KB instead of ~17 KB; reading it back no longer decompresses.
-- The per-day rows (day_rows) stay compressed: their ~6 KB shrink sevenfold, cheaply. Rows stored before keep
-- their compressed answers; both read the same.
ALTER TABLE estimates ALTER COLUMN response SET STORAGE EXTERNAL;
