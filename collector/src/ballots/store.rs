//! A ballot's counts: added to the running totals in the submission's write transaction, so
//! that reading results never scans the submissions; read in one snapshot.

use crate::args;
use crate::db::{StoreError, Tx};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Results, Submission};
use std::collections::BTreeMap;

/// Adds ballots, of one widget or several, to their totals: one statement per widget and one
/// per option counted, however many ballots (a batch of the group-commit writer brings many).
/// Held back (`Tx::execute_later`): an increment cannot fail.
pub(crate) fn count_all<'a>(
    tx: &mut dyn Tx,
    ballots: impl IntoIterator<Item = (&'a str, &'a Submission)>,
) -> Result<(), StoreError> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    let mut tallies: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for (widget, submission) in ballots {
        let counted: Vec<(&str, u32)> = match submission {
            Submission::Poll(ballot) => ballot.choices.iter().map(|k| (k.as_str(), 1)).collect(),
            Submission::Topics(ballot) => ballot
                .dots
                .iter()
                .map(|d| (d.topic.as_str(), d.count))
                .collect(),
            Submission::Proposal(_) | Submission::Registration(_) | Submission::Subscription(_) => {
                continue;
            }
        };
        *totals.entry(widget).or_default() += 1;
        for (key, n) in counted {
            *tallies.entry((widget, key)).or_default() += i64::from(n);
        }
    }
    for (widget, n) in totals {
        tx.execute_later(
            "INSERT INTO widget_totals (widget, ballots) VALUES (?1, ?2)
             ON CONFLICT (widget) DO UPDATE SET ballots = widget_totals.ballots + excluded.ballots",
            args![widget, n],
        )?;
    }
    for ((widget, key), n) in tallies {
        tx.execute_later(
            "INSERT INTO tallies (widget, option, count) VALUES (?1, ?2, ?3)
             ON CONFLICT (widget, option) DO UPDATE SET count = tallies.count + excluded.count",
            args![widget, key, n],
        )?;
    }
    Ok(())
}

/// A widget's totals; one without ballots has none. One statement, so that ballots and counts
/// come from the same commit (and `Backend::read_one` may run it without a transaction).
pub(crate) fn results(tx: &mut dyn Tx, widget: &WidgetId) -> Result<Results, StoreError> {
    let mut ballots = 0;
    let mut counts = BTreeMap::new();
    for row in tx.query(
        "SELECT NULL, ballots FROM widget_totals WHERE widget = ?1
         UNION ALL
         SELECT option, count FROM tallies WHERE widget = ?1",
        args![widget.as_str()],
    )? {
        match row.opt_text(0)? {
            None => ballots = row.count(1)?,
            Some(option) => {
                counts.insert(option, row.count(1)?);
            }
        }
    }
    Ok(Results {
        widget: widget.clone(),
        ballots,
        counts,
    })
}

/// Accepted ballots per UTC hour (`YYYY-MM-DDTHH`), oldest first: participation over time.
pub(crate) fn ballots_by_hour(
    tx: &mut dyn Tx,
    widget: &str,
) -> Result<Vec<(String, u64)>, StoreError> {
    tx.query(
        "SELECT substr(created_at, 1, 13) AS hour, count(*) FROM submissions
         WHERE widget = ?1 AND kind IN ('poll', 'topics')
         GROUP BY substr(created_at, 1, 13) ORDER BY hour",
        args![widget],
    )?
    .iter()
    .map(|row| Ok((row.text(0)?, row.count(1)?)))
    .collect()
}
