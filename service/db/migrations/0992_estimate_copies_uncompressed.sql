-- An estimate's rates copy (~1.9 KB), figures (~1.1 KB) and packed per-day rows (~6 KB for three 12-week levels) are
-- kept out of line without compression, as its answer is since 0971: pglz compressing them was about a sixth of
-- the estimate's insert in PostgreSQL, 0.78-0.84 -> 0.62-0.70 ms CPU per insert (500 replays each way, alternating
-- three times, on the 2-core machine of the README's benchmarks), for ~6 KB more per estimate on disk. Their sizes
-- are bounded by the number of levels and service days. The request and the benefits stay compressed: a posted
-- 271 makes them megabytes, which compress well. Rows stored before keep their compressed values; both read the
-- same.
ALTER TABLE estimates ALTER COLUMN rates SET STORAGE EXTERNAL,
                      ALTER COLUMN figures SET STORAGE EXTERNAL,
                      ALTER COLUMN day_rows SET STORAGE EXTERNAL;
