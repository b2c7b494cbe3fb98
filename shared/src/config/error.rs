//! What can be wrong with a widget's configuration, said so that an editor can fix it.

use super::endpoint::EndpointProblem;
use crate::ids::IdentError;
use crate::messages::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    UnknownType {
        value: String,
    },
    Missing {
        attr: &'static str,
    },
    BadId {
        value: String,
        problem: IdentError,
    },
    BadEndpoint {
        value: String,
        problem: EndpointProblem,
    },
    NotOneOf {
        attr: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
    NotANumber {
        attr: &'static str,
        value: String,
    },
    OutOfRange {
        attr: &'static str,
        value: String,
        min: usize,
        max: usize,
    },
    BadTime {
        attr: &'static str,
        value: String,
    },
    UnsupportedLang {
        value: String,
    },
    NoQuestion,
    TooFewOptions {
        found: usize,
    },
    TooManyOptions {
        found: usize,
        max: usize,
    },
    LabelTooLong {
        label: String,
        max: usize,
    },
    BadOptionKey {
        label: String,
        key: String,
        problem: IdentError,
    },
    DuplicateOption {
        key: String,
    },
    SingleWithMax,
    AfterClosingWithoutClose,
    NoTopics,
    /// More dots than the list can take (`topics` × `per_topic`): a citizen would be left with
    /// dots that cannot be given.
    DotsUnusable {
        dots: usize,
        topics: usize,
        per_topic: usize,
    },
    NoTitle,
    EndBeforeStart,
    BadPrivacyUrl {
        value: String,
    },
}

fn ident_problem(p: IdentError, lang: Lang) -> String {
    match (p, lang) {
        (IdentError::Empty, Lang::De) => "ist leer".into(),
        (IdentError::TooLong, Lang::De) => "ist länger als 64 Zeichen".into(),
        (IdentError::BadStart(c), Lang::De) => {
            format!("beginnt mit „{c}“ (erlaubt: Buchstabe a–z oder Ziffer)")
        }
        (IdentError::BadChar(c), Lang::De) => {
            format!("enthält „{c}“ (erlaubt: Kleinbuchstaben a–z ohne Umlaute, Ziffern, - und _)")
        }
        (p, _) => p.to_string(),
    }
}

fn endpoint_problem(p: EndpointProblem, lang: Lang) -> &'static str {
    use EndpointProblem::*;
    match (p, lang.for_editors()) {
        (NotHttp, Lang::De) => "muss mit https:// (oder http://) beginnen",
        (NotHttp, _) => "must start with https:// (or http://)",
        (NoHost, Lang::De) => "nennt keinen Server",
        (NoHost, _) => "names no server",
        (Credentials, Lang::De) => "darf keinen Benutzernamen oder kein Passwort enthalten",
        (Credentials, _) => "must not contain a user name or password",
        (QueryOrFragment, Lang::De) => "darf kein ? und kein # enthalten",
        (QueryOrFragment, _) => "must not contain ? or #",
        (BadCharacter, Lang::De) => "enthält Leerzeichen oder unzulässige Zeichen",
        (BadCharacter, _) => "contains spaces or characters not allowed in a URL",
    }
}

impl ConfigError {
    /// The attribute the error is about, where one is to blame (a form shows it there).
    pub fn attribute(&self) -> Option<&'static str> {
        use ConfigError::*;
        match self {
            Missing { attr }
            | NotOneOf { attr, .. }
            | NotANumber { attr, .. }
            | OutOfRange { attr, .. }
            | BadTime { attr, .. } => Some(attr),
            UnknownType { .. } => Some("data-mitmachen"),
            BadId { .. } => Some("data-id"),
            BadEndpoint { .. } => Some("data-endpoint"),
            UnsupportedLang { .. } => Some("data-lang"),
            NoQuestion => Some("data-question"),
            SingleWithMax => Some("data-max-choices"),
            DotsUnusable { .. } => Some("data-dots"),
            AfterClosingWithoutClose => Some("data-closes"),
            NoTitle => Some("data-title"),
            EndBeforeStart => Some("data-end"),
            BadPrivacyUrl { .. } => Some("data-privacy"),
            TooFewOptions { .. }
            | TooManyOptions { .. }
            | LabelTooLong { .. }
            | BadOptionKey { .. }
            | DuplicateOption { .. }
            | NoTopics => None,
        }
    }

    /// One sentence for the editor, naming the attribute and what to write instead.
    pub fn message(&self, lang: Lang) -> String {
        use ConfigError::*;
        let lang = lang.for_editors();
        let de = lang == Lang::De;
        match self {
            UnknownType { value } if de => format!(
                "data-mitmachen=\"{value}\" ist kein bekannter Typ. Möglich: poll, topics, event, newsletter."
            ),
            UnknownType { value } => {
                format!("data-mitmachen=\"{value}\" is not a known widget type. Possible: poll, topics, event, newsletter.")
            }
            Missing { attr } if de => format!("Das Attribut {attr} fehlt."),
            Missing { attr } => format!("The attribute {attr} is missing."),
            BadId { value, problem } if de => {
                format!("data-id=\"{value}\" {}.", ident_problem(*problem, lang))
            }
            BadId { value, problem } => format!("data-id=\"{value}\" {}.", ident_problem(*problem, lang)),
            BadEndpoint { value, problem } => {
                format!("data-endpoint=\"{value}\" {}.", endpoint_problem(*problem, lang))
            }
            NotOneOf { attr, value, allowed } if de => format!(
                "{attr}=\"{value}\" ist nicht erlaubt. Möglich: {}.",
                crate::text::join(allowed, ", ")
            ),
            NotOneOf { attr, value, allowed } => {
                format!("{attr}=\"{value}\" is not allowed. Possible: {}.", crate::text::join(allowed, ", "))
            }
            NotANumber { attr, value } if de => format!("{attr}=\"{value}\" ist keine ganze Zahl."),
            NotANumber { attr, value } => format!("{attr}=\"{value}\" is not a whole number."),
            OutOfRange { attr, value, min, max } if de => {
                format!("{attr}=\"{value}\" muss zwischen {min} und {max} liegen.")
            }
            OutOfRange { attr, value, min, max } => {
                format!("{attr}=\"{value}\" must be between {min} and {max}.")
            }
            BadTime { attr, value } if de => format!(
                "{attr}=\"{value}\" ist kein Zeitpunkt. Schreiben Sie z. B. 31.12.2026 18:00 oder 2026-12-31T18:00."
            ),
            BadTime { attr, value } => format!(
                "{attr}=\"{value}\" is not a point in time. Write e.g. 2026-12-31T18:00 or 31.12.2026 18:00."
            ),
            UnsupportedLang { value } if de => {
                format!("data-lang=\"{value}\" wird nicht unterstützt. Möglich: de, en.")
            }
            UnsupportedLang { value } => format!("data-lang=\"{value}\" is not supported. Possible: de, en."),
            #[cfg(any(feature = "poll", feature = "topics"))]
            NoQuestion if de => "Die Frage fehlt: Schreiben Sie sie als Überschrift in das Element oder in data-question.".into(),
            #[cfg(any(feature = "poll", feature = "topics"))]
            NoQuestion => "The question is missing: write it as a heading inside the element or in data-question.".into(),
            #[cfg(feature = "poll")]
            TooFewOptions { found } if de => format!(
                "Eine Umfrage braucht mindestens 2 Antworten (gefunden: {found}). Schreiben Sie sie als Liste in das Element oder in data-options, getrennt durch |."
            ),
            #[cfg(feature = "poll")]
            TooFewOptions { found } => format!(
                "A poll needs at least 2 answers (found: {found}). Write them as a list inside the element or in data-options, separated by |."
            ),
            TooManyOptions { found, max } if de => {
                format!("Die Liste hat höchstens {max} Einträge (gefunden: {found}).")
            }
            TooManyOptions { found, max } => format!("The list may have at most {max} entries (found: {found})."),
            LabelTooLong { label, max } if de => {
                format!("Der Eintrag „{label}“ ist länger als {max} Zeichen.")
            }
            LabelTooLong { label, max } => format!("The entry \"{label}\" is longer than {max} characters."),
            #[cfg(any(feature = "poll", feature = "topics"))]
            BadOptionKey { label, key, problem } => format!(
                "data-key=\"{key}\" ({label}) {}.",
                ident_problem(*problem, lang)
            ),
            DuplicateOption { key } if de => format!(
                "Zwei Einträge der Liste haben denselben Schlüssel „{key}“. Ändern Sie einen davon oder geben Sie ihm ein eigenes data-key."
            ),
            DuplicateOption { key } => format!(
                "Two entries of the list have the same key \"{key}\". Change one of them or give it its own data-key."
            ),
            #[cfg(feature = "poll")]
            SingleWithMax if de => {
                "data-choice=\"single\" erlaubt nur eine Antwort; data-max-choices passt nicht dazu.".into()
            }
            #[cfg(feature = "poll")]
            SingleWithMax => "data-choice=\"single\" allows one answer only; data-max-choices contradicts it.".into(),
            #[cfg(any(feature = "poll", feature = "topics"))]
            AfterClosingWithoutClose if de => {
                "data-results=\"after-closing\" braucht ein Ende der Abstimmung in data-closes.".into()
            }
            #[cfg(any(feature = "poll", feature = "topics"))]
            AfterClosingWithoutClose => "data-results=\"after-closing\" needs the closing time in data-closes.".into(),
            #[cfg(feature = "topics")]
            NoTopics if de => "Die Themenliste ist leer: Schreiben Sie die Themen als Liste in das Element, oder erlauben Sie Vorschläge mit data-proposals=\"on\".".into(),
            #[cfg(feature = "topics")]
            DotsUnusable { dots, topics, per_topic } if de => format!(
                "data-dots=\"{dots}\" ist zu viel: Vergeben werden können höchstens {takes} (Themen × data-dots-per-topic = {topics} × {per_topic}). Schreiben Sie data-dots=\"{takes}\", ergänzen Sie Themen oder erhöhen Sie data-dots-per-topic.",
                takes = topics * per_topic
            ),
            #[cfg(feature = "topics")]
            DotsUnusable { dots, topics, per_topic } => format!(
                "data-dots=\"{dots}\" is too many: at most {takes} can be given (topics × data-dots-per-topic = {topics} × {per_topic}). Write data-dots=\"{takes}\", add topics or raise data-dots-per-topic.",
                takes = topics * per_topic
            ),
            #[cfg(feature = "event")]
            NoTitle if de => "Der Titel der Veranstaltung fehlt: Schreiben Sie ihn als Überschrift in das Element oder in data-title.".into(),
            #[cfg(feature = "event")]
            NoTitle => "The event's title is missing: write it as a heading inside the element or in data-title.".into(),
            #[cfg(feature = "event")]
            EndBeforeStart if de => "data-end liegt nicht nach data-start.".into(),
            #[cfg(feature = "event")]
            EndBeforeStart => "data-end is not after data-start.".into(),
            #[cfg(any(feature = "event", feature = "newsletter"))]
            BadPrivacyUrl { value } if de => format!(
                "data-privacy=\"{value}\" ist kein Link: Schreiben Sie https://… oder einen Pfad wie /datenschutz."
            ),
            #[cfg(any(feature = "event", feature = "newsletter"))]
            BadPrivacyUrl { value } => format!(
                "data-privacy=\"{value}\" is not a link: write https://… or a path such as /datenschutz."
            ),
            #[cfg(feature = "topics")]
            NoTopics => "The topic list is empty: write the topics as a list inside the element, or allow proposals with data-proposals=\"on\".".into(),
            // The kinds this build leaves out (a browser bundle for others) never report theirs.
            #[allow(unreachable_patterns)]
            _ => String::new(),
        }
    }
}
