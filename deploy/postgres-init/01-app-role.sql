-- The least-privileged role the service's requests run as (APP_DATABASE_URL). It owns nothing: the service's
-- migrations run as the owner (DATABASE_URL) and grant it exactly what it needs (service/db/app_role.py).
-- Runs once, when the PostgreSQL container initializes an empty data directory. Change the password.
CREATE ROLE benefits_app LOGIN PASSWORD 'change-me-app-role-password';
