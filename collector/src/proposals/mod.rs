//! Citizens' proposals for a topic list: moderation (`pre`: served once approved; `post`:
//! served until rejected), merging duplicates, and the approved ones served as topics.
//!
//! The feature: this file (what a proposal is and what an administrator may decide), `store`
//! (its rows and the decisions' rules over the store's transactions), `topics`
//! (`GET .../topics`, the approved proposals), `admin` (the moderation queue: list, approve,
//! reject, merge). A proposal arrives as a submission (`crate::submissions`).

pub mod admin;
pub(crate) mod store;
pub mod topics;

use crate::db::{StoreError, hex};
use mitmachen_shared::ids::{OptionKey, WidgetId};
use serde::{Deserialize, Serialize};

/// When a citizen's proposal is served: after an administrator approved it (`pre`), or at once
/// until one rejects it (`post`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Moderation {
    #[default]
    Pre,
    Post,
}

/// Where a proposal stands. Only `approved` ones are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalStatus {
    Pending,
    Approved,
    Rejected,
    Merged,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 4] = [
        ProposalStatus::Pending,
        ProposalStatus::Approved,
        ProposalStatus::Rejected,
        ProposalStatus::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        ProposalStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A proposal as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalRecord {
    /// `p-` and 8 hex digits: the proposal's id and, once approved, its topic key.
    pub key: String,
    pub widget: WidgetId,
    pub title: String,
    pub description: String,
    pub status: ProposalStatus,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// When it was last approved, rejected or merged; UTC, RFC 3339.
    pub decided_at: Option<String>,
    pub merged_into: Option<String>,
}

/// What an administrator decides about a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// Mark it as a duplicate of the topic `into` (another proposal or a topic of the editor's
    /// list) and move its votes there.
    Merge {
        into: OptionKey,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideOutcome {
    /// Made (or already so); the proposal as it is now.
    Decided(ProposalRecord),
    UnknownKey,
    /// Not possible; nothing changed. `pointer` locates the cause in the request body (`""`:
    /// the proposal itself).
    Refused {
        pointer: String,
        detail: String,
    },
}

/// Whether `key` has the form of a proposal key: `p-` and 8 lowercase hex digits.
pub fn is_proposal_key(key: &str) -> bool {
    key.strip_prefix("p-").is_some_and(|hex| {
        hex.len() == 8
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A fresh proposal key: `p-` and 32 random bits, hex.
pub(crate) fn new_proposal_key() -> Result<String, StoreError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError(format!("no randomness for a proposal key: {e}")))?;
    Ok(format!("p-{}", hex(&bytes)))
}
