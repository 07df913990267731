-- What an estimate prices with (estimate_inputs: the payer's contracts, the fee-schedule versions and their rows,
-- the organization's affordability rules) is reference data that changes rarely and only by writes to five tables:
-- the service keeps it in memory between estimates (service/pricing/estimate_inputs.py) instead of reading it
-- with every estimate, one round trip and ~0.35 ms of PostgreSQL CPU. Two things keep that exact:
--
-- - reference_data_generation, one row, moved on by every statement that writes one of the five tables (in the
--   writer's transaction). estimate_inputs returns the generation it read its rows at, read before them; the
--   estimate's insert is given the generation its inputs came from and stores nothing (returns false) when it is
--   no longer the current one: the service then reads the inputs again and prices again. An estimate is never
--   stored from rows that had changed before its insert, whichever process changed them.
-- - the days on which the same rows are in force: estimate_inputs also returns the window of first service days
--   [valid_from, valid_until) around on_day in which no contract, fee-schedule version, sliding-fee schedule or
--   payment-plan rules version starts or ends, so another course starting in the window reads the same rows (the
--   rules choosing what is in force look at those dates only).
--
-- The generation starts at a random value: rows kept from another database never pass for this one's.
CREATE TABLE reference_data_generation (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation  bigint NOT NULL
);
INSERT INTO reference_data_generation (only_row, generation) VALUES (true, floor(random() * 1e15)::bigint);

CREATE FUNCTION reference_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_data_generation SET generation = generation + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER fee_schedule_versions_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON fee_schedule_versions FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER fee_schedule_rows_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON fee_schedule_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER payer_contracts_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON payer_contracts FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER sliding_fee_schedules_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON sliding_fee_schedules FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER payment_plan_rules_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON payment_plan_rules FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();

DROP FUNCTION estimate_inputs(text, text, text, text, date, text);

-- As 0970's, with the generation read first, and the window of first service days that read the same rows.
CREATE FUNCTION estimate_inputs(acting_for text, config_organization text, wanted_payer text, wanted_plan text,
                                on_day date, pinned_label text)
RETURNS TABLE (any_contract_in_force boolean, contracts payer_contracts[], rates_in_force fee_schedule_versions[],
               pinned_versions fee_schedule_versions[], rate_rows fee_schedule_rows[],
               organization_id text, name text, effective_from date, effective_to date, applies_to text,
               proof_of_income_required boolean, tiers jsonb, schedule_version integer,
               minimum_monthly_payment numeric, term_limits jsonb, allowed_terms_months integer[],
               down_payment_percent numeric, apr_percent numeric, max_percent_of_monthly_income numeric,
               rules_version integer, config_through date, generation bigint, valid_from date, valid_until date)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    previous text := current_setting('app.organization_id', true);
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    -- first: rows read after it are at least as new, so a change in between only makes the insert price again
    SELECT g.generation INTO generation FROM reference_data_generation AS g;
    any_contract_in_force := any_payer_contract_in_force(on_day);
    contracts := ARRAY(SELECT c FROM payer_contracts_in_force(coalesce(wanted_payer, ''), on_day) AS c);
    rates_in_force := ARRAY(SELECT v FROM fee_schedule_versions_in_force(on_day, wanted_payer, wanted_plan) AS v);
    pinned_versions := ARRAY(SELECT v FROM fee_schedule_versions AS v
                              WHERE v.version = pinned_label
                                 OR v.version IN (SELECT c.fee_schedule_version FROM unnest(contracts) AS c));
    rate_rows := ARRAY(SELECT r FROM fee_schedule_rows AS r
                        WHERE r.version_id IN (SELECT v.id FROM unnest(rates_in_force) AS v
                                               UNION SELECT v.id FROM unnest(pinned_versions) AS v));
    SELECT * INTO organization_id, name, effective_from, effective_to, applies_to, proof_of_income_required, tiers,
                  schedule_version, minimum_monthly_payment, term_limits, allowed_terms_months, down_payment_percent,
                  apr_percent, max_percent_of_monthly_income, rules_version, config_through
      FROM affordability_config_in_force(config_organization, on_day);
    -- Every day on which what is in force can change: a contract's or version's first day and the day it ends
    -- (effective_to is its first day out), a sliding-fee schedule's first day and the day after its last, a
    -- payment-plan rules version's first day (of any payer: any_contract_in_force looks at every contract).
    SELECT max(day) FILTER (WHERE day <= on_day), min(day) FILTER (WHERE day > on_day) INTO valid_from, valid_until
      FROM (SELECT c.effective_from FROM payer_contracts AS c
            UNION ALL SELECT c.effective_to FROM payer_contracts AS c
            UNION ALL SELECT v.effective_from FROM fee_schedule_versions AS v
            UNION ALL SELECT v.effective_to FROM fee_schedule_versions AS v
            UNION ALL SELECT s.effective_from FROM sliding_fee_schedules AS s
                       WHERE s.organization_id = config_organization
            UNION ALL SELECT s.effective_to + 1 FROM sliding_fee_schedules AS s
                       WHERE s.organization_id = config_organization
            UNION ALL SELECT p.effective_from FROM payment_plan_rules AS p
                       WHERE p.organization_id = config_organization) AS changes (day);
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
    RETURN NEXT;
END;
$$;

DROP FUNCTION insert_estimate_audited(text, uuid, timestamptz, text, text, text, text, date, text, uuid, date, json,
                                      json, json, uuid[], json, json, text, json, text, text, text, text);

-- As 0990's, given the generation the estimate's inputs were read at (NULL: not checked); false, and nothing
-- stored or audited, when reference data changed since.
CREATE FUNCTION insert_estimate_audited(
    acting_for text, estimate_id uuid, made_at timestamptz, made_by text, patient text, first_name text,
    last_name text, date_of_birth date, source text, check_id uuid, as_of_day date, request_json json,
    benefits_json json, rates_json json, version_ids uuid[], figures_json json, response_json json,
    hash text, day_rows_json json, audit_actor text, audit_role text, audit_request_id text, audit_reason text,
    inputs_generation bigint
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('app.organization_id', true);
BEGIN
    IF inputs_generation IS NOT NULL
       AND inputs_generation IS DISTINCT FROM (SELECT g.generation FROM reference_data_generation AS g) THEN
        RETURN false;
    END IF;
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
    RETURN true;
END;
$$;
