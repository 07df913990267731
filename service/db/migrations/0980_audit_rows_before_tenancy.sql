-- Audit rows written before organizations existed (0900) name no organization, and 0900 let every organization's
-- administrator read every row that names none. Those rows are the one organization of that time's: 'default'
-- (0900 moved every other row of that time to it). From here on:
--   * a row naming an organization is read by that organization only (as before);
--   * a row from before 0900 (occurred_at earlier than 0900's transaction, which created 'default') is read by
--     'default' only;
--   * a later row naming no organization (a request without a valid key: a 401, acting for no organization) is read
--     by every organization's administrator, as the README states, but only if it names no patient; a row naming a
--     patient and no organization (0900 to 0902 let a request acting for an organization write such rows) is read by
--     none (the operator still reads it on the command line, as the table owner).
-- No row is changed: the table is append-only. The boundary is written into the policy as a constant.
DO $$
DECLARE
    tenancy_began timestamptz := coalesce((SELECT created_at FROM organizations WHERE id = 'default'), '-infinity');
BEGIN
    EXECUTE format(
        'ALTER POLICY organization_rows_read ON audit_log USING ('
        '    organization_id = app_organization()'
        ' OR (organization_id IS NULL AND occurred_at < %1$L AND app_organization() = ''default'')'
        ' OR (organization_id IS NULL AND occurred_at >= %1$L AND patient_key IS NULL))',
        tenancy_began);
END;
$$;
