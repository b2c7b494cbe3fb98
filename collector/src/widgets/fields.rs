//! What the console's widget form says about each attribute an editor can set: its label and
//! hint in both languages and the kind of input. The attributes themselves, their values and
//! their checks are the widgets' (`mitmachen_shared::config`); this is only their wording here.

use crate::app::console::Lang;

/// The input an attribute gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// A longer text (a consent text, a note's label).
    Long,
    Number,
    /// A date and time as an editor writes it (`31.12.2026 18:00`).
    Time,
    /// One of these values (value, German, English); empty: the widget's default.
    Choice(&'static [(&'static str, &'static str, &'static str)]),
}

pub struct Spec {
    pub label: (&'static str, &'static str),
    pub hint: Option<(&'static str, &'static str)>,
    pub input: Input,
}

impl Spec {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.t(self.label.0, self.label.1)
    }

    pub fn hint(&self, lang: Lang) -> Option<&'static str> {
        self.hint.map(|(de, en)| lang.t(de, en))
    }
}

const ASK: &[(&str, &str, &str)] = &[
    ("off", "nicht fragen", "do not ask"),
    ("optional", "freiwillig", "optional"),
    ("required", "Pflichtfeld", "required"),
];
const ON_OFF: &[(&str, &str, &str)] = &[("on", "ja", "yes"), ("off", "nein", "no")];
const TIME_HINT: (&str, &str) = (
    "z. B. 31.12.2026 18:00 (Berliner Zeit) oder 2026-12-31T18:00+01:00",
    "e.g. 31.12.2026 18:00 (Berlin time) or 2026-12-31T18:00+01:00",
);

/// The wording of `name`; `None` for an attribute the form shows by its name only.
pub fn spec(name: &str) -> Option<Spec> {
    let spec = |label, hint, input| Some(Spec { label, hint, input });
    match name {
        "data-question" => spec(("Frage", "Question"), None, Input::Text),
        "data-title" => spec(("Titel", "Title"), None, Input::Text),
        "data-options" => spec(
            ("Antworten in einer Zeile", "Answers in one line"),
            Some((
                "Getrennt durch |. Leer lassen, wenn Sie die Antworten unten als Liste eingeben.",
                "Separated by |. Leave empty when you list the answers below.",
            )),
            Input::Text,
        ),
        "data-lists" => spec(
            ("Listen in einer Zeile", "Lists in one line"),
            Some((
                "Getrennt durch |. Leer lassen, wenn Sie die Listen unten eingeben.",
                "Separated by |. Leave empty when you list them below.",
            )),
            Input::Text,
        ),
        "data-choice" => spec(
            ("Auswahl", "Choice"),
            None,
            Input::Choice(&[
                ("single", "eine Antwort", "one answer"),
                ("multiple", "mehrere Antworten", "several answers"),
            ]),
        ),
        "data-max-choices" => spec(("Höchstens wählbar", "At most chosen"), None, Input::Number),
        "data-results" => spec(
            ("Ergebnis zeigen", "Show results"),
            None,
            Input::Choice(&[
                ("after-voting", "nach der eigenen Stimme", "after voting"),
                ("always", "immer", "always"),
                ("after-closing", "nach dem Ende", "after closing"),
                ("never", "nie", "never"),
            ]),
        ),
        "data-closes" => spec(("Endet am", "Closes at"), Some(TIME_HINT), Input::Time),
        "data-dots" => spec(
            ("Punkte pro Person", "Dots per person"),
            None,
            Input::Number,
        ),
        "data-dots-per-topic" => spec(
            ("Höchstens Punkte pro Thema", "Most dots on one topic"),
            None,
            Input::Number,
        ),
        "data-proposals" => spec(
            ("Eigene Vorschläge", "Citizens' proposals"),
            None,
            Input::Choice(ON_OFF),
        ),
        "data-order" => spec(
            ("Reihenfolge", "Order"),
            None,
            Input::Choice(&[
                ("votes", "nach Punkten", "by dots"),
                ("as-written", "wie eingegeben", "as written"),
            ]),
        ),
        "data-refresh" => spec(
            ("Aktualisieren alle … Sekunden", "Refresh every … seconds"),
            None,
            Input::Number,
        ),
        "data-start" => spec(("Beginn", "Start"), Some(TIME_HINT), Input::Time),
        "data-end" => spec(("Ende", "End"), Some(TIME_HINT), Input::Time),
        "data-place" => spec(("Ort", "Place"), None, Input::Text),
        "data-capacity" => spec(
            ("Plätze", "Seats"),
            Some(("Leer: unbegrenzt.", "Empty: no limit.")),
            Input::Number,
        ),
        "data-waiting-list" => spec(("Warteliste", "Waiting list"), None, Input::Choice(ON_OFF)),
        "data-deadline" => spec(
            ("Anmeldeschluss", "Registration deadline"),
            Some(TIME_HINT),
            Input::Time,
        ),
        "data-persons-max" => spec(
            ("Personen pro Anmeldung", "Persons per registration"),
            None,
            Input::Number,
        ),
        "data-phone" => spec(("Telefon", "Phone"), None, Input::Choice(ASK)),
        "data-organisation" => spec(("Organisation", "Organisation"), None, Input::Choice(ASK)),
        "data-name" => spec(("Name", "Name"), None, Input::Choice(ASK)),
        "data-note" => spec(
            ("Freitextfeld: Beschriftung", "Free-text field: label"),
            Some((
                "Zum Beispiel: Brauchen Sie Unterstützung? Leer: kein Freitextfeld.",
                "For example: Do you need support? Empty: no free-text field.",
            )),
            Input::Long,
        ),
        "data-privacy" => spec(
            ("Datenschutzhinweis", "Privacy notice"),
            Some((
                "Adresse der Datenschutzseite, z. B. /datenschutz. Leer: die der Seite.",
                "Address of the privacy page, e.g. /privacy. Empty: the page's.",
            )),
            Input::Text,
        ),
        "data-consent" => spec(
            ("Einwilligungstext", "Consent text"),
            Some((
                "Wird so gezeigt und als Nachweis gespeichert. Leer: der Standardtext.",
                "Shown as written and kept as proof. Empty: the default text.",
            )),
            Input::Long,
        ),
        "data-status" => spec(
            ("Status", "Status"),
            None,
            Input::Choice(&[
                ("open", "findet statt", "takes place"),
                ("cancelled", "abgesagt", "cancelled"),
            ]),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::definition::Kind;

    #[test]
    fn every_attribute_of_every_kind_has_words() {
        for kind in Kind::ALL {
            for name in kind.attributes() {
                assert!(spec(name).is_some(), "{name} of {}", kind.as_str());
            }
        }
    }
}
