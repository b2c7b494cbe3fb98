//! Any closing time an editor could write: `parse_datetime` never panics, and every time it
//! accepts shows in Berlin and survives a round trip through `rfc3339_utc` to the second.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mitmachen_shared::messages::{Lang, Texts};
use mitmachen_shared::time::{BerlinTime, Timestamp, parse_datetime, rfc3339_utc};

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = parse_datetime(raw) else {
        return;
    };
    let b = BerlinTime::of(t);
    assert!((1..=12).contains(&b.month) && (1..=31).contains(&b.day));
    assert!((0..24).contains(&b.hour) && (0..60).contains(&b.minute));
    let _ = Texts::new(Lang::De).date_time(t);
    let _ = Texts::new(Lang::En).date_time(t);
    let formatted = rfc3339_utc(t);
    let whole_second = Timestamp(t.0 - t.0.rem_euclid(1000));
    assert_eq!(
        parse_datetime(&formatted),
        Ok(whole_second),
        "{raw:?} -> {formatted}"
    );
});
