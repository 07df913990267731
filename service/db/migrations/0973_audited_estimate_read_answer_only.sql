-- The audited estimate read (migration 0972) returns only what its callers send: the stored answer, its per-day
-- rows, and the row's id. The request, the rates copy and the figures (~6 KB of jsonb turned into text by
-- PostgreSQL, then parsed by the service) were read back only to be dropped; re-pricing and the other readers
-- read them with load_estimate. Otherwise as 0972: the organization set for the function's own body, the audit
-- row ('not_found' naming the id asked for when no estimate of the organization has it) committed before the row
-- reaches the caller.
DROP FUNCTION read_estimate_audited(text, uuid, text, text, text, text, text);

CREATE FUNCTION read_estimate_audited(acting_for text, wanted_id uuid, audit_actor text, audit_role text,
                                      audit_action text, audit_request_id text, audit_reason text)
RETURNS TABLE (id uuid, response text, day_rows text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    previous text := current_setting('app.organization_id', true);
    was_found boolean;
    found_key text;
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    RETURN QUERY SELECT e.id, e.response::text, e.day_rows::text FROM estimates AS e WHERE e.id = wanted_id;
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
