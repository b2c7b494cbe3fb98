//! The wire protocol between a widget and any endpoint, version 1 (`docs/protocol.md`).
//!
//! Requests go to `{endpoint}/v1/widgets/{widget}/...`; the version lives in the path, so a
//! later incompatible format gets `/v2/` beside it. Bodies are JSON; errors are
//! `application/problem+json` (RFC 9457) with the [`Problem`] shape.

use crate::ids::{OptionKey, WidgetId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "v1";
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
/// More answers than this in one ballot is refused whatever the poll allows.
pub const MAX_CHOICES: usize = 50;

pub fn submissions_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/submissions")
}

pub fn results_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/results")
}

/// An idempotency key is 8 to 128 visible ASCII characters; widgets send a UUID v4.
pub fn valid_idempotency_key(key: &str) -> bool {
    (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// What a citizen sends. The `kind` field names the widget type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Submission {
    Poll(PollBallot),
}

/// The answers chosen in a poll, by option key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollBallot {
    pub choices: Vec<OptionKey>,
    /// The form's honeypot field, hidden from people; see [`is_spam`](Submission::is_spam).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

/// One thing wrong with a request body, located by a JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
}

impl Submission {
    pub fn kind(&self) -> &'static str {
        match self {
            Submission::Poll(_) => "poll",
        }
    }

    /// Whether the hidden honeypot field was filled in, which only form-filling bots do. An
    /// endpoint answers such a submission as if it were accepted and stores nothing, so that
    /// the bot learns nothing.
    pub fn is_spam(&self) -> bool {
        match self {
            Submission::Poll(ballot) => !ballot.honeypot.is_empty(),
        }
    }

    /// Rules every endpoint checks, whatever a widget's own configuration adds.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        match self {
            Submission::Poll(ballot) => {
                if ballot.choices.is_empty() {
                    errors.push(FieldError {
                        pointer: "/choices".into(),
                        detail: "choose at least one answer".into(),
                    });
                }
                if ballot.choices.len() > MAX_CHOICES {
                    errors.push(FieldError {
                        pointer: "/choices".into(),
                        detail: format!("at most {MAX_CHOICES} answers"),
                    });
                }
                for (i, key) in ballot.choices.iter().enumerate() {
                    if ballot.choices[..i].contains(key) {
                        errors.push(FieldError {
                            pointer: format!("/choices/{i}"),
                            detail: format!("'{key}' is chosen twice"),
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The answer to an accepted submission (201), and to every replay of its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// An opaque id of the stored submission.
    pub receipt: String,
    pub widget: WidgetId,
    /// UTC, RFC 3339.
    pub accepted_at: String,
}

/// A widget's current results: how many submissions, and how often each key was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub widget: WidgetId,
    pub ballots: u64,
    pub counts: BTreeMap<String, u64>,
}

/// An RFC 9457 problem detail, as every error answer carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `urn:mitmachen:problem:<slug>`; see `docs/protocol.md` for the list.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Result<Submission, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_poll_ballot_round_trips() {
        let s = decode(r#"{"kind":"poll","choices":["ja","vielleicht"]}"#).expect("valid");
        assert_eq!(s.kind(), "poll");
        assert_eq!(s.validate(), Ok(()));
        let again = serde_json::to_string(&s).expect("serializes");
        assert_eq!(again, r#"{"kind":"poll","choices":["ja","vielleicht"]}"#);
    }

    #[test]
    fn refuses_unknown_kinds_fields_and_bad_keys() {
        assert!(decode(r#"{"kind":"vote","choices":["ja"]}"#).is_err());
        assert!(decode(r#"{"choices":["ja"]}"#).is_err());
        let unknown = decode(r#"{"kind":"poll","choices":["ja"],"ip":"1.2.3.4"}"#);
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown field `ip`")
        );
        assert!(decode(r#"{"kind":"poll","choices":["<b>"]}"#).is_err());
        assert!(decode(r#"{"kind":"poll","choices":"ja"}"#).is_err());
    }

    #[test]
    fn validation_names_the_field() {
        let empty = decode(r#"{"kind":"poll","choices":[]}"#).expect("decodes");
        assert_eq!(empty.validate().unwrap_err()[0].pointer, "/choices");
        let twice = decode(r#"{"kind":"poll","choices":["ja","nein","ja"]}"#).expect("decodes");
        assert_eq!(twice.validate().unwrap_err()[0].pointer, "/choices/2");
        let many: Vec<String> = (0..51).map(|i| format!("\"o{i}\"")).collect();
        let json = format!(r#"{{"kind":"poll","choices":[{}]}}"#, many.join(","));
        assert!(decode(&json).expect("decodes").validate().is_err());
    }

    #[test]
    fn a_filled_honeypot_marks_spam() {
        let human = decode(r#"{"kind":"poll","choices":["ja"]}"#).expect("decodes");
        assert!(!human.is_spam());
        let bot = decode(r#"{"kind":"poll","choices":["ja"],"honeypot":"http://spam.example"}"#)
            .expect("decodes");
        assert!(bot.is_spam());
    }

    #[test]
    fn idempotency_keys() {
        assert!(valid_idempotency_key(
            "7f8c2d0e-5b7a-4c1e-9a39-6f1d2b3c4d5e"
        ));
        assert!(!valid_idempotency_key("short"));
        assert!(!valid_idempotency_key("has space inside it"));
        assert!(!valid_idempotency_key(&"k".repeat(129)));
    }

    #[test]
    fn paths() {
        let id = WidgetId::parse("haushalt").expect("valid");
        assert_eq!(submissions_path(&id), "/v1/widgets/haushalt/submissions");
        assert_eq!(results_path(&id), "/v1/widgets/haushalt/results");
    }
}
