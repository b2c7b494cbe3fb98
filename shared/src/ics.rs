//! An event as an iCalendar file (RFC 5545), for the widget's download and the confirmation
//! mail's attachment: the same bytes from both, so that a calendar app treats them as one entry.
//!
//! Times are written in Europe/Berlin with its VTIMEZONE (DST rule of the EU), so that the entry
//! shows the town's wall-clock time wherever the calendar is opened.

use crate::event::EventFacts;
use crate::time::{BerlinTime, Timestamp, rfc3339_utc};

pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A stable UID for an event: the same from the widget and the collector.
pub fn uid(widget: &str, facts: &EventFacts) -> String {
    format!("{widget}-{}@mitmachen", utc_compact(facts.starts_at))
}

/// The file's name for a download: the widget id, `.ics`.
pub fn file_name(widget: &str) -> String {
    format!("{widget}.ics")
}

/// The calendar file. `now` is the DTSTAMP; `url` (the page of the event) is optional.
pub fn calendar(widget: &str, facts: &EventFacts, now: Timestamp, url: Option<&str>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//mitmachen//mitmachen//DE".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| (*l).to_owned()));
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", uid(widget, facts)));
    lines.push(format!("DTSTAMP:{}", utc_compact(now)));
    lines.push(format!(
        "DTSTART;TZID=Europe/Berlin:{}",
        berlin_local(facts.starts_at)
    ));
    lines.push(format!(
        "DTEND;TZID=Europe/Berlin:{}",
        berlin_local(facts.end())
    ));
    lines.push(format!("SUMMARY:{}", escape(&facts.title)));
    if !facts.place.trim().is_empty() {
        lines.push(format!("LOCATION:{}", escape(&facts.place)));
    }
    if let Some(url) = url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        // URL is a URI value, not TEXT: not escaped, but no line breaks may pass.
        let clean: String = url.chars().filter(|c| !c.is_control()).collect();
        lines.push(format!("URL:{clean}"));
    }
    lines.push("STATUS:CONFIRMED".into());
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// `20261125T160000Z`
fn utc_compact(t: Timestamp) -> String {
    rfc3339_utc(t).replace(['-', ':'], "")
}

/// `20270312T180000`, wall-clock time in Berlin.
fn berlin_local(t: Timestamp) -> String {
    let b = BerlinTime::of(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        b.year, b.month, b.day, b.hour, b.minute
    )
}

/// TEXT escaping (RFC 5545 3.3.11); other control characters are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` with CRLF, folded after at most 75 octets, never inside a UTF-8 sequence.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;

    fn facts() -> EventFacts {
        EventFacts {
            title: "Bürgerversammlung; Haushalt, 2027 \\ Teil 1".into(),
            starts_at: parse_datetime("2027-03-12T18:00+01:00").expect("valid"),
            ends_at: Some(parse_datetime("2027-03-12T20:30+01:00").expect("valid")),
            place: "Rathaus, Großer Sitzungssaal\nMarktplatz 1".into(),
        }
    }

    #[test]
    fn writes_local_berlin_times_with_the_zone() {
        let ics = calendar(
            "versammlung",
            &facts(),
            parse_datetime("2026-11-25T12:00Z").expect("valid"),
            None,
        );
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20270312T180000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20270312T203000\r\n"));
        assert!(ics.contains("DTSTAMP:20261125T120000Z\r\n"));
        assert!(ics.contains("UID:versammlung-20270312T170000Z@mitmachen\r\n"));
        assert!(ics.contains("SUMMARY:Bürgerversammlung\\; Haushalt\\, 2027 \\\\ Teil 1\r\n"));
        assert!(ics.contains("LOCATION:Rathaus\\, Großer Sitzungssaal\\nMarktplatz 1\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn summer_time_and_default_length() {
        let mut f = facts();
        f.starts_at = parse_datetime("2027-07-01T10:00+02:00").expect("valid");
        f.ends_at = None;
        let ics = calendar(
            "sommerfest",
            &f,
            Timestamp(0),
            Some("https://example.de/a\r\nX:y"),
        );
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20270701T100000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20270701T120000\r\n"));
        assert!(ics.contains("URL:https://example.de/aX:y\r\n"));
    }

    /// Read back by an independent parser (the `icalendar` crate), as a calendar app would.
    #[test]
    fn a_calendar_library_reads_it_back() {
        use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike};
        let ics = calendar(
            "versammlung",
            &facts(),
            Timestamp(0),
            Some("https://musterstadt.de/beteiligung"),
        );
        let parsed: Calendar = ics.parse().expect("parses");
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 1);
        let event = events[0];
        assert_eq!(
            event.get_summary(),
            Some("Bürgerversammlung; Haushalt, 2027 \\ Teil 1")
        );
        assert_eq!(
            event.get_location(),
            Some("Rathaus, Großer Sitzungssaal\nMarktplatz 1")
        );
        assert_eq!(
            event.get_uid(),
            Some("versammlung-20270312T170000Z@mitmachen")
        );
        let start = |d: Option<DatePerhapsTime>| match d {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                (date_time.to_string(), tzid)
            }
            other => panic!("not a local time with zone: {other:?}"),
        };
        assert_eq!(
            start(event.get_start()),
            ("2027-03-12 18:00:00".to_owned(), "Europe/Berlin".to_owned())
        );
        assert_eq!(
            start(event.get_end()),
            ("2027-03-12 20:30:00".to_owned(), "Europe/Berlin".to_owned())
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut f = facts();
        f.title = "Ä".repeat(100);
        let ics = calendar("lang", &f, Timestamp(0), None);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}\r\n", "Ä".repeat(100))));
    }
}
