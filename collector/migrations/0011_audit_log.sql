-- What administrators did: append-only, each entry carrying the sha256 of the one before it,
-- so that an edited or removed row breaks the chain (see collector/src/audit/). Never an
-- e-mail address of a citizen: objects are widget ids, proposal keys, account names.
CREATE TABLE audit_log (
    seq         {id},
    -- UTC, RFC 3339.
    at          TEXT NOT NULL,
    -- The account's name, 'api' (the bearer token) or 'configuration file'.
    account     TEXT NOT NULL,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    -- Hex sha256 of the previous entry's hash and this entry's fields; '' before the first.
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
){strict};
