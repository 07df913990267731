-- Reading a stored estimate (GET /v1/estimates/{id}, the console's estimate page) is one statement that writes its
-- audit row too: it was the row read (BEGIN with the organization setting, SELECT, COMMIT) and then the audit row
-- written (BEGIN, INSERT, COMMIT), six round trips. As migration 0952's audited check reads: not SECURITY DEFINER, the
-- organization set transaction-locally for the function's own body (row-level security binds the read and the
-- audit row to it) and put back before it returns; sent alone, its audit row is committed before the row reaches the
-- caller. An id of no estimate (or another organization's) returns no row and writes the 'not_found' row naming
-- the id asked for.
CREATE FUNCTION read_estimate_audited(acting_for text, wanted_id uuid, audit_actor text, audit_role text,
                                      audit_action text, audit_request_id text, audit_reason text)
RETURNS TABLE (id uuid, created_at timestamptz, updated_at timestamptz, created_by text, patient_key text,
               patient_first_name text, patient_last_name text, patient_dob date, benefits_source text,
               eligibility_check_id uuid, as_of date, request text, rates text, rate_version_ids uuid[], figures text,
               response text, day_rows text, request_hash text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    previous text := current_setting('app.organization_id', true);
    was_found boolean;
    found_key text;
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    RETURN QUERY
        SELECT e.id, e.created_at, e.updated_at, e.created_by, e.patient_key, e.patient_first_name,
               e.patient_last_name, e.patient_dob, e.benefits_source, e.eligibility_check_id, e.as_of, e.request::text,
               e.rates::text, e.rate_version_ids, e.figures::text, e.response::text, e.day_rows::text, e.request_hash
          FROM estimates AS e WHERE e.id = wanted_id;
    was_found := FOUND;
    IF was_found THEN
        SELECT e.patient_key INTO found_key FROM estimates AS e WHERE e.id = wanted_id;
    END IF;
    INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome, reason)
    VALUES (audit_actor, audit_role, audit_action, 'estimate', wanted_id::text, found_key, audit_request_id,
            CASE WHEN was_found THEN 'success' ELSE 'not_found' END, audit_reason);
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
