-- Each replica caches API-key look-ups for a few seconds (service/access/caller_cache.py). Any change to api_keys
-- (a revocation above all) tells every replica to drop that cache the moment it commits.
CREATE FUNCTION notify_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('access_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access_changed();
