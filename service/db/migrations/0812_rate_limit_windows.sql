-- Requests per caller per minute, shared by every replica (service/access/shared_ratelimit.py). Rows older than
-- the previous minute are deleted as the service goes.
CREATE TABLE rate_limit_windows (
    caller       text NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL CHECK (used >= 0),
    last_grant   integer NOT NULL,
    PRIMARY KEY (caller, window_start)
);
