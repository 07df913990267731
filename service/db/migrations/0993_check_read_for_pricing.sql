-- An estimate priced from a stored eligibility check (the intake flow: check, then estimate) read the check with
-- BEGIN and the organization setting, the SELECT, and COMMIT: three round trips, and every column of the check,
-- its raw 270 and 271 (megabytes for a large 271) among them, though pricing uses none of them. One statement now,
-- setting the organization transaction-locally for its own body as migration 0952's reads do (not SECURITY
-- DEFINER: row-level security binds it as it bound the SELECT), returning only what pricing reads: the facts the
-- estimate keeps (no PHI) and the benefits split into their head and their rows' JSON as before. The estimate's
-- own audit row records the use (estimate.create with the check's patient key).
CREATE FUNCTION read_check_for_pricing(acting_for text, wanted_id uuid)
RETURNS TABLE (id uuid, created_at timestamptz, source text, status text, payer_id text, payer_name text,
               date_of_service date, service_type_codes text[], patient_key text, age float8,
               benefits_head text, benefit_rows_json text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    previous text := current_setting('app.organization_id', true);
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    RETURN QUERY
        SELECT c.id, c.created_at, c.source, c.status, c.payer_id, c.payer_name, c.date_of_service,
               c.service_type_codes, c.patient_key, extract(epoch FROM now() - c.created_at)::float8,
               (c.benefits - 'benefit_rows')::text, (c.benefits -> 'benefit_rows')::text
          FROM eligibility_checks AS c WHERE c.id = wanted_id;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
