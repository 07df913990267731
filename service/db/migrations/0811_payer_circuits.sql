-- The circuit breaker per payer (service/eligibility/breaker.py), shared by every replica. A row exists only while
-- the payer is failing: a success deletes it, so the table holds the payers that are down, not every payer.
CREATE TABLE payer_circuits (
    payer_id     text PRIMARY KEY CHECK (length(payer_id) BETWEEN 1 AND 80),
    failures     integer NOT NULL CHECK (failures >= 0),
    opened_until timestamptz,           -- open while in the future; half-open once passed
    trial_until  timestamptz,           -- a half-open trial call is out until then
    updated_at   timestamptz NOT NULL DEFAULT now()
);
