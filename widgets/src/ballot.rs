//! What every widget that sends one ballot shares: where the ballot is ([`Phase`]), the
//! results it may show ([`ResultsState`]), and what the citizen is told about both. Pure data
//! and functions; each widget's `state.rs` builds its own rules on these.

use crate::transport::SendError;
use crate::wire::Tally;
use mitmachen_shared::config::ResultsVisibility;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::protocol::ProblemKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the citizen.
    Open,
    /// On its way; `retry_in_s` while waiting for the next attempt.
    Sending {
        retry_in_s: Option<u32>,
    },
    /// Not delivered or refused; what the citizen chose is kept and may be sent again.
    Failed(SendError),
    /// Stored by the endpoint: just now, or earlier in this visit.
    Submitted {
        just_now: bool,
    },
    Closed,
}

impl Phase {
    /// Where a widget starts: answered earlier in this visit, closed, or open.
    pub fn initial(answered: bool, closed: bool) -> Phase {
        match (answered, closed) {
            (true, _) => Phase::Submitted { just_now: false },
            (false, true) => Phase::Closed,
            (false, false) => Phase::Open,
        }
    }

    /// Whether the citizen can change the ballot and send it.
    pub fn accepts_input(&self) -> bool {
        matches!(self, Phase::Open | Phase::Failed(_))
    }

    pub fn is_sending(&self) -> bool {
        matches!(self, Phase::Sending { .. })
    }

    /// The status region's classes: the thanks stand out, and so does waiting for a connection
    /// to send again (a notice, not grey text that is easily missed).
    pub fn status_class(&self) -> &'static str {
        match self {
            Phase::Submitted { .. } => "mm-status mm-done",
            Phase::Sending {
                retry_in_s: Some(_),
            } => "mm-status mm-offline",
            _ => "mm-status",
        }
    }

    /// Whether the editor's rule lets the citizen see the results in this phase.
    pub fn shows_results(&self, rule: ResultsVisibility) -> bool {
        let closed = *self == Phase::Closed;
        match rule {
            ResultsVisibility::Always => true,
            ResultsVisibility::AfterVoting => closed || matches!(self, Phase::Submitted { .. }),
            ResultsVisibility::AfterClosing => closed,
            ResultsVisibility::Never => false,
        }
    }

    /// What the status region says: progress, thanks (`thanks`, or `already` on a later
    /// visit to the page), or that the widget is closed.
    pub fn status(&self, texts: &Texts, thanks: Text, already: Text) -> String {
        match self {
            Phase::Sending { retry_in_s: None } => texts.get(Text::Sending).to_owned(),
            Phase::Sending {
                retry_in_s: Some(s),
            } => texts.fill(Text::Retrying, &[("seconds", &s.to_string())]),
            Phase::Submitted { just_now: true } => texts.get(thanks).to_owned(),
            Phase::Submitted { just_now: false } => texts.get(already).to_owned(),
            Phase::Closed => texts.get(Text::Closed).to_owned(),
            Phase::Open | Phase::Failed(_) => String::new(),
        }
    }

    /// What the alert region says: why the ballot was not delivered.
    pub fn alert(&self, texts: &Texts) -> String {
        match self {
            Phase::Failed(error) => failure(error, texts),
            _ => String::new(),
        }
    }
}

/// A failed submission, for the citizen.
pub fn failure(error: &SendError, texts: &Texts) -> String {
    match error {
        SendError::Unreachable => texts.get(Text::SendFailed).to_owned(),
        e if e.is_problem(ProblemKind::Draft) => texts.get(Text::NotOpenYet).to_owned(),
        SendError::Rejected { detail, .. } => texts.fill(Text::Rejected, &[("detail", detail)]),
    }
}

/// Adds `key` to `list`, or takes it out if it is there (a checkbox, an opened description).
pub fn toggle(list: &mut Vec<OptionKey>, key: OptionKey) {
    match list.iter().position(|k| *k == key) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(key),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultsState {
    NotLoaded,
    Loading,
    Loaded(Tally),
    Unavailable,
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::messages::Lang;

    #[test]
    fn results_follow_the_editors_rule() {
        use ResultsVisibility::*;
        let done = Phase::Submitted { just_now: true };
        assert!(Phase::Open.shows_results(Always));
        assert!(!Phase::Open.shows_results(AfterVoting) && done.shows_results(AfterVoting));
        assert!(!done.shows_results(AfterClosing) && Phase::Closed.shows_results(AfterClosing));
        assert!(!Phase::Closed.shows_results(Never));
    }

    #[test]
    fn the_citizen_is_told_where_the_ballot_is() {
        let texts = Texts::new(Lang::En);
        let status = |p: Phase| p.status(&texts, Text::Thanks, Text::AlreadyAnswered);
        assert_eq!(status(Phase::Open), "");
        assert!(
            status(Phase::Sending {
                retry_in_s: Some(4)
            })
            .contains("next try in 4 s")
        );
        assert_eq!(
            status(Phase::Submitted { just_now: false }),
            "You have already voted."
        );
        let refused = Phase::Failed(SendError::Rejected {
            status: 422,
            detail: "closed".into(),
            problem: String::new(),
            errors: vec![],
        });
        assert_eq!(refused.alert(&texts), "Your vote was not accepted: closed");
        assert_eq!(
            Phase::initial(true, true),
            Phase::Submitted { just_now: false }
        );
        assert_eq!(Phase::initial(false, true), Phase::Closed);
    }
}
