-- Event registrations (`kind: "registration"`). The personal data of a registration lives only
-- here: its submission row keeps no payload. Every row is deleted at `purge_at`, a configured
-- number of days after its event (see `store::purge`).
CREATE TABLE registrations (
    id            {id},
    widget        TEXT NOT NULL,
    submission    {int} NOT NULL UNIQUE REFERENCES submissions (id),
    status        TEXT NOT NULL CHECK (status IN ('seat', 'waiting', 'cancelled')),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    -- The address as compared: one active registration per address and event.
    email_key     TEXT NOT NULL,
    persons       {int} NOT NULL CHECK (persons >= 1),
    phone         TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    note          TEXT NOT NULL,
    -- The language of the mails: de, de-einfach or en.
    lang          TEXT NOT NULL,
    -- UTC, RFC 3339.
    created_at    TEXT NOT NULL,
    -- When it got its seat (at registration or by promotion from the waiting list).
    seated_at     TEXT,
    cancelled_at  TEXT,
    cancelled_by  TEXT CHECK (cancelled_by IN ('registrant', 'organiser')),
    -- Milliseconds since 1970: when this row is deleted.
    purge_at_ms   {int} NOT NULL,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
){strict};

CREATE UNIQUE INDEX registrations_active ON registrations (widget, email_key)
    WHERE status != 'cancelled';
-- Seat counts and the waiting list's order.
CREATE INDEX registrations_by_status ON registrations (widget, status, id);
CREATE INDEX registrations_purge ON registrations (purge_at_ms);

-- Cancellation links: each mail gets its own token; only its sha256 is stored.
CREATE TABLE cancel_tokens (
    token_sha256 TEXT PRIMARY KEY,
    registration {int} NOT NULL REFERENCES registrations (id) ON DELETE CASCADE
){strict}{without_rowid};
CREATE INDEX cancel_tokens_by_registration ON cancel_tokens (registration);

-- Mails to send, written in the transaction that causes them, so that a committed
-- registration always gets its mail, even across a crash.
CREATE TABLE mail_queue (
    id              {id},
    registration    {int} NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
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
    last_error      TEXT
){strict};

CREATE INDEX mail_queue_due ON mail_queue (next_attempt_ms)
    WHERE sent_at IS NULL AND failed_at IS NULL;
