-- Audited check reads write their audit rows with one INSERT per run of reads acting for the same organization,
-- not one per read, and find a check with one look-up, not two (replaces 0952's function; same arguments, same
-- rows, same audit rows).
--
-- A single-row INSERT into audit_log (a heap row, four index entries) cost PostgreSQL about 60 us of CPU per read,
-- most of the function's work; the rows inserted together from arrays (unnest) cost less each. What 0952's function
-- does is unchanged: per read, in turn, the read's organization is set transaction-locally (now only when it differs
-- from the read before's: the setting is the same), the check is found by id or cache key under row-level security,
-- and its audit row ('success', or 'not_found' naming the id asked for; a cache miss writes none) is kept for the
-- insert, which runs under that same organization before the setting changes (the policy checks each row against
-- it) and at the end. Called alone it is one statement in its own implicit transaction: every audit row of the batch
-- is committed before any row reaches the caller. The setting it found is put back before it returns. Not SECURITY
-- DEFINER.

CREATE OR REPLACE FUNCTION read_eligibility_checks_audited(
    acting_for text[], wanted_id uuid[], wanted_key text[], reuse_seconds float8[], probe text[],
    audit_actor text[], audit_role text[], audit_action text[], audit_request_id text[], audit_reason text[],
    held_id uuid[], held_updated timestamptz[], held_status text[], with_x12 boolean
) RETURNS TABLE (
    n integer, id uuid, updated_at timestamptz, status text,
    subscriber_first_name text, subscriber_last_name text, subscriber_dob date, member_id text,
    dependent_first_name text, dependent_last_name text, dependent_dob date, patient_key text, age float8,
    created_at timestamptz, source text, payer_id text, payer_name text, date_of_service date,
    service_type_codes text[], attempts integer, benefits_head text, benefit_rows_json text,
    raw_270 text, raw_271 text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
    acting text;
    -- the audit rows of the current run of reads acting for one organization, not yet inserted
    a_actor text[] := '{}'; a_role text[] := '{}'; a_action text[] := '{}'; a_resource text[] := '{}';
    a_patient text[] := '{}'; a_request text[] := '{}'; a_outcome text[] := '{}'; a_reason text[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(acting_for, 1), 0) LOOP
        IF i = 1 OR acting_for[i] IS DISTINCT FROM acting THEN
            IF cardinality(a_actor) > 0 THEN  -- the run before's rows, under its organization
                INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id,
                                       outcome, reason)
                SELECT u.actor, u.role, u.action, 'eligibility_check', u.resource, u.patient, u.request, u.outcome,
                       u.reason
                  FROM unnest(a_actor, a_role, a_action, a_resource, a_patient, a_request, a_outcome, a_reason)
                       AS u(actor, role, action, resource, patient, request, outcome, reason);
                a_actor := '{}'; a_role := '{}'; a_action := '{}'; a_resource := '{}';
                a_patient := '{}'; a_request := '{}'; a_outcome := '{}'; a_reason := '{}';
            END IF;
            acting := acting_for[i];
            PERFORM set_config('app.organization_id', coalesce(acting, ''), true);
        END IF;
        IF wanted_id[i] IS NOT NULL THEN
            SELECT c.id, c.updated_at, c.status, c.subscriber_first_name, c.subscriber_last_name, c.subscriber_dob,
                   c.member_id, c.dependent_first_name, c.dependent_last_name, c.dependent_dob, c.patient_key,
                   extract(epoch FROM now() - c.created_at)::float8
              INTO id, updated_at, status, subscriber_first_name, subscriber_last_name, subscriber_dob,
                   member_id, dependent_first_name, dependent_last_name, dependent_dob, patient_key, age
              FROM eligibility_checks c WHERE c.id = wanted_id[i];
        ELSE
            SELECT c.id, c.updated_at, c.status, c.subscriber_first_name, c.subscriber_last_name, c.subscriber_dob,
                   c.member_id, c.dependent_first_name, c.dependent_last_name, c.dependent_dob, c.patient_key,
                   extract(epoch FROM now() - c.created_at)::float8
              INTO id, updated_at, status, subscriber_first_name, subscriber_last_name, subscriber_dob,
                   member_id, dependent_first_name, dependent_last_name, dependent_dob, patient_key, age
              FROM eligibility_checks c
             WHERE c.cache_key = wanted_key[i] AND c.source = 'clearinghouse' AND c.status IN ('active', 'inactive')
               AND c.created_at > now() - make_interval(secs => reuse_seconds[i])
             ORDER BY c.created_at DESC LIMIT 1;
        END IF;
        IF id IS NULL THEN  -- nothing found (no row: every target is NULL)
            IF probe[i] IS NOT NULL THEN
                a_actor := a_actor || audit_actor[i]; a_role := a_role || audit_role[i];
                a_action := a_action || audit_action[i]; a_resource := a_resource || left(probe[i], 200);
                a_patient := a_patient || NULL::text; a_request := a_request || audit_request_id[i];
                a_outcome := a_outcome || 'not_found'::text; a_reason := a_reason || audit_reason[i];
            END IF;
            CONTINUE;
        END IF;
        n := i;
        a_actor := a_actor || audit_actor[i]; a_role := a_role || audit_role[i];
        a_action := a_action || audit_action[i]; a_resource := a_resource || id::text;
        a_patient := a_patient || read_eligibility_checks_audited.patient_key;
        a_request := a_request || audit_request_id[i];
        a_outcome := a_outcome || 'success'::text; a_reason := a_reason || audit_reason[i];
        created_at := NULL; source := NULL; payer_id := NULL; payer_name := NULL; date_of_service := NULL;
        service_type_codes := NULL; attempts := NULL; benefits_head := NULL; benefit_rows_json := NULL;
        IF NOT with_x12 AND (id IS DISTINCT FROM held_id[i] OR updated_at IS DISTINCT FROM held_updated[i]
                             OR status IS DISTINCT FROM held_status[i]) THEN
            SELECT c.created_at, c.source, c.payer_id, c.payer_name, c.date_of_service, c.service_type_codes,
                   c.attempts, (c.benefits - 'benefit_rows')::text, (c.benefits -> 'benefit_rows')::text
              INTO created_at, source, payer_id, payer_name, date_of_service, service_type_codes,
                   attempts, benefits_head, benefit_rows_json
              FROM eligibility_checks c WHERE c.id = read_eligibility_checks_audited.id;
        END IF;
        raw_270 := NULL; raw_271 := NULL;
        IF with_x12 THEN
            SELECT c.raw_270, c.raw_271 INTO raw_270, raw_271
              FROM eligibility_checks c WHERE c.id = read_eligibility_checks_audited.id;
        END IF;
        RETURN NEXT;
    END LOOP;
    IF cardinality(a_actor) > 0 THEN
        INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                               reason)
        SELECT u.actor, u.role, u.action, 'eligibility_check', u.resource, u.patient, u.request, u.outcome, u.reason
          FROM unnest(a_actor, a_role, a_action, a_resource, a_patient, a_request, a_outcome, a_reason)
               AS u(actor, role, action, resource, patient, request, outcome, reason);
    END IF;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
