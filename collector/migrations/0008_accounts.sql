-- The console's named accounts and their sessions. A password is kept only as its argon2id
-- hash (PHC string); a session only as the sha256 of its cookie's secret.
CREATE TABLE accounts (
    id              {id},
    name            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('administrator', 'editor', 'moderator', 'viewer')),
    password_hash   TEXT NOT NULL,
    -- The console's language for this account: 'de' or 'en'.
    lang            TEXT NOT NULL DEFAULT 'de' CHECK (lang IN ('de', 'en')),
    -- Milliseconds since 1970.
    created_at      {int} NOT NULL,
    disabled_at     {int},
    -- Wrong passwords since the last successful sign-in, and when the last one came: the
    -- account's own sign-in throttle, shared by every collector on the database.
    failed_sign_ins {int} NOT NULL DEFAULT 0,
    last_failed_at  {int}
){strict};

CREATE TABLE sessions (
    -- sha256 (hex) of the cookie's secret.
    id_hash      TEXT PRIMARY KEY,
    account      {int} NOT NULL REFERENCES accounts (id),
    -- Sent back in every form and state-changing request of the session.
    csrf         TEXT NOT NULL,
    created_at   {int} NOT NULL,
    last_seen_at {int} NOT NULL
){strict}{without_rowid};

CREATE INDEX sessions_by_account ON sessions (account);
