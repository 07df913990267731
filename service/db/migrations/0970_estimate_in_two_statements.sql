-- An estimate reads what it prices with in one statement and writes its row with its audit row in another.
--
-- Before: BEGIN (with the organization setting), the payer's contracts, the rates in force, the affordability
-- rules, the estimate row, its audit row, COMMIT - seven round trips, each with PostgreSQL's and the client's
-- per-statement work. Now two functions, each sent alone (one statement in its own implicit transaction), each
-- setting the organization transaction-locally for its own body and putting the previous setting back, as
-- migration 0952's audited check reads do (not SECURITY DEFINER: row-level security binds them as it binds the
-- statements they replace):
--
-- - estimate_inputs: the payer's contracts in force (and whether any payer has one), the fee-schedule versions in
--   force, the versions the request or the payer's contracts pin, the rows of all these versions, and the
--   organization's sliding-fee schedule and payment-plan rules in force on the first day of the course, with the
--   last day on which they stay in force (an estimate whose first service day falls later reads them again);
--   contracts and versions as arrays of whole rows, the affordability rules as plain columns;
-- - insert_estimate_audited: the estimate row and its audit row, committed together before the caller hears back.
--
-- The rules that choose what is "in force" are functions of their own, which the single reads of the service
-- (service/pricing/schedules.py, contracts_registry.py, selfpay/store.py) call too: one definition of each rule.

CREATE FUNCTION fee_schedule_versions_in_force(on_day date, wanted_payer text, wanted_plan text)
RETURNS SETOF fee_schedule_versions LANGUAGE sql STABLE AS $$
    -- Per kind, the one version in force: a plan's own beats its payer's, which beats the default (payer NULL);
    -- then a provider's own beats the demo; then the latest effective_from; then the latest created.
    SELECT DISTINCT ON (kind) * FROM fee_schedule_versions
     WHERE effective_from <= on_day AND (effective_to IS NULL OR on_day < effective_to)
       AND (payer_id IS NULL OR (payer_id = wanted_payer AND (plan_code IS NULL OR plan_code = wanted_plan)))
     ORDER BY kind, (plan_code IS NOT NULL) DESC, (payer_id IS NOT NULL) DESC, demo, effective_from DESC,
              created_at DESC
$$;

CREATE FUNCTION payer_contracts_in_force(wanted_payer text, on_day date)
RETURNS SETOF payer_contracts LANGUAGE sql STABLE AS $$
    SELECT * FROM payer_contracts
     WHERE payer_id = wanted_payer AND effective_from <= on_day AND (effective_to IS NULL OR on_day < effective_to)
$$;

CREATE FUNCTION any_payer_contract_in_force(on_day date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM payer_contracts
                    WHERE effective_from <= on_day AND (effective_to IS NULL OR on_day < effective_to))
$$;

-- In force on a date: the latest effective_from on or before it (ties: the higher version) whose effective_to
-- is null or not before it. Payment-plan rules have no end date: the newest that has started.
CREATE FUNCTION sliding_fee_schedule_in_force(wanted_organization text, on_day date)
RETURNS SETOF sliding_fee_schedules LANGUAGE sql STABLE AS $$
    SELECT * FROM sliding_fee_schedules
     WHERE organization_id = wanted_organization AND effective_from <= on_day
       AND (effective_to IS NULL OR effective_to >= on_day)
     ORDER BY effective_from DESC, version DESC LIMIT 1
$$;

CREATE FUNCTION payment_plan_rules_in_force(wanted_organization text, on_day date)
RETURNS SETOF payment_plan_rules LANGUAGE sql STABLE AS $$
    SELECT * FROM payment_plan_rules
     WHERE organization_id = wanted_organization AND effective_from <= on_day
     ORDER BY effective_from DESC, version DESC LIMIT 1
$$;

-- Both side by side in one row, NULL where the organization has none in force, and the last day on which both
-- stay in force (NULL: for good): until the day before another schedule or rules version starts, or the schedule
-- found ends (a version that had ended by on_day cannot come back). Plain columns, not whole rows: asyncpg cannot
-- decode a row type holding jsonb with the service's own JSON codec.
CREATE FUNCTION affordability_config_in_force(wanted_organization text, on_day date)
RETURNS TABLE (organization_id text, name text, effective_from date, effective_to date, applies_to text,
               proof_of_income_required boolean, tiers jsonb, schedule_version integer,
               minimum_monthly_payment numeric, term_limits jsonb, allowed_terms_months integer[],
               down_payment_percent numeric, apr_percent numeric, max_percent_of_monthly_income numeric,
               rules_version integer, config_through date)
LANGUAGE sql STABLE AS $$
    SELECT s.organization_id, s.name, s.effective_from, s.effective_to, s.applies_to, s.proof_of_income_required,
           s.tiers, s.version,
           r.minimum_monthly_payment, r.term_limits, r.allowed_terms_months, r.down_payment_percent, r.apr_percent,
           r.max_percent_of_monthly_income, r.version,
           least((SELECT min(n.effective_from) - 1 FROM sliding_fee_schedules AS n
                   WHERE n.organization_id = wanted_organization AND n.effective_from > on_day),
                 (SELECT min(n.effective_from) - 1 FROM payment_plan_rules AS n
                   WHERE n.organization_id = wanted_organization AND n.effective_from > on_day),
                 s.effective_to)
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL sliding_fee_schedule_in_force(wanted_organization, on_day) AS s ON true
    LEFT JOIN LATERAL payment_plan_rules_in_force(wanted_organization, on_day) AS r ON true
$$;

CREATE FUNCTION estimate_inputs(acting_for text, config_organization text, wanted_payer text, wanted_plan text,
                                on_day date, pinned_label text)
RETURNS TABLE (any_contract_in_force boolean, contracts payer_contracts[], rates_in_force fee_schedule_versions[],
               pinned_versions fee_schedule_versions[], rate_rows fee_schedule_rows[],
               organization_id text, name text, effective_from date, effective_to date, applies_to text,
               proof_of_income_required boolean, tiers jsonb, schedule_version integer,
               minimum_monthly_payment numeric, term_limits jsonb, allowed_terms_months integer[],
               down_payment_percent numeric, apr_percent numeric, max_percent_of_monthly_income numeric,
               rules_version integer, config_through date)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    previous text := current_setting('app.organization_id', true);
BEGIN
    PERFORM set_config('app.organization_id', coalesce(acting_for, ''), true);
    any_contract_in_force := any_payer_contract_in_force(on_day);
    contracts := ARRAY(SELECT c FROM payer_contracts_in_force(coalesce(wanted_payer, ''), on_day) AS c);
    rates_in_force := ARRAY(SELECT v FROM fee_schedule_versions_in_force(on_day, wanted_payer, wanted_plan) AS v);
    -- The version the request names, and those the payer's contracts in force price with (one may be chosen).
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
    PERFORM set_config('app.organization_id', coalesce(previous, ''), true);
    RETURN NEXT;
END;
$$;

CREATE FUNCTION insert_estimate_audited(
    acting_for text, estimate_id uuid, made_at timestamptz, made_by text, patient text, first_name text,
    last_name text, date_of_birth date, source text, check_id uuid, as_of_day date, request_json jsonb,
    benefits_json jsonb, rates_json jsonb, version_ids uuid[], figures_json jsonb, response_json json,
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
