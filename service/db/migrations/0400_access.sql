-- Access: patient-portal tokens, idempotency keys, and the change feed billing systems pull.

-- A portal token names exactly one estimate. The signed token carries the id; this row makes it
-- revocable (checked on every use). estimate_id is text (no foreign key): the estimates table is
-- owned by pricing and its id type is theirs.
CREATE TABLE portal_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    estimate_id text NOT NULL,
    issued_by   text NOT NULL,          -- api key id of the intake/billing caller
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text
);
CREATE INDEX portal_tokens_estimate_idx ON portal_tokens (estimate_id);

-- One row per (caller, Idempotency-Key). status IS NULL while the first request is in flight;
-- locked_until lets a later retry take over a claim whose process died. Rows older than the
-- retention (24 h) are treated as absent and deleted lazily.
-- response_body may hold PHI (or a new API key's secret): treat this table like the PHI tables.
CREATE TABLE idempotency_keys (
    caller        text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,       -- sha256(method, path, query, body)
    status        integer,
    content_type  text,
    response_body bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz NOT NULL,
    completed_at  timestamptz,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Change feed. Every INSERT/UPDATE of a tracked table stamps the row with the writing
-- transaction's id (change_xid) and a value of one global sequence (change_seq). Readers order by
-- (change_xid, change_seq) and only hand out rows with change_xid below the oldest transaction
-- still running (pg_snapshot_xmin): no transaction below that horizon can still commit, so a row
-- can never appear behind a cursor already handed out. change_xid is taken BEFORE nextval so a
-- transaction holding a sequence value always already has its xid.
CREATE SEQUENCE access_change_seq;

CREATE FUNCTION access_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id();
    NEW.change_seq := nextval('access_change_seq');
    RETURN NEW;
END;
$$;

-- Call from a later migration for a table created after this one: SELECT access_track_changes('t');
CREATE FUNCTION access_track_changes(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS change_seq bigint, '
                   'ADD COLUMN IF NOT EXISTS change_xid xid8', tbl);
    EXECUTE format('UPDATE %s SET change_seq = nextval(''access_change_seq''), change_xid = pg_current_xact_id() '
                   'WHERE change_seq IS NULL', tbl);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN change_seq SET NOT NULL, ALTER COLUMN change_xid SET NOT NULL', tbl);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (change_xid, change_seq)', name || '_change_idx', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS access_stamp_change ON %s', tbl);
    EXECUTE format('CREATE TRIGGER access_stamp_change BEFORE INSERT OR UPDATE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION access_stamp_change()', tbl);
END;
$$;

DO $$
BEGIN
    IF to_regclass('public.eligibility_checks') IS NOT NULL THEN
        PERFORM access_track_changes('public.eligibility_checks');
    END IF;
    IF to_regclass('public.estimates') IS NOT NULL THEN
        PERFORM access_track_changes('public.estimates');
    END IF;
END;
$$;
