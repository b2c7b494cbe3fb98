//! Closing times as the editor writes them, and as a citizen reads them.
//!
//! Editors write local times ("31.12.2026 18:00" or "2026-12-31T18:00"); the widgets compare
//! them with the browser's clock and show them in the town's time zone. Without an explicit
//! offset a time is read in Europe/Berlin, whose daylight-saving rule (EU: last Sunday of March
//! to last Sunday of October, switching at 01:00 UTC) is computed here so that no time-zone
//! database has to ship in the bundle.

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError;

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a date and time like 2026-12-31T18:00 or 31.12.2026 18:00")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day number of the last Sunday of a month.
fn last_sunday(y: i64, m: i64) -> i64 {
    let last = days_from_civil(y, m, days_in_month(y, m));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday means (days + 4) % 7 == 0.
    last - (last + 4).rem_euclid(7)
}

/// Whether daylight-saving time is in force in Europe/Berlin at this instant.
fn berlin_is_summer(t: Timestamp) -> bool {
    let (y, _, _) = civil_from_days(t.0.div_euclid(MS_PER_DAY));
    let start = last_sunday(y, 3) * MS_PER_DAY + 60 * MS_PER_MINUTE;
    let end = last_sunday(y, 10) * MS_PER_DAY + 60 * MS_PER_MINUTE;
    (start..end).contains(&t.0)
}

/// Offset of Europe/Berlin from UTC at this instant, in minutes.
pub fn berlin_offset_minutes(t: Timestamp) -> i64 {
    if berlin_is_summer(t) { 120 } else { 60 }
}

/// Local wall-clock time in Europe/Berlin as an instant.
fn from_berlin_local(local_ms: i64) -> Timestamp {
    let standard = Timestamp(local_ms - 60 * MS_PER_MINUTE);
    if berlin_is_summer(standard) {
        Timestamp(local_ms - 120 * MS_PER_MINUTE)
    } else {
        standard
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let part = self.s.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    }

    /// One or two digits, as in German dates ("1.2.2027").
    fn short_number(&mut self) -> Option<i64> {
        let two = self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit);
        self.digits(if two { 2 } else { 1 })
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.s.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

/// Parses `2026-12-31`, `2026-12-31T18:00`, `2026-12-31 18:00:00`, the same with `Z` or an
/// offset such as `+01:00`, and German `31.12.2026` or `31.12.2026 18:00` (optionally followed
/// by "Uhr"). A date without a time means the end of that day. Without an offset the time is
/// local to Europe/Berlin. The instant must lie in the years 0000 to 9999 UTC, the years
/// [`rfc3339_utc`] can write.
pub fn parse_datetime(raw: &str) -> Result<Timestamp, TimeError> {
    let t = parse_any_instant(raw)?;
    let first = days_from_civil(0, 1, 1) * MS_PER_DAY;
    let last = days_from_civil(10_000, 1, 1) * MS_PER_DAY - 1;
    if (first..=last).contains(&t.0) {
        Ok(t)
    } else {
        Err(TimeError)
    }
}

/// [`parse_datetime`] without the range check: an offset or Berlin's own can move a time in
/// year 0000 or 9999 into year -1 or 10000 UTC.
fn parse_any_instant(raw: &str) -> Result<Timestamp, TimeError> {
    let cleaned = crate::text::keyword(raw);
    let trimmed =
        crate::text::without_suffix(crate::text::without_suffix(&cleaned, " Uhr"), "Uhr").trim();
    let mut c = Cursor {
        s: trimmed.as_bytes(),
        i: 0,
    };
    let german = trimmed.bytes().take(3).any(|b| b == b'.');
    let (y, m, d) = if german {
        let d = c.short_number().ok_or(TimeError)?;
        let m = c
            .eat(b'.')
            .then(|| c.short_number())
            .flatten()
            .ok_or(TimeError)?;
        let y = c
            .eat(b'.')
            .then(|| c.digits(4))
            .flatten()
            .ok_or(TimeError)?;
        (y, m, d)
    } else {
        let y = c.digits(4).ok_or(TimeError)?;
        let m = c
            .eat(b'-')
            .then(|| c.digits(2))
            .flatten()
            .ok_or(TimeError)?;
        let d = c
            .eat(b'-')
            .then(|| c.digits(2))
            .flatten()
            .ok_or(TimeError)?;
        (y, m, d)
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(TimeError);
    }
    let day_start = days_from_civil(y, m, d) * MS_PER_DAY;
    if c.done() {
        return Ok(from_berlin_local(day_start + MS_PER_DAY));
    }
    if !(c.eat(b'T') || c.eat(b' ') || c.eat(b't')) {
        return Err(TimeError);
    }
    while c.eat(b' ') {}
    let hh = c.short_number().ok_or(TimeError)?;
    let mm = c
        .eat(b':')
        .then(|| c.digits(2))
        .flatten()
        .ok_or(TimeError)?;
    let ss = if c.eat(b':') {
        c.digits(2).ok_or(TimeError)?
    } else {
        0
    };
    if c.eat(b'.') {
        while c.digits(1).is_some() {}
    }
    if hh > 24 || mm > 59 || ss > 59 || (hh == 24 && (mm, ss) != (0, 0)) {
        return Err(TimeError);
    }
    let local = day_start + ((hh * 60 + mm) * 60 + ss) * 1000;
    if c.done() {
        return Ok(from_berlin_local(local));
    }
    if c.eat(b'Z') || c.eat(b'z') {
        return if c.done() {
            Ok(Timestamp(local))
        } else {
            Err(TimeError)
        };
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return Err(TimeError);
    };
    let oh = c.digits(2).ok_or(TimeError)?;
    c.eat(b':');
    let om = c.digits(2).ok_or(TimeError)?;
    if !c.done() || oh > 14 || om > 59 {
        return Err(TimeError);
    }
    Ok(Timestamp(local - sign * (oh * 60 + om) * MS_PER_MINUTE))
}

/// The civil date and time of an instant in Europe/Berlin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BerlinTime {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
}

impl BerlinTime {
    pub fn of(t: Timestamp) -> Self {
        let local = t.0 + berlin_offset_minutes(t) * MS_PER_MINUTE;
        let (year, month, day) = civil_from_days(local.div_euclid(MS_PER_DAY));
        let minutes = local.rem_euclid(MS_PER_DAY) / MS_PER_MINUTE;
        BerlinTime {
            year,
            month,
            day,
            hour: minutes / 60,
            minute: minutes % 60,
        }
    }
}

/// Formats an instant as Berlin's wall-clock time with its offset (`2027-03-12T18:00+01:00`,
/// seconds only where there are any): exact, and what a town's editor reads as the time.
pub fn berlin_rfc3339(t: Timestamp) -> String {
    let b = BerlinTime::of(t);
    let offset = berlin_offset_minutes(t);
    let seconds = t.0.rem_euclid(MS_PER_MINUTE) / 1000;
    let seconds = if seconds == 0 {
        String::new()
    } else {
        format!(":{seconds:02}")
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}{seconds}+{:02}:{:02}",
        b.year,
        b.month,
        b.day,
        b.hour,
        b.minute,
        offset / 60,
        offset % 60
    )
}

/// Formats an instant as UTC RFC 3339 (`2026-11-25T16:00:00Z`), as the collector stores it.
pub fn rfc3339_utc(t: Timestamp) -> String {
    let (y, m, d) = civil_from_days(t.0.div_euclid(MS_PER_DAY));
    let secs = t.0.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Timestamp {
        parse_datetime(s).expect(s)
    }

    #[test]
    fn berlin_wall_clock_round_trips() {
        for written in [
            "2027-03-12T18:00+01:00",
            "2027-07-01T09:30+02:00",
            "2026-10-25T02:30:15+01:00",
        ] {
            let t = utc(written);
            assert_eq!(berlin_rfc3339(t), written);
            assert_eq!(utc(&berlin_rfc3339(t)), t);
        }
    }

    #[test]
    fn explicit_offsets_and_utc() {
        assert_eq!(utc("1970-01-01T00:00Z"), Timestamp(0));
        assert_eq!(
            utc("2026-12-31T18:00:00+01:00"),
            utc("2026-12-31T17:00:00Z")
        );
        assert_eq!(utc("2026-12-31T18:00-0500"), utc("2026-12-31T23:00Z"));
        assert_eq!(
            rfc3339_utc(utc("2026-11-25T16:05:09.123Z")),
            "2026-11-25T16:05:09Z"
        );
    }

    #[test]
    fn local_times_follow_berlin_summer_and_winter_time() {
        // Winter: UTC+1.
        assert_eq!(utc("2026-12-31T18:00"), utc("2026-12-31T17:00Z"));
        // Summer: UTC+2.
        assert_eq!(utc("2026-07-01 12:00"), utc("2026-07-01T10:00Z"));
        // 2026 switches on 29 March and 25 October.
        assert_eq!(utc("2026-03-29T01:59"), utc("2026-03-29T00:59Z"));
        assert_eq!(utc("2026-03-29T03:00"), utc("2026-03-29T01:00Z"));
        assert_eq!(utc("2026-10-25T04:00"), utc("2026-10-25T03:00Z"));
        assert_eq!(utc("2026-10-24T12:00"), utc("2026-10-24T10:00Z"));
    }

    #[test]
    fn german_dates_and_whole_days() {
        assert_eq!(utc("31.12.2026 18:00 Uhr"), utc("2026-12-31T18:00"));
        assert_eq!(utc("1.2.2027 9:30"), utc("2027-02-01T09:30"));
        // A date alone closes at the end of that day.
        assert_eq!(utc("31.12.2026"), utc("2027-01-01T00:00"));
        assert_eq!(utc("2026-12-31"), utc("2026-12-31T24:00"));
        // Typeset by a CMS.
        assert_eq!(
            utc("\u{201e}2026\u{2013}12\u{2013}31\u{201c}"),
            utc("2026-12-31")
        );
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "morgen",
            "2026-13-01",
            "2026-02-30",
            "31.12.26",
            "2026-12-31T25:00",
            "2026-12-31T18",
            "2026-12-31T18:00+1",
            "2026-12-31T18:00 CET",
            "2026-12-31x",
        ] {
            assert_eq!(parse_datetime(bad), Err(TimeError), "{bad}");
        }
    }

    #[test]
    fn only_instants_that_rfc3339_can_write() {
        // Found by shared/tests/no_panic.rs: these parsed to instants in year -1 or 10000 UTC,
        // which `rfc3339_utc` wrote as "-001-12-31T10:00:00Z" and "10000-01-01T00:00:00Z".
        for out_of_range in [
            "0000-01-01T00:00+14:00",
            "0000-01-01T00:30",
            "01.01.0000 00:00",
            "9999-12-31T23:00-01:00",
        ] {
            assert_eq!(
                parse_datetime(out_of_range),
                Err(TimeError),
                "{out_of_range}"
            );
        }
        for edge in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "31.12.9999 24:00",
        ] {
            let t = utc(edge);
            assert_eq!(parse_datetime(&rfc3339_utc(t)), Ok(t), "{edge}");
        }
    }

    #[test]
    fn shows_berlin_wall_clock() {
        let t = BerlinTime::of(utc("2026-07-01T10:05Z"));
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute),
            (2026, 7, 1, 12, 5)
        );
        let w = BerlinTime::of(utc("2026-12-31T23:30Z"));
        assert_eq!(
            (w.year, w.month, w.day, w.hour, w.minute),
            (2027, 1, 1, 0, 30)
        );
    }
}
