//! Any reply body, as a widget receives it from an endpoint it does not control: JSON →
//! `Results`, `Receipt` and `Problem`, used as the widget uses them. No panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::{Lang, Text, Texts};
use mitmachen_shared::protocol::{Problem, Receipt, Results};

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
        if let Ok(problem) = serde_json::from_slice::<Problem>(data) {
            let _ = texts.fill(Text::Rejected, &[("detail", &problem.detail)]);
        }
    }
});
