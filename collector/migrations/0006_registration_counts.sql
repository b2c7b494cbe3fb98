-- Persons seated and waiting per event, kept by the event feature's store in the transaction
-- that changes a registration (`src/events/store.rs`: the only place that writes
-- `registrations`). Placing a registration used to sum every row of its event, which grew with
-- the event; it now reads one or two counter rows.
CREATE TABLE registration_counts (
    widget  TEXT NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('seat', 'waiting')),
    persons {int} NOT NULL CHECK (persons >= 0),
    PRIMARY KEY (widget, status)
){strict}{without_rowid};

INSERT INTO registration_counts (widget, status, persons)
    SELECT widget, status, CAST(sum(persons) AS BIGINT) FROM registrations
    WHERE status IN ('seat', 'waiting') GROUP BY widget, status;
