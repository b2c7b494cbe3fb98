//! Forwards confirmed subscribers and unsubscriptions to the town's newsletter system: a
//! background task that claims due deliveries, POSTs each as JSON signed with HMAC-SHA256, and
//! records the outcome.
//!
//! Deliveries are queued in the transaction that confirms or unsubscribes, so none is lost
//! across a crash; `background` claims and leases them as it does mails. The receiver checks
//! `Mitmachen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the shared
//! secret and rejects old timestamps, so that a captured request cannot be replayed later.
//! 2xx is delivered; 408, 429, 5xx and network errors are retried with growing pauses; any
//! other answer is given up (the receiver refused it; the log says why).

use crate::app::background::{BATCH, LEASE_MS, Outcomes, on_store, retry_at, run_rounds};
use crate::db::{Delivered, Store, WebhookJob, hex, now};
use crate::newsletters::links::unsubscribe_link_path;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const TIMEOUT: Duration = Duration::from_secs(15);
pub const SIGNATURE_HEADER: &str = "mitmachen-signature";
pub const EVENT_HEADER: &str = "mitmachen-event";
pub const DELIVERY_HEADER: &str = "mitmachen-delivery";

pub struct Webhooks {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<crate::definitions::catalog::Catalog>,
    pub public_url: String,
    pub wakeup: Arc<Notify>,
    pub client: reqwest::Client,
}

/// The client for the webhooks: no redirects (a signed body must not wander), a timeout.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("mitmachen-collector/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the webhook client: {e}"))
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(format!("{unix_seconds}.{body}").as_bytes());
    format!("t={unix_seconds},v1={}", hex(&mac.finalize().into_bytes()))
}

impl Webhooks {
    /// Runs until the process ends.
    pub async fn run(self) {
        run_rounds("webhook", &self.wakeup, || self.round()).await;
    }

    /// Claims and delivers one batch; returns how many were claimed.
    pub async fn round(&self) -> Result<usize, String> {
        let jobs = on_store(&self.store, |store| {
            store.claim_webhooks(now().0, LEASE_MS, BATCH)
        })
        .await?;
        let claimed = jobs.len();
        let store = self.store.clone();
        let mut outcomes = Outcomes::new("webhook", move |outcomes| {
            store.webhooks_delivered(outcomes)
        });
        for job in jobs {
            let outcome = match self.deliver(&job).await {
                Ok(()) => Delivered::Sent,
                Err((error, retry_at_ms)) => Delivered::Failed { error, retry_at_ms },
            };
            outcomes.add(job.id, outcome).await;
        }
        outcomes.finish().await;
        Ok(claimed)
    }

    async fn deliver(&self, job: &WebhookJob) -> Result<(), (String, Option<i64>)> {
        let declared = self.catalog.now();
        let Some(hook) = declared
            .newsletters
            .get(&job.widget)
            .and_then(|n| n.webhook.as_ref())
        else {
            return Err((
                format!("the newsletter '{}' has no webhook any more", job.widget),
                None,
            ));
        };
        let mut body: serde_json::Value = serde_json::from_str(&job.payload)
            .map_err(|e| (format!("stored payload is not JSON: {e}"), None))?;
        body["delivery"] = job.id.into();
        if let Some(token) = &job.token {
            // The town's system puts this link into its own mails; it ends the subscription here
            // too and tells the system back.
            body["unsubscribe_url"] =
                format!("{}{}", self.public_url, unsubscribe_link_path(token)).into();
        }
        let body = body.to_string();
        let seconds = now().0.div_euclid(1000);
        let sent = self
            .client
            .post(&hook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(&hook.secret, seconds, &body))
            .header(EVENT_HEADER, &job.event)
            .header(DELIVERY_HEADER, job.id.to_string())
            .body(body)
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => {
                tracing::info!(delivery = job.id, event = %job.event, widget = %job.widget, "webhook delivered");
                return Ok(());
            }
            Ok(response) => {
                let status = response.status();
                let retry = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
                (
                    format!("the receiver answered {status}"),
                    retry.then(|| retry_at(job.attempts)).flatten(),
                )
            }
            Err(e) => (format!("not delivered: {e}"), retry_at(job.attempts)),
        };
        tracing::warn!(
            delivery = job.id,
            attempt = job.attempts,
            retry = failure.1.is_some(),
            error = %failure.0,
            "webhook not delivered"
        );
        Err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_time_and_body() {
        // RFC 4231 has no "t.body" vectors; this one was computed with Python's hmac module:
        // hmac.new(b"geheimes-schluesselwort", b"1767225600.{}", "sha256").hexdigest()
        let sig = signature("geheimes-schluesselwort", 1_767_225_600, "{}");
        assert_eq!(
            sig,
            "t=1767225600,v1=a448e8505679f08d9a96d89868689ba2c1cd98f8a78834e075b2b7284c85f56a"
        );
    }
}
