//! Newsletters as the town's administrator declares them in `[newsletters.<id>]`.
//!
//! The collector takes subscriptions only for declared newsletters: the mails name the
//! newsletter and its lists as the town wrote them, never as a request claims, and the lists a
//! request may choose are the declared ones. The declaration also sets how long a confirmation
//! link works, when unconfirmed requests are deleted, and where confirmed subscribers are
//! forwarded (the town's own newsletter system).
//!
//! The feature: `config` (`[newsletters.<id>]`), `records` (requests, confirmations, proof),
//! `store` (a request, confirming and unsubscribing by link, the subscribers, the webhook
//! queue, the purge of unconfirmed requests), `links` (the confirm and unsubscribe pages),
//! `admin` (subscribers as JSON, CSV or XLSX with proof, one subscription's proof), `pages`
//! (subscribers and the proof page in the console), `mail` (double opt-in mails), `webhook`
//! (the signed forward to the town's newsletter system).

pub mod admin;
pub(crate) mod config;
pub mod links;
pub mod mail;
pub mod pages;
pub mod records;
pub(crate) mod store;
pub mod webhook;

use mitmachen_shared::ids::OptionKey;
use std::fmt;

pub const DEFAULT_CONFIRM_HOURS: u32 = 48;
pub const DEFAULT_UNCONFIRMED_DAYS: u32 = 7;
/// Confirmation mails (and "already subscribed" notes) one address gets per day at most.
pub const MAILS_PER_ADDRESS_PER_DAY: u32 = 3;
/// Subscription requests that send mail, per client and day.
pub const MAILS_PER_CLIENT_PER_DAY: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Newsletter {
    /// What the mails call it, e.g. "Newsletter Bürgerbeteiligung Musterstadt".
    pub title: String,
    /// The lists a subscriber chooses from, in declared order: key and name. Empty: one
    /// newsletter without lists.
    pub lists: Vec<(OptionKey, String)>,
    /// The town's page about the newsletter, linked from the mails.
    pub page_url: Option<String>,
    pub confirm_hours: u32,
    pub unconfirmed_days: u32,
    pub webhook: Option<Webhook>,
}

impl Default for Newsletter {
    fn default() -> Self {
        Newsletter {
            title: String::new(),
            lists: Vec::new(),
            page_url: None,
            confirm_hours: DEFAULT_CONFIRM_HOURS,
            unconfirmed_days: DEFAULT_UNCONFIRMED_DAYS,
            webhook: None,
        }
    }
}

impl Newsletter {
    pub fn list_keys(&self) -> Vec<OptionKey> {
        self.lists.iter().map(|(k, _)| k.clone()).collect()
    }

    /// The declared names of `keys`, in declared order; unknown keys are left out.
    pub fn list_names(&self, keys: &[String]) -> Vec<&str> {
        self.lists
            .iter()
            .filter(|(k, _)| keys.iter().any(|s| s == k.as_str()))
            .map(|(_, name)| name.as_str())
            .collect()
    }

    pub fn confirm_ms(&self) -> i64 {
        i64::from(self.confirm_hours) * 3_600_000
    }

    pub fn unconfirmed_ms(&self) -> i64 {
        i64::from(self.unconfirmed_days) * 86_400_000
    }
}

/// Where confirmed subscribers and unsubscriptions are forwarded: a JSON POST signed with
/// HMAC-SHA256.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    /// Never shown by `Debug`.
    pub secret: String,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("secret", &"(hidden)")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_follow_the_declaration() {
        let key = |k: &str| OptionKey::parse(k).expect("key");
        let n = Newsletter {
            lists: vec![
                (key("beteiligung"), "Beteiligung".into()),
                (key("termine"), "Termine".into()),
            ],
            ..Newsletter::default()
        };
        let chosen = ["termine".to_string(), "beteiligung".into(), "x".into()];
        assert_eq!(n.list_names(&chosen), ["Beteiligung", "Termine"]);
        assert_eq!(n.confirm_ms(), 48 * 3_600_000);
        let hook = Webhook {
            url: "https://x.de/hook".into(),
            secret: "geheim".into(),
        };
        assert!(!format!("{hook:?}").contains("geheim"));
    }
}
