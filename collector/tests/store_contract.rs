//! The store contract: what every backend guarantees, checked on each of them with the same
//! code. "Two instances" are two stores opened on one database, as two collector processes
//! behind a load balancer would hold them: write transactions must not interleave between them
//! (capacity, idempotency, queue claims, periodic jobs).

#[path = "support/backends.rs"]
mod backends;
mod support;

use backends::Database;
use mitmachen_collector::ballots::rules::{Closes, Refusal, WidgetRules};
use mitmachen_collector::db::{
    CancelOutcome, Canceller, DecideOutcome, Decision, Delivered, Moderation, NewSubmission,
    ProposalStatus, RegistrationContext, RegistrationStatus, Store, SubmitOutcome,
    SubscriptionContext,
};
use mitmachen_collector::events::Event;
use mitmachen_collector::newsletters::Newsletter;
use mitmachen_shared::event::EventFacts;
use mitmachen_shared::ids::{OptionKey, WidgetId};
use mitmachen_shared::protocol::{PollBallot, Proposal, Registration, Submission, Subscription};
use mitmachen_shared::time::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

fn id(s: &str) -> WidgetId {
    WidgetId::parse(s).expect("widget id")
}

fn new(widget: &str, key: &str, submission: Submission) -> NewSubmission {
    NewSubmission {
        widget: id(widget),
        idempotency_key: key.into(),
        body: serde_json::to_vec(&submission).expect("json"),
        submission,
        moderation: Moderation::Pre,
        rules: None,
        registration: None,
        subscription: None,
    }
}

fn ballot(widget: &str, key: &str, choice: &str) -> NewSubmission {
    new(
        widget,
        key,
        Submission::Poll(PollBallot {
            choices: vec![OptionKey::parse(choice).expect("key")],
            honeypot: String::new(),
        }),
    )
}

fn event(capacity: u32) -> Arc<Event> {
    Arc::new(Event {
        facts: EventFacts {
            title: "Bürgerversammlung".into(),
            // Far ahead, so that the event takes registrations and promotes.
            starts_at: Timestamp(4_102_444_800_000),
            ends_at: None,
            place: "Rathaus".into(),
        },
        capacity: Some(capacity),
        waiting_list: true,
        ..Event::default()
    })
}

fn registration(widget: &str, key: &str, email: &str, event: &Arc<Event>) -> NewSubmission {
    let mut n = new(
        widget,
        key,
        Submission::Registration(Registration {
            name: "Erika Mustermann".into(),
            email: email.into(),
            persons: 1,
            phone: String::new(),
            organisation: String::new(),
            note: String::new(),
            lang: "de".into(),
            honeypot: String::new(),
        }),
    );
    n.registration = Some(RegistrationContext {
        event: event.clone(),
        purge_at: Timestamp(4_200_000_000_000),
    });
    n
}

fn subscription(widget: &str, key: &str, email: &str) -> NewSubmission {
    let mut n = new(
        widget,
        key,
        Submission::Subscription(Subscription {
            email: email.into(),
            name: String::new(),
            lists: Vec::new(),
            consent: "Ja, ich möchte den Newsletter erhalten.".into(),
            privacy: "https://www.musterstadt.de/datenschutz".into(),
            page: "https://www.musterstadt.de/".into(),
            lang: "de".into(),
            honeypot: String::new(),
        }),
    );
    n.subscription = Some(SubscriptionContext {
        newsletter: Arc::new(Newsletter::default()),
        client: "client".into(),
    });
    n
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    Timestamp(i64::try_from(ms).expect("ms"))
}

fn stored(outcome: SubmitOutcome) -> String {
    match outcome {
        SubmitOutcome::Stored(receipt) => receipt,
        other => panic!("not stored: {other:?}"),
    }
}

/// The seat and waiting counts agree with the registrations themselves.
fn counts_agree(store: &Arc<dyn Store>, widget: &str) {
    let list = store.registrations(&id(widget)).expect("list");
    let sum = |status| {
        list.iter()
            .filter(|r| r.status == status)
            .map(|r| r.persons)
            .sum::<u32>()
    };
    assert_eq!(
        store.event_counts(&id(widget)).expect("counts"),
        (
            sum(RegistrationStatus::Seat),
            sum(RegistrationStatus::Waiting)
        ),
        "{widget}: counters and rows"
    );
}

/// A key is stored once; its replay answers the first receipt, another body under it is refused.
fn idempotency(db: &Database) {
    let store = db.open();
    let first = stored(
        store
            .submit(ballot("umfrage", "key-00001", "ja"))
            .expect("submit"),
    );
    assert_eq!(
        store
            .submit(ballot("umfrage", "key-00001", "ja"))
            .expect("replay"),
        SubmitOutcome::Replayed(first)
    );
    assert_eq!(
        store
            .submit(ballot("umfrage", "key-00001", "nein"))
            .expect("reuse"),
        SubmitOutcome::KeyReused
    );
    let results = store.results(&id("umfrage")).expect("results");
    assert_eq!(results.ballots, 1);
    assert_eq!(results.counts.get("ja"), Some(&1));
    assert!(!results.counts.contains_key("nein"));
    store.health().expect("healthy");
}

/// Submissions queued at once share the writer's batches, whose ballots are written
/// together: each still answers as if they ran one after another, and one that the database
/// refuses fails alone.
fn a_batch_means_its_submissions_one_after_another(db: &Database) {
    let store = db.open();
    let earlier = stored(
        store
            .submit(ballot("umfrage", "key-early", "ja"))
            .expect("early"),
    );
    let earlier_andere = stored(
        store
            .submit(ballot("andere", "key-early", "ja"))
            .expect("early"),
    );
    stored(
        store
            .submit(ballot("umfrage", "key-early-other", "ja"))
            .expect("early"),
    );
    let closed = Arc::new(WidgetRules {
        closes: Some(Closes {
            at: Timestamp(0),
            written: "01.01.1970".into(),
        }),
        ballot: None,
    });
    let event = event(1);
    let mut queued = Vec::new();
    let mut queue = |new: NewSubmission| {
        queued.push(
            store
                .submit_queued(new)
                .unwrap_or_else(|_| panic!("no writer")),
        );
    };
    for i in 0..60 {
        let (widget, choice) = if i % 3 == 0 {
            ("andere", "ja")
        } else {
            ("umfrage", ["ja", "nein"][i % 2])
        };
        queue(ballot(widget, &format!("key-batch-{i:03}"), choice));
    }
    queue(ballot("umfrage", "key-twice", "nein")); // 60
    queue(ballot("umfrage", "key-twice", "nein")); // 61: the same again
    queue(ballot("umfrage", "key-twice", "ja")); // 62: another body under the key
    queue(ballot("umfrage", "key-early", "ja")); // 63: stored before this batch
    let mut late = ballot("umfrage", "key-closed", "ja");
    late.rules = Some(closed);
    queue(late); // 64
    let mut broken = ballot("umfrage", "key-broken", "ja");
    broken.body = b"not json".to_vec();
    queue(broken); // 65: the database's CHECK refuses its payload
    queue(registration(
        "sitzung",
        "key-reg-batch",
        "a@example.de",
        &event,
    )); // 66
    queue(subscription("brief", "key-sub-batch", "b@example.de")); // 67
    queue(registration(
        "sitzung",
        "key-reg-second",
        "b@example.de",
        &event,
    )); // 68: waits
    queue(registration(
        "sitzung",
        "key-reg-again",
        "A@example.de",
        &event,
    )); // 69: the address again
    let mut closed_list = (*event).clone();
    closed_list.waiting_list = false;
    let closed_list = Arc::new(closed_list);
    queue(registration(
        "sitzung",
        "key-reg-full",
        "c@example.de",
        &closed_list,
    )); // 70: no seat left
    queue(ballot("andere", "key-early", "ja")); // 71: stored before, in another widget
    queue(ballot("umfrage", "key-early-other", "nein")); // 72: stored before, another body
    let outcomes: Vec<_> = queued
        .into_iter()
        .map(|answer| answer.wait_blocking())
        .collect();
    let mut receipts = std::collections::HashSet::new();
    for outcome in &outcomes[..60] {
        let receipt = stored(outcome.as_ref().expect("ballot").clone());
        assert!(receipts.insert(receipt), "a receipt per ballot");
    }
    let twice = stored(outcomes[60].as_ref().expect("twice").clone());
    assert_eq!(
        outcomes[61].as_ref().expect("replay"),
        &SubmitOutcome::Replayed(twice)
    );
    assert_eq!(
        outcomes[62].as_ref().expect("reuse"),
        &SubmitOutcome::KeyReused
    );
    assert_eq!(
        outcomes[63].as_ref().expect("early"),
        &SubmitOutcome::Replayed(earlier)
    );
    assert!(matches!(
        outcomes[64].as_ref().expect("closed"),
        SubmitOutcome::Refused(Refusal::Closed(_))
    ));
    assert!(outcomes[65].is_err(), "{:?}", outcomes[65]);
    stored(outcomes[66].as_ref().expect("registration").clone());
    stored(outcomes[67].as_ref().expect("subscription").clone());
    assert!(stored(outcomes[68].as_ref().expect("second").clone()).contains("waiting"));
    // Answered like a new registration would be now; only the mailbox learns more.
    assert!(stored(outcomes[69].as_ref().expect("again").clone()).contains("waiting"));
    assert!(matches!(
        outcomes[70].as_ref().expect("full"),
        SubmitOutcome::Refused(Refusal::Full(_))
    ));
    assert_eq!(
        outcomes[71].as_ref().expect("early elsewhere"),
        &SubmitOutcome::Replayed(earlier_andere)
    );
    assert_eq!(
        outcomes[72].as_ref().expect("early, reused"),
        &SubmitOutcome::KeyReused
    );

    let umfrage = store.results(&id("umfrage")).expect("results");
    // 40 of the loop, the one twice, the two before.
    assert_eq!(umfrage.ballots, 43);
    assert_eq!(umfrage.counts.get("ja"), Some(&22));
    assert_eq!(umfrage.counts.get("nein"), Some(&21));
    let andere = store.results(&id("andere")).expect("results");
    // 20 of the loop, the one before.
    assert_eq!(andere.ballots, 21);
    assert_eq!(andere.counts.get("ja"), Some(&21));
    assert_eq!(store.event_counts(&id("sitzung")).expect("counts"), (1, 1));
    counts_agree(&store, "sitzung");
    assert_eq!(store.registrations(&id("sitzung")).expect("list").len(), 2);
    let mails = store.claim_mails(now().0, 60_000, 20).expect("claim");
    let kinds: Vec<String> = mails.iter().map(|m| format!("{:?}", m.kind)).collect();
    assert_eq!(
        kinds.len(),
        4,
        "seat, waiting list, already registered, subscription: {kinds:?}"
    );
    assert_eq!(
        store
            .subscribers(&id("brief"), None)
            .expect("subscribers")
            .len(),
        1
    );
}

/// A retry finds its first answer even where a new submission would now be refused: the event
/// filled up since (and the address is registered); another body under the key is a reuse.
fn replay_outlives_refusal(db: &Database) {
    let store = db.open();
    let mut full = (*event(1)).clone();
    full.waiting_list = false;
    let full = Arc::new(full);
    let first = stored(
        store
            .submit(registration("sitzung", "key-reg-01", "a@example.de", &full))
            .expect("first"),
    );
    assert!(matches!(
        store
            .submit(registration("sitzung", "key-reg-02", "b@example.de", &full))
            .expect("second"),
        SubmitOutcome::Refused(Refusal::Full(_))
    ));
    assert_eq!(
        store
            .submit(registration("sitzung", "key-reg-01", "a@example.de", &full))
            .expect("replay"),
        SubmitOutcome::Replayed(first)
    );
    assert_eq!(
        store
            .submit(registration("sitzung", "key-reg-01", "c@example.de", &full))
            .expect("reuse"),
        SubmitOutcome::KeyReused
    );
    assert_eq!(store.registrations(&id("sitzung")).expect("list").len(), 1);
}

/// The same key sent to two instances at once is stored once, and both answer the same receipt.
fn one_key_on_two_instances(db: &Database) {
    let (a, b) = (db.open(), db.open());
    let mut threads = Vec::new();
    for i in 0..40 {
        for store in [a.clone(), b.clone()] {
            threads.push(std::thread::spawn(move || {
                store
                    .submit(ballot("umfrage", &format!("same-key-{i:04}"), "ja"))
                    .expect("submit")
            }));
        }
    }
    let outcomes: Vec<SubmitOutcome> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    for pair in outcomes.chunks(2) {
        let receipts: Vec<&String> = pair
            .iter()
            .map(|o| match o {
                SubmitOutcome::Stored(r) | SubmitOutcome::Replayed(r) => r,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(receipts[0], receipts[1], "one receipt per key");
        assert_eq!(
            pair.iter()
                .filter(|o| matches!(o, SubmitOutcome::Stored(_)))
                .count(),
            1,
            "stored once"
        );
    }
    assert_eq!(a.results(&id("umfrage")).expect("results").ballots, 40);
}

/// 200 concurrent registrations for 50 seats, sent to two instances: exactly 50 seated and 150
/// waiting, in order.
fn two_hundred_for_fifty_on_two_instances(db: &Database) {
    let (a, b) = (db.open(), db.open());
    let event = event(50);
    let threads: Vec<_> = (0..200)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let event = event.clone();
            std::thread::spawn(move || {
                store
                    .submit(registration(
                        "versammlung",
                        &format!("reg-key-{i:04}"),
                        &format!("person{i}@example.de"),
                        &event,
                    ))
                    .expect("submit")
            })
        })
        .collect();
    for t in threads {
        stored(t.join().expect("thread"));
    }
    assert_eq!(
        a.event_counts(&id("versammlung")).expect("counts"),
        (50, 150)
    );
    counts_agree(&b, "versammlung");
    let list = b.registrations(&id("versammlung")).expect("list");
    assert_eq!(list.len(), 200);
    let positions: Vec<u32> = list.iter().filter_map(|r| r.waiting_position).collect();
    assert_eq!(positions, (1..=150).collect::<Vec<_>>());
}

/// A cancellation frees the seat for the head of the waiting list, and both get their mail.
fn cancellation_promotes(db: &Database) {
    let store = db.open();
    let event = event(1);
    for (i, who) in ["a@example.de", "b@example.de"].iter().enumerate() {
        stored(
            store
                .submit(registration("klein", &format!("reg-{i:05}"), who, &event))
                .expect("submit"),
        );
    }
    let first = store.registrations(&id("klein")).expect("list")[0].id;
    match store
        .cancel(
            Canceller::Organiser {
                widget: id("klein"),
                id: first,
            },
            Some(&event),
        )
        .expect("cancel")
    {
        CancelOutcome::Cancelled { promoted, .. } => assert_eq!(promoted, 1),
        other => panic!("{other:?}"),
    }
    let list = store.registrations(&id("klein")).expect("list");
    assert_eq!(list[0].status, RegistrationStatus::Cancelled);
    assert_eq!(list[1].status, RegistrationStatus::Seat);
    counts_agree(&store, "klein");
    // Two registration mails, the organiser's cancellation and the promotion.
    let mails = store.claim_mails(now().0, 60_000, 10).expect("claim");
    assert_eq!(mails.len(), 4);
}

/// Each queued mail is claimed by one instance only, however many ask at once; a sent mail
/// forgets its token, a failed one comes back when its retry is due.
fn queue_claims_are_exclusive(db: &Database) {
    let (a, b) = (db.open(), db.open());
    let event = event(100);
    for i in 0..30 {
        stored(
            a.submit(registration(
                "versammlung",
                &format!("mail-key-{i:04}"),
                &format!("p{i}@example.de"),
                &event,
            ))
            .expect("submit"),
        );
    }
    let at = now().0;
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || store.claim_mails(at, 60_000, 10).expect("claim"))
        })
        .collect();
    let mut ids: Vec<i64> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread"))
        .map(|job| job.id)
        .collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, 30, "every mail claimed");
    assert_eq!(ids.len(), 30, "no mail claimed twice");
    // Leased: nothing is due until the lease runs out.
    assert!(a.claim_mails(at, 60_000, 10).expect("claim").is_empty());
    a.mails_delivered(vec![
        (ids[0], Delivered::Sent),
        (
            ids[1],
            Delivered::Failed {
                error: "421 try later".into(),
                retry_at_ms: Some(at + 1_000),
            },
        ),
        (ids[2], Delivered::Sent),
    ])
    .expect("recorded");
    b.mails_delivered(vec![(
        ids[3],
        Delivered::Failed {
            error: "550 no such address".into(),
            retry_at_ms: None,
        },
    )])
    .expect("recorded");
    let again = a.claim_mails(at + 2_000, 60_000, 10).expect("claim");
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), [ids[1]]);
    assert_eq!(again[0].attempts, 1, "the attempts made before this one");
}

/// The hourly job is run by one instance per hour.
fn periodic_job_runs_once(db: &Database) {
    let (a, b) = (db.open(), db.open());
    let at = Timestamp(1_000_000);
    let hour = 3_600_000;
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || store.claim_job("retention", at, hour).expect("claim"))
        })
        .collect();
    let claimed = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .filter(|c| *c)
        .count();
    assert_eq!(claimed, 1);
    assert!(
        !b.claim_job("retention", Timestamp(at.0 + hour - 1), hour)
            .expect("claim")
    );
    assert!(
        b.claim_job("retention", Timestamp(at.0 + hour), hour)
            .expect("claim")
    );
    assert!(
        a.claim_job("another", at, hour).expect("claim"),
        "jobs are claimed by name"
    );
}

/// Proposals: pre-moderated ones wait, approved ones are topics in the order of approval, a
/// merge moves the votes.
fn proposals_are_moderated(db: &Database) {
    let store = db.open();
    let proposal = |key: &str, title: &str, moderation| {
        let mut n = new(
            "ideen",
            key,
            Submission::Proposal(Proposal {
                title: title.into(),
                description: String::new(),
                honeypot: String::new(),
            }),
        );
        n.moderation = moderation;
        n
    };
    stored(
        store
            .submit(proposal("prop-0001", "Radweg", Moderation::Pre))
            .expect("submit"),
    );
    stored(
        store
            .submit(proposal("prop-0002", "Bänke", Moderation::Post))
            .expect("submit"),
    );
    let all = store.proposals(&id("ideen"), None).expect("list");
    assert_eq!(all.len(), 2);
    assert_eq!(store.topics(&id("ideen")).expect("topics").len(), 1);
    let radweg = all[0].key.clone();
    assert!(matches!(
        store.decide(&radweg, Decision::Approve).expect("approve"),
        DecideOutcome::Decided(_)
    ));
    let titles: Vec<String> = store
        .topics(&id("ideen"))
        .expect("topics")
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(titles, ["Bänke", "Radweg"]);
    // A rejection keeps its reason (a second one replaces it); approval clears it.
    let banke = all[1].key.clone();
    let reason = |outcome| match outcome {
        DecideOutcome::Decided(p) => (p.status, p.reason),
        other => panic!("not decided: {other:?}"),
    };
    for text in ["Doppelt", "Gibt es schon am Markt"] {
        let rejected = Decision::Reject {
            reason: Some(text.into()),
        };
        assert_eq!(
            reason(store.decide(&banke, rejected).expect("reject")),
            (ProposalStatus::Rejected, Some(text.to_owned()))
        );
    }
    assert_eq!(
        store
            .proposals(&id("ideen"), Some(ProposalStatus::Rejected))
            .expect("list")[0]
            .reason,
        Some("Gibt es schon am Markt".to_owned())
    );
    assert_eq!(
        reason(store.decide(&banke, Decision::Approve).expect("approve")),
        (ProposalStatus::Approved, None)
    );
    let into = OptionKey::parse(&banke).expect("key");
    assert!(matches!(
        store
            .decide(&radweg, Decision::Merge { into })
            .expect("merge"),
        DecideOutcome::Decided(_)
    ));
    assert!(matches!(
        store
            .decide("p-00000000", Decision::Approve)
            .expect("decide"),
        DecideOutcome::UnknownKey
    ));
}

/// A subscription request is stored with its proof and mailed; the erasure removes the address
/// from every table.
fn subscription_and_erasure(db: &Database) {
    let store = db.open();
    stored(
        store
            .submit(subscription("newsletter", "sub-00001", "x@example.de"))
            .expect("submit"),
    );
    let subscribers = store
        .subscribers(&id("newsletter"), None)
        .expect("subscribers");
    assert_eq!(subscribers.len(), 1);
    assert_eq!(subscribers[0].consent.version, 1);
    let event = event(10);
    stored(
        store
            .submit(registration(
                "versammlung",
                "reg-00001",
                "x@example.de",
                &event,
            ))
            .expect("submit"),
    );
    stored(
        store
            .submit(registration(
                "versammlung",
                "reg-00002",
                "y@example.de",
                &event,
            ))
            .expect("submit"),
    );
    let events = BTreeMap::from([(id("versammlung"), event)]);
    let erased = store.erase("x@example.de", &events, now()).expect("erase");
    counts_agree(&store, "versammlung");
    assert_eq!(
        store.event_counts(&id("versammlung")).expect("counts"),
        (1, 0)
    );
    assert_eq!((erased.subscriptions, erased.registrations), (1, 1));
    assert!(
        store
            .subscribers(&id("newsletter"), None)
            .expect("subscribers")
            .is_empty()
    );
    assert_eq!(
        store.registrations(&id("versammlung")).expect("list").len(),
        1
    );
    let mails = store.claim_mails(now().0, 60_000, 10).expect("claim");
    assert_eq!(mails.len(), 1, "only the other address's mail is left");
}

/// The purge deletes registrations whose time is up, with their mails.
fn purge_deletes_what_is_due(db: &Database) {
    let store = db.open();
    let event = event(10);
    stored(
        store
            .submit(registration(
                "versammlung",
                "reg-00001",
                "a@example.de",
                &event,
            ))
            .expect("submit"),
    );
    let deleted = store
        .purge(now(), &[(id("versammlung"), Timestamp(0))])
        .expect("purge");
    assert_eq!(deleted, 1);
    counts_agree(&store, "versammlung");
    assert!(
        store
            .registrations(&id("versammlung"))
            .expect("list")
            .is_empty()
    );
}

/// Console accounts: names are unique, wrong passwords count on the account until it waits, a
/// new password lifts that and ends sessions, disabling ends them too, ended sessions are
/// purged; on any instance of the database.
fn accounts_and_sessions(db: &Database) {
    use mitmachen_collector::accounts::session::{FREE_FAILURES, SignIn, sign_in};
    use mitmachen_collector::accounts::{Added, Role, add, reset_password, store as accounts};
    use mitmachen_collector::db::{read, write};
    let (one, two) = (db.open(), db.open());
    let sessions = |store: &Arc<dyn Store>| {
        read(store.as_ref(), |tx| {
            tx.query_one("SELECT count(*) FROM sessions", &[])?.count(0)
        })
        .expect("count sessions")
    };
    assert_eq!(
        add(
            one.as_ref(),
            "anna",
            Role::Administrator,
            "erstes-passwort-1",
            "test",
        )
        .expect("add"),
        Added::Created
    );
    assert_eq!(
        add(
            two.as_ref(),
            "anna",
            Role::Viewer,
            "zweites-passwort-2",
            "test"
        )
        .expect("add"),
        Added::NameTaken
    );
    let started =
        |store: &Arc<dyn Store>, password: &str| match sign_in(store.as_ref(), " Anna ", password)
            .expect("sign in")
        {
            SignIn::Started { account, secret } => {
                assert_eq!(
                    (account.name.as_str(), account.role),
                    ("anna", Role::Administrator)
                );
                assert_eq!(secret.len(), 64);
                true
            }
            SignIn::Refused => false,
            SignIn::Throttled { .. } => panic!("throttled"),
        };
    assert!(started(&one, "erstes-passwort-1"));
    assert!(!started(&two, "falsches-passwort"));
    assert!(matches!(
        sign_in(one.as_ref(), "niemand", "erstes-passwort-1").expect("sign in"),
        SignIn::Refused
    ));
    // Failures on both instances count on the one account.
    for attempt in 1..FREE_FAILURES {
        let store = if attempt % 2 == 0 { &one } else { &two };
        assert!(!started(store, "falsches-passwort"));
    }
    match sign_in(one.as_ref(), "anna", "erstes-passwort-1").expect("sign in") {
        SignIn::Throttled { retry_after } => assert!((1..=30).contains(&retry_after)),
        _ => panic!("{FREE_FAILURES} wrong passwords did not make the account wait"),
    }
    assert_eq!(sessions(&one), 1);
    assert!(reset_password(two.as_ref(), "anna", "neues-passwort-3", "test").expect("reset"));
    assert_eq!(sessions(&one), 0, "a new password ends the sessions");
    assert!(started(&one, "neues-passwort-3"));
    assert!(started(&two, "neues-passwort-3"));
    let anna = read(one.as_ref(), |tx| accounts::by_name(tx, "anna"))
        .expect("read")
        .expect("anna")
        .0;
    assert_eq!(anna.failed_sign_ins, 0);
    assert_eq!(sessions(&two), 2);
    write(one.as_ref(), move |tx| {
        accounts::set_disabled(tx, anna.id, true, 1, "test")
    })
    .expect("disable");
    assert_eq!(sessions(&two), 0, "disabling ends the sessions");
    assert!(
        !started(&two, "neues-passwort-3"),
        "a disabled account cannot sign in"
    );
    write(one.as_ref(), move |tx| {
        accounts::set_disabled(tx, anna.id, false, 1, "test")
    })
    .expect("enable");
    assert!(started(&two, "neues-passwort-3"));
    assert_eq!(
        mitmachen_collector::accounts::session::purge(one.as_ref()).expect("purge"),
        0,
        "a fresh session stays"
    );
    write(one.as_ref(), |tx| {
        tx.execute("UPDATE sessions SET last_seen_at = 0", &[])
    })
    .expect("age");
    assert_eq!(
        mitmachen_collector::accounts::session::purge(two.as_ref()).expect("purge"),
        1
    );
    assert_eq!(read(one.as_ref(), accounts::list).expect("list").len(), 1);
}

macro_rules! contract {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $check() {
                super::$check(&super::Database::sqlite());
            })*
        }
        mod postgres {
            $(#[test]
            fn $check() {
                super::$check(&super::Database::postgres());
            })*
        }
    };
}

contract!(
    idempotency,
    a_batch_means_its_submissions_one_after_another,
    replay_outlives_refusal,
    one_key_on_two_instances,
    two_hundred_for_fifty_on_two_instances,
    cancellation_promotes,
    queue_claims_are_exclusive,
    periodic_job_runs_once,
    proposals_are_moderated,
    subscription_and_erasure,
    purge_deletes_what_is_due,
    accounts_and_sessions,
);
