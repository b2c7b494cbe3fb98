-- Periodic jobs that must run once for all collectors on one database (the retention purge):
-- an instance runs a job only after moving its next run forward in a write transaction.
CREATE TABLE job_runs (
    name        TEXT PRIMARY KEY,
    -- Milliseconds since 1970: the job is due from then on.
    next_run_ms BIGINT NOT NULL
);
