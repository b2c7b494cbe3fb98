//! Citizens' proposals for a topic list: moderation (`pre`: served once approved; `post`:
//! served until rejected), merging duplicates, and the approved ones served as topics.
//!
//! The feature: this file (what a proposal is and what an administrator may decide), `store`
//! (its rows and the decisions' rules over the store's transactions), `topics`
//! (`GET .../topics`, the approved proposals), `admin` (the moderation queue of the API: list,
//! approve, reject with a reason, merge), `pages` (the same queue in the console, several at
//! once). A proposal arrives as a submission (`crate::submissions`).

pub mod admin;
pub mod pages;
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
    /// Why it was rejected, as the moderator wrote it; only while rejected.
    pub reason: Option<String>,
}

/// What an administrator decides about a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// With the moderator's reason, if one was given ([`reason`] makes it).
    Reject {
        reason: Option<String>,
    },
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
    /// Not possible; nothing changed.
    Refused(Refusal),
}

/// Why a decision is not possible. The API says it in English ([`Refusal::detail`]); the
/// console in the account's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The proposal was merged into `into`: a merged proposal stays so.
    AlreadyMerged {
        key: String,
        into: String,
    },
    IntoItself {
        key: String,
    },
    /// `into` is a proposal of another widget.
    OtherWidget {
        key: String,
        into: String,
    },
    /// `into` is a rejected or merged proposal.
    TargetClosed {
        into: String,
        status: ProposalStatus,
    },
    /// `into` has a proposal's form but no proposal has that key.
    NoSuchTarget {
        into: String,
    },
}

impl Refusal {
    /// Where in the request body the cause lies (`""`: the proposal itself).
    pub fn pointer(&self) -> &'static str {
        match self {
            Refusal::AlreadyMerged { .. } => "",
            _ => "/into",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Refusal::AlreadyMerged { key, into } => {
                format!("{key} was merged into {into}; a merged proposal cannot change again")
            }
            Refusal::IntoItself { key } => format!("{key} cannot be merged into itself"),
            Refusal::OtherWidget { key, into } => {
                format!("{into} belongs to another widget than {key}")
            }
            Refusal::TargetClosed { into, status } => format!(
                "{into} is {}; merge into a pending or approved proposal",
                status.as_str()
            ),
            Refusal::NoSuchTarget { into } => format!("there is no proposal {into}"),
        }
    }
}

/// The longest reason for a rejection, in characters: a sentence or two for the town's files.
pub const REASON_MAX_CHARS: usize = 1000;

/// A rejection's reason as typed: trimmed, `None` when empty; too long is an error that says the
/// limit.
pub fn reason(typed: &str) -> Result<Option<String>, String> {
    let trimmed = typed.trim();
    let chars = trimmed.chars().count();
    if chars > REASON_MAX_CHARS {
        return Err(format!(
            "the reason has {chars} characters; at most {REASON_MAX_CHARS} are kept"
        ));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
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
