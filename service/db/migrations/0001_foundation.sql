-- Foundation: API keys (stored as hashes only) and the append-only audit log.
-- Migration numbers by area: 0001-0099 foundation/access, 0100-0199 eligibility,
-- 0200-0299 pricing, 0300-0399 self-pay, 0400-0499 access.

CREATE TABLE api_keys (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (role IN ('intake', 'portal', 'billing', 'admin')),
    prefix      text NOT NULL UNIQUE,
    key_hash    bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    last_used_at timestamptz
);

-- Every read or write of PHI leaves one row. Rows are never changed or removed.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,          -- api key id / name, or portal token id
    role         text NOT NULL,
    action       text NOT NULL,          -- e.g. eligibility.create, estimate.read
    resource_type text NOT NULL,
    resource_id  text,
    patient_key  text,                   -- pseudonymous patient key (hash), never a name
    request_id   text,
    outcome      text NOT NULL           -- success | denied | not_found | error
);
CREATE INDEX audit_log_patient_idx ON audit_log (patient_key, occurred_at);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
