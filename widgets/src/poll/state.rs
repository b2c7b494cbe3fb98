//! A poll's rules as plain data: what is chosen, what the citizen may do now, what is shown.
//! No DOM, no callbacks, nothing async; tested on the host.

pub use crate::ballot::{Phase, ResultsState};
use crate::transport::SendError;
use crate::wire::Tally;
use mitmachen_shared::config::PollConfig;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::time::Timestamp;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NothingChosen,
    TooMany { max: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A radio button: this answer only.
    Choose(OptionKey),
    /// A checkbox: add or take back this answer.
    Toggle(OptionKey),
    Reject(Invalid),
    Send {
        key: String,
        ballot: Vec<OptionKey>,
    },
    Waiting(u32),
    Sent,
    Failed(SendError),
    Close,
    ResultsLoading,
    ResultsLoaded(Tally),
    ResultsFailed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollState {
    pub selected: Vec<OptionKey>,
    pub phase: Phase,
    pub invalid: Option<Invalid>,
    pub results: ResultsState,
    /// The idempotency key of the ballot last sent, with that ballot: sending the same ballot
    /// again reuses the key (so the endpoint stores it once), a changed ballot gets a new key.
    pub attempt: Option<(String, Vec<OptionKey>)>,
}

impl PollState {
    pub fn new(config: &PollConfig, now: Timestamp, answered: Option<Vec<OptionKey>>) -> Self {
        let phase = Phase::initial(answered.is_some(), config.is_closed(now));
        let selected = answered.unwrap_or_default();
        PollState {
            selected,
            phase,
            invalid: None,
            results: ResultsState::NotLoaded,
            attempt: None,
        }
    }

    /// Whether the citizen can change the choice and send it.
    pub fn accepts_input(&self) -> bool {
        self.phase.accepts_input()
    }

    pub fn is_selected(&self, key: &OptionKey) -> bool {
        self.selected.contains(key)
    }

    /// The ballot to send, answers in the order the editor listed them.
    pub fn ballot(&self, config: &PollConfig) -> Result<Vec<OptionKey>, Invalid> {
        let ballot: Vec<OptionKey> = config
            .options
            .iter()
            .map(|o| o.key.clone())
            .filter(|k| self.selected.contains(k))
            .collect();
        match ballot.len() {
            0 => Err(Invalid::NothingChosen),
            n if n > config.max_choices() => Err(Invalid::TooMany {
                max: config.max_choices(),
            }),
            _ => Ok(ballot),
        }
    }

    /// The idempotency key to reuse for this ballot, if it was sent before.
    pub fn key_for(&self, ballot: &[OptionKey]) -> Option<&str> {
        self.attempt
            .as_ref()
            .filter(|(_, b)| b == ballot)
            .map(|(k, _)| k.as_str())
    }

    /// Whether the editor's rule lets the citizen see the results now.
    pub fn results_visible(&self, config: &PollConfig) -> bool {
        self.phase.shows_results(config.results)
    }

    pub fn apply(mut self, action: Action) -> Self {
        match action {
            Action::Choose(key) if self.accepts_input() => {
                self.selected = vec![key];
                self.invalid = None;
            }
            Action::Toggle(key) if self.accepts_input() => {
                crate::ballot::toggle(&mut self.selected, key);
                self.invalid = None;
            }
            Action::Reject(invalid) if self.accepts_input() => self.invalid = Some(invalid),
            Action::Send { key, ballot } if self.accepts_input() => {
                self.invalid = None;
                self.attempt = Some((key, ballot));
                self.phase = Phase::Sending { retry_in_s: None };
            }
            Action::Waiting(seconds) if self.phase.is_sending() => {
                self.phase = Phase::Sending {
                    retry_in_s: Some(seconds),
                };
            }
            Action::Sent if self.phase.is_sending() => {
                self.phase = Phase::Submitted { just_now: true };
            }
            Action::Failed(error) if self.phase.is_sending() => {
                self.phase = Phase::Failed(error);
            }
            Action::Close if self.accepts_input() => self.phase = Phase::Closed,
            Action::ResultsLoading if self.results == ResultsState::NotLoaded => {
                self.results = ResultsState::Loading;
            }
            Action::ResultsLoaded(results) => self.results = ResultsState::Loaded(results),
            // Results already shown stay shown when a refresh fails.
            Action::ResultsFailed if !matches!(self.results, ResultsState::Loaded(_)) => {
                self.results = ResultsState::Unavailable;
            }
            _ => {}
        }
        self
    }
}

impl yew::Reducible for PollState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

// Host tests only: `expect` here fails a test, it never runs in the wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::config::ResultsVisibility;
    use mitmachen_shared::config::{Choice, PollOption};

    fn key(s: &str) -> OptionKey {
        OptionKey::parse(s).expect("valid key")
    }

    fn config(choice: Choice, results: ResultsVisibility) -> PollConfig {
        PollConfig {
            question: "Wohin?".into(),
            heading_level: 2,
            options: ["a", "b", "c"]
                .iter()
                .map(|k| PollOption {
                    key: key(k),
                    label: k.to_uppercase(),
                })
                .collect(),
            choice,
            results,
            closes_at: Some(Timestamp(1_000)),
        }
    }

    fn open(c: &PollConfig) -> PollState {
        PollState::new(c, Timestamp(0), None)
    }

    #[test]
    fn single_choice_replaces_the_answer() {
        let c = config(Choice::Single, ResultsVisibility::AfterVoting);
        let s = open(&c)
            .apply(Action::Choose(key("b")))
            .apply(Action::Choose(key("a")));
        assert_eq!(s.ballot(&c), Ok(vec![key("a")]));
    }

    #[test]
    fn multiple_choice_toggles_and_checks_the_maximum() {
        let c = config(Choice::Multiple { max: 2 }, ResultsVisibility::AfterVoting);
        let s = open(&c);
        assert_eq!(s.ballot(&c), Err(Invalid::NothingChosen));
        let s = s
            .apply(Action::Toggle(key("c")))
            .apply(Action::Toggle(key("a")));
        assert_eq!(
            s.ballot(&c),
            Ok(vec![key("a"), key("c")]),
            "in the editor's order"
        );
        let s = s.apply(Action::Toggle(key("b")));
        assert_eq!(s.ballot(&c), Err(Invalid::TooMany { max: 2 }));
        let s = s.apply(Action::Toggle(key("a")));
        assert_eq!(s.ballot(&c), Ok(vec![key("b"), key("c")]));
    }

    #[test]
    fn a_failed_send_keeps_the_choice_and_the_key() {
        let c = config(Choice::Single, ResultsVisibility::AfterVoting);
        let s = open(&c).apply(Action::Choose(key("a")));
        let ballot = s.ballot(&c).expect("valid");
        let s = s.apply(Action::Send {
            key: "k1".into(),
            ballot: ballot.clone(),
        });
        assert!(!s.accepts_input());
        let s = s.apply(Action::Choose(key("b")));
        assert_eq!(s.selected, [key("a")], "no change while sending");
        let s = s
            .apply(Action::Waiting(2))
            .apply(Action::Failed(SendError::Unreachable));
        assert_eq!(s.selected, [key("a")]);
        assert_eq!(s.key_for(&ballot), Some("k1"));
        let changed = s.clone().apply(Action::Choose(key("b")));
        assert_eq!(changed.key_for(&changed.ballot(&c).expect("valid")), None);
    }

    #[test]
    fn results_follow_the_editors_rule() {
        use ResultsVisibility::*;
        let voted = |r| {
            let c = config(Choice::Single, r);
            let s = open(&c)
                .apply(Action::Choose(key("a")))
                .apply(Action::Send {
                    key: "k".into(),
                    ballot: vec![key("a")],
                })
                .apply(Action::Sent);
            (open(&c).results_visible(&c), s.results_visible(&c))
        };
        assert_eq!(voted(Always), (true, true));
        assert_eq!(voted(AfterVoting), (false, true));
        assert_eq!(voted(AfterClosing), (false, false));
        assert_eq!(voted(Never), (false, false));
        let c = config(Choice::Single, AfterClosing);
        let closed = PollState::new(&c, Timestamp(1_000), None);
        assert_eq!(closed.phase, Phase::Closed);
        assert!(closed.results_visible(&c));
    }

    #[test]
    fn already_answered_in_this_visit() {
        let c = config(Choice::Single, ResultsVisibility::AfterVoting);
        let s = PollState::new(&c, Timestamp(0), Some(vec![key("b")]));
        assert_eq!(s.phase, Phase::Submitted { just_now: false });
        assert!(s.is_selected(&key("b")));
        assert!(!s.accepts_input());
        assert!(s.results_visible(&c));
    }

    #[test]
    fn loaded_results_survive_a_failed_refresh() {
        let c = config(Choice::Single, ResultsVisibility::Always);
        let results = Tally {
            ballots: 1,
            counts: vec![("a".to_string(), 1)],
        };
        let s = open(&c)
            .apply(Action::ResultsLoading)
            .apply(Action::ResultsLoaded(results.clone()));
        let s = s.apply(Action::ResultsFailed);
        assert_eq!(s.results, ResultsState::Loaded(results));
    }
}
