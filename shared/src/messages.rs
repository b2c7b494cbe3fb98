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

    /// Messages for editors (configuration errors) are not offered in Einfache Sprache, and only
    /// in the languages the build holds (a bundle for English pages has no German).
    pub fn for_editors(self) -> Lang {
        match self {
            Lang::En if cfg!(feature = "lang-en") => Lang::En,
            _ if cfg!(feature = "lang-de") => Lang::De,
            _ => Lang::En,
        }
    }

    /// Whether this build carries the language's texts (cargo features, so that a bundle for
    /// German or for English pages leaves the others out).
    pub fn in_build(self) -> bool {
        match self {
            Lang::De => cfg!(feature = "lang-de"),
            Lang::DeEasy => cfg!(feature = "lang-de-easy"),
            Lang::En => cfg!(feature = "lang-en"),
        }
    }
}

/// Whether a build holds the widgets that show a text of this group: a browser bundle with only
/// some kinds (cargo features) leaves the others' texts out. `xtask`'s tidy test checks that each
/// text's group covers every kind whose code uses it.
macro_rules! in_build {
    (any) => {
        true
    };
    (ballot) => {
        cfg!(any(feature = "poll", feature = "topics"))
    };
    (form) => {
        cfg!(any(feature = "event", feature = "newsletter"))
    };
    (poll) => {
        cfg!(feature = "poll")
    };
    (topics) => {
        cfg!(feature = "topics")
    };
    (event) => {
        cfg!(feature = "event")
    };
    (newsletter) => {
        cfg!(feature = "newsletter")
    };
}

macro_rules! texts {
    ($($variant:ident $key:literal $group:ident { de: $de:literal, easy: $easy:literal, en: $en:literal })*) => {
        /// A text a widget shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($variant),* }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$variant),*];

            /// The name in `data-text-<key>`.
            pub fn key(self) -> &'static str {
                const KEYS: &[&str] = &[$($key),*];
                KEYS.get(self as usize).copied().unwrap_or_default()
            }

            /// The text in `lang`; empty for a text of a kind or in a language this build does
            /// not hold, which nothing in it shows. A table by `Text as usize`, not a match:
            /// three arms per text were 4 KB of a bundle's code.
            pub fn default_for(self, lang: Lang) -> &'static str {
                const DE: bool = cfg!(feature = "lang-de");
                const EASY: bool = cfg!(feature = "lang-de-easy");
                const EN: bool = cfg!(feature = "lang-en");
                const WORDS: &[[&str; 3]] = &[$(
                    if in_build!($group) {
                        [if DE { $de } else { "" }, if EASY { $easy } else { "" }, if EN { $en } else { "" }]
                    } else {
                        ["", "", ""]
                    }
                ),*];
                let column = match lang {
                    Lang::De => 0,
                    Lang::DeEasy => 1,
                    Lang::En => 2,
                };
                WORDS.get(self as usize).map_or("", |words| words[column])
            }
        }
    };
}

texts! {
    Submit "submit" any { de: "Abstimmen", easy: "Abstimmen", en: "Vote" }
    Retry "retry" any { de: "Erneut senden", easy: "Noch einmal senden", en: "Send again" }
    Sending "sending" ballot { de: "Ihre Stimme wird gesendet …", easy: "Ihre Stimme wird gesendet. Bitte warten Sie.", en: "Sending your vote …" }
    Retrying "retrying" ballot {
        de: "Keine Verbindung zum Server. Ihre Stimme wird automatisch gesendet, sobald die Verbindung wieder besteht (nächster Versuch in {seconds} s).",
        easy: "Es gibt gerade keine Verbindung. Ihre Stimme wird von selbst gesendet, wenn die Verbindung wieder da ist.",
        en: "No connection to the server. Your vote will be sent automatically as soon as the connection is back (next try in {seconds} s)."
    }
    Thanks "thanks" any { de: "Vielen Dank! Ihre Stimme wurde gezählt.", easy: "Danke! Ihre Stimme ist angekommen.", en: "Thank you! Your vote has been counted." }
    YourAnswer "your-answer" poll { de: "Ihre Antwort: {answer}", easy: "Ihre Antwort: {answer}", en: "Your answer: {answer}" }
    YourAnswers "your-answers" poll { de: "Ihre Antworten: {answer}", easy: "Ihre Antworten: {answer}", en: "Your answers: {answer}" }
    AlreadyAnswered "already-answered" poll { de: "Sie haben bereits abgestimmt.", easy: "Sie haben schon abgestimmt.", en: "You have already voted." }
    Closed "closed" ballot { de: "Die Abstimmung ist beendet.", easy: "Die Abstimmung ist vorbei.", en: "This poll is closed." }
    OpenUntil "open-until" ballot { de: "Abstimmung bis {date}", easy: "Sie können bis {date} abstimmen.", en: "Open until {date}" }
    HintMultiple "hint-multiple" poll {
        de: "Sie können bis zu {max} Antworten wählen.", easy: "Sie können bis zu {max} Antworten wählen.",
        en: "You can choose up to {max} answers."
    }
    NothingChosen "nothing-chosen" poll { de: "Bitte wählen Sie eine Antwort aus.", easy: "Bitte wählen Sie eine Antwort.", en: "Please choose an answer." }
    TooMany "too-many" poll {
        de: "Bitte wählen Sie höchstens {max} Antworten aus.", easy: "Sie haben zu viele Antworten gewählt. Bitte wählen Sie höchstens {max}.",
        en: "Please choose no more than {max} answers."
    }
    SendFailed "send-failed" ballot {
        de: "Ihre Stimme konnte nicht gesendet werden. Ihre Auswahl bleibt erhalten. Bitte versuchen Sie es später noch einmal.", easy: "Das Senden hat nicht geklappt. Ihre Antwort ist noch da. Bitte versuchen Sie es später noch einmal.",
        en: "Your vote could not be sent. Your choice is kept. Please try again later."
    }
    Rejected "rejected" ballot {
        de: "Ihre Stimme wurde nicht angenommen: {detail}", easy: "Ihre Stimme wurde nicht gezählt. Der Grund: {detail}",
        en: "Your vote was not accepted: {detail}"
    }
    ResultsHeading "results-heading" poll { de: "Ergebnis", easy: "Ergebnis", en: "Results" }
    VotesOne "votes-one" any { de: "1 Stimme", easy: "1 Stimme", en: "1 vote" }
    VotesMany "votes-many" any { de: "{count} Stimmen", easy: "{count} Stimmen", en: "{count} votes" }
    BallotsOne "ballots-one" any { de: "1 Person hat abgestimmt.", easy: "1 Person hat abgestimmt.", en: "1 person has voted." }
    BallotsMany "ballots-many" any { de: "{count} Personen haben abgestimmt.", easy: "{count} Personen haben abgestimmt.", en: "{count} people have voted." }
    ResultsLoading "results-loading" poll { de: "Ergebnis wird geladen …", easy: "Das Ergebnis wird geladen.", en: "Loading results …" }
    ResultsUnavailable "results-unavailable" poll {
        de: "Das Ergebnis kann gerade nicht angezeigt werden.", easy: "Das Ergebnis kann gerade nicht angezeigt werden.",
        en: "The results cannot be shown right now."
    }
    ResultsAfterClosing "results-after-closing" poll {
        de: "Das Ergebnis wird nach dem Ende der Abstimmung veröffentlicht.", easy: "Sie sehen das Ergebnis, wenn die Abstimmung vorbei ist.",
        en: "The results will be published when the poll has closed."
    }
    TopicsHint "topics-hint" topics {
        de: "Sie haben {dots} Punkte. Geben Sie sie den Themen, die Ihnen am wichtigsten sind.",
        easy: "Sie haben {dots} Punkte. Geben Sie die Punkte den Themen, die Ihnen wichtig sind.",
        en: "You have {dots} dots. Give them to the topics that matter most to you."
    }
    TopicsPerTopic "topics-per-topic" topics {
        de: "Ein Thema kann bis zu {max} Punkte von Ihnen bekommen.",
        easy: "Ein Thema kann bis zu {max} Punkte von Ihnen bekommen.",
        en: "One topic can get up to {max} of your dots."
    }
    DotsLeft "dots-left" topics {
        de: "Noch {left} von {dots} Punkten übrig.",
        easy: "Sie haben noch {left} von {dots} Punkten.",
        en: "{left} of {dots} dots left."
    }
    GiveDot "give-dot" topics { de: "Punkt geben", easy: "Punkt geben", en: "Give a dot" }
    GiveDotLabel "give-dot-label" topics {
        de: "Punkt geben: {title} (von Ihnen: {count})",
        easy: "Punkt geben: {title} (von Ihnen: {count})",
        en: "Give a dot: {title} (yours: {count})"
    }
    TakeBackDot "take-back-dot" topics { de: "Punkt zurücknehmen", easy: "Punkt zurücknehmen", en: "Take back a dot" }
    TakeBackDotLabel "take-back-dot-label" topics {
        de: "Punkt zurücknehmen: {title}",
        easy: "Punkt zurücknehmen: {title}",
        en: "Take back a dot: {title}"
    }
    ShowMore "show-more" topics { de: "mehr anzeigen", easy: "mehr lesen", en: "show more" }
    ShowLess "show-less" topics { de: "weniger anzeigen", easy: "weniger zeigen", en: "show less" }
    NoDotsLeft "no-dots-left" topics {
        de: "Sie haben alle Punkte vergeben. Nehmen Sie einen Punkt zurück, um ihn neu zu vergeben.",
        easy: "Sie haben keine Punkte mehr. Nehmen Sie einen Punkt zurück. Dann können Sie ihn neu geben.",
        en: "You have given all your dots. Take one back to give it again."
    }
    TopicFull "topic-full" topics {
        de: "Diesem Thema können Sie keinen weiteren Punkt geben.",
        easy: "Dieses Thema kann keinen Punkt mehr von Ihnen bekommen.",
        en: "You cannot give this topic another dot."
    }
    NothingPlaced "nothing-placed" topics {
        de: "Bitte geben Sie mindestens einem Thema einen Punkt.",
        easy: "Bitte geben Sie mindestens einem Thema einen Punkt.",
        en: "Please give at least one topic a dot."
    }
    SubmitDots "submit-dots" topics { de: "Punkte abgeben", easy: "Punkte abgeben", en: "Submit my dots" }
    ThanksDots "thanks-dots" topics {
        de: "Vielen Dank! Ihre Punkte wurden gezählt.",
        easy: "Danke! Ihre Punkte sind angekommen.",
        en: "Thank you! Your dots have been counted."
    }
    AlreadyDots "already-dots" topics {
        de: "Sie haben Ihre Punkte bereits abgegeben.",
        easy: "Sie haben Ihre Punkte schon abgegeben.",
        en: "You have already given your dots."
    }
    DotsOne "dots-one" any { de: "1 Punkt", easy: "1 Punkt", en: "1 dot" }
    DotsMany "dots-many" any { de: "{count} Punkte", easy: "{count} Punkte", en: "{count} dots" }
    Rank "rank" topics { de: "Platz {rank}", easy: "Platz {rank}", en: "Rank {rank}" }
    ProposeHeading "propose-heading" topics { de: "Thema vorschlagen", easy: "Ein Thema vorschlagen", en: "Propose a topic" }
    ProposalTitle "proposal-title" topics { de: "Titel", easy: "Titel", en: "Title" }
    ProposalDescription "proposal-description" topics {
        de: "Beschreibung (freiwillig)",
        easy: "Beschreibung (wenn Sie möchten)",
        en: "Description (optional)"
    }
    Characters "characters" topics { de: "{count} von {max} Zeichen", easy: "{count} von {max} Zeichen", en: "{count} of {max} characters" }
    ProposalTitleInvalid "proposal-title-invalid" topics {
        de: "Bitte geben Sie einen Titel mit {min} bis {max} Zeichen ein.",
        easy: "Bitte schreiben Sie einen Titel. Er braucht {min} bis {max} Zeichen.",
        en: "Please enter a title of {min} to {max} characters."
    }
    ProposalDescriptionInvalid "proposal-description-invalid" topics {
        de: "Die Beschreibung darf höchstens {max} Zeichen lang sein.",
        easy: "Die Beschreibung ist zu lang. Sie darf {max} Zeichen haben.",
        en: "The description may be at most {max} characters long."
    }
    SubmitProposal "submit-proposal" topics { de: "Vorschlag senden", easy: "Vorschlag senden", en: "Send proposal" }
    SendingProposal "sending-proposal" topics { de: "Ihr Vorschlag wird gesendet …", easy: "Ihr Vorschlag wird gesendet. Bitte warten Sie.", en: "Sending your proposal …" }
    ProposalThanks "proposal-thanks" topics {
        de: "Vielen Dank für Ihren Vorschlag! Er erscheint in der Liste, sobald die Redaktion ihn freigegeben hat.",
        easy: "Danke für Ihren Vorschlag! Die Redaktion prüft ihn. Danach steht er in der Liste.",
        en: "Thank you for your proposal! It will appear in the list once the editors have approved it."
    }
    EventWhen "event-when" event { de: "Wann", easy: "Wann", en: "When" }
    EventWhere "event-where" event { de: "Wo", easy: "Wo", en: "Where" }
    SeatsLoading "seats-loading" event {
        de: "Freie Plätze werden geladen …",
        easy: "Die freien Plätze werden geladen. Sie können sich schon anmelden.",
        en: "Loading free seats …"
    }
    SeatsLeft "seats-left" event {
        de: "Noch {left} von {capacity} Plätzen frei.",
        easy: "Freie Plätze: {left} von {capacity}.",
        en: "{left} of {capacity} seats left."
    }
    FewSeatsLeft "few-seats-left" event {
        de: "Nur noch {left} von {capacity} Plätzen frei – melden Sie sich bald an.",
        easy: "Es gibt nur noch wenige freie Plätze: {left} von {capacity}. Melden Sie sich bald an.",
        en: "Only {left} of {capacity} seats left – register soon."
    }
    FullWaitingList "full-waiting-list" event {
        de: "Ausgebucht – Sie können sich auf die Warteliste setzen. Wird ein Platz frei, erhalten Sie eine E-Mail.",
        easy: "Alle Plätze sind vergeben. Sie können sich auf die Warteliste schreiben. Wenn ein Platz frei wird, bekommen Sie eine E-Mail.",
        en: "Fully booked – you can join the waiting list. If a seat becomes free, we will e-mail you."
    }
    FullNoList "full-no-list" event {
        de: "Ausgebucht. Alle Plätze sind vergeben, eine Warteliste gibt es nicht.",
        easy: "Alle Plätze sind vergeben. Sie können sich nicht mehr anmelden.",
        en: "Fully booked. All seats are taken and there is no waiting list."
    }
    RegisterUntil "register-until" event {
        de: "Anmeldung bis {date}",
        easy: "Sie können sich bis {date} anmelden.",
        en: "Registration open until {date}"
    }
    RegistrationClosed "registration-closed" event {
        de: "Die Anmeldung ist geschlossen.",
        easy: "Sie können sich nicht mehr anmelden.",
        en: "Registration is closed."
    }
    EventCancelled "event-cancelled" event {
        de: "Diese Veranstaltung wurde abgesagt.",
        easy: "Diese Veranstaltung fällt aus.",
        en: "This event has been cancelled."
    }
    EventUnavailable "event-unavailable" event {
        de: "Die Anmeldung kann gerade nicht angezeigt werden. Bitte versuchen Sie es später noch einmal.",
        easy: "Die Anmeldung geht gerade nicht. Bitte versuchen Sie es später noch einmal.",
        en: "Registration cannot be shown right now. Please try again later."
    }
    RegisterHeading "register-heading" event { de: "Anmeldung", easy: "Anmelden", en: "Registration" }
    Required "required" form { de: "Pflichtfeld", easy: "muss ausgefüllt werden", en: "required" }
    Optional "optional" form { de: "freiwillig", easy: "wenn Sie möchten", en: "optional" }
    FieldName "field-name" form { de: "Name", easy: "Ihr Name", en: "Name" }
    FieldEmail "field-email" form { de: "E-Mail-Adresse", easy: "Ihre E-Mail-Adresse", en: "E-mail address" }
    EmailHint "email-hint" event {
        de: "An diese Adresse senden wir die Bestätigung mit einem Link zum Abmelden.",
        easy: "An diese Adresse schicken wir eine E-Mail. Mit dem Link in der E-Mail können Sie sich wieder abmelden.",
        en: "We send the confirmation with a cancellation link to this address."
    }
    FieldPersons "field-persons" event { de: "Anzahl der Personen", easy: "Wie viele Personen kommen?", en: "Number of people" }
    PersonsHint "persons-hint" event {
        de: "Höchstens {max} Personen, Sie selbst mitgezählt.",
        easy: "Sie können bis zu {max} Personen anmelden. Zählen Sie sich selbst mit.",
        en: "Up to {max} people, including yourself."
    }
    FieldPhone "field-phone" event { de: "Telefonnummer", easy: "Ihre Telefonnummer", en: "Phone number" }
    FieldOrganisation "field-organisation" event { de: "Organisation oder Verein", easy: "Organisation oder Verein", en: "Organisation" }
    DataUse "data-use" event {
        de: "Ihre Angaben verwenden wir nur für diese Veranstaltung und löschen sie 30 Tage danach.",
        easy: "Wir brauchen Ihre Angaben nur für diese Veranstaltung. 30 Tage danach löschen wir sie.",
        en: "We use your details only for this event and delete them 30 days after it."
    }
    PrivacyLink "privacy-link" form {
        de: "Datenschutzhinweise (öffnet in neuem Tab)",
        easy: "Mehr zum Datenschutz (öffnet in neuem Tab)",
        en: "Privacy notice (opens in a new tab)"
    }
    SubmitRegistration "submit-registration" event { de: "Anmelden", easy: "Anmelden", en: "Register" }
    SubmitWaitingList "submit-waiting-list" event {
        de: "Auf die Warteliste setzen",
        easy: "Auf die Warteliste schreiben",
        en: "Join the waiting list"
    }
    SendingRegistration "sending-registration" event {
        de: "Ihre Anmeldung wird gesendet …",
        easy: "Ihre Anmeldung wird gesendet. Bitte warten Sie.",
        en: "Sending your registration …"
    }
    RetryingRegistration "retrying-registration" event {
        de: "Keine Verbindung zum Server. Ihre Anmeldung wird automatisch gesendet, sobald die Verbindung wieder besteht (nächster Versuch in {seconds} s).",
        easy: "Es gibt gerade keine Verbindung. Ihre Anmeldung wird von selbst gesendet, wenn die Verbindung wieder da ist.",
        en: "No connection to the server. Your registration will be sent automatically as soon as the connection is back (next try in {seconds} s)."
    }
    RegistrationFailed "registration-failed" event {
        de: "Ihre Anmeldung konnte nicht gesendet werden. Ihre Angaben bleiben erhalten. Bitte versuchen Sie es später noch einmal.",
        easy: "Das Senden hat nicht geklappt. Ihre Angaben sind noch da. Bitte versuchen Sie es später noch einmal.",
        en: "Your registration could not be sent. Your details are kept. Please try again later."
    }
    RegistrationRejected "registration-rejected" event {
        de: "Ihre Anmeldung wurde nicht angenommen: {detail}",
        easy: "Ihre Anmeldung hat nicht geklappt. Der Grund: {detail}",
        en: "Your registration was not accepted: {detail}"
    }
    RegistrationFull "registration-full" event {
        de: "Inzwischen sind nicht mehr genug Plätze frei, und es gibt keine Warteliste. Ihre Anmeldung wurde nicht gespeichert.",
        easy: "Jetzt gibt es nicht mehr genug freie Plätze. Es gibt keine Warteliste. Ihre Anmeldung wurde nicht gespeichert.",
        en: "There are no longer enough free seats, and there is no waiting list. Your registration was not saved."
    }
    RegistrationClosedNow "registration-closed-now" event {
        de: "Die Anmeldung ist inzwischen geschlossen. Ihre Anmeldung wurde nicht gespeichert.",
        easy: "Sie können sich jetzt nicht mehr anmelden. Ihre Anmeldung wurde nicht gespeichert.",
        en: "Registration has closed in the meantime. Your registration was not saved."
    }
    ErrorSummary "error-summary" form {
        de: "Bitte prüfen Sie Ihre Angaben:",
        easy: "Bitte prüfen Sie diese Angaben:",
        en: "Please check your details:"
    }
    ErrorName "error-name" form { de: "Bitte geben Sie Ihren Namen an.", easy: "Bitte schreiben Sie Ihren Namen.", en: "Please enter your name." }
    ErrorEmailMissing "error-email-missing" form {
        de: "Bitte geben Sie Ihre E-Mail-Adresse an.",
        easy: "Bitte schreiben Sie Ihre E-Mail-Adresse.",
        en: "Please enter your e-mail address."
    }
    ErrorEmail "error-email" form {
        de: "Bitte geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an.",
        easy: "Die E-Mail-Adresse stimmt nicht. Sie sieht so aus: name@beispiel.de",
        en: "Please enter an e-mail address like name@example.com."
    }
    ErrorMissing "error-missing" event { de: "Bitte füllen Sie dieses Feld aus.", easy: "Bitte füllen Sie dieses Feld aus.", en: "Please fill in this field." }
    ErrorTooLong "error-too-long" form {
        de: "Bitte kürzen Sie Ihre Angabe auf höchstens {max} Zeichen.",
        easy: "Der Text ist zu lang. Er darf höchstens {max} Zeichen haben.",
        en: "Please shorten this to at most {max} characters."
    }
    ErrorCharacters "error-characters" form {
        de: "Bitte schreiben Sie diese Angabe in eine Zeile, ohne Steuerzeichen.",
        easy: "Bitte schreiben Sie alles in eine Zeile.",
        en: "Please write this on one line, without control characters."
    }
    ErrorPhone "error-phone" form {
        de: "Bitte geben Sie eine Telefonnummer aus Ziffern an, z. B. 030 1234567 oder +49 30 1234567.",
        easy: "Die Telefonnummer stimmt nicht. Sie sieht zum Beispiel so aus: 030 1234567",
        en: "Please enter a phone number made of digits, e.g. +49 30 1234567."
    }
    ErrorPersons "error-persons" form {
        de: "Bitte geben Sie eine ganze Zahl von 1 bis {max} an.",
        easy: "Bitte schreiben Sie eine Zahl von 1 bis {max}.",
        en: "Please enter a whole number from 1 to {max}."
    }
    ErrorSeats "error-seats" form {
        de: "Es sind nur noch {left} Plätze frei. Bitte melden Sie höchstens so viele Personen an.",
        easy: "Es gibt nur noch {left} freie Plätze. Bitte melden Sie nicht mehr Personen an.",
        en: "Only {left} seats are left. Please register no more people than that."
    }
    ErrorNotAccepted "error-not-accepted" form {
        de: "Diese Angabe wurde nicht angenommen: {detail}",
        easy: "Diese Angabe geht so nicht: {detail}",
        en: "This was not accepted: {detail}"
    }
    RegisteredSeat "registered-seat" event {
        de: "Vielen Dank! Sie sind angemeldet.",
        easy: "Danke! Sie sind angemeldet.",
        en: "Thank you! You are registered."
    }
    RegisteredWaitingList "registered-waiting-list" event {
        de: "Vielen Dank! Sie stehen auf der Warteliste. Wird ein Platz frei, erhalten Sie eine E-Mail.",
        easy: "Danke! Sie stehen auf der Warteliste. Wenn ein Platz frei wird, bekommen Sie eine E-Mail.",
        en: "Thank you! You are on the waiting list. If a seat becomes free, we will e-mail you."
    }
    RegisteredFor "registered-for" event {
        de: "Ihre Anmeldung gilt für {persons}.",
        easy: "Sie haben {persons} angemeldet.",
        en: "Your registration is for {persons}."
    }
    PersonsOne "persons-one" any { de: "1 Person", easy: "1 Person", en: "1 person" }
    PersonsMany "persons-many" any { de: "{count} Personen", easy: "{count} Personen", en: "{count} people" }
    ConfirmationMail "confirmation-mail" event {
        de: "Eine Bestätigung mit einem Link zum Abmelden ist per E-Mail zu Ihnen unterwegs. Falls sie nicht ankommt, sehen Sie bitte auch im Spam-Ordner nach.",
        easy: "Sie bekommen gleich eine E-Mail. In der E-Mail ist ein Link. Mit dem Link können Sie sich wieder abmelden. Sie finden die E-Mail nicht? Dann sehen Sie bitte im Spam-Ordner nach.",
        en: "A confirmation with a cancellation link is on its way to your e-mail. If it does not arrive, please also check your spam folder."
    }
    AlreadyRegistered "already-registered" event {
        de: "Sie haben sich für diese Veranstaltung angemeldet.",
        easy: "Sie haben sich für diese Veranstaltung angemeldet.",
        en: "You have registered for this event."
    }
    AlreadyWaiting "already-waiting" event {
        de: "Sie stehen auf der Warteliste für diese Veranstaltung.",
        easy: "Sie stehen auf der Warteliste für diese Veranstaltung.",
        en: "You are on the waiting list for this event."
    }
    CalendarDownload "calendar-download" event {
        de: "Termin in den Kalender eintragen (.ics)",
        easy: "Termin im Kalender speichern (.ics)",
        en: "Add to your calendar (.ics)"
    }
    NewsletterHeading "newsletter-heading" newsletter { de: "Newsletter abonnieren", easy: "Newsletter bestellen", en: "Subscribe to our newsletter" }
    NewsletterEmailHint "newsletter-email-hint" newsletter {
        de: "An diese Adresse senden wir einen Link, mit dem Sie die Anmeldung bestätigen.",
        easy: "An diese Adresse schicken wir eine E-Mail mit einem Link. Mit dem Link sagen Sie: Ja, ich will den Newsletter.",
        en: "We will send a link to this address to confirm your subscription."
    }
    NewsletterLists "newsletter-lists" newsletter {
        de: "Welche Newsletter möchten Sie erhalten?",
        easy: "Welche Newsletter möchten Sie bekommen?",
        en: "Which newsletters would you like to receive?"
    }
    ErrorLists "error-lists" newsletter {
        de: "Bitte wählen Sie mindestens einen Newsletter aus.",
        easy: "Bitte wählen Sie mindestens einen Newsletter.",
        en: "Please choose at least one newsletter."
    }
    NewsletterConsent "newsletter-consent" newsletter {
        de: "Ja, ich möchte den Newsletter per E-Mail erhalten. Meine Einwilligung kann ich jederzeit widerrufen, zum Beispiel über den Abmeldelink in jeder E-Mail.",
        easy: "Ja, ich möchte den Newsletter per E-Mail bekommen. Ich kann den Newsletter jederzeit wieder abbestellen. Zum Beispiel mit dem Link in jeder E-Mail.",
        en: "Yes, I would like to receive the newsletter by e-mail. I can withdraw my consent at any time, for example with the unsubscribe link in every e-mail."
    }
    SubmitSubscription "submit-subscription" newsletter { de: "Newsletter abonnieren", easy: "Newsletter bestellen", en: "Subscribe" }
    ConfirmSubscription "confirm-subscription" newsletter {
        de: "Bitte bestätigen Sie den Link, den wir an {address} gesendet haben.",
        easy: "Wir haben eine E-Mail an {address} geschickt. Bitte klicken Sie auf den Link in der E-Mail.",
        en: "Please confirm the link we sent to {address}."
    }
    ConfirmSubscriptionNote "confirm-subscription-note" newsletter {
        de: "Erst mit Ihrer Bestätigung erhalten Sie den Newsletter; ohne sie geschieht nichts. Falls die E-Mail nicht ankommt, sehen Sie bitte auch im Spam-Ordner nach.",
        easy: "Erst nach dem Klick bekommen Sie den Newsletter. Ohne Klick passiert nichts. Sie finden die E-Mail nicht? Dann sehen Sie bitte im Spam-Ordner nach.",
        en: "You will only receive the newsletter once you confirm; without that, nothing happens. If the e-mail does not arrive, please also check your spam folder."
    }
    SendingSubscription "sending-subscription" newsletter {
        de: "Ihre Anmeldung zum Newsletter wird gesendet …",
        easy: "Ihre Anmeldung wird gesendet. Bitte warten Sie.",
        en: "Sending your subscription …"
    }
    RetryingSubscription "retrying-subscription" newsletter {
        de: "Keine Verbindung zum Server. Ihre Anmeldung wird automatisch gesendet, sobald die Verbindung wieder besteht (nächster Versuch in {seconds} s).",
        easy: "Es gibt gerade keine Verbindung. Ihre Anmeldung wird von selbst gesendet, wenn die Verbindung wieder da ist.",
        en: "No connection to the server. Your subscription will be sent automatically as soon as the connection is back (next try in {seconds} s)."
    }
    SubscriptionFailed "subscription-failed" newsletter {
        de: "Ihre Anmeldung zum Newsletter konnte nicht gesendet werden. Ihre Angaben bleiben erhalten. Bitte versuchen Sie es später noch einmal.",
        easy: "Das Senden hat nicht geklappt. Ihre Angaben sind noch da. Bitte versuchen Sie es später noch einmal.",
        en: "Your subscription could not be sent. Your details are kept. Please try again later."
    }
    SubscriptionRejected "subscription-rejected" newsletter {
        de: "Ihre Anmeldung zum Newsletter wurde nicht angenommen: {detail}",
        easy: "Ihre Anmeldung hat nicht geklappt. Der Grund: {detail}",
        en: "Your subscription was not accepted: {detail}"
    }
    NewsletterUnknown "newsletter-unknown" newsletter {
        de: "Die Anmeldung zu diesem Newsletter ist noch nicht eingerichtet. Ihre Angaben wurden nicht gespeichert. Bitte versuchen Sie es später noch einmal.",
        easy: "Die Anmeldung zu diesem Newsletter geht noch nicht. Ihre Angaben wurden nicht gespeichert. Bitte versuchen Sie es später noch einmal.",
        en: "Subscribing to this newsletter has not been set up yet. Your details were not saved. Please try again later."
    }
    NotOpenYet "not-open-yet" any {
        de: "Diese Beteiligung ist noch nicht freigegeben. Bitte schauen Sie später wieder vorbei.", easy: "Hier können Sie noch nicht mitmachen. Bitte kommen Sie später wieder.",
        en: "This participation has not been opened yet. Please come back later."
    }
    ConfigProblem "config-problem" any {
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

    /// The text with each `{name}` replaced by its value, in one pass: a value is never read
    /// for placeholders (a citizen's answer may hold braces), and a `{` that starts none stays.
    /// (By hand rather than with `str::replace`, whose string searcher the bundle needs nowhere
    /// else.)
    pub fn fill(&self, text: Text, values: &[(&str, &str)]) -> String {
        let mut rest = self.get(text);
        let mut out = String::with_capacity(rest.len() + 16);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, value)| (*value, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
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
        self.share(value)
    }

    /// A percentage already computed (e.g. by [`crate::shares::percentages`]), written as
    /// [`Texts::percent`] writes it.
    pub fn share(&self, value: u64) -> String {
        if self.english() {
            format!("{value}%")
        } else {
            format!("{value}\u{a0}%")
        }
    }

    /// Whether numbers and dates are written the English way: a build with one of the two ways
    /// only (a bundle for German or for English pages) carries only that one.
    fn english(&self) -> bool {
        cfg!(feature = "lang-en") && (self.lang == Lang::En || !cfg!(feature = "lang-de"))
    }

    /// "1 Person" / "3 Personen".
    pub fn persons(&self, count: u32) -> String {
        match count {
            1 => self.get(Text::PersonsOne).to_owned(),
            n => self.fill(Text::PersonsMany, &[("count", &n.to_string())]),
        }
    }

    /// When an event takes place, with the weekday: "Freitag, 12.03.2027, 18:00 bis 20:30 Uhr",
    /// "Friday, 12 March 2027, 18:00 to 20:30"; an end on another day is written in full.
    pub fn event_time(&self, start: Timestamp, end: Option<Timestamp>) -> String {
        let clock = |b: &BerlinTime| format!("{:02}:{:02}", b.hour, b.minute);
        let s = BerlinTime::of(start);
        let (uhr, to) = if self.english() {
            ("", " to ")
        } else {
            ("\u{a0}Uhr", " bis ")
        };
        let day = self.day(start, &s);
        let Some(end) = end else {
            return format!("{day}, {}{uhr}", clock(&s));
        };
        let e = BerlinTime::of(end);
        if (s.year, s.month, s.day) == (e.year, e.month, e.day) {
            let from = if cfg!(feature = "lang-de-easy") && self.lang == Lang::DeEasy {
                "von "
            } else {
                ""
            };
            format!("{day}, {from}{}{to}{}{uhr}", clock(&s), clock(&e))
        } else {
            let end_day = self.day(end, &e);
            format!("{day}, {}{uhr}{to}{end_day}, {}{uhr}", clock(&s), clock(&e))
        }
    }

    /// "Freitag, 12.03.2027" or "Friday, 12 March 2027".
    fn day(&self, t: Timestamp, b: &BerlinTime) -> String {
        const WEEKDAYS: [[&str; 7]; 2] = [
            [
                "Montag",
                "Dienstag",
                "Mittwoch",
                "Donnerstag",
                "Freitag",
                "Samstag",
                "Sonntag",
            ],
            [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ],
        ];
        let names = WEEKDAYS[usize::from(self.english())];
        let weekday = names.get(weekday(t) as usize).copied().unwrap_or_default();
        format!("{weekday}, {}", self.date(b))
    }

    /// "12.03.2027" or "12 March 2027".
    fn date(&self, b: &BerlinTime) -> String {
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
        if self.english() {
            let month = MONTHS
                .get((b.month - 1) as usize)
                .copied()
                .unwrap_or_default();
            format!("{} {month} {}", b.day, b.year)
        } else {
            format!("{:02}.{:02}.{}", b.day, b.month, b.year)
        }
    }

    /// A date and time in Europe/Berlin: "31.12.2026, 18:00 Uhr" or "31 December 2026, 18:00".
    pub fn date_time(&self, t: Timestamp) -> String {
        let b = BerlinTime::of(t);
        let uhr = if self.english() { "" } else { "\u{a0}Uhr" };
        format!("{}, {:02}:{:02}{uhr}", self.date(&b), b.hour, b.minute)
    }
}

/// The weekday in Berlin, Monday = 0 (1 January 1970 was a Thursday).
fn weekday(t: Timestamp) -> i64 {
    let local = t.0 + crate::time::berlin_offset_minutes(t) * 60_000;
    (local.div_euclid(86_400_000) + 3).rem_euclid(7)
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
        // A value is not read for placeholders; unknown and unclosed braces stay as written.
        texts
            .overrides
            .push((Text::YourAnswer, "{answer} – {answer} {nix} {ok".into()));
        assert_eq!(
            texts.fill(Text::YourAnswer, &[("answer", "Ja {answer}"), ("nix", "x")]),
            "Ja {answer} – Ja {answer} x {ok"
        );
        assert_eq!(
            texts.fill(Text::YourAnswer, &[]),
            "{answer} – {answer} {nix} {ok"
        );
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
    fn event_times_with_weekday_and_range() {
        let de = Texts::new(Lang::De);
        let easy = Texts::new(Lang::DeEasy);
        let en = Texts::new(Lang::En);
        let start = parse_datetime("2027-03-12T18:00+01:00").expect("valid");
        let end = parse_datetime("2027-03-12T20:30+01:00").expect("valid");
        assert_eq!(
            de.event_time(start, Some(end)),
            "Freitag, 12.03.2027, 18:00 bis 20:30\u{a0}Uhr"
        );
        assert_eq!(
            easy.event_time(start, Some(end)),
            "Freitag, 12.03.2027, von 18:00 bis 20:30\u{a0}Uhr"
        );
        assert_eq!(
            en.event_time(start, Some(end)),
            "Friday, 12 March 2027, 18:00 to 20:30"
        );
        assert_eq!(
            de.event_time(start, None),
            "Freitag, 12.03.2027, 18:00\u{a0}Uhr"
        );
        // Summer time, and an end on another day.
        let start = parse_datetime("2027-04-17T10:00+02:00").expect("valid");
        let end = parse_datetime("2027-04-18T01:00+02:00").expect("valid");
        assert_eq!(
            de.event_time(start, Some(end)),
            "Samstag, 17.04.2027, 10:00\u{a0}Uhr bis Sonntag, 18.04.2027, 01:00\u{a0}Uhr"
        );
        // Just before midnight in Berlin is still that day, though UTC has moved on.
        let late = parse_datetime("2026-12-31T23:30+01:00").expect("valid");
        assert!(
            en.event_time(late, None)
                .starts_with("Thursday, 31 December 2026")
        );
        assert_eq!(de.persons(1), "1 Person");
        assert_eq!(en.persons(3), "3 people");
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
