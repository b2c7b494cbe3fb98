//! Event sign-up: what a registration may contain, and how seats and the waiting list are
//! given out. The widget checks a form with [`check_registration`] before sending, the
//! collector checks the same rules again, and both place a registration with [`place`].

use crate::messages::Lang;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One registration counts at most this many persons (a family, a small group).
pub const MAX_PERSONS: u32 = 20;
pub const MAX_NAME_CHARS: usize = 100;
/// RFC 5321: a forward path holds at most 254 characters of address.
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PHONE_CHARS: usize = 40;
pub const MAX_ORGANISATION_CHARS: usize = 120;
pub const MAX_NOTE_CHARS: usize = 1000;

/// The facts a calendar file and a confirmation mail are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    pub title: String,
    pub starts_at: Timestamp,
    /// `None`: the calendar entry lasts two hours, the usual length of a public meeting.
    pub ends_at: Option<Timestamp>,
    pub place: String,
}

impl EventFacts {
    pub const DEFAULT_LENGTH_MS: i64 = 2 * 60 * 60 * 1000;

    pub fn end(&self) -> Timestamp {
        self.ends_at
            .unwrap_or(Timestamp(self.starts_at.0 + Self::DEFAULT_LENGTH_MS))
    }

    /// Registration is possible until the deadline if one is set, and never after the start.
    pub fn registration_closes(&self, deadline: Option<Timestamp>) -> Timestamp {
        deadline.map_or(self.starts_at, |d| d.min(self.starts_at))
    }
}

/// The language of a registration's mails as the wire format and the store write it;
/// [`Lang::from_tag`] reads it back.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "de",
        Lang::DeEasy => "de-einfach",
        Lang::En => "en",
    }
}

/// Where a registration lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Seat,
    WaitingList,
}

/// Places a registration of `persons` given the seats taken and queued so far.
///
/// `capacity: None` means unlimited. A registration goes to the waiting list when it does not
/// fit, and also when others wait already (nobody overtakes the queue); without a waiting list
/// such a registration is refused (`None`).
pub fn place(
    capacity: Option<u32>,
    taken: u32,
    waiting: u32,
    persons: u32,
    waiting_list: bool,
) -> Option<Placement> {
    let fits = capacity.is_none_or(|c| taken.saturating_add(persons) <= c);
    if fits && waiting == 0 {
        Some(Placement::Seat)
    } else if waiting_list {
        Some(Placement::WaitingList)
    } else {
        None
    }
}

/// Free seats, never negative (an administrator may lower the capacity below the seats taken).
pub fn seats_left(capacity: u32, taken: u32) -> u32 {
    capacity.saturating_sub(taken)
}

/// Whether the remaining seats are few enough to say so: at most a tenth of the capacity, or
/// at most three, once somebody has registered (a small event is not "almost full" when empty).
pub fn few_left(capacity: u32, taken: u32) -> bool {
    let left = seats_left(capacity, taken);
    left > 0 && left < capacity && (left <= 3 || left.saturating_mul(10) <= capacity)
}

/// Which of the waiting registrations (persons each, oldest first) move up when `free` seats
/// open: the oldest ones while they fit. The queue is strict: a group that does not fit yet
/// keeps its place, and nobody behind it overtakes.
pub fn promotions(free: u32, waiting: &[u32]) -> usize {
    let mut left = free;
    let mut n = 0;
    for &persons in waiting {
        if persons > left {
            break;
        }
        left -= persons;
        n += 1;
    }
    n
}

/// Whether the editor asks for an optional field, and whether it must be filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ask {
    #[default]
    No,
    Optional,
    Required,
}

impl Ask {
    pub fn asked(self) -> bool {
        self != Ask::No
    }
}

/// The fields a registration form has beyond name and e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFields {
    /// 1: no persons field.
    pub persons_max: u32,
    pub phone: Ask,
    pub organisation: Ask,
    /// The editor's label of the free-text field (e.g. accessibility needs), if asked.
    pub note: Option<String>,
}

impl Default for FormFields {
    fn default() -> Self {
        FormFields {
            persons_max: 1,
            phone: Ask::No,
            organisation: Ask::No,
            note: None,
        }
    }
}

/// A registration form's field, as named in the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
    Persons,
    Phone,
    Organisation,
    Note,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Email,
        Field::Persons,
        Field::Phone,
        Field::Organisation,
        Field::Note,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Persons => "persons",
            Field::Phone => "phone",
            Field::Organisation => "organisation",
            Field::Note => "note",
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Missing,
    TooLong {
        max: usize,
    },
    /// Control characters, or line breaks in a one-line field.
    BadCharacters,
    NotAnEmail,
    NotAPhoneNumber,
    PersonsOutOfRange {
        max: u32,
    },
    /// A value for a field the form does not have.
    NotAsked,
    /// A choice the form does not offer, or one made twice.
    BadChoice,
    /// Not an absolute http(s) address.
    NotAWebAddress,
}

impl Problem {
    /// English, for the problem+json `detail` and the console.
    pub fn detail(self) -> String {
        match self {
            Problem::Missing => "is required".into(),
            Problem::TooLong { max } => format!("may have at most {max} characters"),
            Problem::BadCharacters => "contains control characters or line breaks".into(),
            Problem::NotAnEmail => "is not an e-mail address like name@example.de".into(),
            Problem::NotAPhoneNumber => {
                "may contain only digits, spaces and + ( ) / - . (e.g. +49 30 1234567)".into()
            }
            Problem::PersonsOutOfRange { max } => format!("must be a whole number from 1 to {max}"),
            Problem::NotAsked => "is not asked by this form".into(),
            Problem::BadChoice => "names a choice the form does not offer, or one twice".into(),
            Problem::NotAWebAddress => "is not an http(s) address".into(),
        }
    }
}

/// The values of a registration form, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormValues<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub persons: u32,
    pub phone: &'a str,
    pub organisation: &'a str,
    pub note: &'a str,
}

/// Every problem of a registration, in form order. With `fields: None` only the limits every
/// endpoint keeps (any optional field may be sent, up to [`MAX_PERSONS`]).
pub fn check_registration(
    values: &FormValues<'_>,
    fields: Option<&FormFields>,
) -> Vec<(Field, Problem)> {
    let mut problems = Vec::new();
    // Without the form's fields, any optional field may come (within its limits).
    let asked = |ask: Option<Ask>| ask.unwrap_or(Ask::Optional);
    let p = &mut problems;
    check_text(
        p,
        Field::Name,
        values.name,
        Ask::Required,
        MAX_NAME_CHARS,
        false,
    );
    if check_text(
        p,
        Field::Email,
        values.email,
        Ask::Required,
        MAX_EMAIL_CHARS,
        false,
    ) && !is_email(values.email.trim())
    {
        p.push((Field::Email, Problem::NotAnEmail));
    }
    let persons_max = fields.map_or(MAX_PERSONS, |f| f.persons_max.clamp(1, MAX_PERSONS));
    if !(1..=persons_max).contains(&values.persons) {
        p.push((
            Field::Persons,
            Problem::PersonsOutOfRange { max: persons_max },
        ));
    }
    let phone = asked(fields.map(|f| f.phone));
    if check_text(p, Field::Phone, values.phone, phone, MAX_PHONE_CHARS, false)
        && !is_phone(values.phone.trim())
    {
        p.push((Field::Phone, Problem::NotAPhoneNumber));
    }
    let organisation = asked(fields.map(|f| f.organisation));
    check_text(
        p,
        Field::Organisation,
        values.organisation,
        organisation,
        MAX_ORGANISATION_CHARS,
        false,
    );
    let note = asked(fields.map(|f| {
        if f.note.is_some() {
            Ask::Optional
        } else {
            Ask::No
        }
    }));
    check_text(p, Field::Note, values.note, note, MAX_NOTE_CHARS, true);
    problems
}

/// Checks one text field; `true` when it is filled in and has no problem so far.
pub(crate) fn check_text<F>(
    problems: &mut Vec<(F, Problem)>,
    field: F,
    value: &str,
    ask: Ask,
    max: usize,
    multiline: bool,
) -> bool {
    let trimmed = value.trim();
    let allowed = |c: char| multiline && (c == '\n' || c == '\r');
    let problem = if trimmed.is_empty() {
        (ask == Ask::Required).then_some(Problem::Missing)
    } else if trimmed.chars().count() > max {
        Some(Problem::TooLong { max })
    } else if value.chars().any(|c| c.is_control() && !allowed(c)) {
        Some(Problem::BadCharacters)
    } else {
        None
    };
    match problem {
        Some(p) => {
            problems.push((field, p));
            false
        }
        None => !trimmed.is_empty(),
    }
}

/// A plausible e-mail address: one `@`, a local part, a domain with a dot, no white space,
/// no characters that break a mail header. Deliverability is what the confirmation mail tests.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let header_safe =
        |c: char| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\\\"".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && local.chars().all(header_safe)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain.chars().all(crate::text::is_name_char)
}

/// Empty, or digits with the usual separators and at least four digits.
fn is_phone(s: &str) -> bool {
    s.is_empty()
        || (s.chars().filter(char::is_ascii_digit).count() >= 4
            && s.chars()
                .all(|c| c.is_ascii_digit() || " +()/-.".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> FormValues<'static> {
        FormValues {
            name: "Erika Mustermann",
            email: "erika@example.de",
            persons: 1,
            phone: "",
            organisation: "",
            note: "",
        }
    }

    #[test]
    fn seats_go_first_then_the_waiting_list_in_order() {
        assert_eq!(place(Some(50), 49, 0, 1, true), Some(Placement::Seat));
        assert_eq!(
            place(Some(50), 50, 0, 1, true),
            Some(Placement::WaitingList)
        );
        assert_eq!(place(Some(50), 50, 0, 1, false), None);
        // A group that does not fit waits; a single person behind it does not overtake.
        assert_eq!(
            place(Some(50), 48, 0, 3, true),
            Some(Placement::WaitingList)
        );
        assert_eq!(
            place(Some(50), 48, 3, 1, true),
            Some(Placement::WaitingList)
        );
        assert_eq!(place(None, 10_000, 0, 20, false), Some(Placement::Seat));
        assert_eq!(place(Some(5), u32::MAX, 0, 2, false), None);
    }

    #[test]
    fn promotion_keeps_the_queue_strict() {
        assert_eq!(promotions(1, &[1, 1]), 1);
        assert_eq!(promotions(3, &[1, 2, 1]), 2);
        assert_eq!(promotions(2, &[3, 1]), 0);
        assert_eq!(promotions(0, &[1]), 0);
        assert_eq!(promotions(5, &[]), 0);
    }

    #[test]
    fn few_seats_left() {
        assert!(few_left(50, 45));
        assert!(!few_left(50, 44));
        assert!(few_left(10, 7));
        assert!(!few_left(3, 0), "an empty small event is not almost full");
        assert!(few_left(3, 1));
        assert!(few_left(200, 180));
        assert!(!few_left(200, 179));
        assert!(!few_left(50, 50));
        assert_eq!(seats_left(10, 12), 0);
    }

    #[test]
    fn registration_end_and_calendar_length() {
        let facts = EventFacts {
            title: "Bürgerversammlung".into(),
            starts_at: Timestamp(1_000_000),
            ends_at: None,
            place: "Rathaus".into(),
        };
        assert_eq!(facts.end(), Timestamp(1_000_000 + 7_200_000));
        assert_eq!(facts.registration_closes(None), Timestamp(1_000_000));
        assert_eq!(facts.registration_closes(Some(Timestamp(5))), Timestamp(5));
        assert_eq!(
            facts.registration_closes(Some(Timestamp(9_000_000))),
            Timestamp(1_000_000)
        );
    }

    #[test]
    fn a_plain_registration_passes() {
        assert_eq!(check_registration(&values(), None), vec![]);
        assert_eq!(
            check_registration(&values(), Some(&FormFields::default())),
            vec![]
        );
    }

    #[test]
    fn each_field_names_its_problem() {
        let fields = FormFields {
            persons_max: 4,
            phone: Ask::Required,
            organisation: Ask::Optional,
            note: Some("Was brauchen Sie?".into()),
        };
        let v = FormValues {
            name: "  ",
            email: "erika@",
            persons: 5,
            phone: "",
            organisation: "x\ny",
            note: "Rollstuhl\nund Begleitung",
        };
        assert_eq!(
            check_registration(&v, Some(&fields)),
            vec![
                (Field::Name, Problem::Missing),
                (Field::Email, Problem::NotAnEmail),
                (Field::Persons, Problem::PersonsOutOfRange { max: 4 }),
                (Field::Phone, Problem::Missing),
                (Field::Organisation, Problem::BadCharacters),
            ]
        );
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        let v = FormValues {
            name: &long,
            phone: "12",
            ..values()
        };
        assert_eq!(
            check_registration(&v, None),
            vec![
                (
                    Field::Name,
                    Problem::TooLong {
                        max: MAX_NAME_CHARS
                    }
                ),
                (Field::Phone, Problem::NotAPhoneNumber)
            ]
        );
        let v = FormValues {
            persons: 0,
            ..values()
        };
        assert_eq!(
            check_registration(&v, None)[0],
            (
                Field::Persons,
                Problem::PersonsOutOfRange { max: MAX_PERSONS }
            )
        );
    }

    #[test]
    fn language_codes_read_back() {
        for lang in [Lang::De, Lang::DeEasy, Lang::En] {
            assert_eq!(Lang::from_tag(lang_code(lang)), Some(lang));
        }
    }

    #[test]
    fn email_addresses() {
        for ok in [
            "erika@example.de",
            "e.m+events@rathaus.musterstadt.de",
            "jörg@müller.de",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "erika",
            "erika@localhost",
            "@example.de",
            "er ika@example.de",
            "erika@example..de",
            "a@b@example.de",
            "erika@example.de\r\nBcc: x@y.de",
            "\"x\"@example.de",
            "erika@.de",
            ".erika@example.de",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
