//! A generic message: fixed text, links and an optional attachment, written once as plain text
//! and once as HTML (`multipart/alternative`), with the headers every mail of the collector
//! carries (`Date`, `Message-ID`, `Auto-Submitted`).
//!
//! Every value is written as text: HTML is escaped, header values lose their line breaks, and
//! the recipient must be a plain address (no display name, nothing that could add a header).

use super::MailError;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use mitmachen_shared::event::is_email;
use mitmachen_shared::messages::Lang;
use mitmachen_shared::time::Timestamp;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

/// One mail's content, before it becomes MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub lang: Lang,
    pub subject: String,
    pub blocks: Vec<Block>,
    /// Small print below a separator: why this mail came, what happens to the address.
    pub footer: Vec<String>,
    pub attachment: Option<Attachment>,
    /// Further headers, e.g. `List-Unsubscribe` (RFC 8058) for a newsletter. Line breaks in the
    /// values are removed.
    pub headers: Vec<(&'static str, String)>,
}

/// A piece of a mail's body, written to both the text and the HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; a line break inside stays a line break.
    Paragraph(String),
    /// Label and value pairs, e.g. an event's title, time and place. A value may span lines.
    Facts(Vec<(String, String)>),
    /// A sentence introducing a link, the link's label (HTML) and the address (http or https
    /// only; anything else makes [`compose`] fail).
    Link {
        intro: String,
        label: String,
        url: String,
    },
}

/// A file attached to the mail, e.g. an event's `.ics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// A MIME type with parameters, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Builds the message from `from` to `to`, dated `now`.
///
/// `to` must be a plain address (`name@example.de`): anything else, in particular a line break
/// that could smuggle in a header, is an error, never a message.
pub fn compose(
    from: &Mailbox,
    to: &str,
    letter: &Letter,
    now: Timestamp,
) -> Result<Message, MailError> {
    let to = recipient(to)?;
    for block in &letter.blocks {
        if let Block::Link { url, .. } = block
            && !is_web_link(url)
        {
            return Err(MailError::permanent(
                "a link in the mail is not an http(s) address",
            ));
        }
    }
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(render_text(letter)))
        .singlepart(SinglePart::html(render_html(letter)));
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(one_line(&letter.subject))
        .date(system_time(now))
        .message_id(Some(message_id(from)?))
        .raw_header(header("Auto-Submitted", "auto-generated"))
        .raw_header(header("Content-Language", letter.lang.tag()));
    for (name, value) in &letter.headers {
        builder = builder.raw_header(header(name, &one_line(value)));
    }
    let built = match &letter.attachment {
        None => builder.multipart(alternative),
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type).map_err(|e| {
                MailError::permanent(format!(
                    "attachment content type {:?}: {e}",
                    file.content_type
                ))
            })?;
            let part = MimeAttachment::new(one_line(&file.file_name))
                .body(file.body.clone(), content_type);
            builder.multipart(MultiPart::mixed().multipart(alternative).singlepart(part))
        }
    };
    built.map_err(|e| MailError::permanent(format!("cannot build the message: {e}")))
}

/// The recipient as a bare address, checked by the shared rule (the same as the form's) and
/// by lettre's parser. The error does not repeat the address (logs hold no personal data).
fn recipient(to: &str) -> Result<Address, MailError> {
    if !is_email(to) {
        return Err(MailError::permanent(
            "the recipient is not a valid e-mail address",
        ));
    }
    to.parse::<Address>().map_err(|_| {
        MailError::permanent("the recipient is not an e-mail address the mailer can send to")
    })
}

/// `http://` or `https://`, without white space or control characters.
pub(crate) fn is_web_link(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The closing words, signed with the sender's name (the town's, from the configuration) when
/// it has one.
pub(crate) fn signed(closing: &str, from: &Mailbox) -> String {
    match from
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => format!("{closing}\n{name}"),
        None => closing.to_owned(),
    }
}

fn header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

/// White space and control characters (line breaks included) become single spaces.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn system_time(t: Timestamp) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(t.0).unwrap_or(0))
}

/// `<32 random hex digits@the sender's domain>`: unique, and naming nobody.
fn message_id(from: &Mailbox) -> Result<String, MailError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| MailError::transient(format!("no random numbers for a Message-ID: {e}")))?;
    let mut id = String::with_capacity(64);
    id.push('<');
    for b in bytes {
        let _ = write!(id, "{b:02x}");
    }
    let _ = write!(id, "@{}>", from.email.domain());
    Ok(id)
}

/// Text with line breaks normalised to `\n` and other control characters dropped.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || !c.is_control())
        .collect()
}

/// The text part. Links stand alone on their line so that every mail program makes them
/// clickable; the footer follows the usual signature separator.
pub(crate) fn render_text(letter: &Letter) -> String {
    let mut out = String::new();
    for block in &letter.blocks {
        match block {
            Block::Paragraph(text) => out.push_str(&clean(text)),
            Block::Facts(facts) => {
                let width = facts
                    .iter()
                    .map(|(label, _)| clean(label).chars().count())
                    .max()
                    .unwrap_or(0);
                for (i, (label, value)) in facts.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    let label = format!("{}:", clean(label));
                    let _ = write!(out, "{label:<w$} ", w = width + 1);
                    let indent = " ".repeat(width + 2);
                    out.push_str(&clean(value).replace('\n', &format!("\n{indent}")));
                }
            }
            Block::Link { intro, url, .. } => {
                let _ = write!(out, "{}\n{url}", clean(intro));
            }
        }
        out.push_str("\n\n");
    }
    if !letter.footer.is_empty() {
        out.push_str("-- \n");
        let footer: Vec<String> = letter.footer.iter().map(|f| clean(f)).collect();
        out.push_str(&footer.join("\n"));
        out.push('\n');
    }
    out
}

/// Escapes text for HTML content and attribute values; line breaks become `<br>`.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>\n"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML part: plain, self-contained markup (no images, no style sheets, nothing loaded).
pub(crate) fn render_html(letter: &Letter) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n</head>\n<body>\n",
        letter.lang.tag(),
        escape_html(&one_line(&letter.subject))
    );
    for block in &letter.blocks {
        match block {
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape_html(text));
            }
            Block::Facts(facts) => {
                out.push_str("<table>\n");
                for (label, value) in facts {
                    let _ = writeln!(
                        out,
                        "<tr><th scope=\"row\" align=\"left\" valign=\"top\">{}</th><td>{}</td></tr>",
                        escape_html(label),
                        escape_html(value)
                    );
                }
                out.push_str("</table>\n");
            }
            Block::Link { intro, label, url } => {
                let _ = writeln!(
                    out,
                    "<p>{}<br>\n<a href=\"{}\">{}</a></p>",
                    escape_html(intro),
                    escape_html(url),
                    escape_html(label)
                );
            }
        }
    }
    if !letter.footer.is_empty() {
        out.push_str("<hr>\n");
        for line in &letter.footer {
            let _ = writeln!(out, "<p><small>{}</small></p>", escape_html(line));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        "Stadt Musterstadt <beteiligung@musterstadt.de>"
            .parse()
            .expect("valid")
    }

    fn letter() -> Letter {
        Letter {
            lang: Lang::De,
            subject: "Betreff\r\nBcc: x@evil.example".into(),
            blocks: vec![
                Block::Paragraph("Guten Tag,".into()),
                Block::Facts(vec![
                    ("Was".into(), "A <b> & \"C\"".into()),
                    ("Wo".into(), "Rathaus\nMarktplatz 1".into()),
                ]),
                Block::Link {
                    intro: "Hier:".into(),
                    label: "Öffnen".into(),
                    url: "https://example.de/a?b=1&c=\"2\"".into(),
                },
            ],
            footer: vec!["Kleingedrucktes".into()],
            attachment: None,
            headers: vec![("List-Unsubscribe", "<https://example.de/u>\r\nX: y".into())],
        }
    }

    #[test]
    fn text_and_html_say_the_same_and_html_is_escaped() {
        let l = letter();
        let text = render_text(&l);
        assert!(text.contains("Was: A <b> & \"C\"\nWo:  Rathaus\n     Marktplatz 1\n"));
        assert!(text.contains("Hier:\nhttps://example.de/a?b=1&c=\"2\"\n"));
        assert!(text.ends_with("-- \nKleingedrucktes\n"));
        let html = render_html(&l);
        assert!(html.contains("<td>A &lt;b&gt; &amp; &quot;C&quot;</td>"));
        assert!(html.contains("<td>Rathaus<br>\nMarktplatz 1</td>"));
        assert!(
            html.contains("<a href=\"https://example.de/a?b=1&amp;c=&quot;2&quot;\">Öffnen</a>")
        );
        assert!(html.contains("<title>Betreff Bcc: x@evil.example</title>"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<style"));
    }

    #[test]
    fn headers_cannot_be_injected() {
        let message = compose(&from(), "erika@example.de", &letter(), Timestamp(0)).expect("ok");
        let raw = String::from_utf8(message.formatted()).expect("utf-8");
        let head = raw.split("\r\n\r\n").next().expect("head");
        assert!(!head.contains("\r\nBcc:"), "{head}");
        assert!(!head.contains("\r\nX: y"), "{head}");
        assert!(head.contains("\r\nList-Unsubscribe: <https://example.de/u> X: y\r\n"));
        for bad in [
            "erika@example.de\r\nBcc: x@evil.example",
            "erika@example.de\nBcc: x@evil.example",
            "Erika <erika@example.de>",
            "erika@example.de, x@evil.example",
            "\"x\r\nBcc: y\"@example.de",
            " erika@example.de",
            "erika",
            "",
        ] {
            let err = compose(&from(), bad, &letter(), Timestamp(0)).expect_err(bad);
            assert!(err.permanent);
            assert!(!err.message.contains("evil"), "{}", err.message);
        }
    }

    #[test]
    fn links_must_be_web_links() {
        for bad in [
            "javascript:alert(1)",
            "https://example.de/a b",
            "https://x\r\n",
            "ftp://x",
        ] {
            let mut l = letter();
            l.blocks = vec![Block::Link {
                intro: "i".into(),
                label: "l".into(),
                url: bad.into(),
            }];
            assert!(
                compose(&from(), "erika@example.de", &l, Timestamp(0)).is_err(),
                "{bad}"
            );
        }
        assert!(is_web_link("HTTPS://example.de/"));
        assert!(is_web_link("http://127.0.0.1:8080/x"));
    }

    #[test]
    fn the_closing_is_signed_with_the_senders_name_if_any() {
        assert_eq!(signed("Grüße", &from()), "Grüße\nStadt Musterstadt");
        let bare: Mailbox = "beteiligung@musterstadt.de".parse().expect("valid");
        assert_eq!(signed("Grüße", &bare), "Grüße");
        let blank = Mailbox::new(Some("  ".into()), bare.email.clone());
        assert_eq!(signed("Grüße", &blank), "Grüße");
    }

    #[test]
    fn every_mail_carries_date_id_and_auto_submitted() {
        let a = compose(
            &from(),
            "erika@example.de",
            &letter(),
            Timestamp(1_800_000_000_000),
        )
        .expect("ok");
        let b = compose(&from(), "erika@example.de", &letter(), Timestamp(0)).expect("ok");
        let h = a.headers();
        assert_eq!(h.get_raw("Auto-Submitted"), Some("auto-generated"));
        assert_eq!(h.get_raw("Content-Language"), Some("de"));
        assert_eq!(h.get_raw("Date"), Some("Fri, 15 Jan 2027 08:00:00 +0000"));
        let id = h.get_raw("Message-ID").expect("id");
        assert!(
            id.starts_with('<') && id.ends_with("@musterstadt.de>"),
            "{id}"
        );
        assert_ne!(Some(id), b.headers().get_raw("Message-ID"));
        assert_eq!(
            a.envelope().from().map(ToString::to_string).as_deref(),
            Some("beteiligung@musterstadt.de")
        );
        let to: Vec<String> = a.envelope().to().iter().map(ToString::to_string).collect();
        assert_eq!(to, ["erika@example.de"]);
        assert_eq!(h.get_raw("To"), Some("erika@example.de"));
    }
}
