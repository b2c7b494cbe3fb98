//! Every kind of problem an endpoint answers with (`docs/protocol.md`, "Errors"), typed once for
//! the collector that writes them and the widgets that act on them.
//!
//! On the wire a kind is the problem's `type`, `urn:mitmachen:problem:<slug>`. Reading one never
//! fails: a type this version does not know (a newer collector's, another server's, none at all)
//! is [`ProblemKind::Other`], and the widget then acts on the HTTP status alone.

/// What every problem `type` of ours starts with; the slug follows.
pub const TYPE_PREFIX: &str = "urn:mitmachen:problem:";

/// RFC 9457's type for "nothing beyond the HTTP status": what [`ProblemKind::Other`] writes.
pub const BLANK_TYPE: &str = "about:blank";

// One row per kind, in the order of the table in `docs/protocol.md`: variant, slug, status,
// title. A macro so that the four stay side by side and cannot drift apart.
macro_rules! problem_kinds {
    ($($(#[$doc:meta])* $variant:ident = $slug:literal, $status:literal, $title:literal;)*) => {
        /// A problem's `type`, typed. See the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemKind {
            $($(#[$doc])* $variant,)*
            /// A type this version does not know. Never written by the collector.
            Other,
        }

        impl ProblemKind {
            /// Every kind the collector answers with, without [`ProblemKind::Other`].
            pub const ALL: &'static [ProblemKind] = &[$(ProblemKind::$variant,)*];

            /// The part of the `type` after [`TYPE_PREFIX`]; `None` for
            /// [`ProblemKind::Other`], which has none.
            pub fn slug(self) -> Option<&'static str> {
                match self {
                    $(ProblemKind::$variant => Some($slug),)*
                    ProblemKind::Other => None,
                }
            }

            /// The HTTP status the collector sends this kind with.
            pub fn status(self) -> Option<u16> {
                match self {
                    $(ProblemKind::$variant => Some($status),)*
                    ProblemKind::Other => None,
                }
            }

            /// The problem's `title`, the same for every problem of the kind.
            pub fn title(self) -> Option<&'static str> {
                match self {
                    $(ProblemKind::$variant => Some($title),)*
                    ProblemKind::Other => None,
                }
            }
        }
    };
}

problem_kinds! {
    MalformedJson = "malformed-json", 400, "The body is not JSON";
    /// Missing or malformed.
    IdempotencyKeyMissing = "idempotency-key-missing", 400, "Idempotency-Key missing or malformed";
    BadWidgetId = "bad-widget-id", 400, "Bad widget id";
    /// A query parameter this path does not know, or a value it does not take.
    BadQuery = "bad-query", 400, "Bad query parameter";
    /// Admin API: the bearer token is missing or wrong.
    Unauthorized = "unauthorized", 401, "Bearer token missing or wrong";
    OriginNotAllowed = "origin-not-allowed", 403, "Origin not allowed";
    NotFound = "not-found", 404, "Not found";
    /// A registration or event status for an event the endpoint does not know.
    UnknownEvent = "unknown-event", 404, "No such event";
    /// A subscription, or the admin's subscriber list, for a newsletter the endpoint does not
    /// know.
    UnknownNewsletter = "unknown-newsletter", 404, "No such newsletter";
    /// No seat left and no waiting list.
    EventFull = "event-full", 409, "The event is full";
    /// Admin API: no token is configured.
    AdminDisabled = "admin-disabled", 404, "The admin API is off";
    MethodNotAllowed = "method-not-allowed", 405, "Method not allowed";
    PayloadTooLarge = "payload-too-large", 413, "The body is too large";
    UnsupportedMediaType = "unsupported-media-type", 415, "The body is not sent as JSON";
    InvalidSubmission = "invalid-submission", 422, "The submission breaks a rule";
    IdempotencyKeyReused = "idempotency-key-reused", 422, "Idempotency-Key used with another body";
    /// The widget's closing time has passed; the detail names it.
    Closed = "closed", 422, "The widget is closed";
    /// Admin API: a merge or decision that is not possible.
    InvalidDecision = "invalid-decision", 422, "The decision is not possible";
    /// Admin API: a signed-in account whose role does not allow the request.
    Forbidden = "forbidden", 403, "Not allowed for this account";
    /// Admin API: a widget definition the widgets could not show; see `errors`.
    InvalidDefinition = "invalid-definition", 422, "The widget definition is not valid";
    /// Admin API: a widget declared in the configuration file, changed only there.
    ReadOnly = "read-only", 409, "Declared in the configuration file";
    /// Admin API: `If-Match` names a version that is no longer the current one.
    VersionConflict = "version-conflict", 412, "The definition changed meanwhile";
    /// A submission to a widget recorded as a draft, which an editor has not adopted yet.
    Draft = "draft", 409, "The widget is not open yet";
    /// The results of a widget whose definition keeps them from citizens (`data-results`
    /// `never`, or `after-closing` before the close).
    ResultsHidden = "results-hidden", 403, "The results are not public";
    /// A header that must come once (`Idempotency-Key`, `Authorization`) came more than once.
    DuplicateHeader = "duplicate-header", 400, "A header is sent more than once";
    /// The body did not arrive within the collector's body timeout.
    RequestTimeout = "request-timeout", 408, "The request was not sent in time";
    /// The answer was not ready within the collector's request deadline.
    DeadlineExceeded = "deadline-exceeded", 503, "The answer took too long";
    RateLimited = "rate-limited", 429, "Too many requests";
    StorageUnavailable = "storage-unavailable", 503, "Storage unavailable";
    Internal = "internal", 500, "Internal error";
}

impl ProblemKind {
    /// The kind of a slug; `None` for a slug this version does not know.
    pub fn from_slug(slug: &str) -> Option<ProblemKind> {
        ProblemKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.slug() == Some(slug))
    }

    /// The kind of a problem's `type`; anything that is not one of ours is
    /// [`ProblemKind::Other`].
    pub fn from_type_uri(type_uri: &str) -> ProblemKind {
        type_uri
            .strip_prefix(TYPE_PREFIX)
            .and_then(ProblemKind::from_slug)
            .unwrap_or(ProblemKind::Other)
    }

    /// The problem's `type`: `urn:mitmachen:problem:<slug>`, or [`BLANK_TYPE`] for
    /// [`ProblemKind::Other`].
    pub fn type_uri(self) -> String {
        match self.slug() {
            Some(slug) => format!("{TYPE_PREFIX}{slug}"),
            None => BLANK_TYPE.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_kind_round_trips() {
        for &kind in ProblemKind::ALL {
            let slug = kind.slug().expect("a known kind has a slug");
            assert_eq!(ProblemKind::from_slug(slug), Some(kind));
            assert_eq!(ProblemKind::from_type_uri(&kind.type_uri()), kind);
            assert_eq!(kind.type_uri(), format!("urn:mitmachen:problem:{slug}"));
            assert!(kind.status().is_some_and(|s| (400..600).contains(&s)));
            assert!(kind.title().is_some_and(|t| !t.is_empty()));
        }
        assert!(!ProblemKind::ALL.contains(&ProblemKind::Other));
        let slugs: BTreeSet<_> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        assert_eq!(slugs.len(), ProblemKind::ALL.len(), "slugs are unique");
    }

    #[test]
    fn unknown_types_are_other() {
        for uri in [
            "urn:mitmachen:problem:seat-lottery-lost",
            "urn:mitmachen:problem:",
            "urn:mitmachen:problem:EVENT-FULL",
            "urn:mitmachen:problem:event-full ",
            "urn:other:problem:event-full",
            "event-full",
            "https://example.org/probs/out-of-credit",
            "about:blank",
            "",
        ] {
            assert_eq!(ProblemKind::from_type_uri(uri), ProblemKind::Other, "{uri}");
        }
        let other = ProblemKind::Other;
        assert_eq!(
            (other.slug(), other.status(), other.title()),
            (None, None, None)
        );
        assert_eq!(ProblemKind::from_type_uri(&other.type_uri()), other);
    }

    /// The slugs of the table in `docs/protocol.md` ("| `type` suffix | status |"), with their
    /// statuses.
    fn documented() -> Vec<(String, u16)> {
        let doc = include_str!("../../docs/protocol.md");
        let table = doc
            .split("| `type` suffix | status |")
            .nth(1)
            .expect("docs/protocol.md has the table of problem types");
        table
            .lines()
            .skip(2) // the rest of the header line, then `|---|---|`
            .take_while(|line| line.starts_with('|'))
            .map(|row| {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                let slug = cells[1].trim_matches('`').to_owned();
                let status = cells[2][..3].parse().expect("the row starts with a status");
                (slug, status)
            })
            .collect()
    }

    #[test]
    fn the_kinds_are_those_of_docs_protocol_md() {
        let doc = documented();
        assert!(doc.len() > 10, "the table was found: {doc:?}");
        for (slug, status) in &doc {
            let kind = ProblemKind::from_slug(slug).unwrap_or_else(|| {
                panic!("docs/protocol.md lists `{slug}`, which is no ProblemKind")
            });
            assert_eq!(kind.status(), Some(*status), "the status of `{slug}`");
        }
        for kind in ProblemKind::ALL {
            let slug = kind.slug().unwrap_or_default();
            assert!(
                doc.iter().any(|(s, _)| s == slug),
                "ProblemKind::{kind:?} (`{slug}`) is missing in docs/protocol.md's table"
            );
        }
    }
}
