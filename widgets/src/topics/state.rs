//! A topic list's rules as plain data: where the citizen's dots are, what may happen now, which
//! topics are listed in which order. No DOM, nothing async; tested on the host.

pub use crate::ballot::{Phase, ResultsState};
use crate::transport::SendError;
use crate::wire::Tally;
use mitmachen_shared::config::{TopicItem, TopicsConfig};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::time::Timestamp;
use mitmachen_shared::topics::{DotRefused, Dots, Order, ranked};
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AddDot(OptionKey),
    TakeBack(OptionKey),
    /// Submit was pressed with no dot placed.
    NothingPlaced,
    Send {
        key: String,
    },
    Waiting(u32),
    Sent,
    Failed(SendError),
    Close,
    ResultsLoading,
    ResultsLoaded(Tally),
    ResultsFailed,
    /// Approved proposals from the endpoint, added after the editor's topics.
    Proposals(Vec<TopicItem>),
    /// Shows a topic's long description whole, or cut again.
    Expand(OptionKey),
}

/// The last thing the citizen should hear about their dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Refused(DotRefused),
    NothingPlaced,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicsState {
    pub dots: Dots,
    pub phase: Phase,
    pub notice: Option<Notice>,
    pub results: ResultsState,
    /// The editor's topics, then approved proposals.
    pub topics: Vec<TopicItem>,
    /// The order the list is shown in. With "by votes" it is recomputed only when results
    /// first arrive and after the citizen's own ballot, never by a background refresh, so the
    /// list does not move under the citizen's hands.
    pub order: Vec<OptionKey>,
    reorder_on_results: bool,
    /// The idempotency key of the ballot being sent (a retry reuses it).
    pub attempt: Option<String>,
    /// Topics whose long description the citizen opened.
    pub expanded: Vec<OptionKey>,
}

impl TopicsState {
    pub fn new(config: &TopicsConfig, now: Timestamp, answered: Option<Dots>) -> Self {
        let phase = Phase::initial(answered.is_some(), config.is_closed(now));
        let dots = answered.unwrap_or_default();
        TopicsState {
            dots,
            phase,
            notice: None,
            results: ResultsState::NotLoaded,
            topics: config.topics.clone(),
            order: config.topics.iter().map(|t| t.key.clone()).collect(),
            reorder_on_results: true,
            attempt: None,
            expanded: Vec::new(),
        }
    }

    pub fn accepts_input(&self) -> bool {
        self.phase.accepts_input()
    }

    pub fn results_visible(&self, config: &TopicsConfig) -> bool {
        self.phase.shows_results(config.results)
    }

    pub fn topic(&self, key: &OptionKey) -> Option<&TopicItem> {
        self.topics.iter().find(|t| &t.key == key)
    }

    /// The topics in display order, each with its rank and count when results are loaded.
    pub fn listed(&self) -> Vec<(&TopicItem, Option<(u32, u64)>)> {
        let tally = match &self.results {
            ResultsState::Loaded(t) => Some(t),
            _ => None,
        };
        let counts: Vec<(&str, u64)> = self
            .order
            .iter()
            .map(|k| (k.as_str(), tally.map_or(0, |t| t.count(k.as_str()))))
            .collect();
        let ranks = ranked(&counts, Order::AsWritten);
        self.order
            .iter()
            .zip(ranks)
            .filter_map(|(key, (rank, _, count))| {
                Some((self.topic(key)?, tally.map(|_| (rank, count))))
            })
            .collect()
    }

    fn sort_by_votes(&mut self, order: Order) {
        if order != Order::ByVotes {
            return;
        }
        if let ResultsState::Loaded(tally) = &self.results {
            // `ranked` sorts stably by count, and `topics` is in the editor's order (`order` holds
            // the same keys): equal counts keep the editor's order. One sort in the bundle, not two.
            let counts: Vec<(&str, u64)> = self
                .topics
                .iter()
                .map(|t| (t.key.as_str(), tally.count(t.key.as_str())))
                .collect();
            self.order = ranked(&counts, Order::ByVotes)
                .into_iter()
                .filter_map(|(_, key, _)| self.topics.iter().find(|t| t.key.as_str() == key))
                .map(|t| t.key.clone())
                .collect();
        }
    }

    pub fn apply(mut self, action: Action, config: &TopicsConfig) -> Self {
        match action {
            Action::AddDot(key) if self.accepts_input() => {
                self.notice = self.dots.add(&key, config.rules).err().map(Notice::Refused);
                // A changed ballot is a new submission with a new idempotency key.
                self.attempt = None;
            }
            Action::TakeBack(key) if self.accepts_input() => {
                self.dots.take_back(&key);
                self.notice = None;
                self.attempt = None;
            }
            Action::NothingPlaced if self.accepts_input() => {
                self.notice = Some(Notice::NothingPlaced)
            }
            Action::Send { key } if self.accepts_input() => {
                self.notice = None;
                self.attempt = Some(key);
                self.phase = Phase::Sending { retry_in_s: None };
            }
            Action::Waiting(s) if self.phase.is_sending() => {
                self.phase = Phase::Sending {
                    retry_in_s: Some(s),
                };
            }
            Action::Sent if self.phase.is_sending() => {
                self.phase = Phase::Submitted { just_now: true };
                self.reorder_on_results = true;
            }
            Action::Failed(e) if self.phase.is_sending() => self.phase = Phase::Failed(e),
            Action::Close if self.accepts_input() => self.phase = Phase::Closed,
            Action::ResultsLoading if self.results == ResultsState::NotLoaded => {
                self.results = ResultsState::Loading
            }
            Action::ResultsLoaded(tally) => {
                self.results = ResultsState::Loaded(tally);
                if self.reorder_on_results {
                    self.sort_by_votes(config.order);
                    self.reorder_on_results = false;
                }
            }
            Action::ResultsFailed if !matches!(self.results, ResultsState::Loaded(_)) => {
                self.results = ResultsState::Unavailable;
            }
            Action::Proposals(proposed) => {
                for topic in proposed {
                    if self.topic(&topic.key).is_none() {
                        self.order.push(topic.key.clone());
                        self.topics.push(topic);
                    }
                }
            }
            Action::Expand(key) => crate::ballot::toggle(&mut self.expanded, key),
            _ => {}
        }
        self
    }
}

/// The state with its configuration, as Yew's reducer needs one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reducer {
    pub config: Rc<TopicsConfig>,
    pub state: TopicsState,
}

impl yew::Reducible for Reducer {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let config = self.config.clone();
        Rc::new(Reducer {
            state: self.state.clone().apply(action, &config),
            config,
        })
    }
}

// Host tests only: `expect` here fails a test, it never runs in the wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::config::ResultsVisibility;
    use mitmachen_shared::topics::DotRules;

    fn key(s: &str) -> OptionKey {
        OptionKey::parse(s).expect("valid")
    }

    fn topic(k: &str) -> TopicItem {
        TopicItem {
            key: key(k),
            title: k.to_uppercase(),
            description: String::new(),
        }
    }

    fn config(order: Order, results: ResultsVisibility) -> TopicsConfig {
        TopicsConfig {
            heading: "Themen".into(),
            heading_level: 2,
            topics: vec![topic("a"), topic("b"), topic("c")],
            rules: DotRules {
                dots: 2,
                per_topic: 1,
            },
            proposals: true,
            order,
            refresh_s: 30,
            results,
            closes_at: None,
        }
    }

    fn tally(counts: &[(&str, u64)]) -> Tally {
        Tally {
            ballots: 1,
            counts: counts.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn dots_follow_the_rules_and_say_why_not() {
        let c = config(Order::ByVotes, ResultsVisibility::AfterVoting);
        let s = TopicsState::new(&c, Timestamp(0), None);
        let s = s
            .apply(Action::AddDot(key("a")), &c)
            .apply(Action::AddDot(key("a")), &c);
        assert_eq!(s.notice, Some(Notice::Refused(DotRefused::TopicFull)));
        let s = s
            .apply(Action::AddDot(key("b")), &c)
            .apply(Action::AddDot(key("c")), &c);
        assert_eq!(s.notice, Some(Notice::Refused(DotRefused::NoDotsLeft)));
        let s = s
            .apply(Action::TakeBack(key("a")), &c)
            .apply(Action::AddDot(key("c")), &c);
        assert_eq!(
            (s.notice, s.dots.on(&key("c")), s.dots.remaining(c.rules)),
            (None, 1, 0)
        );
    }

    #[test]
    fn a_description_opens_and_closes_in_any_phase() {
        let c = config(Order::AsWritten, ResultsVisibility::AfterVoting);
        let s = TopicsState::new(&c, Timestamp(0), None)
            .apply(Action::Send { key: "k".into() }, &c)
            .apply(Action::Expand(key("b")), &c);
        assert_eq!(s.expanded, [key("b")]);
        let s = s.apply(Action::Expand(key("b")), &c);
        assert!(s.expanded.is_empty());
    }

    #[test]
    fn a_sent_ballot_is_final() {
        let c = config(Order::ByVotes, ResultsVisibility::AfterVoting);
        let s = TopicsState::new(&c, Timestamp(0), None).apply(Action::AddDot(key("a")), &c);
        let s = s
            .apply(Action::Send { key: "k".into() }, &c)
            .apply(Action::Sent, &c);
        assert!(s.results_visible(&c));
        let s = s
            .apply(Action::AddDot(key("b")), &c)
            .apply(Action::TakeBack(key("a")), &c);
        assert_eq!(s.dots.placements(), &[(key("a"), 1)]);
    }

    #[test]
    fn the_list_is_ordered_by_votes_once_and_not_moved_by_refreshes() {
        let c = config(Order::ByVotes, ResultsVisibility::Always);
        let s = TopicsState::new(&c, Timestamp(0), None)
            .apply(Action::ResultsLoaded(tally(&[("c", 5), ("b", 2)])), &c);
        let titles = |s: &TopicsState| {
            s.listed()
                .iter()
                .map(|(t, r)| (t.key.to_string(), *r))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            titles(&s),
            [
                ("c".into(), Some((1, 5))),
                ("b".into(), Some((2, 2))),
                ("a".into(), Some((3, 0)))
            ]
        );
        // A refresh changes counts and ranks, not places.
        let s = s.apply(
            Action::ResultsLoaded(tally(&[("c", 5), ("b", 2), ("a", 9)])),
            &c,
        );
        assert_eq!(
            titles(&s),
            [
                ("c".into(), Some((2, 5))),
                ("b".into(), Some((3, 2))),
                ("a".into(), Some((1, 9)))
            ]
        );
        // After the citizen's own ballot the list is sorted again.
        let s = s
            .apply(Action::AddDot(key("b")), &c)
            .apply(Action::Send { key: "k".into() }, &c)
            .apply(Action::Sent, &c)
            .apply(
                Action::ResultsLoaded(tally(&[("c", 5), ("b", 3), ("a", 9)])),
                &c,
            );
        assert_eq!(titles(&s)[0], ("a".into(), Some((1, 9))));
    }

    #[test]
    fn as_written_keeps_the_editors_order_and_proposals_join_at_the_end() {
        let c = config(Order::AsWritten, ResultsVisibility::Always);
        let s = TopicsState::new(&c, Timestamp(0), None)
            .apply(Action::Proposals(vec![topic("p-1a2b3c4d"), topic("a")]), &c)
            .apply(Action::ResultsLoaded(tally(&[("p-1a2b3c4d", 3)])), &c);
        let keys: Vec<String> = s.listed().iter().map(|(t, _)| t.key.to_string()).collect();
        assert_eq!(keys, ["a", "b", "c", "p-1a2b3c4d"]);
    }
}
