//! The event sign-up's mails (issue #6): confirmation of a seat or a waiting-list place, a
//! repeated registration, a promotion from the waiting list, a cancellation, the event called
//! off or moved, and a message the organiser wrote to the registrants.
//!
//! Their content is the town's fixed text (or the organiser's message), the event's facts
//! (from the administrator's definition), the links the collector made and the number of
//! persons: nothing the registrant typed except the address the mail goes to.

use crate::mail::MailError;
use crate::mail::compose::{Attachment, Block, Letter, compose, is_web_link, signed};
use lettre::Message;
use lettre::message::Mailbox;
use mitmachen_shared::event::EventFacts;
use mitmachen_shared::ics;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::{Lang, Texts};
use mitmachen_shared::time::{BerlinTime, Timestamp, berlin_offset_minutes};

/// Why the mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventMailKind {
    /// Registered with a seat.
    Seat,
    /// Registered on the waiting list.
    WaitingList,
    /// The address registered again and already has a seat; nothing changed.
    AlreadySeat,
    /// The address registered again and already waits; nothing changed.
    AlreadyWaiting,
    /// Moved up from the waiting list to a seat.
    Promoted,
    /// The registrant cancelled (the confirmation of it).
    Cancelled,
    /// An administrator cancelled the registration.
    CancelledByOrganiser,
    /// The event was called off.
    EventCancelled,
    /// The event's time or place changed.
    EventMoved,
    /// A message the organiser wrote to the registrants.
    Message,
}

impl EventMailKind {
    pub const ALL: [EventMailKind; 10] = [
        EventMailKind::Seat,
        EventMailKind::WaitingList,
        EventMailKind::AlreadySeat,
        EventMailKind::AlreadyWaiting,
        EventMailKind::Promoted,
        EventMailKind::Cancelled,
        EventMailKind::CancelledByOrganiser,
        EventMailKind::EventCancelled,
        EventMailKind::EventMoved,
        EventMailKind::Message,
    ];

    /// Whether the mail attaches the event's calendar file: when the recipient has a seat, and
    /// when the time changed (the waiting list too: it may have put the old one in a calendar).
    pub fn attaches_calendar(self) -> bool {
        matches!(
            self,
            EventMailKind::Seat
                | EventMailKind::AlreadySeat
                | EventMailKind::Promoted
                | EventMailKind::EventMoved
        )
    }

    /// Whether the mail offers the cancellation link (when one is given).
    pub fn offers_cancellation(self) -> bool {
        !matches!(
            self,
            EventMailKind::Cancelled
                | EventMailKind::CancelledByOrganiser
                | EventMailKind::EventCancelled
        )
    }

    fn waiting(self) -> bool {
        matches!(
            self,
            EventMailKind::WaitingList | EventMailKind::AlreadyWaiting
        )
    }
}

/// One mail about one registration.
#[derive(Debug, Clone, Copy)]
pub struct EventMail<'a> {
    pub to: &'a str,
    pub lang: Lang,
    pub kind: EventMailKind,
    pub widget: &'a WidgetId,
    pub facts: &'a EventFacts,
    pub persons: u32,
    /// The page with the "Cancel my registration" button; absent for the cancellations.
    pub cancel_url: Option<&'a str>,
    /// The town's page of the event, if the administrator configured it.
    pub page_url: Option<&'a str>,
    pub now: Timestamp,
    /// For [`EventMailKind::Message`]: what the organiser wrote.
    pub message: Option<&'a OrganiserMessage>,
    /// The event's own words for this kind and language, in place of the standard ones.
    pub own: Option<&'a super::texts::MailText>,
}

/// A message an organiser writes to an event's registrants: the subject, and the text whose
/// blank lines part its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganiserMessage {
    pub subject: String,
    pub body: String,
}

/// The message for `mail`, from `from`. Fails (permanently) for an invalid recipient or a
/// cancellation link that is not an http(s) address.
pub fn event_message(from: &Mailbox, mail: &EventMail) -> Result<Message, MailError> {
    compose(from, mail.to, &event_letter(from, mail), mail.now)
}

/// The text of `mail`, before it becomes MIME.
pub(super) fn event_letter(from: &Mailbox, mail: &EventMail) -> Letter {
    let w = words(mail.lang);
    let facts = mail.facts;
    let title = facts.title.trim();
    let kind = kind_text(mail.lang, mail.kind, mail.persons);
    let mut blocks = vec![Block::Paragraph(w.greeting.into())];
    let subject = match mail.message {
        Some(message) => {
            blocks.extend(
                message
                    .body
                    .replace("\r\n", "\n")
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Block::Paragraph(p.to_owned())),
            );
            message.subject.trim().to_owned()
        }
        None => {
            let values = super::texts::Values {
                title,
                when: &when(mail.lang, facts),
                place: facts.place.trim(),
                persons: mail.persons,
            };
            let own = |part: fn(&super::texts::MailText) -> &str| {
                mail.own
                    .map(part)
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| super::texts::fill(t, &values))
            };
            match own(|t| t.text.as_str()) {
                Some(text) => blocks.extend(
                    text.replace("\r\n", "\n")
                        .split("\n\n")
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| Block::Paragraph(p.to_owned())),
                ),
                None => blocks.extend(kind.paragraphs.into_iter().map(Block::Paragraph)),
            }
            own(|t| t.subject.as_str()).unwrap_or_else(|| kind.subject.replace("{title}", title))
        }
    };

    let mut rows = vec![
        (w.label_event.to_owned(), title.to_owned()),
        (w.label_when.to_owned(), when(mail.lang, facts)),
    ];
    if !facts.place.trim().is_empty() {
        rows.push((w.label_where.to_owned(), facts.place.trim().to_owned()));
    }
    if mail.persons > 1 && mail.kind.offers_cancellation() {
        rows.push((w.label_persons.to_owned(), mail.persons.to_string()));
    }
    blocks.push(Block::Facts(rows));

    // An administrator's typo in the page address costs the link, not the mail.
    if let Some(url) = mail.page_url.filter(|u| is_web_link(u)) {
        let intro = if mail.kind == EventMailKind::Cancelled {
            w.page_intro_again
        } else {
            w.page_intro
        };
        blocks.push(Block::Link {
            intro: intro.into(),
            label: w.page_label.into(),
            url: url.into(),
        });
    }

    let attachment = mail.kind.attaches_calendar().then(|| {
        let file_name = ics::file_name(mail.widget.as_str());
        blocks.push(Block::Paragraph(w.calendar.replace("{file}", &file_name)));
        Attachment {
            content_type: format!("{}; method=PUBLISH", ics::CONTENT_TYPE),
            body: ics::calendar(mail.widget.as_str(), facts, mail.now, mail.page_url).into_bytes(),
            file_name,
        }
    });

    if let Some(url) = mail.cancel_url.filter(|_| mail.kind.offers_cancellation()) {
        let (intro, label) = if mail.kind.waiting() {
            (w.cancel_waiting_intro, w.cancel_waiting_label)
        } else {
            (w.cancel_seat_intro, w.cancel_seat_label)
        };
        blocks.push(Block::Link {
            intro: intro.into(),
            label: label.into(),
            url: url.into(),
        });
    }

    blocks.push(Block::Paragraph(signed(w.closing, from)));

    Letter {
        lang: mail.lang,
        subject,
        blocks,
        footer: w.footer.iter().map(|s| (*s).to_owned()).collect(),
        attachment,
        headers: Vec::new(),
    }
}

/// The words every event mail of a language shares.
struct Words {
    greeting: &'static str,
    closing: &'static str,
    label_event: &'static str,
    label_when: &'static str,
    label_where: &'static str,
    label_persons: &'static str,
    calendar: &'static str,
    page_intro: &'static str,
    page_intro_again: &'static str,
    page_label: &'static str,
    cancel_seat_intro: &'static str,
    cancel_seat_label: &'static str,
    cancel_waiting_intro: &'static str,
    cancel_waiting_label: &'static str,
    footer: [&'static str; 2],
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            greeting: "Guten Tag,",
            closing: "Freundliche Grüße",
            label_event: "Veranstaltung",
            label_when: "Wann",
            label_where: "Wo",
            label_persons: "Personen",
            calendar: "Im Anhang finden Sie den Termin als Kalenderdatei ({file}) für Ihren Kalender.",
            page_intro: "Mehr über die Veranstaltung:",
            page_intro_again: "Sie möchten doch teilnehmen? Auf der Seite der Veranstaltung können Sie sich neu anmelden:",
            page_label: "Seite der Veranstaltung",
            cancel_seat_intro: "Sie können doch nicht kommen? Dann stornieren Sie bitte Ihre Anmeldung, damit jemand von der Warteliste Ihren Platz bekommt:",
            cancel_seat_label: "Anmeldung stornieren",
            cancel_waiting_intro: "Sie möchten nicht mehr auf der Warteliste stehen? Hier können Sie sich austragen:",
            cancel_waiting_label: "Von der Warteliste abmelden",
            footer: [
                "Sie erhalten diese E-Mail, weil diese Adresse auf unserer Website für eine Veranstaltung angemeldet wurde. Wir löschen die Adresse nach der Veranstaltung.",
                "Diese E-Mail wurde automatisch erstellt.",
            ],
        },
        Lang::DeEasy => Words {
            greeting: "Guten Tag,",
            closing: "Viele Grüße",
            label_event: "Was",
            label_when: "Wann",
            label_where: "Wo",
            label_persons: "Personen",
            calendar: "Im Anhang ist eine Kalender-Datei ({file}). Damit können Sie den Termin in Ihren Kalender eintragen.",
            page_intro: "Mehr Infos zur Veranstaltung:",
            page_intro_again: "Sie möchten doch kommen? Dann melden Sie sich bitte neu an. Das geht hier:",
            page_label: "Zur Veranstaltung",
            cancel_seat_intro: "Sie können nicht kommen? Dann melden Sie sich bitte ab. Dann bekommt ein anderer Mensch Ihren Platz. Hier können Sie sich abmelden:",
            cancel_seat_label: "Abmelden",
            cancel_waiting_intro: "Sie möchten nicht mehr auf der Warteliste sein? Hier können Sie sich abmelden:",
            cancel_waiting_label: "Abmelden",
            footer: [
                "Jemand hat diese E-Mail-Adresse auf unserer Internet-Seite für eine Veranstaltung angemeldet. Darum bekommen Sie diese E-Mail. Nach der Veranstaltung löschen wir die Adresse.",
                "Ein Computer hat diese E-Mail geschrieben.",
            ],
        },
        Lang::En => Words {
            greeting: "Hello,",
            closing: "Kind regards",
            label_event: "Event",
            label_when: "When",
            label_where: "Where",
            label_persons: "People",
            calendar: "The attached calendar file ({file}) adds the event to your calendar.",
            page_intro: "More about the event:",
            page_intro_again: "Would you like to come after all? You can register again on the event's page:",
            page_label: "Event page",
            cancel_seat_intro: "If you cannot come, please cancel your registration so that someone from the waiting list gets your seat:",
            cancel_seat_label: "Cancel my registration",
            cancel_waiting_intro: "No longer interested? You can leave the waiting list here:",
            cancel_waiting_label: "Leave the waiting list",
            footer: [
                "You are receiving this e-mail because this address was registered for an event on our website. We delete the address after the event.",
                "This e-mail was sent automatically.",
            ],
        },
    }
}

/// The standard subject (with `{title}`) and opening paragraphs of a kind, for one person: what
/// an event's own text replaces (the console shows it beside the field).
pub fn standard(lang: Lang, kind: EventMailKind) -> (&'static str, Vec<String>) {
    let text = kind_text(lang, kind, 1);
    (text.subject, text.paragraphs)
}

/// A kind's subject (with `{title}`) and its opening paragraphs.
struct KindText {
    subject: &'static str,
    paragraphs: Vec<String>,
}

fn kind_text(lang: Lang, kind: EventMailKind, persons: u32) -> KindText {
    use EventMailKind as K;
    let n = persons.to_string();
    let group = persons > 1;
    let p = |s: &str| s.replace("{n}", &n);
    let (subject, paragraphs): (&'static str, Vec<String>) = match (lang, kind) {
        (Lang::De, K::Seat) => (
            "Anmeldung bestätigt: {title}",
            vec![p(if group {
                "Ihre Anmeldung ist bestätigt: Sie haben {n} Plätze bei dieser Veranstaltung."
            } else {
                "Ihre Anmeldung ist bestätigt: Sie haben einen Platz bei dieser Veranstaltung."
            })],
        ),
        (Lang::DeEasy, K::Seat) => (
            "Sie sind angemeldet: {title}",
            vec![p(if group {
                "Sie sind angemeldet. Sie haben {n} Plätze."
            } else {
                "Sie sind angemeldet. Sie haben einen Platz."
            })],
        ),
        (Lang::En, K::Seat) => (
            "Registration confirmed: {title}",
            vec![p(if group {
                "Your registration is confirmed: you have {n} seats at this event."
            } else {
                "Your registration is confirmed: you have a seat at this event."
            })],
        ),

        (Lang::De, K::WaitingList) => (
            "Auf der Warteliste: {title}",
            vec![
                p(if group {
                    "Die Veranstaltung ist zurzeit ausgebucht. Sie stehen mit {n} Personen auf der Warteliste. Einen festen Platz haben Sie damit noch nicht."
                } else {
                    "Die Veranstaltung ist zurzeit ausgebucht. Sie stehen auf der Warteliste. Einen festen Platz haben Sie damit noch nicht."
                }),
                "Sobald ein Platz für Sie frei wird, bekommen Sie ihn automatisch, und wir schicken Ihnen eine E-Mail.".into(),
            ],
        ),
        (Lang::DeEasy, K::WaitingList) => (
            "Sie sind auf der Warteliste: {title}",
            vec![
                p(if group {
                    "Die Veranstaltung ist voll. Sie sind mit {n} Personen auf der Warteliste. Sie haben noch keinen Platz."
                } else {
                    "Die Veranstaltung ist voll. Sie sind auf der Warteliste. Sie haben noch keinen Platz."
                }),
                "Wird ein Platz frei? Dann bekommen Sie den Platz. Wir schreiben Ihnen dann eine E-Mail.".into(),
            ],
        ),
        (Lang::En, K::WaitingList) => (
            "On the waiting list: {title}",
            vec![
                p(if group {
                    "The event is fully booked at the moment. You are on the waiting list for {n} people. This does not give you a seat yet."
                } else {
                    "The event is fully booked at the moment. You are on the waiting list. This does not give you a seat yet."
                }),
                "As soon as a seat becomes free for you, it is yours, and we will send you an e-mail.".into(),
            ],
        ),

        (Lang::De, K::AlreadySeat) => (
            "Bereits angemeldet: {title}",
            vec![
                "Diese E-Mail-Adresse ist für die Veranstaltung bereits angemeldet und hat einen Platz. An der Anmeldung hat sich nichts geändert.".into(),
                "Falls Sie sich nicht erneut angemeldet haben, können Sie diese E-Mail einfach ignorieren.".into(),
            ],
        ),
        (Lang::DeEasy, K::AlreadySeat) => (
            "Sie sind schon angemeldet: {title}",
            vec![
                "Diese E-Mail-Adresse ist schon angemeldet. Sie hat schon einen Platz. Es hat sich nichts geändert.".into(),
                "Sie haben sich nicht noch einmal angemeldet? Dann müssen Sie nichts tun.".into(),
            ],
        ),
        (Lang::En, K::AlreadySeat) => (
            "Already registered: {title}",
            vec![
                "This e-mail address is already registered for the event and has a seat. Nothing has changed.".into(),
                "If you did not register again, you can simply ignore this e-mail.".into(),
            ],
        ),

        (Lang::De, K::AlreadyWaiting) => (
            "Bereits auf der Warteliste: {title}",
            vec![
                "Diese E-Mail-Adresse steht für die Veranstaltung bereits auf der Warteliste. An der Anmeldung hat sich nichts geändert.".into(),
                "Falls Sie sich nicht erneut angemeldet haben, können Sie diese E-Mail einfach ignorieren.".into(),
            ],
        ),
        (Lang::DeEasy, K::AlreadyWaiting) => (
            "Sie sind schon auf der Warteliste: {title}",
            vec![
                "Diese E-Mail-Adresse ist schon auf der Warteliste. Es hat sich nichts geändert.".into(),
                "Sie haben sich nicht noch einmal angemeldet? Dann müssen Sie nichts tun.".into(),
            ],
        ),
        (Lang::En, K::AlreadyWaiting) => (
            "Already on the waiting list: {title}",
            vec![
                "This e-mail address is already on the waiting list for the event. Nothing has changed.".into(),
                "If you did not register again, you can simply ignore this e-mail.".into(),
            ],
        ),

        (Lang::De, K::Promoted) => (
            "Sie haben jetzt einen Platz: {title}",
            vec![p(if group {
                "Gute Nachricht: Bei der Veranstaltung sind Plätze frei geworden. Sie standen auf der Warteliste und haben jetzt {n} feste Plätze."
            } else {
                "Gute Nachricht: Bei der Veranstaltung ist ein Platz frei geworden. Sie standen auf der Warteliste und haben jetzt einen festen Platz."
            })],
        ),
        (Lang::DeEasy, K::Promoted) => (
            "Sie haben jetzt einen Platz: {title}",
            vec![p(if group {
                "Gute Nachricht: Es sind Plätze frei geworden. Sie waren auf der Warteliste. Jetzt haben Sie {n} Plätze."
            } else {
                "Gute Nachricht: Ein Platz ist frei geworden. Sie waren auf der Warteliste. Jetzt haben Sie einen Platz."
            })],
        ),
        (Lang::En, K::Promoted) => (
            "You now have a seat: {title}",
            vec![p(if group {
                "Good news: seats have become free. You were on the waiting list and now have {n} seats at the event."
            } else {
                "Good news: a seat has become free. You were on the waiting list and now have a seat at the event."
            })],
        ),

        (Lang::De, K::Cancelled) => (
            "Abmeldung bestätigt: {title}",
            vec!["Ihre Anmeldung für diese Veranstaltung ist storniert. Vielen Dank, dass Sie Bescheid gegeben haben.".into()],
        ),
        (Lang::DeEasy, K::Cancelled) => (
            "Sie sind abgemeldet: {title}",
            vec!["Sie sind jetzt von dieser Veranstaltung abgemeldet. Danke, dass Sie uns Bescheid gegeben haben.".into()],
        ),
        (Lang::En, K::Cancelled) => (
            "Registration cancelled: {title}",
            vec!["Your registration for this event is cancelled. Thank you for letting us know.".into()],
        ),

        (Lang::De, K::CancelledByOrganiser) => (
            "Anmeldung storniert: {title}",
            vec!["Wir haben Ihre Anmeldung für diese Veranstaltung storniert. Falls das ein Irrtum ist, wenden Sie sich bitte an uns.".into()],
        ),
        (Lang::DeEasy, K::CancelledByOrganiser) => (
            "Ihre Anmeldung ist gelöscht: {title}",
            vec![
                "Wir haben Ihre Anmeldung für diese Veranstaltung gelöscht.".into(),
                "Ist das ein Fehler? Dann melden Sie sich bitte bei uns.".into(),
            ],
        ),
        (Lang::En, K::CancelledByOrganiser) => (
            "Registration cancelled by the organiser: {title}",
            vec!["We have cancelled your registration for this event. If this is a mistake, please contact us.".into()],
        ),

        (Lang::De, K::EventCancelled) => (
            "Abgesagt: {title}",
            vec![
                "Leider müssen wir diese Veranstaltung absagen. Sie findet nicht statt.".into(),
                "Ihre Anmeldung ist damit erledigt; Sie müssen nichts weiter tun. Wir bitten um Verständnis.".into(),
            ],
        ),
        (Lang::DeEasy, K::EventCancelled) => (
            "Die Veranstaltung fällt aus: {title}",
            vec![
                "Die Veranstaltung fällt aus. Sie findet nicht statt.".into(),
                "Sie müssen nichts tun.".into(),
            ],
        ),
        (Lang::En, K::EventCancelled) => (
            "Cancelled: {title}",
            vec![
                "Unfortunately we have to cancel this event. It will not take place.".into(),
                "There is nothing more you need to do. We apologise for the inconvenience.".into(),
            ],
        ),
        (Lang::De, K::EventMoved) => (
            "Neuer Termin oder Ort: {title}",
            vec![
                "Die Veranstaltung findet zu einer anderen Zeit oder an einem anderen Ort statt. Die neuen Angaben stehen unten; Ihre Anmeldung gilt weiter.".into(),
            ],
        ),
        (Lang::DeEasy, K::EventMoved) => (
            "Neue Zeit oder neuer Ort: {title}",
            vec![
                "Die Veranstaltung ist zu einer anderen Zeit oder an einem anderen Ort. Unten steht, wann und wo. Sie sind weiter angemeldet.".into(),
            ],
        ),
        (Lang::En, K::EventMoved) => (
            "New time or place: {title}",
            vec![
                "The event takes place at another time or in another place. The new details are below; your registration still stands.".into(),
            ],
        ),
        // The organiser's own words take their place (`event_letter`).
        (_, K::Message) => ("{title}", Vec::new()),
    };
    KindText {
        subject,
        paragraphs,
    }
}

/// "Freitag, 12.03.2027, 18:00 Uhr bis 20:30 Uhr" / "Friday, 12 March 2027, 18:00–20:30";
/// an end on another day is written in full. Without an end only the start.
pub(super) fn when(lang: Lang, facts: &EventFacts) -> String {
    let texts = Texts::new(lang);
    let full = |t: Timestamp| format!("{}, {}", weekday(lang, t), texts.date_time(t));
    let start = full(facts.starts_at);
    let Some(end) = facts.ends_at.filter(|e| *e > facts.starts_at) else {
        return start;
    };
    let (s, e) = (BerlinTime::of(facts.starts_at), BerlinTime::of(end));
    let same_day = (s.year, s.month, s.day) == (e.year, e.month, e.day);
    match (lang, same_day) {
        (Lang::De | Lang::DeEasy, true) => {
            format!("{start} bis {:02}:{:02}\u{a0}Uhr", e.hour, e.minute)
        }
        (Lang::En, true) => format!("{start}–{:02}:{:02}", e.hour, e.minute),
        (Lang::De | Lang::DeEasy, false) => format!("{start} bis {}", full(end)),
        (Lang::En, false) => format!("{start} to {}", full(end)),
    }
}

/// The day of the week in Berlin.
fn weekday(lang: Lang, t: Timestamp) -> &'static str {
    const DE: [&str; 7] = [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let local = t.0 + berlin_offset_minutes(t) * 60_000;
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let index = (local.div_euclid(86_400_000) + 3).rem_euclid(7) as usize;
    let names = match lang {
        Lang::De | Lang::DeEasy => &DE,
        Lang::En => &EN,
    };
    names[index]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::testing::{from, show};
    use mitmachen_shared::time::parse_datetime;

    const TO: &str = "erika.registrant@example.de";
    const CANCEL: &str = "https://beteiligung.musterstadt.de/events/versammlung/cancel#t=Zm9v&x=1";
    const PAGE: &str = "https://www.musterstadt.de/buergerversammlung";

    fn facts() -> EventFacts {
        EventFacts {
            title: "Bürgerversammlung <Haushalt> & Co".into(),
            starts_at: parse_datetime("2027-03-12T18:00+01:00").expect("valid"),
            ends_at: Some(parse_datetime("2027-03-12T20:30+01:00").expect("valid")),
            place: "Rathaus, Großer Saal\nMarktplatz 1".into(),
        }
    }

    fn widget() -> WidgetId {
        WidgetId::parse("versammlung").expect("valid")
    }

    fn mail<'a>(
        kind: EventMailKind,
        lang: Lang,
        widget: &'a WidgetId,
        facts: &'a EventFacts,
    ) -> EventMail<'a> {
        EventMail {
            to: TO,
            lang,
            kind,
            widget,
            facts,
            persons: 1,
            cancel_url: kind.offers_cancellation().then_some(CANCEL),
            page_url: Some(PAGE),
            now: parse_datetime("2027-02-01T09:30Z").expect("valid"),
            message: None,
            own: None,
        }
    }

    #[test]
    fn an_organisers_message_is_their_words_with_the_facts_and_the_link() {
        let (widget, facts) = (widget(), facts());
        let words = OrganiserMessage {
            subject: "Bitte <Ausweis> mitbringen".into(),
            body:
                "Am Eingang prüfen wir die Anmeldung.\r\n\r\nDer Saal ist barrierefrei & beheizt."
                    .into(),
        };
        let mut letter = mail(EventMailKind::Message, Lang::De, &widget, &facts);
        letter.message = Some(&words);
        let m = show(&event_message(&from(), &letter).expect("composes"));
        assert_eq!(m.subject, "Bitte <Ausweis> mitbringen");
        assert!(
            m.text.contains(
                "Am Eingang prüfen wir die Anmeldung.\n\nDer Saal ist barrierefrei & beheizt."
            ),
            "{}",
            m.text
        );
        assert!(m.text.contains("Rathaus, Großer Saal"), "the facts");
        assert!(m.text.contains(CANCEL), "the cancellation link");
        assert!(
            m.html.contains("barrierefrei &amp; beheizt"),
            "escaped in HTML"
        );
    }

    #[test]
    fn an_events_own_words_replace_the_standard_ones_with_its_placeholders() {
        let (widget, facts) = (widget(), facts());
        let own = super::super::texts::MailText {
            subject: "Ihr Platz im {place}".into(),
            text: "Schön, dass Sie zu „{title}“ kommen ({persons} Personen).\n\nBitte seien Sie pünktlich.".into(),
        };
        let mut letter = mail(EventMailKind::Seat, Lang::De, &widget, &facts);
        letter.persons = 2;
        letter.own = Some(&own);
        let m = show(&event_message(&from(), &letter).expect("composes"));
        assert_eq!(m.subject, "Ihr Platz im Rathaus, Großer Saal Marktplatz 1");
        assert!(m.text.contains("Schön, dass Sie zu „Bürgerversammlung <Haushalt> & Co“ kommen (2 Personen).\n\nBitte seien Sie pünktlich."), "{}", m.text);
        assert!(
            !m.text.contains("Ihre Anmeldung ist bestätigt"),
            "the standard words are replaced"
        );
        assert!(m.text.contains(CANCEL), "the link stays");
        // An empty subject keeps the standard one.
        let text_only = super::super::texts::MailText {
            subject: String::new(),
            text: "Nur Text.".into(),
        };
        letter.own = Some(&text_only);
        let m = show(&event_message(&from(), &letter).expect("composes"));
        assert_eq!(
            m.subject,
            "Anmeldung bestätigt: Bürgerversammlung <Haushalt> & Co"
        );
    }

    #[test]
    fn every_kind_in_every_language_composes() {
        let (widget, facts) = (widget(), facts());
        let mut subjects = Vec::new();
        for lang in [Lang::De, Lang::DeEasy, Lang::En] {
            let date = Texts::new(lang).date_time(facts.starts_at);
            // A message's subject and words are the organiser's (tested below).
            for kind in EventMailKind::ALL
                .into_iter()
                .filter(|k| *k != EventMailKind::Message)
            {
                let what = format!("{kind:?} {lang:?}");
                let message = event_message(&from(), &mail(kind, lang, &widget, &facts))
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let m = show(&message);
                subjects.push((format!("{lang:?}"), m.subject.clone()));

                assert!(
                    m.subject.ends_with(": Bürgerversammlung <Haushalt> & Co"),
                    "{what}: {}",
                    m.subject
                );
                assert!(
                    m.text.contains("Bürgerversammlung <Haushalt> & Co"),
                    "{what}"
                );
                assert!(m.text.contains(&date), "{what}: {}", m.text);
                assert!(m.text.contains("Rathaus, Großer Saal\n"), "{what}");
                assert!(m.text.contains(PAGE), "{what}");
                assert!(
                    m.html.contains(&format!("lang=\"{}\"", lang.tag())),
                    "{what}"
                );
                assert!(
                    m.html
                        .contains("Bürgerversammlung &lt;Haushalt&gt; &amp; Co"),
                    "{what}"
                );
                assert!(!m.html.contains("<Haushalt>"), "{what}");
                assert!(m.html.contains(&format!("href=\"{PAGE}\"")), "{what}");
                assert!(m.text.contains("Stadt Musterstadt"), "{what}");
                assert!(m.text.contains("\n-- \n"), "{what}: footer");

                // The cancellation link: in both parts where it belongs, nowhere else.
                let escaped_cancel = CANCEL.replace('&', "&amp;");
                assert_eq!(
                    m.text.contains(CANCEL),
                    kind.offers_cancellation(),
                    "{what}"
                );
                assert_eq!(
                    m.html.contains(&format!("href=\"{escaped_cancel}\"")),
                    kind.offers_cancellation(),
                    "{what}"
                );

                // The calendar file exactly where a seat is had, and readable by a calendar.
                assert_eq!(
                    m.attachments.len(),
                    usize::from(kind.attaches_calendar()),
                    "{what}"
                );
                assert_eq!(
                    m.top_type,
                    if kind.attaches_calendar() {
                        "multipart/mixed"
                    } else {
                        "multipart/alternative"
                    },
                    "{what}"
                );
                assert_eq!(
                    m.text.contains("versammlung.ics"),
                    kind.attaches_calendar(),
                    "{what}"
                );
                for (content_type, name, body) in &m.attachments {
                    assert_eq!(name, "versammlung.ics");
                    let lower = content_type.to_ascii_lowercase().replace(' ', "");
                    assert!(lower.starts_with("text/calendar;"), "{content_type}");
                    assert!(lower.contains("method=publish") && lower.contains("charset=utf-8"));
                    assert_calendar(body, &facts);
                }

                // The only value from the registrant is the address, and only in To.
                let to: Vec<_> = message
                    .envelope()
                    .to()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                assert_eq!(to, [TO]);
                assert_eq!(message.headers().get_raw("To"), Some(TO));
                let raw = String::from_utf8_lossy(&m.raw).into_owned();
                assert_eq!(raw.matches("registrant").count(), 1, "{what}");
                assert!(!m.text.contains("registrant") && !m.html.contains("registrant"));
            }
        }
        // Within a language, each kind has its own subject.
        let mut distinct = subjects.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), subjects.len(), "{subjects:?}");
    }

    fn assert_calendar(ics: &str, facts: &EventFacts) {
        use icalendar::{Calendar, Component, EventLike};
        let calendar: Calendar = ics.parse().expect("the attachment parses as iCalendar");
        let events: Vec<_> = calendar.events().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].get_summary(), Some(facts.title.as_str()));
        assert_eq!(events[0].get_location(), Some(facts.place.as_str()));
        assert_eq!(events[0].get_url(), Some(PAGE));
        assert!(events[0].get_start().is_some() && events[0].get_end().is_some());
    }

    #[test]
    fn groups_are_counted_in_the_text() {
        let (widget, facts) = (widget(), facts());
        for (lang, one, many) in [
            (Lang::De, "Sie haben einen Platz", "Sie haben 3 Plätze"),
            (
                Lang::DeEasy,
                "Sie haben einen Platz.",
                "Sie haben 3 Plätze.",
            ),
            (Lang::En, "you have a seat", "you have 3 seats"),
        ] {
            let single = event_letter(&from(), &mail(EventMailKind::Seat, lang, &widget, &facts));
            let text = crate::mail::compose::render_text(&single);
            assert!(text.contains(one), "{text}");
            let mut group = mail(EventMailKind::Seat, lang, &widget, &facts);
            group.persons = 3;
            let text = crate::mail::compose::render_text(&event_letter(&from(), &group));
            assert!(text.contains(many), "{text}");
            let label = words(lang).label_persons;
            assert!(
                text.lines()
                    .any(|l| l.starts_with(label) && l.ends_with(" 3")),
                "{text}"
            );
        }
    }

    #[test]
    fn links_are_optional_and_checked() {
        let (widget, facts) = (widget(), facts());
        let mut m = mail(EventMailKind::Seat, Lang::De, &widget, &facts);
        m.cancel_url = None;
        m.page_url = Some("javascript:alert(1)");
        let shown = show(&event_message(&from(), &m).expect("composes"));
        assert!(!shown.html.contains("href="), "{}", shown.html);
        assert!(!shown.text.contains("javascript"));
        // The ics carries no URL either then.
        assert!(!shown.attachments[0].2.contains("javascript"));

        m.cancel_url = Some("javascript:alert(1)");
        assert!(event_message(&from(), &m).expect_err("bad link").permanent);

        // The cancellations ignore a cancel link passed by mistake.
        let mut c = mail(EventMailKind::Cancelled, Lang::En, &widget, &facts);
        c.cancel_url = Some(CANCEL);
        let shown = show(&event_message(&from(), &c).expect("composes"));
        assert!(!shown.text.contains(CANCEL));
    }

    #[test]
    fn an_invalid_address_gives_no_message() {
        let (widget, facts) = (widget(), facts());
        for bad in [
            "erika@example.de\r\nBcc: victim@example.org",
            "Erika <erika@example.de>",
            "erika@example.de,victim@example.org",
            "erika",
        ] {
            let mut m = mail(EventMailKind::Seat, Lang::De, &widget, &facts);
            m.to = bad;
            let err = event_message(&from(), &m).expect_err(bad);
            assert!(err.permanent && !err.message.contains("victim"), "{err}");
        }
    }

    #[test]
    fn dates_read_naturally() {
        let mut f = facts();
        assert_eq!(
            when(Lang::De, &f),
            "Freitag, 12.03.2027, 18:00\u{a0}Uhr bis 20:30\u{a0}Uhr"
        );
        assert_eq!(when(Lang::En, &f), "Friday, 12 March 2027, 18:00–20:30");
        f.ends_at = Some(parse_datetime("2027-03-13T16:00+01:00").expect("valid"));
        assert_eq!(
            when(Lang::DeEasy, &f),
            "Freitag, 12.03.2027, 18:00\u{a0}Uhr bis Samstag, 13.03.2027, 16:00\u{a0}Uhr"
        );
        assert_eq!(
            when(Lang::En, &f),
            "Friday, 12 March 2027, 18:00 to Saturday, 13 March 2027, 16:00"
        );
        f.ends_at = None;
        f.starts_at = parse_datetime("2027-07-04T10:00+02:00").expect("valid");
        assert_eq!(when(Lang::En, &f), "Sunday, 4 July 2027, 10:00");
        // Just after midnight in Berlin, still the previous day in UTC.
        f.starts_at = parse_datetime("2027-07-05T00:30+02:00").expect("valid");
        assert_eq!(when(Lang::De, &f), "Montag, 05.07.2027, 00:30\u{a0}Uhr");
    }
}
