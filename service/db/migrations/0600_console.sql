-- Intake console: staff accounts and browser sessions (service/console/).

-- A staff member who signs in to the console with a name and a password. The password is kept only as
-- an argon2id hash (argon2-cffi's encoded form, which carries its own salt and parameters).
CREATE TABLE staff_accounts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username        text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 2 AND 80),
    display_name    text NOT NULL,
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    -- consecutive failed sign-ins; at the limit the account is locked until locked_until
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz
);

-- One signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so a copy of this
-- table opens no session. Kept in PostgreSQL so every replica sees the same sessions.
CREATE TABLE console_sessions (
    id_hash       bytea PRIMARY KEY,
    actor_id      text NOT NULL,        -- "staff:<uuid>" or the API key id it was exchanged for
    actor_name    text NOT NULL,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL   -- absolute end, whatever the activity
);
CREATE INDEX console_sessions_last_seen_idx ON console_sessions (last_seen_at);
