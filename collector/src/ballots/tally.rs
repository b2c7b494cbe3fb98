//! A poll's or topic list's results as administrators read them (the console's results page and
//! its exports): every answer or topic with its label, count, share (whole percentages that add
//! up to 100) and rank; topics with the proposals merged into them; participation per day.

use super::store;
use crate::app::SharedState;
use crate::db::{self, StoreError};
use crate::proposals::{ProposalRecord, ProposalStatus};
use mitmachen_shared::config::{ResultsVisibility, WidgetKind};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::shares::percentages;
use mitmachen_shared::time::{BerlinTime, Timestamp, parse_datetime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotKind {
    Poll,
    Topics,
}

/// One answer or topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub count: u64,
    /// Whole percent of all votes or dots; the lines add up to 100.
    pub share: u64,
    /// 1 for the most; equal counts share a rank.
    pub rank: usize,
    /// Titles of proposals merged into this topic (their dots count here).
    pub merged: Vec<String>,
    /// Counted, but no longer in the definition (an answer removed later).
    pub orphaned: bool,
}

/// What the page and the exports show of one widget's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub kind: BallotKind,
    /// The question or heading, where a definition has one.
    pub question: Option<String>,
    /// Accepted ballots.
    pub ballots: u64,
    /// Votes (a multiple-choice ballot gives several) or dots.
    pub votes: u64,
    /// Polls in the editor's order, topics by rank.
    pub lines: Vec<Line>,
    /// Ballots per day (Europe/Berlin), oldest first.
    pub days: Vec<(String, u64)>,
    /// What citizens are shown; `None` without a definition.
    pub visibility: Option<ResultsVisibility>,
    pub closes_at: Option<Timestamp>,
}

/// Ballots per Berlin day, from counts per UTC hour (`YYYY-MM-DDTHH`): SQL cannot tell Berlin's
/// midnight, Rust can.
fn days(hours: Vec<(String, u64)>) -> Vec<(String, u64)> {
    let mut days: Vec<(String, u64)> = Vec::new();
    for (hour, count) in hours {
        let Ok(at) = parse_datetime(&format!("{hour}:00Z")) else {
            continue;
        };
        let b = BerlinTime::of(at);
        let day = format!("{:04}-{:02}-{:02}", b.year, b.month, b.day);
        match days.last_mut() {
            Some((last, n)) if *last == day => *n += count,
            _ => days.push((day, count)),
        }
    }
    days
}

/// Ranks by count, highest first; equal counts share a rank ("1, 2, 2, 4").
fn rank(lines: &mut [Line]) {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|a, b| lines[*b].count.cmp(&lines[*a].count).then(a.cmp(b)));
    let mut previous: Option<(u64, usize)> = None;
    for (place, i) in order.into_iter().enumerate() {
        let rank = match previous {
            Some((count, rank)) if count == lines[i].count => rank,
            _ => place + 1,
        };
        lines[i].rank = rank;
        previous = Some((lines[i].count, rank));
    }
}

/// A definition's question, its answers or topics (key, label), what citizens see, its close.
type Described = (
    Option<String>,
    Vec<(String, String)>,
    Option<ResultsVisibility>,
    Option<Timestamp>,
);

/// Reads and shapes the results of `widget`; `None` unless it is a poll or topic list (by its
/// definition, or by the ballots it received).
pub fn read(state: &SharedState, widget: &WidgetId) -> Result<Option<Tally>, StoreError> {
    let declared = state.catalog.now();
    let config = declared
        .widgets
        .get(widget)
        .and_then(|w| w.definition.check(widget, &state.public_url).ok())
        .map(|c| c.kind);
    let (results, hours, proposals) = db::read(state.store.as_ref(), |tx| {
        Ok((
            store::results(tx, widget)?,
            store::ballots_by_hour(tx, widget.as_str())?,
            crate::proposals::store::list(tx, widget, None)?,
        ))
    })?;
    let kind = match &config {
        Some(WidgetKind::Poll(_)) => BallotKind::Poll,
        Some(WidgetKind::Topics(_)) => BallotKind::Topics,
        Some(_) => return Ok(None),
        None if !proposals.is_empty() => BallotKind::Topics,
        None => match declared.rules.get(widget).and_then(|r| r.ballot.as_ref()) {
            Some(super::rules::BallotRules::Topics { .. }) => BallotKind::Topics,
            Some(super::rules::BallotRules::Poll { .. }) => BallotKind::Poll,
            None if results.ballots > 0 => BallotKind::Poll,
            None => return Ok(None),
        },
    };
    let (question, listed, visibility, closes_at): Described = match &config {
        Some(WidgetKind::Poll(p)) => (
            Some(p.question.clone()),
            p.options
                .iter()
                .map(|o| (o.key.to_string(), o.label.clone()))
                .collect(),
            Some(p.results),
            p.closes_at,
        ),
        Some(WidgetKind::Topics(t)) => (
            Some(t.heading.clone()),
            t.topics
                .iter()
                .map(|o| (o.key.to_string(), o.title.clone()))
                .collect(),
            Some(t.results),
            t.closes_at,
        ),
        _ => (
            None,
            Vec::new(),
            None,
            declared
                .rules
                .get(widget)
                .and_then(|r| r.closes.as_ref())
                .map(|c| c.at),
        ),
    };
    Ok(Some(shape(
        kind,
        question,
        listed,
        &proposals,
        results.ballots,
        &results.counts,
        days(hours),
        visibility,
        closes_at,
    )))
}

#[allow(clippy::too_many_arguments)]
fn shape(
    kind: BallotKind,
    question: Option<String>,
    listed: Vec<(String, String)>,
    proposals: &[ProposalRecord],
    ballots: u64,
    counts: &std::collections::BTreeMap<String, u64>,
    days: Vec<(String, u64)>,
    visibility: Option<ResultsVisibility>,
    closes_at: Option<Timestamp>,
) -> Tally {
    let line = |key: String, label: String, orphaned: bool| Line {
        count: counts.get(&key).copied().unwrap_or(0),
        key,
        label,
        share: 0,
        rank: 0,
        merged: Vec::new(),
        orphaned,
    };
    let mut lines: Vec<Line> = listed
        .into_iter()
        .map(|(key, label)| line(key, label, false))
        .collect();
    for p in proposals
        .iter()
        .filter(|p| p.status == ProposalStatus::Approved)
    {
        if !lines.iter().any(|l| l.key == p.key) {
            lines.push(line(p.key.clone(), p.title.clone(), false));
        }
    }
    // Counted keys nothing names any more: an answer removed from the definition later.
    for key in counts.keys() {
        if !lines.iter().any(|l| &l.key == key) {
            let label = proposals
                .iter()
                .find(|p| &p.key == key)
                .map_or_else(|| key.clone(), |p| p.title.clone());
            lines.push(line(key.clone(), label, true));
        }
    }
    for p in proposals
        .iter()
        .filter(|p| p.status == ProposalStatus::Merged)
    {
        if let Some(target) = lines
            .iter_mut()
            .find(|l| Some(&l.key) == p.merged_into.as_ref())
        {
            target.merged.push(p.title.clone());
        }
    }
    let shares = percentages(&lines.iter().map(|l| l.count).collect::<Vec<_>>());
    for (line, share) in lines.iter_mut().zip(shares) {
        line.share = share;
    }
    rank(&mut lines);
    if kind == BallotKind::Topics {
        lines.sort_by_key(|l| l.rank);
    }
    Tally {
        kind,
        question,
        ballots,
        votes: lines.iter().map(|l| l.count).sum(),
        lines,
        days,
        visibility,
        closes_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn equal_counts_share_a_rank_and_shares_add_up() {
        let counts: BTreeMap<String, u64> = [
            ("a".into(), 1),
            ("b".into(), 1),
            ("c".into(), 1),
            ("alt".into(), 0),
        ]
        .into();
        let tally = shape(
            BallotKind::Poll,
            None,
            vec![
                ("a".into(), "A".into()),
                ("b".into(), "B".into()),
                ("c".into(), "C".into()),
            ],
            &[],
            3,
            &counts,
            Vec::new(),
            None,
            None,
        );
        let shares: Vec<u64> = tally.lines.iter().map(|l| l.share).collect();
        assert_eq!(shares, vec![34, 33, 33, 0]);
        let ranks: Vec<usize> = tally.lines.iter().map(|l| l.rank).collect();
        assert_eq!(ranks, vec![1, 1, 1, 4]);
        assert!(tally.lines[3].orphaned);
    }

    #[test]
    fn hours_become_berlin_days() {
        // 23:00 UTC on 31 March is already 1 April in Berlin (summer time).
        let got = days(vec![
            ("2027-03-31T21".into(), 2),
            ("2027-03-31T22".into(), 3),
            ("2027-04-01T08".into(), 1),
        ]);
        assert_eq!(
            got,
            vec![("2027-03-31".into(), 2), ("2027-04-01".into(), 4)]
        );
    }
}
