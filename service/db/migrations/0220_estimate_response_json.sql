-- An estimate's stored answer is kept as the text it was sent as (json), not parsed into jsonb: nothing queries
-- inside it (it is read back whole, response::text), and for a three-level 12-week estimate with its per-day rows
-- and payment schedules (~85 KB) parsing into jsonb cost PostgreSQL more than the rest of the insert: 8.8 ms vs
-- 5.2 ms per insert, 3.1 ms vs 1.3 ms per read, on the 2-core machine of the README's benchmarks. json keeps
-- the -> and ->> operators; the answer stays byte for byte what was returned.
ALTER TABLE estimates ALTER COLUMN response TYPE json USING response::json;
