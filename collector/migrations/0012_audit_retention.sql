-- Where the audit log starts once its oldest entries were deleted after their retention
-- (`audit_retention_days`): the last deleted entry's number and hash, which the first remaining
-- entry must link to. Rows removed from the start without this anchor moving still show.
CREATE TABLE audit_anchor (
    id   {int} PRIMARY KEY CHECK (id = 1),
    seq  {int} NOT NULL,
    hash TEXT NOT NULL
){strict}{without_rowid};
