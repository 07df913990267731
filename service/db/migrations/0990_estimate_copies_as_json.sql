-- An estimate's request, benefits, rates copy and figures are kept as json (the text the service sent, checked as
-- JSON) instead of jsonb (parsed into PostgreSQL's binary form on every insert): nothing queries inside them but
-- the portal's two ->> look-ups (json has the same operators) and the billing feed's to_jsonb of the row (which
-- gives the same jsonb from either); the service reads them back whole, ::text, and decodes them itself, as 0220
-- did for the stored answer. Building the four jsonb values was about a fifth of the estimate's insert in
-- PostgreSQL: 1.1 -> 0.87 ms CPU per insert (500 replays each way, alternating three times, on the 2-core machine
-- of the README's benchmarks). The change rewrites the table once.
DROP FUNCTION insert_estimate_audited(text, uuid, timestamptz, text, text, text, text, date, text, uuid, date, jsonb,
                                      jsonb, jsonb, uuid[], jsonb, json, text, json, text, text, text, text);

ALTER TABLE estimates ALTER COLUMN request TYPE json USING request::json,
                      ALTER COLUMN benefits TYPE json USING benefits::json,
                      ALTER COLUMN rates TYPE json USING rates::json,
                      ALTER COLUMN figures TYPE json USING figures::json;

-- As 0970's, with json arguments.
CREATE FUNCTION insert_estimate_audited(
    acting_for text, estimate_id uuid, made_at timestamptz, made_by text, patient text, first_name text,
    last_name text, date_of_birth date, source text, check_id uuid, as_of_day date, request_json json,
    benefits_json json, rates_json json, version_ids uuid[], figures_json json, response_json json,
    hash text, day_rows_json json, audit_actor text, audit_role text, audit_request_id text, audit_reason text
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    INSERT INTO estimates (id, created_at, updated_at, created_by, patient_key, patient_first_name, patient_last_name,
                           patient_dob, benefits_source, eligibility_check_id, as_of, request, benefits, rates,
                           rate_version_ids, figures, response, request_hash, day_rows)
    VALUES (estimate_id, made_at, made_at, made_by, patient, first_name, last_name, date_of_birth, source, check_id,
            as_of_day, request_json, benefits_json, rates_json, version_ids, figures_json, response_json, hash,
            day_rows_json);
    INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome, reason)
    VALUES (audit_actor, audit_role, 'estimate.create', 'estimate', estimate_id::text, patient, audit_request_id,
            'success', audit_reason);
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
END;
$$;
