//! Any request body, as the collector receives it: JSON → `Submission` → `validate` and
//! `is_spam`. No panic; what validates keeps the protocol's rules; it serializes back.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mitmachen_shared::protocol::{MAX_CHOICES, Submission};

fuzz_target!(|data: &[u8]| {
    let Ok(submission) = serde_json::from_slice::<Submission>(data) else {
        return;
    };
    let _ = submission.is_spam();
    match submission.validate() {
        Ok(()) => match &submission {
            Submission::Poll(ballot) => {
                assert!((1..=MAX_CHOICES).contains(&ballot.choices.len()));
                for (i, key) in ballot.choices.iter().enumerate() {
                    assert!(!ballot.choices[..i].contains(key));
                }
            }
            Submission::Proposal(proposal) => {
                assert!(!proposal.title.chars().any(char::is_control));
            }
            Submission::Topics(ballot) => {
                let total: u64 = ballot.dots.iter().map(|d| u64::from(d.count)).sum();
                assert!((1..=u64::from(mitmachen_shared::topics::MAX_DOTS)).contains(&total));
            }
            Submission::Registration(r) => {
                assert!(mitmachen_shared::event::is_email(r.email.trim()));
                assert!(!r.name.trim().is_empty());
            }
            Submission::Subscription(s) => {
                assert!(mitmachen_shared::event::is_email(s.email.trim()));
                assert!(mitmachen_shared::newsletter::is_web_address(&s.page));
                assert!(!s.consent.trim().is_empty());
            }
        },
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|e| {
                [
                    "/choices", "/title", "/description", "/dots", "/name", "/email", "/persons",
                    "/phone", "/organisation", "/note", "/lang", "/lists", "/consent", "/privacy",
                    "/page",
                ]
                    .iter()
                    .any(|f| e.pointer.starts_with(f))
            }));
        }
    }
    let json = serde_json::to_string(&submission).expect("a submission serializes");
    let back: Submission = serde_json::from_str(&json).expect("and decodes again");
    assert_eq!(back, submission);
});
