-- Estimates stored in batches: the estimates of concurrent requests, each with its audit row, in one statement and
-- one commit (service/pricing/store.py sends them through service/eligibility/read_batches.py, as the audited check
-- reads of 0952 go), instead of a statement and a commit each (0991's insert_estimate_audited, kept for rows sent
-- by a service not yet upgraded).
--
-- Arrays, one element per estimate, as 0991's function takes one estimate's arguments; the json copies as text
-- (cast to json here: the same check as before, and no array-of-json codec needed in the client), the fee-schedule
-- version ids of each estimate as an array literal (arrays of arrays must be rectangular). Per estimate, as 0991:
--
-- - stored only when its inputs_generation is NULL or the reference data's current generation (stored = false:
--   nothing written, neither row nor audit row; the service prices that estimate again);
-- - written acting for its own organization: the rows of each organization of the batch go in one INSERT each
--   (estimates, then audit_log) under that organization's setting, so row-level security checks every row against
--   the organization of the request that made it; the setting found is put back before the function returns.
--
-- Called alone it is one statement in its own implicit transaction: every row and audit row of the batch is
-- committed before any caller is answered, and a statement that fails stores nothing of its batch (the service then
-- sends the batch's estimates one by one, so only the one that cannot be stored fails).
CREATE FUNCTION insert_estimates_audited(
    acting_for text[], estimate_id uuid[], made_at timestamptz[], made_by text[], patient text[], first_name text[],
    last_name text[], date_of_birth date[], source text[], check_id uuid[], as_of_day date[], request_json text[],
    benefits_json text[], rates_json text[], version_ids text[], figures_json text[], response_json text[],
    hash text[], day_rows_json text[], audit_actor text[], audit_role text[], audit_request_id text[],
    audit_reason text[], inputs_generation bigint[]
) RETURNS TABLE (n integer, stored boolean) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
    current_generation bigint := (SELECT g.generation FROM reference_data_generation AS g);
    keep boolean[];
    organization text;
BEGIN
    keep := ARRAY(SELECT g IS NULL OR g = current_generation FROM unnest(inputs_generation) AS g);
    FOR organization IN SELECT DISTINCT a FROM unnest(acting_for) AS a LOOP
        PERFORM set_config('app.organization_id', coalesce(organization, ''), true);
        INSERT INTO estimates (id, created_at, updated_at, created_by, patient_key, patient_first_name,
                               patient_last_name, patient_dob, benefits_source, eligibility_check_id, as_of, request,
                               benefits, rates, rate_version_ids, figures, response, request_hash, day_rows)
        SELECT u.id, u.made_at, u.made_at, u.made_by, u.patient, u.first_name, u.last_name, u.dob, u.source,
               u.check_id, u.as_of_day, u.request::json, u.benefits::json, u.rates::json, u.version_ids::uuid[],
               u.figures::json, u.response::json, u.hash, u.day_rows::json
          FROM unnest(acting_for, keep, estimate_id, made_at, made_by, patient, first_name, last_name, date_of_birth,
                      source, check_id, as_of_day, request_json, benefits_json, rates_json, version_ids,
                      figures_json, response_json, hash, day_rows_json)
               AS u(acting, kept, id, made_at, made_by, patient, first_name, last_name, dob, source, check_id,
                    as_of_day, request, benefits, rates, version_ids, figures, response, hash, day_rows)
         WHERE u.kept AND u.acting IS NOT DISTINCT FROM organization;
        INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                               reason)
        SELECT u.actor, u.role, 'estimate.create', 'estimate', u.id::text, u.patient, u.request_id, 'success',
               u.reason
          FROM unnest(acting_for, keep, estimate_id, patient, audit_actor, audit_role, audit_request_id,
                      audit_reason) AS u(acting, kept, id, patient, actor, role, request_id, reason)
         WHERE u.kept AND u.acting IS NOT DISTINCT FROM organization;
    END LOOP;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
    RETURN QUERY SELECT i, keep[i] FROM generate_subscripts(estimate_id, 1) AS i;
END;
$$;
