-- The queues in the order they are sent. A claim takes the oldest unsent rows (ORDER BY id
-- LIMIT); with only the `*_due` indexes, PostgreSQL read and sorted every due row to find them
-- (5 ms per claim, under the write lock, with a few thousand mails waiting after a burst of
-- registrations). Walking this index, it stops after the rows it takes.
CREATE INDEX mail_queue_unsent ON mail_queue (id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_queue_unsent ON webhook_queue (id)
    WHERE sent_at IS NULL AND failed_at IS NULL;
