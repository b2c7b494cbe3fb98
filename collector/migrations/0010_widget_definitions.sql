-- Widget definitions: what each widget is, kept by the collector (the editor's vocabulary as
-- JSON, see shared/src/definition.rs), with every version kept. A definition comes from the
-- configuration file (read-only in the console), the console, the admin API, or a page whose
-- widget the collector did not know yet.
CREATE TABLE widgets (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('poll', 'topics', 'event', 'newsletter')),
    -- 'active': served and takes submissions; 'draft': recorded from a page, takes none until
    -- an editor adopts it.
    status      TEXT NOT NULL CHECK (status IN ('active', 'draft')),
    origin      TEXT NOT NULL CHECK (origin IN ('file', 'console', 'api', 'page')),
    version     {int} NOT NULL CHECK (version >= 1),
    definition  TEXT NOT NULL CHECK ({json_valid:definition}),
    -- The collector's own settings (moderation, page address, mail timings) as JSON.
    settings    TEXT NOT NULL CHECK ({json_valid:settings}),
    -- UTC, RFC 3339.
    changed_at  TEXT NOT NULL,
    -- An account's name, 'api', 'configuration file', or the page's address.
    changed_by  TEXT NOT NULL
){strict}{without_rowid};

-- Every version of every definition, and its discarding; `seq` orders all changes, so that a
-- collector sees in one query whether another one changed anything.
CREATE TABLE widget_versions (
    seq         {id},
    widget      TEXT NOT NULL,
    version     {int} NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'draft', 'discarded')),
    origin      TEXT NOT NULL,
    definition  TEXT NOT NULL,
    settings    TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    UNIQUE (widget, version)
){strict};

-- Pages that embed a widget id the collector did not know: what the page said and where.
-- Bounded per page origin and day by the collector.
CREATE TABLE widget_pages (
    id          {id},
    widget      TEXT NOT NULL,
    -- The page's origin (scheme, host, port) and address without query or fragment.
    page_origin TEXT NOT NULL,
    page_url    TEXT NOT NULL,
    -- UTC day, YYYY-MM-DD: what the bound counts in.
    day         TEXT NOT NULL,
    definition  TEXT NOT NULL CHECK ({json_valid:definition}),
    seen_at     TEXT NOT NULL,
    UNIQUE (widget, page_url)
){strict};

CREATE INDEX widget_pages_by_origin ON widget_pages (page_origin, day);
