//! The [`Store`] over any [`Backend`]: each call is one transaction of the backend, running the
//! feature's own rules and queries. Nothing here knows which database it talks to.

use super::queue::{Delivered, MAILS, WEBHOOKS};
use super::writer::Answer;
use super::{
    Backend, CancelOutcome, Canceller, ConfirmOutcome, ConfirmView, DecideOutcome, Decision,
    Erased, LinkSubject, MailJob, NewSubmission, ProposalRecord, ProposalStatus, Queued,
    RegistrationRecord, Store, StoreError, SubmitOutcome, SubscriberRecord, SubscriptionStatus,
    UnsubscribeOutcome, WebhookJob, now,
};
use crate::audit::BY_TOKEN;
use crate::events::Event;
use crate::newsletters::Newsletter;
use crate::{args, ballots, events, newsletters, privacy, proposals};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Results, Topic};
use mitmachen_shared::time::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Db<B> {
    backend: B,
}

impl<B: Backend> Db<B> {
    pub fn new(backend: B) -> Self {
        Db { backend }
    }

    fn queue_submission(&self, new: NewSubmission) -> Answer<SubmitOutcome> {
        self.backend.write_submission(Queued::new(new))
    }

    /// The database itself, for tests and tools that need a transaction of their own.
    pub fn backend(&self) -> &B {
        &self.backend
    }
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl<B: Backend> Store for Db<B> {
    fn submit(&self, new: NewSubmission) -> Result<SubmitOutcome, StoreError> {
        self.queue_submission(new).wait_blocking()
    }

    fn submit_queued(
        &self,
        new: NewSubmission,
    ) -> Result<Answer<SubmitOutcome>, Box<NewSubmission>> {
        Ok(self.queue_submission(new))
    }

    fn results(&self, widget: &WidgetId) -> Result<Results, StoreError> {
        self.backend
            .read_one(|tx| ballots::store::results(tx, widget))
    }

    fn topics(&self, widget: &WidgetId) -> Result<Vec<Topic>, StoreError> {
        self.backend
            .read_one(|tx| proposals::store::topics(tx, widget))
    }

    fn proposals(
        &self,
        widget: &WidgetId,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        self.backend
            .read(|tx| proposals::store::list(tx, widget, status))
    }

    fn decide(&self, key: &str, decision: Decision) -> Result<DecideOutcome, StoreError> {
        let key = key.to_owned();
        self.backend
            .write(move |tx| proposals::store::decide(tx, &key, decision, BY_TOKEN))
    }

    fn event_counts(&self, widget: &WidgetId) -> Result<(u32, u32), StoreError> {
        self.backend
            .read_one(|tx| events::store::counts(tx, widget.as_str()))
    }

    fn registration_by_token(&self, token: &str) -> Result<Option<RegistrationRecord>, StoreError> {
        self.backend.read(|tx| events::store::by_token(tx, token))
    }

    fn cancel(&self, who: Canceller, event: Option<&Event>) -> Result<CancelOutcome, StoreError> {
        let event = event.cloned();
        self.backend
            .write(move |tx| events::store::cancel(tx, &who, event.as_ref(), now()))
    }

    fn registrations(&self, widget: &WidgetId) -> Result<Vec<RegistrationRecord>, StoreError> {
        self.backend
            .read(|tx| events::store::list(tx, widget.as_str()))
    }

    fn claim_mails(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<MailJob>, StoreError> {
        self.backend
            .write(move |tx| events::store::claim(tx, now_ms, lease_ms, limit))
    }

    fn mails_delivered(&self, outcomes: Vec<(i64, Delivered)>) -> Result<(), StoreError> {
        self.backend
            .write(move |tx| MAILS.record(tx, &outcomes, now()))
    }

    fn purge(
        &self,
        now: Timestamp,
        cutoffs: &[(WidgetId, Timestamp)],
    ) -> Result<usize, StoreError> {
        let cutoffs = cutoffs.to_vec();
        self.backend.write(move |tx| {
            let registrations = events::store::purge(tx, now, &cutoffs)?;
            let requests = newsletters::store::purge(tx, now)?;
            Ok(usize_of(registrations.saturating_add(requests)))
        })
    }

    fn confirm_view(&self, token: &str, now: Timestamp) -> Result<ConfirmView, StoreError> {
        self.backend
            .read(|tx| newsletters::store::confirm_view(tx, token, now))
    }

    fn confirm(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<ConfirmOutcome, StoreError> {
        let (token, newsletters) = (token.to_owned(), newsletters.clone());
        self.backend
            .write(move |tx| newsletters::store::confirm(tx, &token, &newsletters, now))
    }

    fn unsubscribe_view(&self, token: &str) -> Result<Option<LinkSubject>, StoreError> {
        self.backend
            .read(|tx| newsletters::store::unsubscribe_view(tx, token))
    }

    fn unsubscribe(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<UnsubscribeOutcome, StoreError> {
        let (token, newsletters) = (token.to_owned(), newsletters.clone());
        self.backend
            .write(move |tx| newsletters::store::unsubscribe(tx, &token, &newsletters, now))
    }

    fn subscribers(
        &self,
        widget: &WidgetId,
        status: Option<SubscriptionStatus>,
    ) -> Result<Vec<SubscriberRecord>, StoreError> {
        self.backend
            .read(|tx| newsletters::store::list(tx, widget.as_str(), status))
    }

    fn erase(
        &self,
        email: &str,
        events: &BTreeMap<WidgetId, Arc<Event>>,
        now: Timestamp,
    ) -> Result<Erased, StoreError> {
        let (email, events) = (email.to_owned(), events.clone());
        self.backend
            .write(move |tx| privacy::erase::erase(tx, &email, &events, now))
    }

    fn claim_webhooks(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<WebhookJob>, StoreError> {
        self.backend
            .write(move |tx| newsletters::store::claim_webhooks(tx, now_ms, lease_ms, limit))
    }

    fn webhooks_delivered(&self, outcomes: Vec<(i64, Delivered)>) -> Result<(), StoreError> {
        self.backend
            .write(move |tx| WEBHOOKS.record(tx, &outcomes, now()))
    }

    fn claim_job(&self, name: &str, now: Timestamp, every_ms: i64) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.backend
            .write(move |tx| super::jobs::claim(tx, &name, now, every_ms))
    }

    fn health(&self) -> Result<(), StoreError> {
        let one = self
            .backend
            .read_one(|tx| tx.query_one("SELECT 1", args![])?.int(0))?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError("SELECT 1 did not answer 1".into()))
        }
    }

    fn read_with(
        &self,
        job: &mut dyn FnMut(&mut dyn super::Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.backend.read(|tx| job(tx))
    }

    fn write_with(&self, job: super::WriteJob) -> Result<(), StoreError> {
        self.backend.write(job)
    }
}
