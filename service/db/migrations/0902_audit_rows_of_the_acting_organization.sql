-- An audit row names exactly the organization its transaction acts for: NULL only when it acts for none (a request
-- without a valid key). 0900 let a transaction acting for an organization also write unattributed rows, which every
-- organization reads.
ALTER POLICY organization_rows_append ON audit_log
    WITH CHECK (organization_id IS NOT DISTINCT FROM app_organization());
