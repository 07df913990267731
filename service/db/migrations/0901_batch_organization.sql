-- A batch worker learns which organization a queued lane belongs to before it can act for that organization
-- (service/eligibility/batches/runner.py): the lane's job names only the batch. Workers run as the least-privileged
-- role, to which row-level security hides every batch until an organization is set, so this look-up returns the
-- batch's organization - and nothing else - as the owner.
CREATE FUNCTION batch_organization(wanted_batch uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT b.organization_id FROM eligibility_batches b WHERE b.id = wanted_batch $$;
