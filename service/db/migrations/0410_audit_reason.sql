-- Why an administrator read raw X12 or a full-PHI billing feed (the X-Access-Reason header): break-glass
-- access is allowed only with a stated reason, kept with every audit row of that request.
ALTER TABLE audit_log ADD COLUMN reason text;
