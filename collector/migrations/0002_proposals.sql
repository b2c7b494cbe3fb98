-- Topics that citizens propose (`kind: "proposal"`). The submission row keeps the body as
-- received and answers replays; this row is what administrators decide about. Title and
-- description are stored exactly as sent.
CREATE TABLE proposals (
    id          {id},
    -- Public id and topic key: 'p-' and 8 random lowercase hex digits.
    key         TEXT NOT NULL UNIQUE CHECK (
                    length(key) = 10 AND substr(key, 1, 2) = 'p-'
                    AND ltrim(substr(key, 3), '0123456789abcdef') = ''
                ),
    widget      TEXT NOT NULL,
    submission  {int} NOT NULL UNIQUE REFERENCES submissions (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'merged')),
    -- The topic key the votes went to; set exactly when merged.
    merged_into TEXT CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    -- UTC, RFC 3339.
    created_at  TEXT NOT NULL,
    -- When last approved, rejected or merged.
    decided_at  TEXT,
    -- Order of decisions (timestamps have whole seconds): topics are served by it.
    decision_seq {int} UNIQUE
){strict};

CREATE INDEX proposals_by_widget ON proposals (widget, status, decision_seq);
