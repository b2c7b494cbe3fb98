//! The rules of `[widgets.<id>]`: a topic list's dots and topics or a poll's options, and a
//! closing time, checked at start.

use super::rules::{BallotRules, Closes, WidgetRules};
use crate::config::{ConfigError, FileWidget};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::protocol::MAX_CHOICES;
use mitmachen_shared::time::parse_datetime;
use mitmachen_shared::topics::{DotRules, MAX_DOTS};
use std::collections::BTreeSet;

/// The rules declared in `[widgets.<id>]` (`key` is `widgets.<id>`): a topic list's or a
/// poll's, not both, and a closing time. Defaults are the widget's own (`data-dots` 3,
/// `data-dots-per-topic` 1, one answer per poll).
pub(crate) fn widget_rules(key: &str, widget: &FileWidget) -> Result<WidgetRules, ConfigError> {
    let is_topics =
        widget.dots.is_some() || widget.dots_per_topic.is_some() || widget.topics.is_some();
    let is_poll = widget.options.is_some() || widget.max_choices.is_some();
    if is_topics && is_poll {
        return Err(ConfigError::new(
            key,
            "a widget is either a topic list (dots, dots_per_topic, topics) or a poll \
             (options, max_choices), not both",
        ));
    }
    let closes = match &widget.closes {
        Some(written) => Some(Closes {
            at: parse_datetime(written).map_err(|e| {
                ConfigError::new(format!("{key}.closes"), format!("'{written}': {e}"))
            })?,
            written: written.trim().to_owned(),
        }),
        None => None,
    };
    let in_range = |name: &str, value: i64, max: usize| {
        usize::try_from(value)
            .ok()
            .filter(|v| (1..=max).contains(v))
            .ok_or_else(|| {
                ConfigError::new(
                    format!("{key}.{name}"),
                    format!("{value} is out of range (1 to {max})"),
                )
            })
    };
    let ballot = if is_topics {
        let dots = match widget.dots {
            Some(n) => in_range("dots", n, MAX_DOTS as usize)?,
            None => DotRules::default().dots as usize,
        };
        let per_topic = match widget.dots_per_topic {
            Some(n) => in_range("dots_per_topic", n, dots)?,
            None => DotRules::default().per_topic as usize,
        };
        let topics = match &widget.topics {
            Some(list) => Some(option_keys(&format!("{key}.topics"), list)?),
            None => None,
        };
        Some(BallotRules::Topics {
            dots: DotRules {
                // Both are at most MAX_DOTS (20), checked just above.
                dots: u32::try_from(dots).unwrap_or(MAX_DOTS),
                per_topic: u32::try_from(per_topic).unwrap_or(MAX_DOTS),
            },
            topics,
        })
    } else if is_poll {
        let options = match &widget.options {
            Some(list) => {
                let options = option_keys(&format!("{key}.options"), list)?;
                if options.is_empty() {
                    return Err(ConfigError::new(
                        format!("{key}.options"),
                        "is empty; list the poll's option keys, e.g. [\"ja\", \"nein\"]",
                    ));
                }
                Some(options)
            }
            None => None,
        };
        let max = options.as_ref().map_or(MAX_CHOICES, BTreeSet::len);
        let max_choices = match widget.max_choices {
            Some(n) => in_range("max_choices", n, max)?,
            None => 1,
        };
        Some(BallotRules::Poll {
            options,
            max_choices,
        })
    } else {
        None
    };
    Ok(WidgetRules { closes, ballot })
}

/// Distinct option keys, each as the widgets write them.
fn option_keys(key: &str, list: &[String]) -> Result<BTreeSet<OptionKey>, ConfigError> {
    let mut keys = BTreeSet::new();
    for raw in list {
        let parsed = OptionKey::parse(raw)
            .map_err(|e| ConfigError::new(key, format!("the key '{raw}' {e}")))?;
        if !keys.insert(parsed) {
            return Err(ConfigError::new(key, format!("'{raw}' is listed twice")));
        }
    }
    Ok(keys)
}
