//! `[newsletters.<id>]`: the newsletters that take subscriptions, as the administrator declares
//! them.

use crate::config::ConfigError;
use crate::newsletters::{DEFAULT_CONFIRM_HOURS, DEFAULT_UNCONFIRMED_DAYS, Newsletter, Webhook};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::newsletter::{MAX_LISTS, is_web_address};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileNewsletter {
    title: String,
    /// key = name; TOML tables keep no order, so the names are sorted by key.
    #[serde(default)]
    lists: BTreeMap<String, String>,
    page_url: Option<String>,
    confirm_hours: Option<i64>,
    unconfirmed_days: Option<i64>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
}

fn range(
    key: &str,
    name: &str,
    value: Option<i64>,
    default: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    match value {
        None => Ok(default),
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ConfigError::new(
                    format!("{key}.{name}"),
                    format!("{n} is out of range (1 to {max})"),
                )
            }),
    }
}

fn url(key: &str, name: &str, value: Option<String>) -> Result<Option<String>, ConfigError> {
    match value.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) {
        None => Ok(None),
        Some(u) if is_web_address(&u) => Ok(Some(u)),
        Some(u) => Err(ConfigError::new(
            format!("{key}.{name}"),
            format!("'{u}' is not an http(s) URL"),
        )),
    }
}

/// `default_secret`: `MITMACHEN_WEBHOOK_SECRET`, for newsletters without their own.
pub(crate) fn newsletter(
    key: &str,
    file: FileNewsletter,
    default_secret: Option<&str>,
) -> Result<Newsletter, ConfigError> {
    let title = file.title.trim().to_owned();
    if title.is_empty() {
        return Err(ConfigError::new(format!("{key}.title"), "is empty"));
    }
    if file.lists.len() > MAX_LISTS {
        return Err(ConfigError::new(
            format!("{key}.lists"),
            format!("{} lists; at most {MAX_LISTS}", file.lists.len()),
        ));
    }
    let mut lists = Vec::new();
    for (list, name) in file.lists {
        let parsed = OptionKey::parse(&list)
            .map_err(|e| ConfigError::new(format!("{key}.lists.{list}"), format!("the key {e}")))?;
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(ConfigError::new(
                format!("{key}.lists.{list}"),
                "has no name",
            ));
        }
        lists.push((parsed, name));
    }
    let webhook = match url(key, "webhook_url", file.webhook_url)? {
        None => None,
        Some(url) => {
            let secret = file
                .webhook_secret
                .or_else(|| default_secret.map(str::to_owned))
                .filter(|s| s.trim().len() >= 16)
                .ok_or_else(|| {
                    ConfigError::new(
                        format!("{key}.webhook_secret (MITMACHEN_WEBHOOK_SECRET)"),
                        "a webhook needs a secret of at least 16 characters to sign its requests",
                    )
                })?;
            Some(Webhook { url, secret })
        }
    };
    Ok(Newsletter {
        title,
        lists,
        page_url: url(key, "page_url", file.page_url)?,
        confirm_hours: range(
            key,
            "confirm_hours",
            file.confirm_hours,
            DEFAULT_CONFIRM_HOURS,
            24 * 30,
        )?,
        unconfirmed_days: range(
            key,
            "unconfirmed_days",
            file.unconfirmed_days,
            DEFAULT_UNCONFIRMED_DAYS,
            90,
        )?,
        webhook,
    })
}
