-- Pricing: versioned fee schedules (chargemaster, payer contracts, Medicare and Medicaid rates) and
-- the estimates made with them.
--
-- A fee-schedule version is immutable once created: a new version supersedes an old one by its
-- effective date, so an estimate that recorded the version ids it used can always be explained
-- (and each estimate also keeps a full copy of the rates it used). The demo version is seeded by
-- service/pricing/schedules.py from service/pricing/demo_rates.json (idempotent, on first use).

CREATE TABLE fee_schedule_versions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version        text NOT NULL UNIQUE CHECK (length(version) BETWEEN 1 AND 120),
    kind           text NOT NULL CHECK (kind IN ('chargemaster', 'contract', 'medicare', 'medicaid')),
    payer_id       text,
    plan_code      text,
    effective_from date NOT NULL,
    effective_to   date,                 -- exclusive; NULL = until superseded
    basis          text,                 -- where the figures come from ("DEMO value, basis: ...")
    demo           boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK (plan_code IS NULL OR payer_id IS NOT NULL),
    CHECK (kind IN ('contract', 'medicaid', 'medicare') OR payer_id IS NULL)
);
CREATE INDEX fee_schedule_versions_lookup_idx
    ON fee_schedule_versions (kind, payer_id, plan_code, effective_from DESC);

-- One row per level of care in a version; the money columns are those of rates.LevelRates
-- (per service day). Which columns a version fills depends on its kind.
CREATE TABLE fee_schedule_rows (
    version_id   uuid NOT NULL REFERENCES fee_schedule_versions (id),
    level        text NOT NULL CHECK (level IN ('iop', 'php', 'inpatient')),
    revenue_code text NOT NULL CHECK (revenue_code ~ '^[0-9]{4}$'),
    hcpcs        text CHECK (hcpcs ~ '^[A-Z0-9]{5}$'),
    gross_charge_per_day                      numeric(12, 2) CHECK (gross_charge_per_day >= 0),
    self_pay_per_day                          numeric(12, 2) CHECK (self_pay_per_day >= 0),
    contracted_in_network_per_day             numeric(12, 2) CHECK (contracted_in_network_per_day >= 0),
    contracted_out_of_network_allowed_per_day numeric(12, 2) CHECK (contracted_out_of_network_allowed_per_day >= 0),
    medicare_per_diem_3_services              numeric(12, 2) CHECK (medicare_per_diem_3_services >= 0),
    medicare_per_diem_4plus_services          numeric(12, 2) CHECK (medicare_per_diem_4plus_services >= 0),
    medicare_inpatient_per_diem               numeric(12, 2) CHECK (medicare_inpatient_per_diem >= 0),
    medicaid_per_day                          numeric(12, 2) CHECK (medicaid_per_day >= 0),
    basis        text,
    PRIMARY KEY (version_id, level)
);

CREATE FUNCTION fee_schedule_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: % is not allowed (import a new version instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER fee_schedule_versions_immutable BEFORE UPDATE OR DELETE ON fee_schedule_versions
    FOR EACH ROW EXECUTE FUNCTION fee_schedule_is_immutable();
CREATE TRIGGER fee_schedule_versions_no_truncate BEFORE TRUNCATE ON fee_schedule_versions
    FOR EACH STATEMENT EXECUTE FUNCTION fee_schedule_is_immutable();
CREATE TRIGGER fee_schedule_rows_immutable BEFORE UPDATE OR DELETE ON fee_schedule_rows
    FOR EACH ROW EXECUTE FUNCTION fee_schedule_is_immutable();
CREATE TRIGGER fee_schedule_rows_no_truncate BEFORE TRUNCATE ON fee_schedule_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fee_schedule_is_immutable();

-- Estimates: everything needed to show an estimate again exactly as it was given (response) and
-- to re-compute it (request, benefits, rates, as_of). PHI: patient_* columns, request (may hold a
-- raw 271) and benefits; every read and write writes an audit_log row.
CREATE TABLE estimates (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL,
    patient_key          text,
    -- PHI, only when the request named the patient
    patient_first_name   text,
    patient_last_name    text,
    patient_dob          date,
    benefits_source      text NOT NULL CHECK (benefits_source IN ('eligibility_check', 'x12_271', 'manual', 'self_pay')),
    eligibility_check_id uuid,
    as_of                date NOT NULL,  -- "today" of the estimate (clock at the edge, or the request's as_of)
    request              jsonb NOT NULL,
    benefits             jsonb,          -- NormalizedBenefits used; NULL for self-pay
    rates                jsonb NOT NULL, -- full copy of the composed rate table used
    rate_version_ids     uuid[] NOT NULL,
    figures              jsonb NOT NULL, -- program figure years / rate table version used
    response             jsonb NOT NULL, -- exactly what was returned
    request_hash         text NOT NULL
);
-- Billing pulls estimates changed since a cursor.
CREATE INDEX estimates_updated_idx ON estimates (updated_at, id);
CREATE INDEX estimates_patient_idx ON estimates (patient_key, created_at);
CREATE INDEX estimates_request_hash_idx ON estimates (request_hash);

CREATE FUNCTION estimates_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER estimates_touch BEFORE UPDATE ON estimates
    FOR EACH ROW EXECUTE FUNCTION estimates_touch();
