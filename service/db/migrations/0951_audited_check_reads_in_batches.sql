-- Audited reads of stored eligibility checks in batches: many requests' reads, and their audit rows, in one
-- statement and one commit (service/eligibility/read_batches.py groups the reads of concurrent requests).
--
-- Migration 0950's function read one check per statement, so every read paid a commit of its own (a WAL flush:
-- most of PostgreSQL's work per read). This one takes arrays, one element per read, and for each in turn sets that
-- read's organization transaction-locally (row-level security binds each read and each audit row to it, exactly
-- as before), reads the check by id or cache key and writes its audit row ('success', or 'not_found' naming the id
-- asked for; a cache miss writes none). Rows come back numbered by their read (n, from 1). Called alone it is one
-- statement in its own implicit transaction: every audit row of the batch is committed before any row reaches the
-- caller, and if one fails, none is written and no read is answered. The setting it found is put back before it
-- returns. Not SECURITY DEFINER.

DROP FUNCTION read_eligibility_check_audited(text, uuid, text, float8, text, text, text, text, text, text);

CREATE FUNCTION read_eligibility_checks_audited(
    acting_for text[], wanted_id uuid[], wanted_key text[], reuse_seconds float8[], probe text[],
    audit_actor text[], audit_role text[], audit_action text[], audit_request_id text[], audit_reason text[]
) RETURNS TABLE (n integer, checked eligibility_checks) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
    hit eligibility_checks;
BEGIN
    FOR i IN 1 .. coalesce(array_length(acting_for, 1), 0) LOOP
        PERFORM set_config('app.organization_id', coalesce(acting_for[i], ''), true);
        IF wanted_id[i] IS NOT NULL THEN
            SELECT * INTO hit FROM eligibility_checks c WHERE c.id = wanted_id[i];
        ELSE
            SELECT * INTO hit FROM eligibility_checks c
             WHERE c.cache_key = wanted_key[i] AND c.source = 'clearinghouse' AND c.status IN ('active', 'inactive')
               AND c.created_at > now() - make_interval(secs => reuse_seconds[i])
             ORDER BY c.created_at DESC LIMIT 1;
        END IF;
        IF FOUND THEN
            INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id,
                                   outcome, reason)
            VALUES (audit_actor[i], audit_role[i], audit_action[i], 'eligibility_check', hit.id::text,
                    hit.patient_key, audit_request_id[i], 'success', audit_reason[i]);
            n := i;
            checked := hit;
            RETURN NEXT;
        ELSIF probe[i] IS NOT NULL THEN
            INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id,
                                   outcome, reason)
            VALUES (audit_actor[i], audit_role[i], audit_action[i], 'eligibility_check', left(probe[i], 200),
                    NULL, audit_request_id[i], 'not_found', audit_reason[i]);
        END IF;
    END LOOP;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
