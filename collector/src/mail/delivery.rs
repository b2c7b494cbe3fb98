//! Sends the queued mails: a background task that claims due mails from the store, composes
//! each from the event's declaration and the registration, sends it, and records the outcome.
//!
//! Mails are queued in the transaction that causes them, so a committed registration gets its
//! mail even across a crash. A claim leases a mail for a while; a second collector on the same
//! database skips it, and a collector that died mid-send leaves it to be tried again. Transient
//! failures are retried with growing pauses; permanent ones (the address does not exist) stop.

use crate::app::background::{BATCH, LEASE_MS, Outcomes, on_store, retry_at, run_rounds};
use crate::config::{MailRoute, MailSettings};
use crate::db::{Delivered, Store, now};
use crate::events::cancel::link_path as cancel_link_path;
use crate::events::mail::{EventMail, EventMailKind, event_message};
use crate::mail::kind::{MailJob, MailKind};
use crate::mail::{MailConfig, Mailer, SmtpConfig, Tls, Transport};
use crate::newsletters::links::{confirm_link_path, unsubscribe_link_path};
use crate::newsletters::mail::{NewsletterMail, NewsletterMailKind, newsletter_message};
use mitmachen_shared::messages::Lang;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Turns the configuration's mail settings into the mail module's.
pub fn mail_config(settings: &MailSettings) -> Result<MailConfig, String> {
    let from = settings
        .from
        .parse()
        .map_err(|e| format!("mail.from '{}' is not a mail address: {e}", settings.from))?;
    let transport = match &settings.route {
        MailRoute::Outbox(dir) => Transport::Outbox(dir.clone()),
        MailRoute::Smtp {
            host,
            port,
            tls,
            user,
            password,
        } => Transport::Smtp(SmtpConfig {
            host: host.clone(),
            port: *port,
            tls: Tls::parse(tls).ok_or_else(|| format!("mail.smtp_tls '{tls}'"))?,
            user: user.clone(),
            password: password.clone(),
        }),
    };
    Ok(MailConfig { from, transport })
}

pub struct Delivery {
    pub store: Arc<dyn Store>,
    pub mailer: Mailer,
    pub config: MailConfig,
    /// The widgets as they are when a mail is written: a moved or renamed event mails what
    /// it says now.
    pub catalog: Arc<crate::definitions::catalog::Catalog>,
    /// Where browsers reach the collector, for the links.
    pub public_url: String,
    pub wakeup: Arc<Notify>,
    pub pace: Pace,
}

/// The spacing of mails (`mail.per_minute`): a relay refuses or delays a burst, and the queue
/// keeps what waits. Per collector; several collectors on one database each keep their own.
pub struct Pace {
    gap: Option<Duration>,
    next: std::sync::Mutex<Option<Instant>>,
}

impl Pace {
    /// `0`: no limit.
    pub fn per_minute(n: u32) -> Pace {
        Pace {
            gap: (n > 0).then(|| Duration::from_secs(60) / n),
            next: std::sync::Mutex::new(None),
        }
    }

    /// Waits until the next mail may go out.
    async fn wait(&self) {
        let Some(gap) = self.gap else { return };
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + gap);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

impl Delivery {
    /// Runs until the process ends.
    pub async fn run(self) {
        run_rounds("mail", &self.wakeup, || self.round()).await;
    }

    /// Claims and sends one batch; returns how many were claimed.
    pub async fn round(&self) -> Result<usize, String> {
        let jobs = on_store(&self.store, |store| {
            store.claim_mails(now().0, LEASE_MS, BATCH)
        })
        .await?;
        let claimed = jobs.len();
        let store = self.store.clone();
        let mut outcomes = Outcomes::new("mail", move |outcomes| store.mails_delivered(outcomes));
        for job in jobs {
            self.pace.wait().await;
            let outcome = match self.send(&job).await {
                Ok(()) => Delivered::Sent,
                Err((error, retry_at_ms)) => Delivered::Failed { error, retry_at_ms },
            };
            outcomes.add(job.id, outcome).await;
        }
        outcomes.finish().await;
        Ok(claimed)
    }

    /// Composes one mail from its declaration; the message and the links to log.
    fn compose(
        &self,
        job: &MailJob,
    ) -> Result<(lettre::Message, Vec<String>), (String, Option<i64>)> {
        match job.kind {
            MailKind::Newsletter(kind) => self.newsletter_mail(job, kind),
            MailKind::Event(kind) => self.event_mail(job, kind),
        }
    }

    fn newsletter_mail(
        &self,
        job: &MailJob,
        kind: NewsletterMailKind,
    ) -> Result<(lettre::Message, Vec<String>), (String, Option<i64>)> {
        let declared = self.catalog.now();
        let Some(newsletter) = declared.newsletters.get(&job.widget) else {
            return Err((
                format!("the newsletter '{}' is no longer declared", job.widget),
                None,
            ));
        };
        let link = |path: fn(&str) -> String| {
            job.token
                .as_deref()
                .map(|t| format!("{}{}", self.public_url, path(t)))
        };
        let (confirm_url, unsubscribe_url) = match kind {
            NewsletterMailKind::Confirm => (link(confirm_link_path), None),
            _ => (None, link(unsubscribe_link_path)),
        };
        let lists = newsletter.list_names(&job.lists);
        let mail = NewsletterMail {
            to: &job.to,
            lang: Lang::from_tag(&job.lang).unwrap_or_default(),
            kind,
            title: &newsletter.title,
            lists: &lists,
            confirm_url: confirm_url.as_deref(),
            confirm_hours: newsletter.confirm_hours,
            unconfirmed_days: newsletter.unconfirmed_days,
            unsubscribe_url: unsubscribe_url.as_deref(),
            page_url: newsletter.page_url.as_deref(),
            now: now(),
        };
        let message =
            newsletter_message(&self.config.from, &mail).map_err(|e| (e.message, None))?;
        Ok((
            message,
            confirm_url.into_iter().chain(unsubscribe_url).collect(),
        ))
    }

    fn event_mail(
        &self,
        job: &MailJob,
        kind: EventMailKind,
    ) -> Result<(lettre::Message, Vec<String>), (String, Option<i64>)> {
        let declared = self.catalog.now();
        let Some(event) = declared.events.get(&job.widget) else {
            // The declaration was removed: there is nothing true left to write.
            return Err((
                format!("the event '{}' is no longer declared", job.widget),
                None,
            ));
        };
        let link = job
            .token
            .as_deref()
            .map(|t| format!("{}{}", self.public_url, cancel_link_path(t)));
        let lang = Lang::from_tag(&job.lang).unwrap_or_default();
        let mail = EventMail {
            to: &job.to,
            lang,
            kind,
            widget: &job.widget,
            facts: &event.facts,
            persons: job.persons,
            cancel_url: link.as_deref(),
            page_url: event.page_url.as_deref(),
            now: now(),
            message: job.message.as_ref(),
            own: event.mail_texts.get(&crate::events::texts::key(kind, lang)),
        };
        let message = event_message(&self.config.from, &mail).map_err(|e| (e.message, None))?;
        Ok((message, link.into_iter().collect()))
    }

    /// Composes and sends one mail; on failure the error and when to retry (`None`: never).
    async fn send(&self, job: &MailJob) -> Result<(), (String, Option<i64>)> {
        let (message, links) = self.compose(job)?;
        let links: Vec<&str> = links.iter().map(String::as_str).collect();
        match self.mailer.send(message, &links).await {
            Ok(()) => {
                tracing::info!(mail = job.id, kind = job.kind.as_str(), widget = %job.widget, "mail sent");
                Ok(())
            }
            Err(e) => {
                let retry = if e.permanent {
                    None
                } else {
                    retry_at(job.attempts)
                };
                tracing::warn!(
                    mail = job.id,
                    attempt = job.attempts,
                    permanent = e.permanent,
                    retry = retry.is_some(),
                    error = %e.message,
                    "mail not sent"
                );
                Err((e.message, retry))
            }
        }
    }
}
