-- Organizations (tenancy). Every API key, staff account, eligibility check, batch, estimate, payment plan,
-- Good Faith Estimate, portal token, sliding-fee schedule, payment-plan rule set and payer contract belongs to one
-- organization, and PostgreSQL itself keeps each organization's rows apart (row-level security below).
--
-- Which organization a statement acts for is the transaction-local setting app.organization_id, set at BEGIN by
-- the service's connection class (service/db/tenant.py) from the caller of the request. A transaction that set
-- nothing sees no tenant row and may write none: it fails closed. The table owner (migrations, the command line,
-- batch workers) is not subject to the policies (no FORCE); the least-privileged role requests run as is.
--
-- An upgrade loses nothing: every existing row goes to the organization 'default'; organization ids already
-- named by sliding-fee schedules and payment-plan rules become organizations of their own.

CREATE TABLE organizations (
    id          text PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO organizations (id, name) VALUES ('default', 'Default organization');
INSERT INTO organizations (id, name)
    SELECT DISTINCT organization_id, organization_id FROM sliding_fee_schedules
    UNION SELECT DISTINCT organization_id, organization_id FROM payment_plan_rules
    ON CONFLICT (id) DO NOTHING;
-- New organization ids are slugs; ids carried over from the free-text field above are kept as they were.
ALTER TABLE organizations ADD CONSTRAINT organizations_id_is_a_slug
    CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$') NOT VALID;

-- The organization this transaction acts for, or NULL (nothing set: no tenant row is visible).
CREATE FUNCTION app_organization() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.organization_id', true), '') $$;

-- Add the column to a tenant table: existing rows go to 'default', new rows take the transaction's organization,
-- and row-level security keeps every command to that organization's rows.
CREATE FUNCTION tenant_table(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS organization_id text NOT NULL DEFAULT ''default'' '
                   'REFERENCES organizations (id)', tbl);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN organization_id SET DEFAULT app_organization()', tbl);
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('CREATE POLICY organization_rows ON %s USING (organization_id = app_organization()) '
                   'WITH CHECK (organization_id = app_organization())', tbl);
END;
$$;

SELECT tenant_table('api_keys');
SELECT tenant_table('eligibility_checks');
SELECT tenant_table('eligibility_batches');
SELECT tenant_table('eligibility_batch_items');
SELECT tenant_table('estimates');
SELECT tenant_table('accepted_payment_plans');
SELECT tenant_table('good_faith_estimates');
SELECT tenant_table('portal_tokens');
SELECT tenant_table('payer_contracts');

-- Sliding-fee schedules and payment-plan rules already name their organization: it becomes a reference.
ALTER TABLE sliding_fee_schedules ADD CONSTRAINT sliding_fee_schedules_organization_fk
    FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE payment_plan_rules ADD CONSTRAINT payment_plan_rules_organization_fk
    FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE sliding_fee_schedules ALTER COLUMN organization_id SET DEFAULT app_organization();
ALTER TABLE payment_plan_rules ALTER COLUMN organization_id SET DEFAULT app_organization();
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['sliding_fee_schedules', 'payment_plan_rules'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('CREATE POLICY organization_rows ON %I USING (organization_id = app_organization()) '
                       'WITH CHECK (organization_id = app_organization())', tbl);
    END LOOP;
END;
$$;

-- A contract's versions are numbered within its organization: two organizations may hold the same contract key.
ALTER TABLE payer_contracts DROP CONSTRAINT payer_contracts_contract_key_version_key;
ALTER TABLE payer_contracts ADD CONSTRAINT payer_contracts_organization_key_version_key
    UNIQUE (organization_id, contract_key, version);
CREATE INDEX payer_contracts_organization_idx ON payer_contracts (organization_id, payer_id, effective_from);
CREATE INDEX estimates_organization_idx ON estimates (organization_id, id);
CREATE INDEX eligibility_checks_organization_idx ON eligibility_checks (organization_id, id);

-- Staff accounts belong to an organization too. They are read to sign in, before any organization is known, so
-- they carry no policy (they hold no patient data); a session acts for its member's organization.
ALTER TABLE staff_accounts ADD COLUMN organization_id text NOT NULL DEFAULT 'default' REFERENCES organizations (id);
ALTER TABLE staff_accounts ALTER COLUMN organization_id SET DEFAULT app_organization();
ALTER TABLE console_sessions ADD COLUMN organization_id text REFERENCES organizations (id);
UPDATE console_sessions SET organization_id = 'default';
ALTER TABLE console_sessions ALTER COLUMN organization_id SET NOT NULL;

-- Audit rows name the organization the request acted for (NULL: no organization, e.g. a request without a valid
-- key). An organization reads its own rows and the unattributed ones, never another organization's.
ALTER TABLE audit_log ADD COLUMN organization_id text;
ALTER TABLE audit_log ALTER COLUMN organization_id SET DEFAULT app_organization();
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, id);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_rows_read ON audit_log FOR SELECT
    USING (organization_id IS NULL OR organization_id = app_organization());
CREATE POLICY organization_rows_append ON audit_log FOR INSERT
    WITH CHECK (organization_id IS NULL OR organization_id = app_organization());

-- Authentication runs before the organization is known: these two look-ups read across organizations, as the
-- owner (SECURITY DEFINER), and return only what identifies the caller - never a patient's data.
CREATE FUNCTION authenticate_api_key(wanted_hash bytea)
    RETURNS TABLE (id uuid, name text, role text, organization_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT k.id, k.name, k.role, k.organization_id FROM api_keys k
   WHERE k.key_hash = wanted_hash AND k.revoked_at IS NULL $$;

CREATE FUNCTION portal_token_state(wanted_id uuid)
    RETURNS TABLE (estimate_id text, expires_at timestamptz, revoked_at timestamptz, organization_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT t.estimate_id, t.expires_at, t.revoked_at, t.organization_id FROM portal_tokens t WHERE t.id = wanted_id $$;
