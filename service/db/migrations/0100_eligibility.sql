-- Eligibility checks: one row per check, from the clearinghouse, a posted 271 or manual entry.
-- PHI columns (names, dates of birth, member id, request, raw X12) are kept for re-display to
-- authorized roles; every read and write of a row writes an audit_log row. Never log them.

CREATE TABLE eligibility_checks (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source                 text NOT NULL CHECK (source IN ('clearinghouse', 'posted_271', 'manual')),
    -- active | inactive | rejected (payer answered with AAA, coverage unknown) | unknown
    status                 text NOT NULL CHECK (status IN ('active', 'inactive', 'rejected', 'unknown')),
    payer_id               text,
    payer_name             text,
    date_of_service        date,
    service_type_codes     text[] NOT NULL DEFAULT '{}',
    -- PHI
    subscriber_first_name  text,
    subscriber_last_name   text,
    subscriber_dob         date,
    member_id              text,
    dependent_first_name   text,
    dependent_last_name    text,
    dependent_dob          date,
    dependent_relationship text,
    request                jsonb,
    raw_270                text,
    raw_271                text,
    -- not PHI
    patient_key            text,
    trace_number           text,
    -- sha256 over payer, member, names, birth dates, date of service, service types and provider:
    -- a repeat check with the same key within ELIGIBILITY_CACHE_TTL_SECONDS is answered from here.
    cache_key              text,
    benefits               jsonb NOT NULL,
    attempts               integer NOT NULL DEFAULT 0,
    created_by             text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX eligibility_checks_cache_idx ON eligibility_checks (cache_key, created_at DESC)
    WHERE source = 'clearinghouse' AND status IN ('active', 'inactive');
-- Billing pulls checks changed since a cursor (updated_at, id).
CREATE INDEX eligibility_checks_updated_idx ON eligibility_checks (updated_at, id);
CREATE INDEX eligibility_checks_patient_idx ON eligibility_checks (patient_key, created_at);

CREATE FUNCTION eligibility_checks_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER eligibility_checks_touch BEFORE UPDATE ON eligibility_checks
    FOR EACH ROW EXECUTE FUNCTION eligibility_checks_touch();
