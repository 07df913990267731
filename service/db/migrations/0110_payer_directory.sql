-- Payer directory: the payer ids each clearinghouse routes to, with names, aliases and what each payer takes.
-- Loaded from the list a clearinghouse publishes (`benefits-estimator payers import`); no PHI.

CREATE TABLE payer_directory (
    clearinghouse  text NOT NULL,
    payer_id       text NOT NULL,
    name           text NOT NULL,
    -- other names and alias payer ids the clearinghouse lists for the same payer
    aliases        text[] NOT NULL DEFAULT '{}',
    real_time_270  boolean NOT NULL DEFAULT true,
    batch_270      boolean NOT NULL DEFAULT false,
    imported_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clearinghouse, payer_id)
);
