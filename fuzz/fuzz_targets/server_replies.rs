//! Any reply body, as a widget receives it from an endpoint it does not control: JSON →
//! `Results`, `Receipt`, `EventStatus` and `Problem`, used as the widgets use them. No panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::{Lang, Text, Texts};
use mitmachen_shared::event::{few_left, place, seats_left};
use mitmachen_shared::protocol::{EventStatus, Problem, Receipt, Results};

fuzz_target!(|data: &[u8]| {
    for lang in [Lang::De, Lang::DeEasy, Lang::En] {
        let texts = Texts::new(lang);
        if let Ok(results) = serde_json::from_slice::<Results>(data) {
            let _ = texts.ballots(results.ballots);
            for count in results.counts.values() {
                let _ = texts.votes(*count);
                let _ = texts.percent(*count, results.ballots);
            }
        }
        if let Ok(receipt) = serde_json::from_slice::<Receipt>(data) {
            assert!(WidgetId::parse(receipt.widget.as_str()).is_ok());
        }
        if let Ok(status) = serde_json::from_slice::<EventStatus>(data) {
            let _ = texts.persons(status.persons_max);
            let _ = place(
                status.capacity,
                status.seats_taken,
                status.waiting,
                status.persons_max,
                status.waiting_list,
            );
            if let Some(capacity) = status.capacity {
                assert!(seats_left(capacity, status.seats_taken) <= capacity);
                let _ = few_left(capacity, status.seats_taken);
            }
        }
        if let Ok(problem) = serde_json::from_slice::<Problem>(data) {
            let _ = texts.fill(Text::Rejected, &[("detail", &problem.detail)]);
        }
    }
});
