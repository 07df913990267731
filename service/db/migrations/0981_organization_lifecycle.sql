-- An organization can be disabled (a customer leaves, or access must stop at once) and enabled again; its records
-- stay, as retention requires, but nothing reaches them through the service while it is disabled: its API keys
-- and portal tokens stop authenticating, its staff cannot sign in to the console and their sessions end (the
-- command deletes them). Only the operator, as the table owner, changes organizations (`organizations disable`).
ALTER TABLE organizations ADD COLUMN disabled_at timestamptz;

-- Every replica drops its cached API-key look-ups the moment a change to an organization commits (as for api_keys).
CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access_changed();

CREATE OR REPLACE FUNCTION authenticate_api_key(wanted_hash bytea)
    RETURNS TABLE (id uuid, name text, role text, organization_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT k.id, k.name, k.role, k.organization_id FROM api_keys k
   JOIN organizations o ON o.id = k.organization_id AND o.disabled_at IS NULL
   WHERE k.key_hash = wanted_hash AND k.revoked_at IS NULL $$;

CREATE OR REPLACE FUNCTION portal_token_state(wanted_id uuid)
    RETURNS TABLE (estimate_id text, expires_at timestamptz, revoked_at timestamptz, organization_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT t.estimate_id, t.expires_at, t.revoked_at, t.organization_id FROM portal_tokens t
   JOIN organizations o ON o.id = t.organization_id AND o.disabled_at IS NULL
   WHERE t.id = wanted_id $$;
