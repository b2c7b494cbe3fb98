//! Sending: SMTP through lettre (pooled connections, a time limit per mail), or an outbox
//! folder.

use super::{MailConfig, MailError, SmtpConfig, Tls, Transport};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, Error as SmtpError, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// How long connecting, and then the whole conversation for one mail, may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

type SmtpTransport = AsyncSmtpTransport<Tokio1Executor>;

/// Sends the collector's mails. Share it (`Arc`); SMTP connections are pooled and reused.
pub struct Mailer {
    inner: Inner,
}

enum Inner {
    Smtp(Box<Smtp>),
    Outbox(PathBuf),
}

struct Smtp {
    /// Where to, for error messages (never the credentials).
    server: String,
    builder: AsyncSmtpTransportBuilder,
    timeout: Duration,
    /// Built on the first send (the pool starts a task, which needs the Tokio runtime, while
    /// `Mailer::new` may run before it), and built anew after a timeout.
    transport: Mutex<Option<SmtpTransport>>,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Smtp(smtp) => f.debug_tuple("Mailer::Smtp").field(&smtp.server).finish(),
            Inner::Outbox(dir) => f.debug_tuple("Mailer::Outbox").field(dir).finish(),
        }
    }
}

impl Mailer {
    /// Checks the configuration; connects only when the first mail is sent.
    pub fn new(config: &MailConfig) -> Result<Mailer, String> {
        let inner = match &config.transport {
            Transport::Outbox(dir) => Inner::Outbox(dir.clone()),
            Transport::Smtp(smtp) => Inner::Smtp(Box::new(Smtp {
                server: format!("{}:{}", smtp.host, smtp.port),
                builder: smtp_builder(smtp)?,
                timeout: SMTP_TIMEOUT,
                transport: Mutex::new(None),
            })),
        };
        Ok(Mailer { inner })
    }

    /// Another time limit than [`SMTP_TIMEOUT`] for connecting and for each mail (tests).
    pub fn with_timeout(mut self, timeout: Duration) -> Mailer {
        if let Inner::Smtp(smtp) = &mut self.inner {
            smtp.builder = smtp.builder.clone().timeout(Some(timeout));
            smtp.timeout = timeout;
            *smtp
                .transport
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
        self
    }

    /// Sends one message.
    ///
    /// With the outbox, the message becomes `<UTC time>-<random>.eml` in the folder (created
    /// if missing), and the recipient, subject, file and `links` are logged so that whoever
    /// runs the demo can follow them. Over SMTP the links are never logged: they carry secrets.
    pub async fn send(&self, message: Message, links: &[&str]) -> Result<(), MailError> {
        match &self.inner {
            Inner::Smtp(smtp) => smtp.send(message).await,
            Inner::Outbox(dir) => write_outbox(dir, &message, links).await,
        }
    }
}

impl Smtp {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        let transport = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| self.builder.clone().build())
            .clone();
        // lettre limits the connecting only; this limits the whole conversation.
        match tokio::time::timeout(self.timeout, transport.send(message)).await {
            Ok(sent) => sent.map(drop).map_err(|e| smtp_error(&self.server, &e)),
            Err(_) => {
                // The connection stopped mid-conversation and must never be reused: drop the
                // pool (its connections are closed) and start a new one with the next mail.
                self.transport
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                transport.shutdown().await;
                Err(MailError::transient(format!(
                    "SMTP server {}: no answer within {} s",
                    self.server,
                    self.timeout.as_secs_f32()
                )))
            }
        }
    }
}

fn smtp_builder(smtp: &SmtpConfig) -> Result<AsyncSmtpTransportBuilder, String> {
    let host = smtp.host.trim();
    if host.is_empty() {
        return Err("the SMTP host is empty".into());
    }
    let tls_parameters = || {
        TlsParameters::new(host.to_owned())
            .map_err(|e| format!("TLS for the SMTP host {host:?}: {e}"))
    };
    let tls = match smtp.tls {
        Tls::None => LettreTls::None,
        Tls::StartTls => LettreTls::Required(tls_parameters()?),
        Tls::Tls => LettreTls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT))
        .pool_config(PoolConfig::new().max_size(4));
    match (&smtp.user, &smtp.password) {
        (Some(_), Some(_)) if smtp.tls == Tls::None && !is_loopback(host) => {
            return Err(format!(
                "the SMTP password would travel unencrypted to {host}: use tls = \"starttls\" or \"tls\" (plain SMTP with a password only to this machine)"
            ));
        }
        (Some(user), Some(password)) => {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        (None, None) => {}
        _ => return Err("SMTP user and password must be given together".into()),
    }
    Ok(builder)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// 5xx answers are permanent; 4xx answers, connection trouble, timeouts and TLS are not.
fn smtp_error(server: &str, e: &SmtpError) -> MailError {
    let message = format!("SMTP server {server}: {e}");
    if e.is_permanent() {
        MailError::permanent(message)
    } else {
        MailError::transient(message)
    }
}

async fn write_outbox(dir: &Path, message: &Message, links: &[&str]) -> Result<(), MailError> {
    let path = dir.join(outbox_file_name()?);
    let bytes = message.formatted();
    let (folder, file) = (dir.to_owned(), path.clone());
    tokio::task::spawn_blocking(move || write_new_file(&folder, &file, &bytes))
        .await
        .map_err(|e| MailError::transient(format!("outbox: writing crashed: {e}")))??;
    let to: Vec<String> = message
        .envelope()
        .to()
        .iter()
        .map(ToString::to_string)
        .collect();
    tracing::info!(
        to = %to.join(", "),
        subject = message.headers().get_raw("Subject").unwrap_or_default(),
        file = %path.display(),
        links = %links.join(" "),
        "mail written to the outbox"
    );
    Ok(())
}

/// Creates the folder if needed and the file, never overwriting one (`create_new`).
fn write_new_file(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), MailError> {
    use std::io::Write as _;
    let io = |what: &str, p: &Path, e: std::io::Error| {
        MailError::transient(format!("outbox: cannot {what} {}: {e}", p.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io("create", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| io("write", path, e))
}

/// `20261125T120000Z-1a2b3c4d.eml`: sorts by time, never collides.
fn outbox_file_name() -> Result<String, MailError> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let time = mitmachen_shared::time::rfc3339_utc(mitmachen_shared::time::Timestamp(now))
        .replace(['-', ':'], "");
    let mut random = [0u8; 4];
    getrandom::fill(&mut random)
        .map_err(|e| MailError::transient(format!("outbox: no random numbers: {e}")))?;
    let mut name = format!("{time}-");
    for b in random {
        let _ = write!(name, "{b:02x}");
    }
    name.push_str(".eml");
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(tls: Tls) -> SmtpConfig {
        SmtpConfig {
            host: "smtp.example.de".into(),
            port: tls.default_port(),
            tls,
            user: None,
            password: None,
        }
    }

    #[test]
    fn configurations_are_checked_up_front() {
        for tls in [Tls::None, Tls::StartTls, Tls::Tls] {
            assert!(smtp_builder(&smtp(tls)).is_ok());
        }
        let mut half = smtp(Tls::StartTls);
        half.user = Some("u".into());
        assert!(smtp_builder(&half).is_err());
        let mut plain = smtp(Tls::None);
        plain.user = Some("u".into());
        plain.password = Some("p".into());
        assert!(smtp_builder(&plain).is_err(), "a password in clear text");
        for local in ["127.0.0.1", "localhost", "::1", "[::1]"] {
            plain.host = local.into();
            assert!(smtp_builder(&plain).is_ok(), "{local}");
        }
        let mut empty = smtp(Tls::None);
        empty.host = " ".into();
        assert!(smtp_builder(&empty).is_err());
    }

    /// The collector keeps one mailer in its shared state and sends from spawned tasks.
    #[test]
    fn mailer_and_its_sending_can_move_between_threads() {
        fn shared<T: Send + Sync>(_: &T) {}
        fn movable<T: Send>(_: T) {}
        let mailer = Mailer::new(&MailConfig {
            from: "a@example.de".parse().expect("valid"),
            transport: Transport::Smtp(smtp(Tls::StartTls)),
        })
        .expect("builds");
        shared(&mailer);
        let message = Message::builder()
            .from("a@example.de".parse().expect("valid"))
            .to("b@example.de".parse().expect("valid"))
            .body(String::from("x"))
            .expect("message");
        movable(mailer.send(message, &[]));
    }

    #[test]
    fn outbox_names_sort_by_time() {
        let a = outbox_file_name().expect("name");
        let b = outbox_file_name().expect("name");
        assert_ne!(a, b);
        assert!(a.ends_with(".eml") && a.len() == "20261125T120000Z-1a2b3c4d.eml".len());
    }
}
