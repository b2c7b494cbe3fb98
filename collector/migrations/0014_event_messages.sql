-- Mails an organiser writes to an event's registrants (the console's "E-Mail an Angemeldete"):
-- the town's text once, and one queued mail per registration pointing at it. The text is the
-- town's own; nothing a registrant typed goes into it.
CREATE TABLE event_messages (
    id         {id},
    widget     TEXT NOT NULL,
    audience   TEXT NOT NULL CHECK (audience IN ('seat', 'waiting', 'all')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    -- UTC, RFC 3339.
    created_at TEXT NOT NULL,
    -- The account that sent it.
    created_by TEXT NOT NULL,
    recipients {int} NOT NULL
){strict};
CREATE INDEX event_messages_by_widget ON event_messages (widget, id);

ALTER TABLE mail_queue ADD COLUMN message {int} REFERENCES event_messages (id);
