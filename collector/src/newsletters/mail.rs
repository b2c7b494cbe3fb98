//! The newsletter's mails (issue #7, double opt-in): the request to confirm, the note that an
//! address is already subscribed, and the welcome after the confirmation.
//!
//! Their content is the town's fixed text, the newsletter's title and list names (from the
//! administrator's configuration), the links the collector made and the recipient's address:
//! nothing else the requester typed. Until the address owner confirms, the requester is
//! unknown, and any text of theirs would be relayed to a stranger.
//!
//! Every mail to a confirmed subscriber carries a way out: the unsubscribe link in the body and
//! as `List-Unsubscribe` with one-click (RFC 8058) in the headers. Without that link such a mail
//! is not composed at all.

use crate::mail::MailError;
use crate::mail::compose::{Block, Letter, compose, is_web_link, signed};
use lettre::Message;
use lettre::message::Mailbox;
use mitmachen_shared::messages::Lang;
use mitmachen_shared::time::Timestamp;

/// Why the mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewsletterMailKind {
    /// Double opt-in: "please confirm" with the confirmation link. The address is not yet
    /// confirmed.
    Confirm,
    /// A new request for an address that is already a confirmed subscriber: nothing changed
    /// (the browser was told the same as for a new address; the mail says so instead).
    AlreadySubscribed,
    /// Sent right after the confirmation: the subscription is active.
    Welcome,
}

impl NewsletterMailKind {
    pub const ALL: [NewsletterMailKind; 3] = [
        NewsletterMailKind::Confirm,
        NewsletterMailKind::AlreadySubscribed,
        NewsletterMailKind::Welcome,
    ];

    /// The kind's name in storage: `confirm`, `already_subscribed`, `welcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            NewsletterMailKind::Confirm => "confirm",
            NewsletterMailKind::AlreadySubscribed => "already_subscribed",
            NewsletterMailKind::Welcome => "welcome",
        }
    }

    /// The kind named by [`as_str`](Self::as_str), exactly.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the mail goes to a confirmed subscriber, and so must carry the unsubscribe link
    /// (in the body and as `List-Unsubscribe`).
    pub fn to_subscriber(self) -> bool {
        !matches!(self, NewsletterMailKind::Confirm)
    }
}

/// One mail about one subscription. There is deliberately no field for a name or any other
/// text of the requester's: the mail cannot echo what it is not given.
#[derive(Debug, Clone, Copy)]
pub struct NewsletterMail<'a> {
    pub to: &'a str,
    pub lang: Lang,
    pub kind: NewsletterMailKind,
    /// The newsletter's name as the administrator configured it, e.g. "Newsletter
    /// Bürgerbeteiligung Musterstadt".
    pub title: &'a str,
    /// Names (administrator's labels) of the lists the request chose; empty: the newsletter
    /// has no lists to choose.
    pub lists: &'a [&'a str],
    /// Confirm: the page with the "Confirm subscription" button (GET shows it, only its POST
    /// confirms). None for the other kinds.
    pub confirm_url: Option<&'a str>,
    /// How long the confirmation link works, in hours (default 48).
    pub confirm_hours: u32,
    /// After how many days an unconfirmed request is deleted (default 7).
    pub unconfirmed_days: u32,
    /// AlreadySubscribed and Welcome: the unsubscribe page (GET shows a button; POST
    /// unsubscribes, also RFC 8058 one-click). None for Confirm.
    pub unsubscribe_url: Option<&'a str>,
    /// The town's newsletter page, if configured.
    pub page_url: Option<&'a str>,
    pub now: Timestamp,
}

/// The message for `mail`, from `from`. Fails (permanently) for an invalid recipient or a link
/// that is not http(s), and when the kind's own link is missing: a "please confirm" without
/// the confirmation link, or a mail to a subscriber without the unsubscribe link.
pub fn newsletter_message(from: &Mailbox, mail: &NewsletterMail) -> Result<Message, MailError> {
    compose(from, mail.to, &newsletter_letter(from, mail)?, mail.now)
}

/// The value of `List-Unsubscribe-Post` that announces one-click unsubscription (RFC 8058).
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// The text of `mail`, before it becomes MIME.
pub(super) fn newsletter_letter(
    from: &Mailbox,
    mail: &NewsletterMail,
) -> Result<Letter, MailError> {
    use NewsletterMailKind as K;
    let w = words(mail.lang);
    // A title left empty in the configuration still gives a readable subject.
    let title = Some(mail.title.trim())
        .filter(|t| !t.is_empty())
        .unwrap_or("Newsletter");
    let lists: Vec<&str> = mail
        .lists
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();

    // The kind's own link: checked here, so that the error names it (never its token).
    let (confirm_url, unsubscribe_url) = match mail.kind {
        K::Confirm => {
            let url = mail.confirm_url.ok_or_else(|| {
                MailError::permanent("a confirmation mail needs its confirmation link")
            })?;
            if !is_web_link(url) {
                return Err(MailError::permanent(
                    "the confirmation link is not an http(s) address",
                ));
            }
            (Some(url), None)
        }
        K::AlreadySubscribed | K::Welcome => {
            let url = mail.unsubscribe_url.ok_or_else(|| {
                MailError::permanent("a mail to a subscriber needs its unsubscribe link")
            })?;
            // The one-click POST (RFC 8058) goes to the address without its fragment, so a
            // token there would be lost; `<` and `>` would end the header's value early.
            if !is_web_link(url) || url.contains(['#', '<', '>']) {
                return Err(MailError::permanent(
                    "the unsubscribe link is not an http(s) address without a fragment",
                ));
            }
            (None, Some(url))
        }
    };

    let (subject, opening) = match mail.kind {
        K::Confirm => (w.confirm_subject, w.confirm_opening),
        K::AlreadySubscribed => (w.already_subject, w.already_opening),
        K::Welcome => (w.welcome_subject, w.welcome_opening),
    };
    let mut blocks = vec![
        Block::Paragraph(w.greeting.into()),
        Block::Paragraph(opening.into()),
    ];

    let mut rows = vec![(w.label_newsletter.to_owned(), title.to_owned())];
    // A repeated request changes nothing, so its choice of lists is not the subscription's and
    // is not shown as if it were.
    if !lists.is_empty() && mail.kind != K::AlreadySubscribed {
        rows.push((w.label_lists.to_owned(), lists.join("\n")));
    }
    rows.push((w.label_address.to_owned(), mail.to.trim().to_owned()));
    blocks.push(Block::Facts(rows));

    if let Some(url) = confirm_url {
        blocks.push(Block::Link {
            intro: w
                .confirm_intro
                .replace("{button}", w.confirm_button)
                .replace("{hours}", &hours(mail.lang, mail.confirm_hours)),
            label: w.confirm_label.into(),
            url: url.into(),
        });
        blocks.push(Block::Paragraph(
            w.confirm_ignore
                .replace("{days}", &days(mail.lang, mail.unconfirmed_days)),
        ));
    }
    match mail.kind {
        K::Confirm => {}
        K::AlreadySubscribed => blocks.push(Block::Paragraph(w.already_unchanged.into())),
        K::Welcome => blocks.push(Block::Paragraph(
            if lists.is_empty() {
                w.welcome_receive
            } else {
                w.welcome_receive_lists
            }
            .into(),
        )),
    }

    // An administrator's typo in the page address costs the link, not the mail.
    if let Some(url) = mail.page_url.filter(|u| is_web_link(u)) {
        blocks.push(Block::Link {
            intro: w.page_intro.into(),
            label: w.page_label.into(),
            url: url.into(),
        });
    }

    let mut headers = Vec::new();
    if let Some(url) = unsubscribe_url {
        blocks.push(Block::Link {
            intro: w.unsubscribe_intro.into(),
            label: w.unsubscribe_label.into(),
            url: url.into(),
        });
        headers.push(("List-Unsubscribe", format!("<{url}>")));
        headers.push(("List-Unsubscribe-Post", ONE_CLICK.to_owned()));
    }

    blocks.push(Block::Paragraph(signed(w.closing, from)));

    Ok(Letter {
        lang: mail.lang,
        subject: subject.replace("{title}", title),
        blocks,
        footer: w.footer.iter().map(|s| (*s).to_owned()).collect(),
        attachment: None,
        headers,
    })
}

/// "48 Stunden" / "eine Stunde" (as the object of "gültig", "lang"), "48 hours" / "one hour".
fn hours(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::De | Lang::DeEasy, 1) => "eine Stunde".into(),
        (Lang::De | Lang::DeEasy, n) => format!("{n}\u{a0}Stunden"),
        (Lang::En, 1) => "one hour".into(),
        (Lang::En, n) => format!("{n}\u{a0}hours"),
    }
}

/// "7 Tagen" / "einem Tag" (after "nach"), "7 days" / "one day".
fn days(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::De | Lang::DeEasy, 1) => "einem Tag".into(),
        (Lang::De | Lang::DeEasy, n) => format!("{n}\u{a0}Tagen"),
        (Lang::En, 1) => "one day".into(),
        (Lang::En, n) => format!("{n}\u{a0}days"),
    }
}

/// Every text of the newsletter's mails in one language. `{title}`, `{button}`, `{hours}` and
/// `{days}` are filled in. After the greeting's comma German continues in lower case.
struct Words {
    greeting: &'static str,
    closing: &'static str,
    label_newsletter: &'static str,
    label_lists: &'static str,
    label_address: &'static str,

    confirm_subject: &'static str,
    confirm_opening: &'static str,
    /// The label of the button on the confirmation page (`links.rs`); both must
    /// say the same words.
    confirm_button: &'static str,
    confirm_intro: &'static str,
    confirm_label: &'static str,
    confirm_ignore: &'static str,

    already_subject: &'static str,
    already_opening: &'static str,
    already_unchanged: &'static str,

    welcome_subject: &'static str,
    welcome_opening: &'static str,
    welcome_receive: &'static str,
    welcome_receive_lists: &'static str,

    unsubscribe_intro: &'static str,
    unsubscribe_label: &'static str,
    page_intro: &'static str,
    page_label: &'static str,
    footer: [&'static str; 2],
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            greeting: "Guten Tag,",
            closing: "Freundliche Grüße",
            label_newsletter: "Newsletter",
            label_lists: "Ihre Auswahl",
            label_address: "E-Mail-Adresse",

            confirm_subject: "Bitte bestätigen Sie Ihr Newsletter-Abonnement: {title}",
            confirm_opening: "auf unserer Website hat jemand – hoffentlich Sie – beantragt, dass diese E-Mail-Adresse den folgenden Newsletter erhält:",
            confirm_button: "Abonnement bestätigen",
            confirm_intro: "Bitte bestätigen Sie das Abonnement. Der Link unten öffnet eine Seite mit der Schaltfläche „{button}“; erst ein Klick darauf bestätigt es. Der Link ist {hours} gültig.",
            confirm_label: "Bestätigungsseite öffnen",
            confirm_ignore: "Sie haben den Newsletter nicht bestellt? Dann ignorieren Sie diese E-Mail bitte einfach. Ohne Bestätigung geschieht nichts, und wir löschen die Adresse nach {days}.",

            already_subject: "Newsletter bereits abonniert: {title}",
            already_opening: "auf unserer Website wurde diese E-Mail-Adresse erneut für einen Newsletter angemeldet, den Sie bereits erhalten:",
            already_unchanged: "An Ihrem Abonnement hat sich nichts geändert. Falls Sie sich nicht erneut angemeldet haben, können Sie diese E-Mail einfach ignorieren.",

            welcome_subject: "Newsletter-Abonnement bestätigt: {title}",
            welcome_opening: "vielen Dank für Ihre Bestätigung! Ihr Abonnement ist jetzt aktiv:",
            welcome_receive: "Ab sofort erhalten Sie jede neue Ausgabe dieses Newsletters per E-Mail an diese Adresse.",
            welcome_receive_lists: "Ab sofort erhalten Sie jede neue Ausgabe zu Ihrer Auswahl per E-Mail an diese Adresse.",

            unsubscribe_intro: "Sie möchten den Newsletter nicht mehr erhalten? Hier können Sie ihn jederzeit abbestellen:",
            unsubscribe_label: "Newsletter abbestellen",
            page_intro: "Mehr über den Newsletter:",
            page_label: "Seite des Newsletters",
            footer: [
                "Sie erhalten diese E-Mail, weil diese Adresse auf unserer Website für einen Newsletter angemeldet wurde.",
                "Diese E-Mail wurde automatisch erstellt.",
            ],
        },
        Lang::DeEasy => Words {
            greeting: "Guten Tag,",
            closing: "Viele Grüße",
            label_newsletter: "Newsletter",
            label_lists: "Ihre Auswahl",
            label_address: "E-Mail-Adresse",

            confirm_subject: "Bitte bestätigen Sie Ihre Anmeldung zum Newsletter: {title}",
            confirm_opening: "jemand hat auf unserer Internet-Seite diese E-Mail-Adresse für einen Newsletter angemeldet. Hoffentlich waren Sie das. Es geht um diesen Newsletter:",
            confirm_button: "Ja, ich will den Newsletter",
            confirm_intro: "Sie möchten den Newsletter bekommen? Dann klicken Sie bitte auf den Link unten. Sie sehen dann eine Seite mit dem Knopf „{button}“. Klicken Sie auf diesen Knopf. Erst dann bekommen Sie den Newsletter. Der Link funktioniert {hours} lang.",
            confirm_label: "Zur Bestätigung",
            confirm_ignore: "Sie haben sich nicht angemeldet? Dann müssen Sie nichts tun. Sie bekommen dann keinen Newsletter. Nach {days} löschen wir Ihre E-Mail-Adresse.",

            already_subject: "Sie bekommen den Newsletter schon: {title}",
            already_opening: "jemand hat auf unserer Internet-Seite diese E-Mail-Adresse noch einmal für den Newsletter angemeldet. Sie bekommen diesen Newsletter aber schon:",
            already_unchanged: "Es hat sich nichts geändert. Sie haben sich nicht noch einmal angemeldet? Dann müssen Sie nichts tun.",

            welcome_subject: "Sie bekommen jetzt den Newsletter: {title}",
            welcome_opening: "danke für Ihre Bestätigung. Sie sind jetzt für diesen Newsletter angemeldet:",
            welcome_receive: "Ab jetzt bekommen Sie jeden neuen Newsletter per E-Mail.",
            welcome_receive_lists: "Ab jetzt bekommen Sie die Newsletter, die Sie ausgewählt haben. Wir schicken sie Ihnen per E-Mail.",

            unsubscribe_intro: "Sie wollen den Newsletter nicht mehr bekommen? Dann können Sie sich jederzeit abmelden. Das geht hier:",
            unsubscribe_label: "Vom Newsletter abmelden",
            page_intro: "Mehr Infos zum Newsletter:",
            page_label: "Zum Newsletter",
            footer: [
                "Jemand hat diese E-Mail-Adresse auf unserer Internet-Seite für einen Newsletter angemeldet. Darum bekommen Sie diese E-Mail.",
                "Ein Computer hat diese E-Mail geschrieben.",
            ],
        },
        Lang::En => Words {
            greeting: "Hello,",
            closing: "Kind regards",
            label_newsletter: "Newsletter",
            label_lists: "Your selection",
            label_address: "E-mail address",

            confirm_subject: "Please confirm your newsletter subscription: {title}",
            confirm_opening: "Someone – hopefully you – has asked on our website for this e-mail address to receive the following newsletter:",
            confirm_button: "Confirm subscription",
            confirm_intro: "Please confirm the subscription. The link below opens a page with a “{button}” button; only clicking that button confirms it. The link works for {hours}.",
            confirm_label: "Open the confirmation page",
            confirm_ignore: "If you did not ask for this, simply ignore this e-mail: nothing will happen, and we will delete the address after {days}.",

            already_subject: "Already subscribed: {title}",
            already_opening: "This e-mail address was entered on our website again to subscribe to a newsletter that it already receives:",
            already_unchanged: "Nothing has changed. If you did not subscribe again, you can simply ignore this e-mail.",

            welcome_subject: "Subscription confirmed: {title}",
            welcome_opening: "Thank you for confirming. Your subscription is now active:",
            welcome_receive: "From now on, you will receive every new issue of this newsletter by e-mail at this address.",
            welcome_receive_lists: "From now on, you will receive every new issue for your selection by e-mail at this address.",

            unsubscribe_intro: "No longer want the newsletter? You can unsubscribe here at any time:",
            unsubscribe_label: "Unsubscribe",
            page_intro: "More about the newsletter:",
            page_label: "Newsletter page",
            footer: [
                "You are receiving this e-mail because this address was entered on our website to subscribe to a newsletter.",
                "This e-mail was sent automatically.",
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::compose::render_text;
    use crate::mail::testing::{Shown, from, show};
    use mitmachen_shared::time::parse_datetime;

    const TO: &str = "erika.abonnentin@example.de";
    const TITLE: &str = "Newsletter Bürgerbeteiligung Musterstadt";
    const LISTS: [&str; 2] = ["Verkehr und Mobilität", "Bauprojekte"];
    const CONFIRM: &str =
        "https://beteiligung.musterstadt.de/v1/newsletter/confirm/Q29uZmlybQ?x=1&y=2";
    const UNSUBSCRIBE: &str =
        "https://beteiligung.musterstadt.de/v1/newsletter/unsubscribe/VW5zdWI";
    const PAGE: &str = "https://www.musterstadt.de/newsletter";
    const LANGS: [Lang; 3] = [Lang::De, Lang::DeEasy, Lang::En];

    /// A mail as the caller builds it: each kind with its own link only.
    fn mail(kind: NewsletterMailKind, lang: Lang) -> NewsletterMail<'static> {
        NewsletterMail {
            to: TO,
            lang,
            kind,
            title: TITLE,
            lists: &LISTS,
            confirm_url: (!kind.to_subscriber()).then_some(CONFIRM),
            confirm_hours: 48,
            unconfirmed_days: 7,
            unsubscribe_url: kind.to_subscriber().then_some(UNSUBSCRIBE),
            page_url: Some(PAGE),
            now: parse_datetime("2027-02-01T09:30Z").expect("valid"),
        }
    }

    fn shown(mail: &NewsletterMail) -> Shown {
        show(&newsletter_message(&from(), mail).expect("composes"))
    }

    #[test]
    fn every_kind_in_every_language_composes() {
        let mut subjects = Vec::new();
        for lang in LANGS {
            for kind in NewsletterMailKind::ALL {
                let what = format!("{kind:?} {lang:?}");
                let message = newsletter_message(&from(), &mail(kind, lang))
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let m = show(&message);
                subjects.push((format!("{lang:?}"), m.subject.clone()));

                assert!(m.subject.ends_with(&format!(": {TITLE}")), "{what}");
                assert_eq!(m.top_type, "multipart/alternative", "{what}");
                assert!(m.attachments.is_empty(), "{what}");
                assert!(m.text.starts_with(words(lang).greeting), "{what}");
                assert!(m.text.contains(TITLE) && m.html.contains(TITLE), "{what}");
                assert!(m.text.contains(TO), "{what}: the address it is about");
                assert!(
                    m.html.contains(&format!("lang=\"{}\"", lang.tag())),
                    "{what}"
                );
                assert!(m.text.contains("Stadt Musterstadt\n"), "{what}: signed");
                assert!(m.text.contains(PAGE), "{what}");
                assert!(m.html.contains(&format!("href=\"{PAGE}\"")), "{what}");
                assert!(
                    m.text
                        .contains(&format!("\n-- \n{}\n", words(lang).footer[0]))
                );
                assert_eq!(message.headers().get_raw("To"), Some(TO));

                // Each kind's own link, in both parts, and never the other one.
                let escaped_confirm = CONFIRM.replace('&', "&amp;");
                let confirms = kind == NewsletterMailKind::Confirm;
                assert_eq!(m.text.contains(CONFIRM), confirms, "{what}");
                assert_eq!(
                    m.html.contains(&format!("href=\"{escaped_confirm}\"")),
                    confirms,
                    "{what}"
                );
                assert_eq!(m.text.contains(UNSUBSCRIBE), !confirms, "{what}");
                assert_eq!(
                    m.html.contains(&format!("href=\"{UNSUBSCRIBE}\"")),
                    !confirms,
                    "{what}"
                );
            }
        }
        // Within a language, each kind has its own subject.
        let mut distinct = subjects.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), subjects.len(), "{subjects:?}");
    }

    #[test]
    fn subjects_and_key_sentences_in_each_language() {
        use NewsletterMailKind as K;
        let cases: [(Lang, K, &str, &[&str]); 9] = [
            (
                Lang::De,
                K::Confirm,
                "Bitte bestätigen Sie Ihr Newsletter-Abonnement",
                &[
                    "Guten Tag,\n\nauf unserer Website hat jemand – hoffentlich Sie – beantragt",
                    "Schaltfläche „Abonnement bestätigen“; erst ein Klick darauf bestätigt es.",
                    "Der Link ist 48\u{a0}Stunden gültig.",
                    "Sie haben den Newsletter nicht bestellt? Dann ignorieren Sie diese E-Mail bitte einfach.",
                    "Ohne Bestätigung geschieht nichts, und wir löschen die Adresse nach 7\u{a0}Tagen.",
                    "Freundliche Grüße\nStadt Musterstadt",
                    "Sie erhalten diese E-Mail, weil diese Adresse auf unserer Website für einen Newsletter angemeldet wurde.",
                ],
            ),
            (
                Lang::DeEasy,
                K::Confirm,
                "Bitte bestätigen Sie Ihre Anmeldung zum Newsletter",
                &[
                    "Hoffentlich waren Sie das.",
                    "Sie sehen dann eine Seite mit dem Knopf „Ja, ich will den Newsletter“. Klicken Sie auf diesen Knopf.",
                    "Der Link funktioniert 48\u{a0}Stunden lang.",
                    "Sie haben sich nicht angemeldet? Dann müssen Sie nichts tun.",
                    "Nach 7\u{a0}Tagen löschen wir Ihre E-Mail-Adresse.",
                    "Darum bekommen Sie diese E-Mail.",
                ],
            ),
            (
                Lang::En,
                K::Confirm,
                "Please confirm your newsletter subscription",
                &[
                    "Hello,\n\nSomeone – hopefully you – has asked on our website",
                    "a page with a “Confirm subscription” button; only clicking that button confirms it.",
                    "The link works for 48\u{a0}hours.",
                    "If you did not ask for this, simply ignore this e-mail: nothing will happen, and we will delete the address after 7\u{a0}days.",
                    "because this address was entered on our website to subscribe to a newsletter.",
                ],
            ),
            (
                Lang::De,
                K::AlreadySubscribed,
                "Newsletter bereits abonniert",
                &[
                    "einen Newsletter angemeldet, den Sie bereits erhalten:",
                    "An Ihrem Abonnement hat sich nichts geändert.",
                    "Hier können Sie ihn jederzeit abbestellen:",
                ],
            ),
            (
                Lang::DeEasy,
                K::AlreadySubscribed,
                "Sie bekommen den Newsletter schon",
                &[
                    "Sie bekommen diesen Newsletter aber schon:",
                    "Es hat sich nichts geändert.",
                    "Dann können Sie sich jederzeit abmelden. Das geht hier:",
                ],
            ),
            (
                Lang::En,
                K::AlreadySubscribed,
                "Already subscribed",
                &[
                    "a newsletter that it already receives:",
                    "Nothing has changed.",
                    "You can unsubscribe here at any time:",
                ],
            ),
            (
                Lang::De,
                K::Welcome,
                "Newsletter-Abonnement bestätigt",
                &[
                    "Guten Tag,\n\nvielen Dank für Ihre Bestätigung! Ihr Abonnement ist jetzt aktiv:",
                    "Ab sofort erhalten Sie jede neue Ausgabe zu Ihrer Auswahl per E-Mail an diese Adresse.",
                    "Hier können Sie ihn jederzeit abbestellen:",
                ],
            ),
            (
                Lang::DeEasy,
                K::Welcome,
                "Sie bekommen jetzt den Newsletter",
                &[
                    "Sie sind jetzt für diesen Newsletter angemeldet:",
                    "Ab jetzt bekommen Sie die Newsletter, die Sie ausgewählt haben.",
                    "Dann können Sie sich jederzeit abmelden.",
                    "Viele Grüße\nStadt Musterstadt",
                ],
            ),
            (
                Lang::En,
                K::Welcome,
                "Subscription confirmed",
                &[
                    "Thank you for confirming. Your subscription is now active:",
                    "From now on, you will receive every new issue for your selection by e-mail",
                    "You can unsubscribe here at any time:",
                    "Kind regards\nStadt Musterstadt",
                ],
            ),
        ];
        for (lang, kind, subject, sentences) in cases {
            let m = shown(&mail(kind, lang));
            assert_eq!(m.subject, format!("{subject}: {TITLE}"));
            for sentence in sentences {
                assert!(
                    m.text.contains(sentence),
                    "{kind:?} {lang:?}: {sentence:?} in\n{}",
                    m.text
                );
            }
        }
    }

    #[test]
    fn lists_are_shown_one_per_line_where_they_are_the_subscription() {
        for lang in LANGS {
            let label = words(lang).label_lists;
            for kind in NewsletterMailKind::ALL {
                let text = shown(&mail(kind, lang)).text;
                let listed = kind != NewsletterMailKind::AlreadySubscribed;
                assert_eq!(text.contains(label), listed, "{kind:?} {lang:?}");
                assert_eq!(text.contains(LISTS[0]), listed, "{kind:?} {lang:?}");
                if listed {
                    // The second list is aligned under the first.
                    let line = text.lines().find(|l| l.contains(LISTS[1])).expect("listed");
                    assert_eq!(line.trim_start(), LISTS[1], "{text}");
                }
                let mut without = mail(kind, lang);
                without.lists = &[];
                let text = shown(&without).text;
                assert!(!text.contains(label), "{kind:?} {lang:?}");
            }
            // Without lists the welcome promises the newsletter itself.
            let mut welcome = mail(NewsletterMailKind::Welcome, lang);
            welcome.lists = &[" ", ""];
            let text = render_text(&newsletter_letter(&from(), &welcome).expect("ok"));
            assert!(text.contains(words(lang).welcome_receive), "{text}");
            assert!(!text.contains(words(lang).label_lists), "{text}");
        }
    }

    #[test]
    fn durations_read_naturally_in_the_singular() {
        for (lang, hour, day) in [
            (
                Lang::De,
                "Der Link ist eine Stunde gültig.",
                "nach einem Tag.",
            ),
            (
                Lang::DeEasy,
                "Der Link funktioniert eine Stunde lang.",
                "Nach einem Tag löschen",
            ),
            (Lang::En, "The link works for one hour.", "after one day."),
        ] {
            let mut m = mail(NewsletterMailKind::Confirm, lang);
            (m.confirm_hours, m.unconfirmed_days) = (1, 1);
            let text = shown(&m).text;
            assert!(text.contains(hour) && text.contains(day), "{text}");
            (m.confirm_hours, m.unconfirmed_days) = (24, 30);
            let text = shown(&m).text;
            assert!(
                text.contains("24\u{a0}") && text.contains("30\u{a0}"),
                "{text}"
            );
        }
    }

    #[test]
    fn one_click_unsubscribe_headers_exactly_for_subscribers() {
        for lang in LANGS {
            for kind in NewsletterMailKind::ALL {
                // A stray unsubscribe link is ignored for the not yet confirmed address.
                let mut m = mail(kind, lang);
                m.unsubscribe_url = Some(UNSUBSCRIBE);
                let m = shown(&m);
                if kind.to_subscriber() {
                    assert_eq!(m.header("List-Unsubscribe"), [format!("<{UNSUBSCRIBE}>")]);
                    assert_eq!(
                        m.header("List-Unsubscribe-Post"),
                        ["List-Unsubscribe=One-Click"]
                    );
                    let head = m.head();
                    assert!(head.contains(&format!("\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n")));
                    assert!(
                        head.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
                    );
                } else {
                    assert!(m.header("List-Unsubscribe").is_empty(), "{kind:?}");
                    assert!(m.header("List-Unsubscribe-Post").is_empty(), "{kind:?}");
                    assert!(!m.text.contains(UNSUBSCRIBE) && !m.html.contains(UNSUBSCRIBE));
                }
                assert_eq!(m.header("Auto-Submitted"), ["auto-generated"]);
            }
        }
    }

    #[test]
    fn a_mail_without_its_own_link_is_never_composed() {
        for kind in NewsletterMailKind::ALL {
            let mut m = mail(kind, Lang::De);
            // The other kind's link does not stand in for the missing one.
            m.confirm_url = Some(CONFIRM);
            m.unsubscribe_url = Some(UNSUBSCRIBE);
            if kind.to_subscriber() {
                m.unsubscribe_url = None;
            } else {
                m.confirm_url = None;
            }
            let err = newsletter_message(&from(), &m).expect_err("no link");
            assert!(err.permanent, "{kind:?}: {err}");
        }
    }

    #[test]
    fn only_web_links_are_accepted() {
        let bad = [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "mailto:x@example.de",
            "ftp://example.de/x",
            "//example.de/x",
            "https://example.de/a b",
            "https://example.de/a\r\nBcc: victim@example.org",
            "",
        ];
        for url in bad {
            let mut m = mail(NewsletterMailKind::Confirm, Lang::De);
            m.confirm_url = Some(url);
            let err = newsletter_message(&from(), &m).expect_err(url);
            assert!(err.permanent && !err.message.contains("victim"), "{url}");
            for kind in [
                NewsletterMailKind::AlreadySubscribed,
                NewsletterMailKind::Welcome,
            ] {
                let mut m = mail(kind, Lang::En);
                m.unsubscribe_url = Some(url);
                assert!(newsletter_message(&from(), &m).expect_err(url).permanent);
            }
        }
        // The one-click POST would lose a token in the fragment; brackets would end the header.
        for url in ["https://example.de/u#t=VW5zdWI", "https://example.de/u/<x>"] {
            let mut m = mail(NewsletterMailKind::Welcome, Lang::De);
            m.unsubscribe_url = Some(url);
            let err = newsletter_message(&from(), &m).expect_err(url);
            assert!(err.permanent && !err.message.contains("VW5zdWI"), "{err}");
        }
        // Plain http works (the demo on 127.0.0.1).
        let mut m = mail(NewsletterMailKind::Welcome, Lang::De);
        m.unsubscribe_url = Some("http://127.0.0.1:8080/v1/newsletter/unsubscribe/x");
        assert!(newsletter_message(&from(), &m).is_ok());
        // A broken page address costs the link, not the mail.
        for url in bad {
            let mut m = mail(NewsletterMailKind::Confirm, Lang::DeEasy);
            m.page_url = Some(url);
            let s = shown(&m);
            assert!(!s.text.contains(words(Lang::DeEasy).page_intro), "{url}");
            assert_eq!(s.html.matches("href=").count(), 1, "{url}");
        }
    }

    #[test]
    fn the_only_dynamic_strings_are_title_lists_links_and_address() {
        // The input has no field for a name or any other text of the requester's; if one is
        // ever added, this no longer compiles and the question must be asked again.
        let NewsletterMail {
            to: _,
            lang: _,
            kind: _,
            title: _,
            lists: _,
            confirm_url: _,
            confirm_hours: _,
            unconfirmed_days: _,
            unsubscribe_url: _,
            page_url: _,
            now: _,
        } = mail(NewsletterMailKind::Confirm, Lang::De);

        // Two requests that differ in every string: once those strings are replaced by
        // placeholders, subject and both parts are the same, so nothing else came in.
        let values = |v: &'static str| -> [&'static str; 7] {
            match v {
                "a" => [
                    "alpha@example.de",
                    "Titel-Alpha",
                    "Liste-Alpha-1",
                    "Liste-Alpha-2",
                    "https://a.example/confirm/tokenAlpha",
                    "https://a.example/unsubscribe/tokenAlpha",
                    "https://a.example/page",
                ],
                _ => [
                    "bravo.b@example.org",
                    "Titel-Bravo",
                    "Liste-Bravo-1",
                    "Liste-Bravo-2",
                    "https://b.example/c/tokenBravo",
                    "https://b.example/u/tokenBravo",
                    "https://b.example/seite",
                ],
            }
        };
        for lang in LANGS {
            for kind in NewsletterMailKind::ALL {
                let parts = |v: [&'static str; 7]| {
                    let lists = [v[2], v[3]];
                    let m = NewsletterMail {
                        to: v[0],
                        title: v[1],
                        lists: &lists,
                        confirm_url: Some(v[4]),
                        unsubscribe_url: Some(v[5]),
                        page_url: Some(v[6]),
                        ..mail(kind, lang)
                    };
                    let s = shown(&m);
                    let mut out = [s.subject, s.text, s.html];
                    for part in &mut out {
                        // Longest first, so that no value is replaced inside another.
                        for (i, value) in v.iter().enumerate().rev() {
                            *part = part.replace(value, &format!("{{{i}}}"));
                        }
                    }
                    out
                };
                let (a, b) = (parts(values("a")), parts(values("b")));
                assert_eq!(a, b, "{kind:?} {lang:?}");
                for part in &a {
                    assert!(
                        !part.contains("Alpha") && !part.contains("alpha@"),
                        "{part}"
                    );
                }
            }
        }
    }

    #[test]
    fn html_escapes_the_configured_texts() {
        for kind in NewsletterMailKind::ALL {
            let mut m = mail(kind, Lang::De);
            m.title = "<b>Stadt & Land</b>";
            m.lists = &["Kinder & Jugend", "<i>Kultur</i>"];
            let s = shown(&m);
            assert!(
                s.subject.ends_with(": <b>Stadt & Land</b>"),
                "{}",
                s.subject
            );
            assert!(s.text.contains("<b>Stadt & Land</b>"), "{kind:?}");
            assert!(
                s.html.contains("&lt;b&gt;Stadt &amp; Land&lt;/b&gt;"),
                "{kind:?}"
            );
            assert!(
                !s.html.contains("<b>") && !s.html.contains("<i>"),
                "{kind:?}"
            );
            if kind != NewsletterMailKind::AlreadySubscribed {
                assert!(
                    s.html
                        .contains("Kinder &amp; Jugend<br>\n&lt;i&gt;Kultur&lt;/i&gt;")
                );
            }
        }
    }

    #[test]
    fn line_breaks_in_the_title_cannot_inject_headers() {
        for kind in NewsletterMailKind::ALL {
            let mut m = mail(kind, Lang::En);
            m.title = "Newsletter\r\nBcc: victim@example.org\nX-Evil: 1";
            let message = newsletter_message(&from(), &m).expect("composes");
            let s = show(&message);
            assert!(!s.head().contains("\r\nBcc:") && !s.head().contains("\r\nX-Evil:"));
            assert!(s.header("X-Evil").is_empty() && s.header("Bcc").is_empty());
            assert!(
                s.subject
                    .ends_with(": Newsletter Bcc: victim@example.org X-Evil: 1")
            );
            assert!(!s.subject.contains(['\r', '\n']), "{:?}", s.subject);
            let to: Vec<String> = message
                .envelope()
                .to()
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(to, [TO], "{kind:?}");
        }
    }

    #[test]
    fn an_invalid_address_gives_no_message() {
        for bad in [
            "erika@example.de\r\nBcc: victim@example.org",
            "Erika <erika@example.de>",
            "erika@example.de,victim@example.org",
            "erika",
        ] {
            for kind in NewsletterMailKind::ALL {
                let mut m = mail(kind, Lang::De);
                m.to = bad;
                let err = newsletter_message(&from(), &m).expect_err(bad);
                assert!(err.permanent && !err.message.contains("victim"), "{err}");
            }
        }
    }

    #[test]
    fn kinds_have_stable_names() {
        let names: Vec<&str> = NewsletterMailKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["confirm", "already_subscribed", "welcome"]);
        for kind in NewsletterMailKind::ALL {
            assert_eq!(NewsletterMailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NewsletterMailKind::parse("Confirm"), None);
        assert_eq!(NewsletterMailKind::parse(""), None);
        assert!(!NewsletterMailKind::Confirm.to_subscriber());
        assert!(NewsletterMailKind::Welcome.to_subscriber());
    }
}
