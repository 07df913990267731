-- Batch re-verification: a list of members and dates of service checked again with the payer, in the
-- background (procrastinate jobs, `benefits-estimator worker`). Items hold PHI (the request): every read
-- and write is audited like a check. An item is 'pending' until a worker finishes it ('done' with a check,
-- or 'failed' with the problem); a worker killed mid-item leaves it pending and its lane job runs again.

CREATE TABLE eligibility_batches (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    total       integer NOT NULL CHECK (total BETWEEN 1 AND 10000),
    -- how many lanes (concurrent checks) the batch was split into; each lane is one queued job
    lanes       integer NOT NULL CHECK (lanes >= 1)
);

CREATE TABLE eligibility_batch_items (
    batch_id          uuid NOT NULL REFERENCES eligibility_batches (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    lane              integer NOT NULL,
    payer_id          text NOT NULL,
    request           jsonb NOT NULL,                 -- PHI: the EligibilityCheckRequest
    patient_key       text NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    check_id          uuid REFERENCES eligibility_checks (id),
    check_status      text,                           -- active | inactive | rejected | unknown
    previous_check_id uuid REFERENCES eligibility_checks (id),
    coverage_changes  text[] NOT NULL DEFAULT '{}',   -- became_inactive, deductible_met, plan_changed ...
    problem           jsonb,                          -- {status, type, detail} when failed
    attempts          integer NOT NULL DEFAULT 0,
    processed_by      text,                           -- host:pid of the worker that finished it
    finished_at       timestamptz,
    PRIMARY KEY (batch_id, position)
);

CREATE INDEX eligibility_batch_items_lane ON eligibility_batch_items (batch_id, lane, position) WHERE status = 'pending';
-- "the last check for this patient and payer" when comparing coverage
CREATE INDEX eligibility_checks_patient_payer ON eligibility_checks (patient_key, payer_id, created_at DESC);
