//! The mail outbox: composing a message and sending it (SMTP, or an outbox folder), and the
//! sender that drains the queue. The features write their own mails (`events::mail`,
//! `newsletters::mail`) with `compose`.
//!
//! - `compose`: a generic message, the town's fixed text plus links and an optional
//!   attachment, written as a text and an HTML part (and the headers every mail carries).
//! - `kind`: [`MailKind`], which mail a queue entry is, over every feature's mails.
//! - `send`: the [`Mailer`], over SMTP (lettre, pooled connections) or into an outbox folder
//!   of `.eml` files (the demo's default).
//! - `delivery`: the background sender that claims due mails and records the outcome.
//!
//! A mail never echoes anything the registrant or subscriber typed except the address it goes
//! to: a name or a note sent to an address nobody has confirmed would turn the form into a spam
//! relay. The features' mail inputs therefore hold no such field.

pub mod compose;
pub mod delivery;
pub mod kind;
mod send;
#[cfg(test)]
pub(crate) mod testing;

pub use compose::{Attachment, Block, Letter, compose};
pub use kind::MailKind;
pub use lettre::message::Mailbox;
pub use send::Mailer;

use std::fmt;
use std::path::PathBuf;

/// Where the collector's mails come from and how they leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The `From` header and the SMTP envelope sender, e.g. `Stadt Musterstadt
    /// <beteiligung@musterstadt.de>`.
    pub from: Mailbox,
    pub transport: Transport,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Smtp(SmtpConfig),
    /// Each mail becomes an `.eml` file in this folder and its links are logged (the demo).
    Outbox(PathBuf),
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub user: Option<String>,
    /// Never shown by `Debug`.
    pub password: Option<String>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Plain SMTP, e.g. a local relay or a test server on 127.0.0.1.
    None,
    /// STARTTLS, required (a server that does not offer it is an error): port 587.
    StartTls,
    /// Implicit TLS ("SMTPS"): port 465.
    Tls,
}

impl Tls {
    /// `none`, `starttls` or `tls` (as in the configuration file; case-insensitive).
    pub fn parse(s: &str) -> Option<Tls> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Tls::None),
            "starttls" => Some(Tls::StartTls),
            "tls" => Some(Tls::Tls),
            _ => None,
        }
    }

    /// The usual port: 25 for plain SMTP, 587 for STARTTLS (submission), 465 for implicit TLS.
    pub fn default_port(self) -> u16 {
        match self {
            Tls::None => 25,
            Tls::StartTls => 587,
            Tls::Tls => 465,
        }
    }
}

/// A mail that could not be composed or sent.
///
/// `permanent`: sending the same message again is pointless (the server answered 5xx, or the
/// message cannot be built, e.g. an invalid recipient). Otherwise (4xx, no connection, a
/// timeout, TLS trouble) a later attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailError {
    pub message: String,
    pub permanent: bool,
}

impl MailError {
    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        MailError {
            message: message.into(),
            permanent: true,
        }
    }

    pub(crate) fn transient(message: impl Into<String>) -> Self {
        MailError {
            message: message.into(),
            permanent: false,
        }
    }
}

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.permanent {
            "permanent"
        } else {
            "temporary"
        };
        write!(f, "{} ({kind})", self.message)
    }
}

impl std::error::Error for MailError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_modes_parse_and_have_their_ports() {
        assert_eq!(Tls::parse("none"), Some(Tls::None));
        assert_eq!(Tls::parse("STARTTLS"), Some(Tls::StartTls));
        assert_eq!(Tls::parse(" tls "), Some(Tls::Tls));
        assert_eq!(Tls::parse("ssl"), None);
        assert_eq!(Tls::parse(""), None);
        assert_eq!(Tls::StartTls.default_port(), 587);
        assert_eq!(Tls::Tls.default_port(), 465);
        assert_eq!(Tls::None.default_port(), 25);
    }

    #[test]
    fn debug_hides_the_password() {
        let config = SmtpConfig {
            host: "smtp.example.de".into(),
            port: 587,
            tls: Tls::StartTls,
            user: Some("beteiligung".into()),
            password: Some("geheim-123".into()),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("geheim"), "{shown}");
        assert!(shown.contains("beteiligung") && shown.contains("(hidden)"));
        let mailer = Mailer::new(&MailConfig {
            from: "Stadt <a@example.de>".parse().expect("valid"),
            transport: Transport::Smtp(config),
        })
        .expect("builds");
        assert!(!format!("{mailer:?}").contains("geheim"));
    }

    #[test]
    fn errors_say_whether_to_retry() {
        assert_eq!(
            MailError::permanent("550 no such user").to_string(),
            "550 no such user (permanent)"
        );
        assert!(!MailError::transient("connection refused").permanent);
    }
}
