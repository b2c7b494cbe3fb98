//! The collector's outbox folder (`MITMACHEN_MAIL_OUTBOX` = `<dir>/outbox`): its `.eml` files,
//! decoded.

use mailparse::MailHeaderMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A mail from the outbox, decoded.
#[derive(Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<String>,
    pub headers: Vec<(String, String)>,
}

impl Mail {
    /// The first header of this name (case-insensitive), decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The cancellation link in the text part, as a path.
    pub fn link(&self) -> Option<String> {
        self.link_to("/v1/registrations/cancel/")
    }

    /// The first link in the text part whose path starts with `prefix`, as a path.
    pub fn link_to(&self, prefix: &str) -> Option<String> {
        let at = self.text.find(prefix)?;
        let rest = &self.text[at..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '-'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

pub fn read_mails(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir.join("outbox")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    // In the order written (the names are random).
    files.sort_by_key(|p| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH)
    });
    files
        .iter()
        .map(|path| {
            let raw = std::fs::read(path).expect("read mail");
            let parsed = mailparse::parse_mail(&raw).expect("a valid mail");
            let mut text = String::new();
            let mut html = String::new();
            let mut attachments = Vec::new();
            for part in parsed.parts() {
                let disposition = part.get_content_disposition();
                if disposition.disposition == mailparse::DispositionType::Attachment {
                    attachments.push(part.get_body().expect("attachment body"));
                } else if part.ctype.mimetype == "text/plain" {
                    text.push_str(&part.get_body().expect("text body"));
                } else if part.ctype.mimetype == "text/html" {
                    html.push_str(&part.get_body().expect("html body"));
                }
            }
            Mail {
                to: parsed.headers.get_first_value("To").unwrap_or_default(),
                subject: parsed
                    .headers
                    .get_first_value("Subject")
                    .unwrap_or_default(),
                text,
                html,
                attachments,
                headers: parsed
                    .headers
                    .iter()
                    .map(|h| (h.get_key(), h.get_value()))
                    .collect(),
            }
        })
        .collect()
}

/// Waits until `n` mails went to `to`; mails are sent in the background.
pub async fn mails_to(dir: &Path, to: &str, n: usize) -> Vec<Mail> {
    for _ in 0..100 {
        let mails: Vec<Mail> = read_mails(dir)
            .into_iter()
            .filter(|m| m.to.contains(to))
            .collect();
        if mails.len() >= n {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {n} mails to {to}; outbox: {:#?}",
        read_mails(dir)
            .iter()
            .map(|m| (&m.to, &m.subject))
            .collect::<Vec<_>>()
    );
}
