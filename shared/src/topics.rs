//! Dot voting: the rules of a topic-voting ballot, shared by the widget (what the citizen may do
//! now) and the collector (what it accepts).
//!
//! A citizen has `dots` dots to place on topics, at most `per_topic` on one topic, and may take
//! dots back until the ballot is sent. Rankings use competition ranking ("1, 2, 2, 4"): topics
//! with the same number of dots share a rank.

use crate::ids::OptionKey;
use crate::protocol::FieldError;

/// The most dots a topic list may give one person.
pub const MAX_DOTS: u32 = 20;

/// The editor's rules for one widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DotRules {
    /// Dots per person.
    pub dots: u32,
    /// Most dots one person may put on one topic.
    pub per_topic: u32,
}

impl Default for DotRules {
    fn default() -> Self {
        DotRules {
            dots: 3,
            per_topic: 1,
        }
    }
}

/// Why a dot cannot be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotRefused {
    NoDotsLeft,
    TopicFull,
}

/// Where one person's dots are, in the order the topics first got one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dots(Vec<(OptionKey, u32)>);

impl Dots {
    pub fn on(&self, topic: &OptionKey) -> u32 {
        self.0
            .iter()
            .find(|(k, _)| k == topic)
            .map_or(0, |(_, n)| *n)
    }

    pub fn used(&self) -> u32 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    pub fn remaining(&self, rules: DotRules) -> u32 {
        rules.dots.saturating_sub(self.used())
    }

    /// Whether one more dot may go on `topic` now.
    pub fn check_add(&self, topic: &OptionKey, rules: DotRules) -> Result<(), DotRefused> {
        if self.remaining(rules) == 0 {
            Err(DotRefused::NoDotsLeft)
        } else if self.on(topic) >= rules.per_topic {
            Err(DotRefused::TopicFull)
        } else {
            Ok(())
        }
    }

    pub fn add(&mut self, topic: &OptionKey, rules: DotRules) -> Result<(), DotRefused> {
        self.check_add(topic, rules)?;
        match self.0.iter_mut().find(|(k, _)| k == topic) {
            Some((_, n)) => *n += 1,
            None => self.0.push((topic.clone(), 1)),
        }
        Ok(())
    }

    /// Takes one dot back from `topic`; false if it had none.
    pub fn take_back(&mut self, topic: &OptionKey) -> bool {
        let Some(i) = self.0.iter().position(|(k, _)| k == topic) else {
            return false;
        };
        self.0[i].1 -= 1;
        if self.0[i].1 == 0 {
            self.0.remove(i);
        }
        true
    }

    pub fn placements(&self) -> &[(OptionKey, u32)] {
        &self.0
    }

    /// Dots as remembered or received, without checking any rule (for display only); a topic
    /// listed twice keeps its first count, a topic with no dots is left out.
    pub fn from_placements(placements: impl IntoIterator<Item = (OptionKey, u32)>) -> Dots {
        let mut dots = Dots::default();
        for (topic, n) in placements {
            if n > 0 && dots.on(&topic) == 0 {
                dots.0.push((topic, n));
            }
        }
        dots
    }

    /// Checks a ballot as an endpoint receives it: at least one dot, no more than the rules
    /// allow in total and per topic, each topic known (`known`), each topic once.
    pub fn validate(
        placements: &[(OptionKey, u32)],
        rules: DotRules,
        known: impl Fn(&OptionKey) -> bool,
    ) -> Result<Dots, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut total: u64 = 0;
        for (i, (topic, n)) in placements.iter().enumerate() {
            let pointer = format!("/dots/{i}");
            total += u64::from(*n);
            if *n == 0 {
                errors.push(FieldError {
                    pointer,
                    detail: format!("no dots on '{topic}'"),
                });
            } else if *n > rules.per_topic {
                errors.push(FieldError {
                    pointer,
                    detail: format!("at most {} dots on one topic", rules.per_topic),
                });
            } else if placements[..i].iter().any(|(k, _)| k == topic) {
                errors.push(FieldError {
                    pointer,
                    detail: format!("'{topic}' is listed twice"),
                });
            } else if !known(topic) {
                errors.push(FieldError {
                    pointer,
                    detail: format!("'{topic}' is not a topic of this widget"),
                });
            }
        }
        if total == 0 {
            errors.push(FieldError {
                pointer: "/dots".into(),
                detail: "place at least one dot".into(),
            });
        } else if total > u64::from(rules.dots) {
            errors.push(FieldError {
                pointer: "/dots".into(),
                detail: format!("at most {} dots in all", rules.dots),
            });
        }
        if errors.is_empty() {
            Ok(Dots(placements.to_vec()))
        } else {
            Err(errors)
        }
    }
}

/// How the editor wants the list ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Most dots first; ties keep the editor's order.
    ByVotes,
    AsWritten,
}

/// Each topic's rank by its count (competition ranking), listed in `order`. `topics` is the
/// editor's order.
pub fn ranked<'a>(topics: &[(&'a str, u64)], order: Order) -> Vec<(u32, &'a str, u64)> {
    let rank_of = |count: u64| 1 + topics.iter().filter(|(_, c)| *c > count).count() as u32;
    let mut list: Vec<(u32, &str, u64)> =
        topics.iter().map(|(k, c)| (rank_of(*c), *k, *c)).collect();
    if order == Order::ByVotes {
        // A stable sort: topics with equal counts stay in the editor's order. Insertion sort,
        // not `sort_by_key`: the list is short (the editor's topics and approved proposals) and
        // std's stable sort would add some 4 KB to the browser bundle.
        for i in 1..list.len() {
            let mut j = i;
            while j > 0 && list[j - 1].0 > list[j].0 {
                list.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> OptionKey {
        OptionKey::parse(s).expect("valid")
    }

    #[test]
    fn dots_are_placed_within_the_rules_and_taken_back() {
        let rules = DotRules {
            dots: 3,
            per_topic: 2,
        };
        let mut dots = Dots::default();
        assert_eq!(dots.add(&key("a"), rules), Ok(()));
        assert_eq!(dots.add(&key("a"), rules), Ok(()));
        assert_eq!(dots.add(&key("a"), rules), Err(DotRefused::TopicFull));
        assert_eq!(dots.add(&key("b"), rules), Ok(()));
        assert_eq!(dots.remaining(rules), 0);
        assert_eq!(dots.add(&key("c"), rules), Err(DotRefused::NoDotsLeft));
        assert!(dots.take_back(&key("a")));
        assert_eq!((dots.on(&key("a")), dots.remaining(rules)), (1, 1));
        assert!(dots.take_back(&key("b")));
        assert!(!dots.take_back(&key("b")));
        assert_eq!(dots.placements(), &[(key("a"), 1)]);
    }

    #[test]
    fn one_dot_per_topic_by_default() {
        let rules = DotRules::default();
        let mut dots = Dots::default();
        assert_eq!(dots.add(&key("a"), rules), Ok(()));
        assert_eq!(dots.check_add(&key("a"), rules), Err(DotRefused::TopicFull));
    }

    #[test]
    fn an_endpoint_refuses_what_the_rules_forbid() {
        let rules = DotRules {
            dots: 3,
            per_topic: 2,
        };
        let known = |k: &OptionKey| ["a", "b", "c"].contains(&k.as_str());
        assert!(Dots::validate(&[(key("a"), 2), (key("b"), 1)], rules, known).is_ok());
        let pointers = |p: &[(OptionKey, u32)]| -> Vec<String> {
            Dots::validate(p, rules, known)
                .unwrap_err()
                .into_iter()
                .map(|e| e.pointer)
                .collect()
        };
        assert_eq!(pointers(&[]), ["/dots"]);
        assert_eq!(pointers(&[(key("a"), 2), (key("b"), 2)]), ["/dots"]);
        assert_eq!(pointers(&[(key("a"), 3)]), ["/dots/0"]);
        assert_eq!(pointers(&[(key("a"), 4)]), ["/dots/0", "/dots"]);
        assert_eq!(pointers(&[(key("a"), 1), (key("a"), 1)]), ["/dots/1"]);
        assert_eq!(pointers(&[(key("z"), 1)]), ["/dots/0"]);
        assert_eq!(pointers(&[(key("a"), 0), (key("b"), 1)]), ["/dots/0"]);
    }

    #[test]
    fn ranks_share_places_and_order_is_the_editors_choice() {
        let topics = [("a", 2), ("b", 5), ("c", 2), ("d", 0)];
        assert_eq!(
            ranked(&topics, Order::ByVotes),
            [(1, "b", 5), (2, "a", 2), (2, "c", 2), (4, "d", 0)]
        );
        assert_eq!(
            ranked(&topics, Order::AsWritten),
            [(2, "a", 2), (1, "b", 5), (2, "c", 2), (4, "d", 0)]
        );
        assert!(ranked(&[], Order::ByVotes).is_empty());
    }

    #[test]
    fn by_votes_is_the_stable_sort_by_rank() {
        let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
        let mut seed = 7u64;
        for len in 0..=keys.len() {
            let topics: Vec<(&str, u64)> = keys[..len]
                .iter()
                .map(|k| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (*k, (seed >> 60) % 4)
                })
                .collect();
            let mut expected = ranked(&topics, Order::AsWritten);
            expected.sort_by_key(|(rank, _, _)| *rank);
            assert_eq!(ranked(&topics, Order::ByVotes), expected);
        }
    }
}
