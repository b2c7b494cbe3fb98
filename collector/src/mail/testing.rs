//! Test helpers shared by the mail tests: the sender, and a message as a mail program shows it.

use lettre::Message;
use lettre::message::Mailbox;
use mailparse::{MailHeaderMap, ParsedMail};

/// The town's sender, as configured.
pub(crate) fn from() -> Mailbox {
    "Stadt Musterstadt <beteiligung@musterstadt.de>"
        .parse()
        .expect("valid")
}

/// What a mail program shows: the decoded parts.
pub(crate) struct Shown {
    pub subject: String,
    /// The top-level headers, unfolded and decoded, in order.
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
    /// (content type, file name, body)
    pub attachments: Vec<(String, String, String)>,
    pub top_type: String,
    pub raw: Vec<u8>,
}

impl Shown {
    /// Every value of the top-level header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The raw head, up to the first empty line.
    pub fn head(&self) -> String {
        let raw = String::from_utf8_lossy(&self.raw);
        raw.split("\r\n\r\n").next().unwrap_or_default().to_owned()
    }
}

/// Renders `message` and decodes it (quoted-printable, base64, encoded words).
pub(crate) fn show(message: &Message) -> Shown {
    let raw = message.formatted();
    let parsed = mailparse::parse_mail(&raw).expect("parses");
    let mut shown = Shown {
        subject: parsed.headers.get_first_value("Subject").expect("subject"),
        headers: parsed
            .headers
            .iter()
            .map(|h| (h.get_key(), h.get_value()))
            .collect(),
        text: String::new(),
        html: String::new(),
        attachments: Vec::new(),
        top_type: parsed.ctype.mimetype.clone(),
        raw: raw.clone(),
    };
    fn walk(part: &ParsedMail, shown: &mut Shown) {
        let disposition = part.get_content_disposition();
        if let Some(name) = disposition.params.get("filename") {
            let content_type = part.headers.get_first_value("Content-Type").expect("type");
            let body = part.get_body().expect("body");
            shown.attachments.push((content_type, name.clone(), body));
            return;
        }
        match part.ctype.mimetype.as_str() {
            "text/plain" => shown.text = part.get_body().expect("text").replace("\r\n", "\n"),
            "text/html" => shown.html = part.get_body().expect("html").replace("\r\n", "\n"),
            _ => part.subparts.iter().for_each(|p| walk(p, shown)),
        }
    }
    walk(&parsed, &mut shown);
    shown
}
