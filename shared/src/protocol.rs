//! The wire protocol between a widget and any endpoint, version 1 (`docs/protocol.md`).
//!
//! Requests go to `{endpoint}/v1/widgets/{widget}/...`; the version lives in the path, so a
//! later incompatible format gets `/v2/` beside it. Bodies are JSON; errors are
//! `application/problem+json` (RFC 9457) with the [`Problem`] shape.

use crate::event::{FormValues, Placement, check_registration};
use crate::ids::{OptionKey, WidgetId};
use crate::messages::Lang;
use crate::newsletter::{SubscriptionValues, check_subscription};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::problem::ProblemKind;

pub const API_VERSION: &str = "v1";
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
/// More answers than this in one ballot is refused whatever the poll allows.
pub const MAX_CHOICES: usize = 50;
/// A proposal's title, in characters, counted without surrounding white space.
pub const MIN_TITLE_CHARS: usize = 3;
pub const MAX_TITLE_CHARS: usize = 120;
/// A proposal's description, in characters, counted without surrounding white space.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

pub fn submissions_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/submissions")
}

pub fn results_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/results")
}

pub fn topics_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/topics")
}

pub fn event_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/event")
}

/// The collector's definition of the widget (`docs/protocol.md`).
pub fn definition_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}")
}

/// Where a widget the collector does not know records its page.
pub fn pages_path(widget: &WidgetId) -> String {
    format!("/{API_VERSION}/widgets/{widget}/pages")
}

/// An idempotency key is 8 to 128 visible ASCII characters; widgets send a UUID v7.
pub fn valid_idempotency_key(key: &str) -> bool {
    (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// What a citizen sends. The `kind` field names the widget type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Submission {
    Poll(PollBallot),
    Proposal(Proposal),
    Topics(TopicBallot),
    Registration(Registration),
    Subscription(Subscription),
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

/// A topic a citizen proposes. Title and description are kept exactly as sent (only the length
/// check ignores surrounding white space); showing them safely is the reader's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The form's honeypot field, hidden from people; see [`is_spam`](Submission::is_spam).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

/// A topic-voting ballot: how many dots the citizen gave which topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicBallot {
    pub dots: Vec<DotPlacement>,
    /// The form's honeypot field, hidden from people; see [`is_spam`](Submission::is_spam).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DotPlacement {
    pub topic: OptionKey,
    pub count: u32,
}

/// A sign-up for an event. Only name and e-mail are always asked; the other fields are empty
/// unless the editor's form asks for them. None of it is ever echoed in a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub name: String,
    pub email: String,
    #[serde(default = "one")]
    pub persons: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The widget's language (`de`, `de-einfach`, `en`): the mails are written in it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lang: String,
    /// The form's honeypot field, hidden from people; see [`is_spam`](Submission::is_spam).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

fn one() -> u32 {
    1
}

impl Registration {
    pub fn values(&self) -> FormValues<'_> {
        FormValues {
            name: &self.name,
            email: &self.email,
            persons: self.persons,
            phone: &self.phone,
            organisation: &self.organisation,
            note: &self.note,
        }
    }

    pub fn language(&self) -> Lang {
        Lang::from_tag(&self.lang).unwrap_or_default()
    }
}

/// A request to subscribe to a newsletter, to be confirmed by the address owner (double opt-in).
/// Nothing of it is echoed in the confirmation mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The chosen lists' keys; empty when the widget offers none or one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<OptionKey>,
    /// The consent text exactly as the citizen saw it beside the button: the proof of what was
    /// agreed to.
    pub consent: String,
    /// The privacy notice linked beside the consent text, as an absolute address.
    pub privacy: String,
    /// The page the form was on, without query and fragment.
    pub page: String,
    /// The widget's language (`de`, `de-einfach`, `en`): the mails are written in it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lang: String,
    /// The form's honeypot field, hidden from people; see [`is_spam`](Submission::is_spam).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

impl Subscription {
    pub fn values(&self) -> SubscriptionValues<'_> {
        SubscriptionValues {
            email: &self.email,
            name: &self.name,
            lists: &self.lists,
            consent: &self.consent,
            privacy: &self.privacy,
            page: &self.page,
        }
    }

    pub fn language(&self) -> Lang {
        Lang::from_tag(&self.lang).unwrap_or_default()
    }
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
            Submission::Proposal(_) => "proposal",
            Submission::Topics(_) => "topics",
            Submission::Registration(_) => "registration",
            Submission::Subscription(_) => "subscription",
        }
    }

    /// Whether the hidden honeypot field was filled in, which only form-filling bots do. An
    /// endpoint answers such a submission as if it were accepted and stores nothing, so that
    /// the bot learns nothing.
    pub fn is_spam(&self) -> bool {
        match self {
            Submission::Poll(ballot) => !ballot.honeypot.is_empty(),
            Submission::Proposal(proposal) => !proposal.honeypot.is_empty(),
            Submission::Topics(ballot) => !ballot.honeypot.is_empty(),
            Submission::Registration(r) => !r.honeypot.is_empty(),
            Submission::Subscription(s) => !s.honeypot.is_empty(),
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
            Submission::Topics(ballot) => {
                // The widget's own rules (dots per person, per topic, which topics) are the
                // endpoint's to add; these are the limits for any topic list.
                let placements: Vec<(OptionKey, u32)> = ballot
                    .dots
                    .iter()
                    .map(|d| (d.topic.clone(), d.count))
                    .collect();
                let rules = crate::topics::DotRules {
                    dots: crate::topics::MAX_DOTS,
                    per_topic: crate::topics::MAX_DOTS,
                };
                if let Err(mut e) = crate::topics::Dots::validate(&placements, rules, |_| true) {
                    errors.append(&mut e);
                }
            }
            Submission::Registration(registration) => {
                for (field, problem) in check_registration(&registration.values(), None) {
                    errors.push(FieldError {
                        pointer: format!("/{}", field.name()),
                        detail: format!("{} {}", field.name(), problem.detail()),
                    });
                }
                check_lang(&mut errors, &registration.lang);
            }
            Submission::Subscription(subscription) => {
                for (field, problem) in check_subscription(&subscription.values(), None) {
                    errors.push(FieldError {
                        pointer: format!("/{}", field.name()),
                        detail: format!("{} {}", field.name(), problem.detail()),
                    });
                }
                check_lang(&mut errors, &subscription.lang);
            }
            Submission::Proposal(proposal) => {
                check_text(
                    &mut errors,
                    "/title",
                    "the title",
                    &proposal.title,
                    MIN_TITLE_CHARS..=MAX_TITLE_CHARS,
                    false,
                );
                check_text(
                    &mut errors,
                    "/description",
                    "the description",
                    &proposal.description,
                    0..=MAX_DESCRIPTION_CHARS,
                    true,
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_lang(errors: &mut Vec<FieldError>, lang: &str) {
    if !lang.is_empty() && Lang::from_tag(lang).is_none() {
        errors.push(FieldError {
            pointer: "/lang".into(),
            detail: "lang must be de, de-einfach or en".into(),
        });
    }
}

/// Length (in characters, without surrounding white space) and control characters of a text
/// field; line breaks (`\n`, `\r`) only where `line_breaks` allows them.
fn check_text(
    errors: &mut Vec<FieldError>,
    pointer: &str,
    name: &str,
    text: &str,
    chars: std::ops::RangeInclusive<usize>,
    line_breaks: bool,
) {
    let len = text.trim().chars().count();
    if len < *chars.start() {
        errors.push(FieldError {
            pointer: pointer.into(),
            detail: format!("{name} needs at least {} characters", chars.start()),
        });
    } else if len > *chars.end() {
        errors.push(FieldError {
            pointer: pointer.into(),
            detail: format!("{name} may have at most {} characters", chars.end()),
        });
    }
    let allowed = |c: char| line_breaks && (c == '\n' || c == '\r');
    if let Some(c) = text.chars().find(|&c| c.is_control() && !allowed(c)) {
        errors.push(FieldError {
            pointer: pointer.into(),
            detail: format!(
                "{name} contains the control character U+{:04X}{}",
                u32::from(c),
                if line_breaks {
                    " (only line breaks are allowed)"
                } else {
                    " (no line breaks or tabs)"
                }
            ),
        });
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
    /// A registration's place: a seat or the waiting list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// Whether an event takes registrations (`GET .../event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    Open,
    /// The registration deadline passed or the event began.
    Closed,
    Cancelled,
}

/// An event's seats as the collector counts them, in persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStatus {
    pub widget: WidgetId,
    pub state: EventState,
    /// `None`: no limit.
    pub capacity: Option<u32>,
    pub seats_taken: u32,
    /// Persons on the waiting list.
    pub waiting: u32,
    pub waiting_list: bool,
    /// Most persons one registration may count.
    pub persons_max: u32,
}

/// A widget's current results: how many submissions, and how often each key was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub widget: WidgetId,
    pub ballots: u64,
    pub counts: BTreeMap<String, u64>,
}

/// A topic as the widget shows it: an approved proposal, keyed like a poll option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// `p-` and 8 hex digits; usable wherever an option key is.
    pub key: String,
    pub title: String,
    pub description: String,
}

/// The approved proposals of a widget, oldest approval first (`GET .../topics`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topics {
    pub widget: WidgetId,
    pub topics: Vec<Topic>,
}

/// An RFC 9457 problem detail, as every error answer carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The `type` exactly as sent, `urn:mitmachen:problem:<slug>` ([`Problem::kind`] reads it);
    /// kept as text so that a type this version does not know still reads and writes unchanged.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The `type`, typed; [`ProblemKind::Other`] for one this version does not know.
    pub fn kind(&self) -> ProblemKind {
        ProblemKind::from_type_uri(&self.kind)
    }
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
    fn a_topic_ballot_round_trips_and_keeps_to_the_limits() {
        let json = r#"{"kind":"topics","dots":[{"topic":"radwege","count":2},{"topic":"p-0a1b2c3d","count":1}]}"#;
        let s = decode(json).expect("valid");
        assert_eq!((s.kind(), s.validate()), ("topics", Ok(())));
        assert_eq!(serde_json::to_string(&s).expect("serializes"), json);
        let many =
            decode(r#"{"kind":"topics","dots":[{"topic":"a","count":21}]}"#).expect("decodes");
        assert!(many.validate().is_err());
        let none = decode(r#"{"kind":"topics","dots":[]}"#).expect("decodes");
        assert_eq!(none.validate().unwrap_err()[0].pointer, "/dots");
        assert!(decode(r#"{"kind":"topics","dots":[{"topic":"a","count":1,"x":1}]}"#).is_err());
    }

    #[test]
    fn a_registration_round_trips_and_names_bad_fields() {
        let json = r#"{"kind":"registration","name":"Erika Mustermann","email":"erika@example.de","persons":2,"note":"Rollstuhl","lang":"en"}"#;
        let s = decode(json).expect("valid");
        assert_eq!((s.kind(), s.validate()), ("registration", Ok(())));
        assert_eq!(serde_json::to_string(&s).expect("serializes"), json);
        let Submission::Registration(r) = &s else {
            panic!("not a registration")
        };
        assert_eq!(r.language(), Lang::En);
        let bare =
            decode(r#"{"kind":"registration","name":"E","email":"e@example.de"}"#).expect("valid");
        let Submission::Registration(r) = &bare else {
            panic!("not a registration")
        };
        assert_eq!((r.persons, r.language()), (1, Lang::De));
        let bad =
            decode(r#"{"kind":"registration","name":"","email":"nope","persons":0,"lang":"fr"}"#)
                .expect("decodes");
        let pointers: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/name", "/email", "/persons", "/lang"]);
        assert!(decode(r#"{"kind":"registration","name":"E","email":"e@x.de","ip":"1"}"#).is_err());
        assert!(
            decode(r#"{"kind":"registration","name":"E","email":"e@x.de","honeypot":"x"}"#)
                .expect("decodes")
                .is_spam()
        );
    }

    #[test]
    fn a_subscription_round_trips_and_names_bad_fields() {
        let json = r#"{"kind":"subscription","email":"erika@example.de","lists":["beteiligung"],"consent":"Ja, ich möchte den Newsletter erhalten.","privacy":"https://musterstadt.de/datenschutz","page":"https://musterstadt.de/mitmachen","lang":"de-einfach"}"#;
        let s = decode(json).expect("valid");
        assert_eq!((s.kind(), s.validate()), ("subscription", Ok(())));
        assert_eq!(serde_json::to_string(&s).expect("serializes"), json);
        let Submission::Subscription(sub) = &s else {
            panic!("not a subscription")
        };
        assert_eq!(sub.language(), Lang::DeEasy);
        let bad = decode(
            r#"{"kind":"subscription","email":"x","consent":"","privacy":"/d","page":"","lang":"fr"}"#,
        )
        .expect("decodes");
        let pointers: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/email", "/consent", "/privacy", "/page", "/lang"]
        );
        assert!(decode(r#"{"kind":"subscription","email":"e@x.de"}"#).is_err());
        assert!(
            decode(r#"{"kind":"subscription","email":"e@x.de","consent":"c","privacy":"https://x.de","page":"https://x.de","ip":"1"}"#)
                .is_err()
        );
        assert!(
            decode(r#"{"kind":"subscription","email":"e@x.de","consent":"c","privacy":"https://x.de","page":"https://x.de","honeypot":"x"}"#)
                .expect("decodes")
                .is_spam()
        );
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
        assert_eq!(topics_path(&id), "/v1/widgets/haushalt/topics");
        assert_eq!(event_path(&id), "/v1/widgets/haushalt/event");
    }

    #[test]
    fn a_proposal_round_trips_exactly() {
        let s = decode(r#"{"kind":"proposal","title":"Mehr Bänke 🙂","description":"<b>x</b>"}"#)
            .expect("valid");
        assert_eq!(s.kind(), "proposal");
        assert_eq!(s.validate(), Ok(()));
        assert!(!s.is_spam());
        let Submission::Proposal(p) = &s else {
            panic!("not a proposal: {s:?}")
        };
        assert_eq!(p.title, "Mehr Bänke 🙂");
        assert_eq!(p.description, "<b>x</b>");
        assert_eq!(
            serde_json::to_string(&s).expect("serializes"),
            r#"{"kind":"proposal","title":"Mehr Bänke 🙂","description":"<b>x</b>"}"#
        );
        let bare = decode(r#"{"kind":"proposal","title":"  Radweg  "}"#).expect("valid");
        assert_eq!(bare.validate(), Ok(()));
        let Submission::Proposal(p) = bare else {
            panic!("not a proposal")
        };
        assert_eq!(
            (p.title.as_str(), p.description.as_str()),
            ("  Radweg  ", "")
        );
        assert!(decode(r#"{"kind":"proposal","title":"Radweg","ip":"1.2.3.4"}"#).is_err());
        assert!(decode(r#"{"kind":"proposal","description":"x"}"#).is_err());
        assert!(decode(r#"{"kind":"proposal","title":7}"#).is_err());
        let bot = decode(r#"{"kind":"proposal","title":"Radweg","honeypot":"x"}"#).expect("ok");
        assert!(bot.is_spam());
    }

    #[test]
    fn proposal_limits_name_the_field() {
        let errors = |title: &str, description: &str| {
            Submission::Proposal(Proposal {
                title: title.into(),
                description: description.into(),
                honeypot: String::new(),
            })
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.pointer)
            .collect::<Vec<_>>()
        };
        assert!(errors("abc", "").is_empty());
        assert!(errors("äöü", "").is_empty());
        assert!(errors(&"ü".repeat(120), &"🙂".repeat(1000)).is_empty());
        assert!(errors(" ab ", "").contains(&"/title".to_string()));
        assert_eq!(errors(&"a".repeat(121), ""), ["/title"]);
        assert_eq!(errors("abc", &"a".repeat(1001)), ["/description"]);
        assert!(errors(&format!("  {}  ", "a".repeat(120)), "\n x \n").is_empty());
        assert_eq!(errors("a\nbc", ""), ["/title"]);
        assert_eq!(errors("abc\t", ""), ["/title"]);
        assert!(errors("abc", "eins\r\nzwei\n").is_empty());
        assert_eq!(errors("abc", "tab\there"), ["/description"]);
        assert_eq!(errors("abc", "nul\u{0}"), ["/description"]);
        assert_eq!(errors("", &"x".repeat(1001)), ["/title", "/description"]);
    }

    #[test]
    fn topics_serialize_as_documented() {
        let topics = Topics {
            widget: WidgetId::parse("ideen").expect("id"),
            topics: vec![Topic {
                key: "p-0a1b2c3d".into(),
                title: "Radweg".into(),
                description: String::new(),
            }],
        };
        assert_eq!(
            serde_json::to_string(&topics).expect("json"),
            r#"{"widget":"ideen","topics":[{"key":"p-0a1b2c3d","title":"Radweg","description":""}]}"#
        );
    }

    #[test]
    fn problems_read_and_write_unchanged_whatever_their_type() {
        for json in [
            r#"{"type":"urn:mitmachen:problem:event-full","title":"The event is full","status":409,"detail":"no seat left"}"#,
            r#"{"type":"urn:mitmachen:problem:invalid-submission","title":"The submission breaks a rule","status":422,"detail":"d","errors":[{"pointer":"/choices/2","detail":"'ja' is chosen twice"}]}"#,
            r#"{"type":"urn:mitmachen:problem:from-a-newer-collector","title":"New","status":418,"detail":"d"}"#,
        ] {
            let p: Problem = serde_json::from_str(json).expect("a problem");
            assert_eq!(serde_json::to_string(&p).expect("json"), json);
        }
        let read = |json: &str| {
            serde_json::from_str::<Problem>(json)
                .expect("a problem")
                .kind()
        };
        assert_eq!(
            read(
                r#"{"type":"urn:mitmachen:problem:event-full","title":"t","status":409,"detail":"d"}"#
            ),
            ProblemKind::EventFull
        );
        assert_eq!(
            read(
                r#"{"type":"urn:mitmachen:problem:seat-lottery","title":"t","status":409,"detail":"d"}"#
            ),
            ProblemKind::Other
        );
    }
}
