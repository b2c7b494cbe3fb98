//! Every text a widget shows, in German (formal "Sie", the default), German in Einfache
//! Sprache, and English.
//!
//! Each text has a key; the page may replace any of them with a `data-text-<key>` attribute on
//! the widget's element (parsed in [`crate::config`]). Placeholders are written `{name}`.

use crate::time::{BerlinTime, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// German, formal "Sie".
    #[default]
    De,
    /// German in Einfache Sprache: short sentences, everyday words.
    DeEasy,
    En,
}

impl Lang {
    /// A BCP 47 tag as found in `lang` or `data-lang`: `de`, `de-DE`, `en-GB`..., and for
    /// Einfache Sprache `de-einfach` (also `einfach`, `de-x-einfach`, `de-x-ls`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let lower = tag.to_ascii_lowercase();
        let mut subtags = lower.split(['-', '_']);
        let primary = subtags.next().unwrap_or_default();
        let easy = |s: &str| matches!(s, "einfach" | "ls");
        match primary {
            "einfach" => Some(Lang::DeEasy),
            "de" if subtags.any(easy) => Some(Lang::DeEasy),
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The tag for the widget's `lang` attribute (Einfache Sprache is German to a screen
    /// reader).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::De | Lang::DeEasy => "de",
            Lang::En => "en",
        }
    }

    /// Messages for editors (configuration errors) are not offered in Einfache Sprache.
    pub fn for_editors(self) -> Lang {
        match self {
            Lang::DeEasy => Lang::De,
            other => other,
        }
    }
}

macro_rules! texts {
    ($($variant:ident $key:literal { de: $de:literal, easy: $easy:literal, en: $en:literal })*) => {
        /// A text a widget shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($variant),* }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$variant),*];

            /// The name in `data-text-<key>`.
            pub fn key(self) -> &'static str {
                match self { $(Text::$variant => $key),* }
            }

            pub fn default_for(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Text::$variant, Lang::De) => $de,
                        (Text::$variant, Lang::DeEasy) => $easy,
                        (Text::$variant, Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

texts! {
    Submit "submit" { de: "Abstimmen", easy: "Abstimmen", en: "Vote" }
    Retry "retry" { de: "Erneut senden", easy: "Noch einmal senden", en: "Send again" }
    Sending "sending" { de: "Ihre Stimme wird gesendet …", easy: "Ihre Stimme wird gesendet. Bitte warten Sie.", en: "Sending your vote …" }
    Retrying "retrying" {
        de: "Keine Verbindung zum Server. Ihre Stimme wird automatisch gesendet, sobald die Verbindung wieder besteht (nächster Versuch in {seconds} s).",
        easy: "Es gibt gerade keine Verbindung. Ihre Stimme wird von selbst gesendet, wenn die Verbindung wieder da ist.",
        en: "No connection to the server. Your vote will be sent automatically as soon as the connection is back (next try in {seconds} s)."
    }
    Thanks "thanks" { de: "Vielen Dank! Ihre Stimme wurde gezählt.", easy: "Danke! Ihre Stimme ist angekommen.", en: "Thank you! Your vote has been counted." }
    AlreadyAnswered "already-answered" { de: "Sie haben bereits abgestimmt.", easy: "Sie haben schon abgestimmt.", en: "You have already voted." }
    Closed "closed" { de: "Die Abstimmung ist beendet.", easy: "Die Abstimmung ist vorbei.", en: "This poll is closed." }
    OpenUntil "open-until" { de: "Abstimmung bis {date}", easy: "Sie können bis {date} abstimmen.", en: "Open until {date}" }
    HintMultiple "hint-multiple" {
        de: "Sie können bis zu {max} Antworten wählen.", easy: "Sie können bis zu {max} Antworten wählen.",
        en: "You can choose up to {max} answers."
    }
    NothingChosen "nothing-chosen" { de: "Bitte wählen Sie eine Antwort aus.", easy: "Bitte wählen Sie eine Antwort.", en: "Please choose an answer." }
    TooMany "too-many" {
        de: "Bitte wählen Sie höchstens {max} Antworten aus.", easy: "Sie haben zu viele Antworten gewählt. Bitte wählen Sie höchstens {max}.",
        en: "Please choose no more than {max} answers."
    }
    SendFailed "send-failed" {
        de: "Ihre Stimme konnte nicht gesendet werden. Ihre Auswahl bleibt erhalten. Bitte versuchen Sie es später noch einmal.", easy: "Das Senden hat nicht geklappt. Ihre Antwort ist noch da. Bitte versuchen Sie es später noch einmal.",
        en: "Your vote could not be sent. Your choice is kept. Please try again later."
    }
    Rejected "rejected" {
        de: "Ihre Stimme wurde nicht angenommen: {detail}", easy: "Ihre Stimme wurde nicht gezählt. Der Grund: {detail}",
        en: "Your vote was not accepted: {detail}"
    }
    ResultsHeading "results-heading" { de: "Ergebnis", easy: "Ergebnis", en: "Results" }
    VotesOne "votes-one" { de: "1 Stimme", easy: "1 Stimme", en: "1 vote" }
    VotesMany "votes-many" { de: "{count} Stimmen", easy: "{count} Stimmen", en: "{count} votes" }
    BallotsOne "ballots-one" { de: "1 Person hat abgestimmt.", easy: "1 Person hat abgestimmt.", en: "1 person has voted." }
    BallotsMany "ballots-many" { de: "{count} Personen haben abgestimmt.", easy: "{count} Personen haben abgestimmt.", en: "{count} people have voted." }
    ResultsLoading "results-loading" { de: "Ergebnis wird geladen …", easy: "Das Ergebnis wird geladen.", en: "Loading results …" }
    ResultsUnavailable "results-unavailable" {
        de: "Das Ergebnis kann gerade nicht angezeigt werden.", easy: "Das Ergebnis kann gerade nicht angezeigt werden.",
        en: "The results cannot be shown right now."
    }
    ResultsAfterClosing "results-after-closing" {
        de: "Das Ergebnis wird nach dem Ende der Abstimmung veröffentlicht.", easy: "Sie sehen das Ergebnis, wenn die Abstimmung vorbei ist.",
        en: "The results will be published when the poll has closed."
    }
    TopicsHint "topics-hint" {
        de: "Sie haben {dots} Punkte. Geben Sie sie den Themen, die Ihnen am wichtigsten sind.",
        easy: "Sie haben {dots} Punkte. Geben Sie die Punkte den Themen, die Ihnen wichtig sind.",
        en: "You have {dots} dots. Give them to the topics that matter most to you."
    }
    TopicsPerTopic "topics-per-topic" {
        de: "Ein Thema kann bis zu {max} Punkte von Ihnen bekommen.",
        easy: "Ein Thema kann bis zu {max} Punkte von Ihnen bekommen.",
        en: "One topic can get up to {max} of your dots."
    }
    DotsLeft "dots-left" {
        de: "Noch {left} von {dots} Punkten übrig.",
        easy: "Sie haben noch {left} von {dots} Punkten.",
        en: "{left} of {dots} dots left."
    }
    GiveDot "give-dot" { de: "Punkt geben", easy: "Punkt geben", en: "Give a dot" }
    GiveDotLabel "give-dot-label" {
        de: "Punkt geben: {title} (von Ihnen: {count})",
        easy: "Punkt geben: {title} (von Ihnen: {count})",
        en: "Give a dot: {title} (yours: {count})"
    }
    TakeBackDot "take-back-dot" { de: "Zurücknehmen", easy: "Zurücknehmen", en: "Take back" }
    TakeBackDotLabel "take-back-dot-label" {
        de: "Zurücknehmen: einen Punkt von {title}",
        easy: "Zurücknehmen: einen Punkt von {title}",
        en: "Take back: one dot from {title}"
    }
    NoDotsLeft "no-dots-left" {
        de: "Sie haben alle Punkte vergeben. Nehmen Sie einen Punkt zurück, um ihn neu zu vergeben.",
        easy: "Sie haben keine Punkte mehr. Nehmen Sie einen Punkt zurück. Dann können Sie ihn neu geben.",
        en: "You have given all your dots. Take one back to give it again."
    }
    TopicFull "topic-full" {
        de: "Diesem Thema können Sie keinen weiteren Punkt geben.",
        easy: "Dieses Thema kann keinen Punkt mehr von Ihnen bekommen.",
        en: "You cannot give this topic another dot."
    }
    NothingPlaced "nothing-placed" {
        de: "Bitte geben Sie mindestens einem Thema einen Punkt.",
        easy: "Bitte geben Sie mindestens einem Thema einen Punkt.",
        en: "Please give at least one topic a dot."
    }
    SubmitDots "submit-dots" { de: "Punkte abgeben", easy: "Punkte abgeben", en: "Submit my dots" }
    ThanksDots "thanks-dots" {
        de: "Vielen Dank! Ihre Punkte wurden gezählt.",
        easy: "Danke! Ihre Punkte sind angekommen.",
        en: "Thank you! Your dots have been counted."
    }
    AlreadyDots "already-dots" {
        de: "Sie haben Ihre Punkte bereits abgegeben.",
        easy: "Sie haben Ihre Punkte schon abgegeben.",
        en: "You have already given your dots."
    }
    DotsOne "dots-one" { de: "1 Punkt", easy: "1 Punkt", en: "1 dot" }
    DotsMany "dots-many" { de: "{count} Punkte", easy: "{count} Punkte", en: "{count} dots" }
    Rank "rank" { de: "Platz {rank}", easy: "Platz {rank}", en: "Rank {rank}" }
    ProposeHeading "propose-heading" { de: "Thema vorschlagen", easy: "Ein Thema vorschlagen", en: "Propose a topic" }
    ProposalTitle "proposal-title" { de: "Titel", easy: "Titel", en: "Title" }
    ProposalDescription "proposal-description" {
        de: "Beschreibung (freiwillig)",
        easy: "Beschreibung (wenn Sie möchten)",
        en: "Description (optional)"
    }
    Characters "characters" { de: "{count} von {max} Zeichen", easy: "{count} von {max} Zeichen", en: "{count} of {max} characters" }
    ProposalTitleInvalid "proposal-title-invalid" {
        de: "Bitte geben Sie einen Titel mit {min} bis {max} Zeichen ein.",
        easy: "Bitte schreiben Sie einen Titel. Er braucht {min} bis {max} Zeichen.",
        en: "Please enter a title of {min} to {max} characters."
    }
    ProposalDescriptionInvalid "proposal-description-invalid" {
        de: "Die Beschreibung darf höchstens {max} Zeichen lang sein.",
        easy: "Die Beschreibung ist zu lang. Sie darf {max} Zeichen haben.",
        en: "The description may be at most {max} characters long."
    }
    SubmitProposal "submit-proposal" { de: "Vorschlag senden", easy: "Vorschlag senden", en: "Send proposal" }
    SendingProposal "sending-proposal" { de: "Ihr Vorschlag wird gesendet …", easy: "Ihr Vorschlag wird gesendet. Bitte warten Sie.", en: "Sending your proposal …" }
    ProposalThanks "proposal-thanks" {
        de: "Vielen Dank für Ihren Vorschlag! Er erscheint in der Liste, sobald die Redaktion ihn freigegeben hat.",
        easy: "Danke für Ihren Vorschlag! Die Redaktion prüft ihn. Danach steht er in der Liste.",
        en: "Thank you for your proposal! It will appear in the list once the editors have approved it."
    }
    ConfigProblem "config-problem" {
        de: "Dieses Beteiligungselement ist nicht richtig eingerichtet. Hinweis für die Redaktion:", easy: "Dieses Element funktioniert nicht. Hinweis für die Redaktion:",
        en: "This participation widget is not set up correctly. Note for the editors:"
    }
}

/// The texts of one widget: its language plus the page's overrides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Texts {
    pub lang: Lang,
    pub overrides: Vec<(Text, String)>,
}

impl Texts {
    pub fn new(lang: Lang) -> Self {
        Texts {
            lang,
            overrides: Vec::new(),
        }
    }

    pub fn get(&self, text: Text) -> &str {
        self.overrides
            .iter()
            .find(|(t, _)| *t == text)
            .map_or(text.default_for(self.lang), |(_, s)| s.as_str())
    }

    /// The text with each `{name}` replaced by its value.
    pub fn fill(&self, text: Text, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.get(text).to_owned(), |acc, (name, value)| {
                acc.replace(&format!("{{{name}}}"), value)
            })
    }

    /// "1 Stimme" / "7 Stimmen".
    pub fn votes(&self, count: u64) -> String {
        match count {
            1 => self.get(Text::VotesOne).to_owned(),
            n => self.fill(Text::VotesMany, &[("count", &n.to_string())]),
        }
    }

    /// "1 Punkt" / "4 Punkte".
    pub fn dots(&self, count: u64) -> String {
        match count {
            1 => self.get(Text::DotsOne).to_owned(),
            n => self.fill(Text::DotsMany, &[("count", &n.to_string())]),
        }
    }

    pub fn ballots(&self, count: u64) -> String {
        match count {
            1 => self.get(Text::BallotsOne).to_owned(),
            n => self.fill(Text::BallotsMany, &[("count", &n.to_string())]),
        }
    }

    /// A whole-number percentage as each language writes it: "60 %" (with a no-break space)
    /// or "60%".
    pub fn percent(&self, part: u64, whole: u64) -> String {
        // Saturating: a server's reply may claim any count (u128 would cost the bundle a
        // software division); counts the widget accepts (below 2^53) are exact.
        let value = part
            .saturating_mul(100)
            .saturating_add(whole / 2)
            .checked_div(whole)
            .unwrap_or(0);
        match self.lang {
            Lang::De | Lang::DeEasy => format!("{value}\u{a0}%"),
            Lang::En => format!("{value}%"),
        }
    }

    /// A date and time in Europe/Berlin: "31.12.2026, 18:00 Uhr" or "31 December 2026, 18:00".
    pub fn date_time(&self, t: Timestamp) -> String {
        let b = BerlinTime::of(t);
        match self.lang {
            Lang::De | Lang::DeEasy => format!(
                "{:02}.{:02}.{}, {:02}:{:02}\u{a0}Uhr",
                b.day, b.month, b.year, b.hour, b.minute
            ),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                let month = MONTHS
                    .get((b.month - 1) as usize)
                    .copied()
                    .unwrap_or_default();
                format!(
                    "{} {month} {}, {:02}:{:02}",
                    b.day, b.year, b.hour, b.minute
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;

    #[test]
    fn every_text_has_a_distinct_key_and_both_languages() {
        for (i, t) in Text::ALL.iter().enumerate() {
            assert!(
                Text::ALL[..i].iter().all(|o| o.key() != t.key()),
                "{}",
                t.key()
            );
            assert!(!t.default_for(Lang::De).is_empty());
            assert!(!t.default_for(Lang::DeEasy).is_empty());
            assert!(!t.default_for(Lang::En).is_empty());
        }
    }

    #[test]
    fn overrides_win_and_placeholders_fill() {
        let mut texts = Texts::new(Lang::De);
        assert_eq!(texts.get(Text::Submit), "Abstimmen");
        texts
            .overrides
            .push((Text::Submit, "Stimme abgeben".into()));
        assert_eq!(texts.get(Text::Submit), "Stimme abgeben");
        assert_eq!(
            texts.fill(Text::TooMany, &[("max", "2")]),
            "Bitte wählen Sie höchstens 2 Antworten aus."
        );
        assert_eq!(texts.votes(1), "1 Stimme");
        assert_eq!(texts.votes(0), "0 Stimmen");
    }

    #[test]
    fn numbers_and_dates_per_language() {
        let de = Texts::new(Lang::De);
        let en = Texts::new(Lang::En);
        assert_eq!(de.percent(2, 3), "67\u{a0}%");
        assert_eq!(en.percent(1, 3), "33%");
        assert_eq!(en.percent(0, 0), "0%");
        let t = parse_datetime("2026-12-31T18:00").expect("valid");
        assert_eq!(de.date_time(t), "31.12.2026, 18:00\u{a0}Uhr");
        assert_eq!(en.date_time(t), "31 December 2026, 18:00");
    }

    #[test]
    fn percent_of_huge_counts_does_not_overflow() {
        // Found by shared/tests/no_panic.rs: a reply with such counts overflowed `part * 100`.
        let en = Texts::new(Lang::En);
        assert_eq!(en.percent(184_467_440_737_095_517, 0), "0%");
        // Beyond what the widget accepts (2^53) the value only has to be something.
        let _ = en.percent(u64::MAX, u64::MAX);
        let _ = en.percent(u64::MAX / 100, u64::MAX - 1);
        let safe = (1u64 << 53) - 1;
        assert_eq!(en.percent(safe, safe), "100%");
        assert_eq!(en.percent(safe / 2, safe), "50%");
        assert_eq!(en.percent(3, 1), "300%");
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("de-DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag("de-einfach"), Some(Lang::DeEasy));
        assert_eq!(Lang::from_tag("de-x-ls"), Some(Lang::DeEasy));
        assert_eq!(Lang::from_tag("einfach"), Some(Lang::DeEasy));
        assert_eq!(Lang::DeEasy.tag(), "de");
        assert_eq!(Lang::from_tag(""), None);
    }
}
