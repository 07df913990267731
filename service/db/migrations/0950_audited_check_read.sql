-- A stored eligibility check read with its audit row in one statement: one round trip instead of three.
--
-- The service's connections run a lone statement inside BEGIN + set_config(app.organization_id) / the statement /
-- COMMIT (service/db/tenant.py), three round trips. This function sets the organization itself, transaction-locally,
-- for its own body only (the setting it found is put back before it returns), so called on its own it is one
-- statement in its own implicit transaction: the read, its audit row and the commit of that row happen before
-- the row reaches the caller. It is not SECURITY DEFINER: row-level security binds it exactly as it binds the
-- caller's other statements, and the caller could set the same organization with set_config anyway.
--
-- A check is found by id (wanted_id) or, when wanted_id is NULL, as the newest reusable clearinghouse check with
-- the cache key (wanted_key) younger than reuse_seconds (service/eligibility/store.py, ELIGIBILITY_CACHE_TTL_SECONDS).
-- A found check leaves an audit row with outcome 'success'; an id that is not found (or another organization's)
-- leaves one with outcome 'not_found' naming the id asked for (probe); a cache miss leaves none.

CREATE FUNCTION read_eligibility_check_audited(
    acting_for text, wanted_id uuid, wanted_key text, reuse_seconds float8, probe text,
    audit_actor text, audit_role text, audit_action text, audit_request_id text, audit_reason text
) RETURNS SETOF eligibility_checks LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
    hit eligibility_checks;
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    IF wanted_id IS NOT NULL THEN
        SELECT * INTO hit FROM eligibility_checks c WHERE c.id = wanted_id;
    ELSE
        SELECT * INTO hit FROM eligibility_checks c
         WHERE c.cache_key = wanted_key AND c.source = 'clearinghouse' AND c.status IN ('active', 'inactive')
           AND c.created_at > now() - make_interval(secs => reuse_seconds)
         ORDER BY c.created_at DESC LIMIT 1;
    END IF;
    IF FOUND THEN
        INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                               reason)
        VALUES (audit_actor, audit_role, audit_action, 'eligibility_check', hit.id::text, hit.patient_key,
                audit_request_id, 'success', audit_reason);
        RETURN NEXT hit;
    ELSIF probe IS NOT NULL THEN
        INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                               reason)
        VALUES (audit_actor, audit_role, audit_action, 'eligibility_check', left(probe, 200), NULL,
                audit_request_id, 'not_found', audit_reason);
    END IF;
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
