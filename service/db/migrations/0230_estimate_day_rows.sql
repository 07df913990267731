-- An estimate's per-day rows, packed (service/pricing/packed_days.py): the days as columns and their few distinct
-- money rows, one JSON array per level in the order of the estimates. The stored answer (response) then holds no
-- per-day rows; every read puts them back from here, so what is read is what was answered. NULL for an estimate
-- stored before this column, whose response holds its rows itself. For a three-level 12-week estimate the rows
-- were ~53 KB of the ~85 KB answer, written, compressed and sent by PostgreSQL on every estimate.
ALTER TABLE estimates ADD COLUMN day_rows json;
