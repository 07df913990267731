-- Audited check reads return only what their answer needs, as plain columns (replaces 0951's function).
--
-- 0951 returned each check as a whole row (a composite with the benefits, the request and the raw X12, detoasted
-- and copied) and the caller took its columns out of it: about half of PostgreSQL's work per read. This function
-- does what 0951's did - per read, in turn: set that read's organization transaction-locally (row-level security
-- binds the read and its audit row to it), find the check by id or cache key, write the audit row ('success', or
-- 'not_found' naming the id asked for; a cache miss writes none) - and returns per found check:
--
-- - always: the check's id and version (updated_at, status), the patient's columns and the age in seconds;
-- - unless the read names that very version as held by the caller (held_id / held_updated / held_status: the
--   caller holds its answer): the rest of the answer's columns, the benefits' head and its rows as JSON text;
-- - with_x12: the raw 270 and 271 instead.
--
-- Called alone it is one statement in its own implicit transaction: every audit row of the batch is committed
-- before any row reaches the caller. The setting it found is put back before it returns. Not SECURITY DEFINER.

DROP FUNCTION read_eligibility_checks_audited(text[], uuid[], text[], float8[], text[], text[], text[], text[], text[],
                                              text[]);

CREATE FUNCTION read_eligibility_checks_audited(
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
    found_id uuid;
BEGIN
    FOR i IN 1 .. coalesce(array_length(acting_for, 1), 0) LOOP
        PERFORM set_config('app.organization_id', coalesce(acting_for[i], ''), true);
        IF wanted_id[i] IS NOT NULL THEN
            SELECT c.id INTO found_id FROM eligibility_checks c WHERE c.id = wanted_id[i];
        ELSE
            SELECT c.id INTO found_id FROM eligibility_checks c
             WHERE c.cache_key = wanted_key[i] AND c.source = 'clearinghouse' AND c.status IN ('active', 'inactive')
               AND c.created_at > now() - make_interval(secs => reuse_seconds[i])
             ORDER BY c.created_at DESC LIMIT 1;
        END IF;
        IF found_id IS NULL THEN
            IF probe[i] IS NOT NULL THEN
                INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id,
                                       outcome, reason)
                VALUES (audit_actor[i], audit_role[i], audit_action[i], 'eligibility_check', left(probe[i], 200),
                        NULL, audit_request_id[i], 'not_found', audit_reason[i]);
            END IF;
            CONTINUE;
        END IF;
        n := i;
        SELECT c.id, c.updated_at, c.status, c.subscriber_first_name, c.subscriber_last_name, c.subscriber_dob,
               c.member_id, c.dependent_first_name, c.dependent_last_name, c.dependent_dob, c.patient_key,
               extract(epoch FROM now() - c.created_at)::float8
          INTO id, updated_at, status, subscriber_first_name, subscriber_last_name, subscriber_dob,
               member_id, dependent_first_name, dependent_last_name, dependent_dob, patient_key, age
          FROM eligibility_checks c WHERE c.id = found_id;
        INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                               reason)
        VALUES (audit_actor[i], audit_role[i], audit_action[i], 'eligibility_check', found_id::text,
                read_eligibility_checks_audited.patient_key, audit_request_id[i], 'success', audit_reason[i]);
        created_at := NULL; source := NULL; payer_id := NULL; payer_name := NULL; date_of_service := NULL;
        service_type_codes := NULL; attempts := NULL; benefits_head := NULL; benefit_rows_json := NULL;
        IF NOT with_x12 AND (found_id IS DISTINCT FROM held_id[i] OR updated_at IS DISTINCT FROM held_updated[i]
                             OR status IS DISTINCT FROM held_status[i]) THEN
            SELECT c.created_at, c.source, c.payer_id, c.payer_name, c.date_of_service, c.service_type_codes,
                   c.attempts, (c.benefits - 'benefit_rows')::text, (c.benefits -> 'benefit_rows')::text
              INTO created_at, source, payer_id, payer_name, date_of_service, service_type_codes,
                   attempts, benefits_head, benefit_rows_json
              FROM eligibility_checks c WHERE c.id = found_id;
        END IF;
        raw_270 := NULL; raw_271 := NULL;
        IF with_x12 THEN
            SELECT c.raw_270, c.raw_271 INTO raw_270, raw_271 FROM eligibility_checks c WHERE c.id = found_id;
        END IF;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
