//! Identifiers that cross the wire: a widget's id and a poll option's key.
//!
//! Both follow one rule so that they survive a CMS that only keeps plain attribute values, URL
//! paths and SQL keys without escaping: 1 to 64 characters of lowercase ASCII letters, digits,
//! `-` and `_`, starting with a letter or digit.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_IDENT_LEN: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentError {
    Empty,
    TooLong,
    BadStart(char),
    BadChar(char),
}

impl fmt::Display for IdentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentError::Empty => write!(f, "is empty"),
            IdentError::TooLong => write!(f, "is longer than {MAX_IDENT_LEN} characters"),
            IdentError::BadStart(c) => write!(f, "starts with '{c}' (use a letter or digit)"),
            IdentError::BadChar(c) => write!(
                f,
                "contains '{c}' (allowed: lowercase letters a-z, digits, '-' and '_')"
            ),
        }
    }
}

fn check_ident(s: &str) -> Result<(), IdentError> {
    let mut chars = s.chars();
    let first = chars.next().ok_or(IdentError::Empty)?;
    if s.len() > MAX_IDENT_LEN {
        return Err(IdentError::TooLong);
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err(IdentError::BadStart(first));
    }
    match chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        Some(c) => Err(IdentError::BadChar(c)),
        None => Ok(()),
    }
}

macro_rules! ident_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdentError> {
                check_ident(s).map(|()| Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                match check_ident(&s) {
                    Ok(()) => Ok(Self(s)),
                    Err(e) => Err(format!("{} {e}", stringify!($name))),
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

ident_type!(
    /// The editor's `data-id`: names the widget on the page and its results in the collector.
    WidgetId
);
ident_type!(
    /// One answer of a poll, as sent in a ballot and counted in the results.
    OptionKey
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_identifiers() {
        for ok in ["a", "haushalt-2027", "0", "umfrage_1", &"x".repeat(64)] {
            assert!(WidgetId::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else_with_the_reason() {
        assert_eq!(WidgetId::parse(""), Err(IdentError::Empty));
        assert_eq!(WidgetId::parse(&"x".repeat(65)), Err(IdentError::TooLong));
        assert_eq!(WidgetId::parse("-a"), Err(IdentError::BadStart('-')));
        assert_eq!(WidgetId::parse("Umfrage"), Err(IdentError::BadStart('U')));
        assert_eq!(WidgetId::parse("a b"), Err(IdentError::BadChar(' ')));
        assert_eq!(WidgetId::parse("straße"), Err(IdentError::BadChar('ß')));
        assert_eq!(WidgetId::parse("a/../b"), Err(IdentError::BadChar('/')));
    }

    #[test]
    fn serde_refuses_bad_keys() {
        let ok: Result<OptionKey, _> = serde_json::from_str("\"ja\"");
        assert!(ok.is_ok());
        let bad: Result<OptionKey, _> = serde_json::from_str("\"<script>\"");
        assert!(bad.is_err());
    }
}
