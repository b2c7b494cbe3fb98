-- Accepted submissions, exactly as received. No IP address, no user agent, no cookie: only
-- what the citizen chose and when it was accepted.
CREATE TABLE submissions (
    id              {id},
    -- Opaque id handed back in the receipt (128 random bits, hex).
    receipt         TEXT NOT NULL UNIQUE,
    widget          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- sha256 (hex) of the raw request body: a replay must carry the same bytes.
    body_sha256     TEXT NOT NULL,
    payload         TEXT NOT NULL CHECK ({json_valid:payload}),
    -- The 201 body sent first, sent again on every replay of the key.
    response_body   TEXT NOT NULL,
    -- UTC, RFC 3339.
    created_at      TEXT NOT NULL,
    UNIQUE (widget, idempotency_key)
){strict};

-- Running totals, updated in the transaction that inserts a submission, so that reading
-- results never scans the submissions.
CREATE TABLE widget_totals (
    widget  TEXT PRIMARY KEY,
    ballots {int} NOT NULL CHECK (ballots >= 0)
){strict}{without_rowid};

CREATE TABLE tallies (
    widget TEXT NOT NULL REFERENCES widget_totals (widget),
    option TEXT NOT NULL,
    count  {int} NOT NULL CHECK (count >= 0),
    PRIMARY KEY (widget, option)
){strict}{without_rowid};
