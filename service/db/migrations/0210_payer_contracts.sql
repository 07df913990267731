-- The provider's payer contracts (network participation), versioned and immutable like fee schedules:
-- a change is a new version of the same contract key (payer, plan, network); estimates take their
-- network from the versions in force on the date of service (service/pricing/network.py).

CREATE TABLE payer_contracts (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_key         text NOT NULL CHECK (length(contract_key) BETWEEN 1 AND 400),
    version              integer NOT NULL CHECK (version >= 1),
    payer_id             text NOT NULL CHECK (length(payer_id) BETWEEN 1 AND 80),
    payer_name           text NOT NULL CHECK (length(payer_name) BETWEEN 1 AND 120),
    plan_code            text CHECK (plan_code IS NULL OR length(plan_code) BETWEEN 1 AND 80),
    network_name         text NOT NULL CHECK (length(network_name) BETWEEN 1 AND 120),
    in_network           boolean NOT NULL,
    effective_from       date NOT NULL,
    effective_to         date,                 -- exclusive; NULL = until superseded
    fee_schedule_version text REFERENCES fee_schedule_versions (version),
    notes                text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL,
    UNIQUE (contract_key, version),
    CHECK (effective_to IS NULL OR effective_to > effective_from)
);
CREATE INDEX payer_contracts_lookup_idx ON payer_contracts (payer_id, effective_from);

CREATE TRIGGER payer_contracts_immutable BEFORE UPDATE OR DELETE ON payer_contracts
    FOR EACH ROW EXECUTE FUNCTION fee_schedule_is_immutable();
CREATE TRIGGER payer_contracts_no_truncate BEFORE TRUNCATE ON payer_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION fee_schedule_is_immutable();
