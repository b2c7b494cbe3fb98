//! A widget's own rules, as the town's administrator declares them in `[widgets.<id>]`: how
//! many dots on which topics, which poll options and how many of them, until when.
//!
//! The editor writes these rules into the widget's HTML attributes, which the collector never
//! sees; only widgets declared in the configuration are held to them. Every other widget keeps
//! the generic limits of [`Submission::validate`].
//!
//! The check runs inside the store's write transaction (`submissions::store`), and a refusal
//! looks the idempotency key up first: a retry of a submission stored before the widget closed
//! is answered with its first receipt; and a proposal's status is read in the same transaction
//! that counts the ballot, so that a proposal rejected or merged a moment earlier cannot collect
//! dots.

use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::protocol::{FieldError, Submission};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use mitmachen_shared::topics::{DotRules, Dots};
use std::collections::BTreeSet;

/// What one widget enforces beyond the generic limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WidgetRules {
    /// From this instant on nothing is accepted (the widget's `data-closes`).
    pub closes: Option<Closes>,
    /// The ballot's rules; `None`: only the generic limits.
    pub ballot: Option<BallotRules>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closes {
    pub at: Timestamp,
    /// As the administrator wrote it, to name it in the refusal.
    pub written: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotRules {
    Topics {
        dots: DotRules,
        /// The editor's topic keys; approved proposals of the widget are allowed besides.
        /// `None`: any topic key (only the dot counts are checked).
        topics: Option<BTreeSet<OptionKey>>,
    },
    Poll {
        /// `None`: any option key (only the number of choices is checked).
        options: Option<BTreeSet<OptionKey>>,
        max_choices: usize,
    },
}

/// Why a submission is refused by its widget's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The widget closed; the detail names when.
    Closed(String),
    /// Rules broken, each located by a JSON pointer into the body.
    Invalid(Vec<FieldError>),
    /// An event without a waiting list has no seat left for this registration.
    Full(String),
}

impl WidgetRules {
    pub fn is_empty(&self) -> bool {
        self.closes.is_none() && self.ballot.is_none()
    }

    /// Checks `submission` at `now`. `approved_proposal` tells whether a key is an approved
    /// proposal of this widget; it is asked only about topic keys the editor did not list, and
    /// its error (the database's) is passed on.
    pub fn check<E>(
        &self,
        submission: &Submission,
        now: Timestamp,
        mut approved_proposal: impl FnMut(&OptionKey) -> Result<bool, E>,
    ) -> Result<Result<(), Refusal>, E> {
        if let Some(closes) = self.closes.as_ref().filter(|c| now >= c.at) {
            return Ok(Err(Refusal::Closed(format!(
                "this widget closed at {} ({}); no more submissions are accepted",
                closes.written,
                rfc3339_utc(closes.at)
            ))));
        }
        let errors = match (&self.ballot, submission) {
            (Some(BallotRules::Topics { dots, topics }), Submission::Topics(ballot)) => {
                let placements: Vec<(OptionKey, u32)> = ballot
                    .dots
                    .iter()
                    .map(|d| (d.topic.clone(), d.count))
                    .collect();
                // The keys allowed besides the editor's list, looked up once each.
                let mut proposals = BTreeSet::new();
                if let Some(listed) = topics {
                    for (topic, _) in &placements {
                        if !listed.contains(topic)
                            && !proposals.contains(topic)
                            && approved_proposal(topic)?
                        {
                            proposals.insert(topic.clone());
                        }
                    }
                }
                let known = |k: &OptionKey| {
                    topics
                        .as_ref()
                        .is_none_or(|listed| listed.contains(k) || proposals.contains(k))
                };
                Dots::validate(&placements, *dots, known).err()
            }
            (
                Some(BallotRules::Poll {
                    options,
                    max_choices,
                }),
                Submission::Poll(ballot),
            ) => {
                let mut errors = Vec::new();
                if let Some(options) = options {
                    for (i, choice) in ballot.choices.iter().enumerate() {
                        if !options.contains(choice) {
                            errors.push(FieldError {
                                pointer: format!("/choices/{i}"),
                                detail: format!("'{choice}' is not an option of this poll"),
                            });
                        }
                    }
                }
                if ballot.choices.len() > *max_choices {
                    errors.push(FieldError {
                        pointer: "/choices".into(),
                        detail: if *max_choices == 1 {
                            "choose one answer only".into()
                        } else {
                            format!("at most {max_choices} answers")
                        },
                    });
                }
                (!errors.is_empty()).then_some(errors)
            }
            // A ballot of the other kind than declared.
            (
                Some(rules),
                Submission::Topics(_)
                | Submission::Poll(_)
                | Submission::Registration(_)
                | Submission::Subscription(_),
            ) => {
                let declared = match rules {
                    BallotRules::Topics { .. } => "topics",
                    BallotRules::Poll { .. } => "poll",
                };
                Some(vec![FieldError {
                    pointer: "/kind".into(),
                    detail: format!(
                        "this widget takes \"{declared}\" ballots, not \"{}\"",
                        submission.kind()
                    ),
                }])
            }
            // Proposals have no rules of the widget besides the closing time.
            (Some(_), Submission::Proposal(_)) | (None, _) => None,
        };
        Ok(match errors {
            Some(errors) => Err(Refusal::Invalid(errors)),
            None => Ok(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::protocol::{DotPlacement, PollBallot, TopicBallot};
    use std::convert::Infallible;

    fn key(s: &str) -> OptionKey {
        OptionKey::parse(s).expect("key")
    }

    fn topics(dots: &[(&str, u32)]) -> Submission {
        Submission::Topics(TopicBallot {
            dots: dots
                .iter()
                .map(|(t, n)| DotPlacement {
                    topic: key(t),
                    count: *n,
                })
                .collect(),
            honeypot: String::new(),
        })
    }

    fn poll(choices: &[&str]) -> Submission {
        Submission::Poll(PollBallot {
            choices: choices.iter().map(|c| key(c)).collect(),
            honeypot: String::new(),
        })
    }

    fn pointers(rules: &WidgetRules, s: &Submission) -> Vec<String> {
        let approved = |k: &OptionKey| Ok::<_, Infallible>(k.as_str() == "p-0000000a");
        match rules.check(s, Timestamp(0), approved) {
            Ok(Ok(())) => Vec::new(),
            Ok(Err(Refusal::Invalid(errors))) => errors.into_iter().map(|e| e.pointer).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn topic_ballots_follow_the_declared_rules() {
        let rules = WidgetRules {
            closes: None,
            ballot: Some(BallotRules::Topics {
                dots: DotRules {
                    dots: 3,
                    per_topic: 2,
                },
                topics: Some([key("a"), key("b")].into()),
            }),
        };
        assert!(pointers(&rules, &topics(&[("a", 2), ("b", 1)])).is_empty());
        assert!(pointers(&rules, &topics(&[("p-0000000a", 1)])).is_empty());
        assert_eq!(pointers(&rules, &topics(&[("a", 2), ("b", 2)])), ["/dots"]);
        assert_eq!(
            pointers(&rules, &topics(&[("b", 1), ("a", 3)])),
            ["/dots/1", "/dots"]
        );
        assert_eq!(
            pointers(&rules, &topics(&[("a", 1), ("z", 1)])),
            ["/dots/1"]
        );
        assert_eq!(pointers(&rules, &poll(&["a"])), ["/kind"]);
        let any = WidgetRules {
            closes: None,
            ballot: Some(BallotRules::Topics {
                dots: DotRules::default(),
                topics: None,
            }),
        };
        assert!(pointers(&any, &topics(&[("z", 1)])).is_empty());
    }

    #[test]
    fn poll_ballots_follow_the_declared_rules() {
        let rules = WidgetRules {
            closes: None,
            ballot: Some(BallotRules::Poll {
                options: Some([key("ja"), key("nein"), key("egal")].into()),
                max_choices: 2,
            }),
        };
        assert!(pointers(&rules, &poll(&["ja", "egal"])).is_empty());
        assert_eq!(
            pointers(&rules, &poll(&["ja", "vielleicht"])),
            ["/choices/1"]
        );
        assert_eq!(
            pointers(&rules, &poll(&["ja", "nein", "egal"])),
            ["/choices"]
        );
    }

    #[test]
    fn nothing_is_accepted_from_the_closing_time_on() {
        let rules = WidgetRules {
            closes: Some(Closes {
                at: Timestamp(1000),
                written: "1970-01-01T00:00:01Z".into(),
            }),
            ballot: None,
        };
        let never = |_: &OptionKey| -> Result<bool, Infallible> { panic!("not asked") };
        let at = |ms| rules.check(&poll(&["ja"]), Timestamp(ms), never);
        assert_eq!(at(999), Ok(Ok(())));
        assert!(
            matches!(at(1000), Ok(Err(Refusal::Closed(d))) if d.contains("1970-01-01T00:00:01Z"))
        );
    }
}
