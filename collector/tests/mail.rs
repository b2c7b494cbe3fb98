//! The mail module end to end: into the outbox folder, and over SMTP to a real server on
//! 127.0.0.1 (Debian's aiosmtpd, `support/smtp_server.py`), including its refusals.

#[path = "support/smtp.rs"]
mod smtp;

use mailparse::{MailHeaderMap, ParsedMail};
use mitmachen_collector::events::mail::{EventMail, EventMailKind, event_message};
use mitmachen_collector::mail::{MailConfig, Mailbox, Mailer, SmtpConfig, Tls, Transport};
use mitmachen_shared::event::EventFacts;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Lang;
use mitmachen_shared::time::parse_datetime;
use smtp::SmtpServer;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CANCEL: &str = "http://127.0.0.1:8080/api/v1/events/versammlung/cancel?token=abc123";

fn from() -> Mailbox {
    "Stadt Musterstadt <beteiligung@musterstadt.de>"
        .parse()
        .expect("valid")
}

fn facts() -> EventFacts {
    EventFacts {
        title: "Bürgerversammlung Haushalt 2027".into(),
        starts_at: parse_datetime("2027-03-12T18:00+01:00").expect("valid"),
        ends_at: None,
        place: "Rathaus, Großer Saal".into(),
    }
}

fn message(to: &str, kind: EventMailKind) -> lettre::Message {
    let widget = WidgetId::parse("versammlung").expect("valid");
    let facts = facts();
    event_message(
        &from(),
        &EventMail {
            to,
            lang: Lang::De,
            kind,
            widget: &widget,
            facts: &facts,
            persons: 2,
            cancel_url: Some(CANCEL),
            page_url: None,
            now: parse_datetime("2027-02-01T09:30Z").expect("valid"),
            message: None,
            own: None,
        },
    )
    .expect("composes")
}

fn smtp_mailer(port: u16) -> Mailer {
    smtp_mailer_as(port, None)
}

fn smtp_mailer_as(port: u16, login: Option<(&str, &str)>) -> Mailer {
    Mailer::new(&MailConfig {
        from: from(),
        transport: Transport::Smtp(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: Tls::None,
            user: login.map(|(user, _)| user.to_owned()),
            password: login.map(|(_, password)| password.to_owned()),
        }),
    })
    .expect("mailer")
}

/// The decoded text part and the attachments (file name, body) of a raw message.
fn read(raw: &[u8]) -> (ParsedMail<'_>, String, Vec<(String, String)>) {
    let parsed = mailparse::parse_mail(raw).expect("a MIME message");
    let mut text = String::new();
    let mut files = Vec::new();
    let mut stack = vec![&parsed];
    while let Some(part) = stack.pop() {
        if let Some(name) = part.get_content_disposition().params.get("filename") {
            files.push((name.clone(), part.get_body().expect("attachment")));
        } else if part.ctype.mimetype == "text/plain" {
            text = part.get_body().expect("text").replace("\r\n", "\n");
        }
        stack.extend(part.subparts.iter());
    }
    (parsed, text, files)
}

fn assert_confirmation(raw: &[u8], to: &str) {
    let (parsed, text, files) = read(raw);
    assert_eq!(
        parsed.headers.get_first_value("Subject").as_deref(),
        Some("Anmeldung bestätigt: Bürgerversammlung Haushalt 2027")
    );
    assert_eq!(parsed.headers.get_first_value("To").as_deref(), Some(to));
    assert_eq!(
        parsed.headers.get_first_value("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(text.contains("Sie haben 2 Plätze"), "{text}");
    assert!(text.contains(&format!("\n{CANCEL}\n")), "{text}");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "versammlung.ics");
    assert!(
        files[0]
            .1
            .contains("SUMMARY:Bürgerversammlung Haushalt 2027")
    );
}

/// Collects the log lines written while the guard lives (on this thread: `#[tokio::test]` runs
/// on one).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn capture() -> (Log, tracing::subscriber::DefaultGuard) {
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (log, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }
}

#[tokio::test]
async fn the_outbox_keeps_each_mail_as_an_eml_file() {
    let (log, _guard) = Log::capture();
    let temp = tempfile::tempdir().expect("temporary folder");
    // A folder that does not exist yet: the mailer creates it.
    let outbox = temp.path().join("outbox");
    let mailer = Mailer::new(&MailConfig {
        from: from(),
        transport: Transport::Outbox(outbox.clone()),
    })
    .expect("mailer");
    for _ in 0..2 {
        mailer
            .send(message("erika@example.de", EventMailKind::Seat), &[CANCEL])
            .await
            .expect("written");
    }
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    for file in files {
        assert_eq!(file.extension().and_then(|x| x.to_str()), Some("eml"));
        assert_confirmation(&std::fs::read(&file).expect("eml"), "erika@example.de");
        // The log says where it is and which links to follow.
        let log = log.text();
        assert!(log.contains(&file.display().to_string()), "{log}");
        assert!(log.contains(CANCEL), "{log}");
        assert!(log.contains("erika@example.de"), "{log}");
        assert!(log.contains("Anmeldung bestätigt"), "{log}");
    }
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server() {
    let (log, _guard) = Log::capture();
    let server = SmtpServer::start();
    let mailer = smtp_mailer(server.port);
    mailer
        .send(message("erika@example.de", EventMailKind::Seat), &[CANCEL])
        .await
        .expect("sent");
    // The second mail reuses the pooled connection.
    mailer
        .send(
            message("max@example.de", EventMailKind::WaitingList),
            &[CANCEL],
        )
        .await
        .expect("sent");

    let received = server.wait_for(2);
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[0].mail_from, "beteiligung@musterstadt.de");
    assert_eq!(received[0].rcpt_tos, ["erika@example.de"]);
    assert_confirmation(&received[0].eml, "erika@example.de");
    // Python's mail parser (in the server) reads it the same way.
    let record = &received[0].record;
    assert_eq!(record["to"], "erika@example.de");
    assert!(
        record["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Anmeldung bestätigt")),
        "{record}"
    );
    assert!(
        record["text"].as_str().is_some_and(|t| t.contains(CANCEL)),
        "{record}"
    );
    assert!(
        record["html"]
            .as_str()
            .is_some_and(|h| h.contains(&format!("href=\"{CANCEL}\""))),
        "{record}"
    );
    assert_eq!(record["attachments"][0]["filename"], "versammlung.ics");

    // Over SMTP the links (they carry secrets) never reach the log.
    assert!(!log.text().contains("token="), "{}", log.text());

    assert_eq!(received[1].rcpt_tos, ["max@example.de"]);
    let (parsed, text, files) = read(&received[1].eml);
    assert_eq!(
        parsed.headers.get_first_value("Subject").as_deref(),
        Some("Auf der Warteliste: Bürgerversammlung Haushalt 2027")
    );
    assert!(text.contains(CANCEL));
    assert!(files.is_empty(), "no calendar file for the waiting list");
}

#[tokio::test]
async fn mail_refusals_are_permanent_or_temporary() {
    let server = SmtpServer::start();
    let mailer = smtp_mailer(server.port);

    let err = mailer
        .send(message(smtp::REJECTED, EventMailKind::Seat), &[])
        .await
        .expect_err("550");
    assert!(err.permanent, "{err}");
    assert!(err.message.contains("550"), "{err}");

    let err = mailer
        .send(message(smtp::BUSY, EventMailKind::Seat), &[])
        .await
        .expect_err("451");
    assert!(!err.permanent, "{err}");

    // The mailer keeps working after refusals.
    mailer
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect("sent");
    let received = server.wait_for(1);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["erika@example.de"]);
}

#[tokio::test]
async fn mail_to_an_unreachable_server_fails_temporarily() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let err = smtp_mailer(port)
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect_err("nobody listens");
    assert!(!err.permanent, "{err}");
}

#[tokio::test]
async fn mail_with_smtp_login() {
    let server = SmtpServer::start_with_auth("beteiligung", "richtig");
    smtp_mailer_as(server.port, Some(("beteiligung", "richtig")))
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect("sent with the right password");

    let err = smtp_mailer_as(server.port, Some(("beteiligung", "falsch")))
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect_err("wrong password");
    assert!(err.message.contains("535"), "{err}");
    assert!(!err.message.contains("falsch"), "{err}");

    let err = smtp_mailer(server.port)
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect_err("no login");
    assert!(err.permanent, "{err}");

    assert_eq!(server.wait_for(1).len(), 1);
}

#[tokio::test]
async fn mail_to_a_silent_server_times_out() {
    // Accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let mailer = smtp_mailer(port).with_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let err = mailer
        .send(message("erika@example.de", EventMailKind::Seat), &[])
        .await
        .expect_err("no greeting");
    assert!(!err.permanent, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "{err}");
}
