-- The organiser's side of a registration, kept in the console: a note only the town sees, the
-- arrival at the door (check-in), and how it came in: 'form' (the widget) or 'console' (added
-- by hand, a phone call to the town hall; it may have no e-mail address, then no mail goes out).
ALTER TABLE registrations ADD COLUMN staff_note TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN arrived_at TEXT;
ALTER TABLE registrations ADD COLUMN source TEXT NOT NULL DEFAULT 'form'
    CHECK (source IN ('form', 'console'));
