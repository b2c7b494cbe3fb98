-- Newsletter subscriptions with double opt-in (`kind: "subscription"`). As with registrations,
-- the personal data lives only here; the submission row keeps no payload.

-- Each wording of a consent text (with its privacy notice) once per widget, numbered in the
-- order first seen: the proof of what a subscriber agreed to.
CREATE TABLE consent_texts (
    id         {id},
    widget     TEXT NOT NULL,
    version    {int} NOT NULL,
    -- sha256 of text, a line feed, and the privacy notice's address.
    sha256     TEXT NOT NULL,
    text       TEXT NOT NULL,
    privacy    TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    UNIQUE (widget, sha256),
    UNIQUE (widget, version)
){strict};

-- One row per request; a confirmed row is one subscriber's proof of consent for its lists.
CREATE TABLE subscriptions (
    id            {id},
    widget        TEXT NOT NULL,
    submission    {int} NOT NULL UNIQUE REFERENCES submissions (id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
    email         TEXT NOT NULL,
    -- The address as compared (lowercase).
    email_key     TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- JSON array of list keys.
    lists         TEXT NOT NULL,
    consent       {int} NOT NULL REFERENCES consent_texts (id),
    page          TEXT NOT NULL,
    lang          TEXT NOT NULL,
    -- UTC, RFC 3339.
    requested_at  TEXT NOT NULL,
    confirmed_at  TEXT,
    -- Kept after confirming, so that a second click says "already confirmed".
    confirm_token_sha256 TEXT NOT NULL UNIQUE,
    -- Milliseconds since 1970.
    confirm_expires_ms   {int} NOT NULL,
    -- An unconfirmed request is deleted then; NULL once confirmed.
    purge_at_ms   {int},
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL)),
    CHECK ((status = 'pending') = (purge_at_ms IS NOT NULL))
){strict};
CREATE INDEX subscriptions_by_address ON subscriptions (widget, email_key, status);
CREATE INDEX subscriptions_by_email_key ON subscriptions (email_key);
CREATE INDEX subscriptions_purge ON subscriptions (purge_at_ms) WHERE purge_at_ms IS NOT NULL;

-- Unsubscribe links: each mail to a subscriber gets its own token; only its sha256 is stored.
-- They name the address, not a row: unsubscribing ends every subscription of it to the widget.
CREATE TABLE unsubscribe_tokens (
    token_sha256 TEXT PRIMARY KEY,
    widget       TEXT NOT NULL,
    email_key    TEXT NOT NULL
){strict}{without_rowid};
CREATE INDEX unsubscribe_tokens_by_address ON unsubscribe_tokens (email_key);

-- Addresses that unsubscribed, only as a keyed hash (HMAC-SHA256 with `secrets.address_key`),
-- so that they are never mailed again by mistake; a new confirmed opt-in lifts it.
CREATE TABLE suppressions (
    widget       TEXT NOT NULL,
    address_hmac TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (widget, address_hmac)
){strict}{without_rowid};

-- Secrets of this installation, made at first use (one database, several collectors: the same).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
){strict}{without_rowid};

-- Confirmation mails per address and per client and UTC day, by hashes that change daily:
-- the form must never become a mail cannon. Rows older than a day are deleted by the purge.
CREATE TABLE optin_counts (
    day      {int} NOT NULL,
    key_hash TEXT NOT NULL,
    count    {int} NOT NULL,
    PRIMARY KEY (day, key_hash)
){strict}{without_rowid};

-- Subscribers (and unsubscriptions) forwarded to the town's newsletter system, written in the
-- transaction that causes them. The payload (personal data) is dropped once delivered.
CREATE TABLE webhook_queue (
    id              {id},
    widget          TEXT NOT NULL,
    event           TEXT NOT NULL CHECK (event IN ('subscribed', 'unsubscribed')),
    email_key       TEXT,
    payload         TEXT,
    -- A fresh unsubscribe token for the town's system, until delivered; then NULL.
    token           TEXT,
    created_at      TEXT NOT NULL,
    attempts        {int} NOT NULL DEFAULT 0,
    next_attempt_ms {int} NOT NULL,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT
){strict};
CREATE INDEX webhook_queue_due ON webhook_queue (next_attempt_ms)
    WHERE sent_at IS NULL AND failed_at IS NULL;

-- Mails now also go to subscribers: the queue gets a second owner. SQLite cannot change a
-- column's NOT NULL, so the table is rebuilt with its rows.
CREATE TABLE mail_queue_new (
    id              {id},
    registration    {int} REFERENCES registrations (id) ON DELETE CASCADE,
    subscription    {int} REFERENCES subscriptions (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    -- The link's token, until the mail is sent; then NULL.
    token           TEXT,
    created_at      TEXT NOT NULL,
    attempts        {int} NOT NULL DEFAULT 0,
    -- Milliseconds since 1970; also the lease of a sender that claimed it.
    next_attempt_ms {int} NOT NULL,
    sent_at         TEXT,
    -- Set when it will not be tried again.
    failed_at       TEXT,
    last_error      TEXT,
    CHECK ((registration IS NULL) != (subscription IS NULL))
){strict};
INSERT INTO mail_queue_new
    (id, registration, kind, token, created_at, attempts, next_attempt_ms, sent_at, failed_at,
     last_error)
SELECT id, registration, kind, token, created_at, attempts, next_attempt_ms, sent_at, failed_at,
       last_error
FROM mail_queue;
-- PostgreSQL: the identity column must continue after the ids copied with their values.
{set_identity:mail_queue_new}
DROP TABLE mail_queue;
ALTER TABLE mail_queue_new RENAME TO mail_queue;
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_ms)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_queue_by_registration ON mail_queue (registration);
CREATE INDEX mail_queue_by_subscription ON mail_queue (subscription);
