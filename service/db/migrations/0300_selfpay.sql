-- Self-pay: sliding fee schedules and payment plan rules (versioned, immutable), accepted payment
-- plans, and issued Good Faith Estimates (immutable; issuing again makes a new version).
-- estimate_id is text without a foreign key: estimates belong to the pricing area (02xx).

CREATE FUNCTION selfpay_row_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: % is not allowed (add a new version instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The version in force on a date is the one with the latest effective_from on or before it
-- (ties: the higher version), provided effective_to is null or not before the date.
CREATE TABLE sliding_fee_schedules (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id           text NOT NULL CHECK (length(organization_id) BETWEEN 1 AND 100),
    version                   integer NOT NULL CHECK (version >= 1),
    name                      text NOT NULL,
    effective_from            date NOT NULL,
    effective_to              date CHECK (effective_to IS NULL OR effective_to >= effective_from),
    applies_to                text NOT NULL CHECK (applies_to IN ('self_pay_only', 'self_pay_and_patient_responsibility')),
    proof_of_income_required  boolean NOT NULL,
    tiers                     jsonb NOT NULL CHECK (jsonb_typeof(tiers) = 'array'),
    created_at                timestamptz NOT NULL DEFAULT now(),
    created_by                text NOT NULL,
    UNIQUE (organization_id, version)
);
CREATE INDEX sliding_fee_schedules_in_force_idx ON sliding_fee_schedules (organization_id, effective_from DESC, version DESC);
CREATE TRIGGER sliding_fee_schedules_immutable BEFORE UPDATE OR DELETE ON sliding_fee_schedules
    FOR EACH ROW EXECUTE FUNCTION selfpay_row_is_immutable();

CREATE TABLE payment_plan_rules (
    id                             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id                text NOT NULL CHECK (length(organization_id) BETWEEN 1 AND 100),
    version                        integer NOT NULL CHECK (version >= 1),
    effective_from                 date NOT NULL,
    minimum_monthly_payment        numeric(12, 2) NOT NULL CHECK (minimum_monthly_payment >= 0),
    term_limits                    jsonb NOT NULL CHECK (jsonb_typeof(term_limits) = 'array'),
    allowed_terms_months           integer[] NOT NULL,
    down_payment_percent           numeric(7, 4) NOT NULL CHECK (down_payment_percent >= 0 AND down_payment_percent < 100),
    apr_percent                    numeric(7, 4) NOT NULL CHECK (apr_percent >= 0 AND apr_percent <= 100),
    max_percent_of_monthly_income  numeric(7, 4) CHECK (max_percent_of_monthly_income > 0 AND max_percent_of_monthly_income <= 100),
    created_at                     timestamptz NOT NULL DEFAULT now(),
    created_by                     text NOT NULL,
    UNIQUE (organization_id, version)
);
CREATE INDEX payment_plan_rules_in_force_idx ON payment_plan_rules (organization_id, effective_from DESC, version DESC);
CREATE TRIGGER payment_plan_rules_immutable BEFORE UPDATE OR DELETE ON payment_plan_rules
    FOR EACH ROW EXECUTE FUNCTION selfpay_row_is_immutable();

-- A plan a patient agreed to for one level of an estimate; schedule = the whole offer with every line.
CREATE TABLE accepted_payment_plans (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    estimate_id    text NOT NULL,
    level          text NOT NULL,
    network        text NOT NULL,
    term_months    integer NOT NULL CHECK (term_months >= 1),
    balance        numeric(12, 2) NOT NULL CHECK (balance > 0),
    schedule       jsonb NOT NULL,
    rules_version  integer,
    patient_key    text,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accepted_payment_plans_estimate_idx ON accepted_payment_plans (estimate_id, created_at);

-- Issued Good Faith Estimates (PHI: content holds the patient's name and date of birth).
CREATE TABLE good_faith_estimates (
    id           uuid PRIMARY KEY,
    estimate_id  text NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    issued_at    timestamptz NOT NULL DEFAULT now(),
    issued_by    text NOT NULL,
    patient_key  text,
    content      jsonb NOT NULL,
    UNIQUE (estimate_id, version)
);
CREATE TRIGGER good_faith_estimates_immutable BEFORE UPDATE OR DELETE ON good_faith_estimates
    FOR EACH ROW EXECUTE FUNCTION selfpay_row_is_immutable();
CREATE TRIGGER good_faith_estimates_no_truncate BEFORE TRUNCATE ON good_faith_estimates
    FOR EACH STATEMENT EXECUTE FUNCTION selfpay_row_is_immutable();
