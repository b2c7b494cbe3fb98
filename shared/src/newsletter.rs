//! The newsletter opt-in's rules: what a subscription request must hold, checked alike by the
//! widget (to say what to fix before sending) and by any endpoint (which trusts no widget).
//!
//! A request carries the consent text the citizen saw and the page it was on, because the
//! town must be able to prove who agreed to what, where and when (double opt-in, BGH I ZR
//! 164/09). None of its text is ever echoed in a mail: until the address owner confirms, the
//! sender is unknown.

use crate::event::{Ask, MAX_EMAIL_CHARS, MAX_NAME_CHARS, Problem, check_text, is_email};
use crate::ids::OptionKey;

/// Most lists one newsletter widget offers.
pub const MAX_LISTS: usize = 20;
/// The consent text as shown, in characters.
pub const MAX_CONSENT_CHARS: usize = 2000;
/// A page or privacy-notice address, in bytes.
pub const MAX_URL_CHARS: usize = 2000;

/// A subscription request's field, as named in the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionField {
    Email,
    Name,
    Lists,
    Consent,
    Privacy,
    Page,
}

impl SubscriptionField {
    pub fn name(self) -> &'static str {
        match self {
            SubscriptionField::Email => "email",
            SubscriptionField::Name => "name",
            SubscriptionField::Lists => "lists",
            SubscriptionField::Consent => "consent",
            SubscriptionField::Privacy => "privacy",
            SubscriptionField::Page => "page",
        }
    }
}

/// A subscription request's values, as typed or shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionValues<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub lists: &'a [OptionKey],
    pub consent: &'a str,
    pub privacy: &'a str,
    pub page: &'a str,
}

/// What a widget's form offers: whether it asks the name, and which lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer<'a> {
    pub name: Ask,
    pub lists: &'a [OptionKey],
}

/// Every problem of a request, in form order. With `offer: None` only the limits every
/// endpoint keeps (a name may come; any well-formed list keys, none repeated).
pub fn check_subscription(
    values: &SubscriptionValues<'_>,
    offer: Option<Offer<'_>>,
) -> Vec<(SubscriptionField, Problem)> {
    let mut problems = Vec::new();
    let p = &mut problems;
    if check_text(
        p,
        SubscriptionField::Email,
        values.email,
        Ask::Required,
        MAX_EMAIL_CHARS,
        false,
    ) && !is_email(values.email.trim())
    {
        p.push((SubscriptionField::Email, Problem::NotAnEmail));
    }
    let name = offer.map_or(Ask::Optional, |o| o.name);
    if name == Ask::No && !values.name.trim().is_empty() {
        // A name the form never asked for is data nobody should keep.
        p.push((SubscriptionField::Name, Problem::NotAsked));
    } else {
        check_text(
            p,
            SubscriptionField::Name,
            values.name,
            name,
            MAX_NAME_CHARS,
            false,
        );
    }
    let repeated = values
        .lists
        .iter()
        .enumerate()
        .any(|(i, key)| values.lists[..i].contains(key));
    let offered = offer.map(|o| o.lists);
    if repeated || values.lists.len() > MAX_LISTS {
        p.push((SubscriptionField::Lists, Problem::BadChoice));
    } else if let Some(offered) = offered {
        if values.lists.iter().any(|l| !offered.contains(l)) {
            p.push((SubscriptionField::Lists, Problem::BadChoice));
        } else if offered.len() > 1 && values.lists.is_empty() {
            // One list (or none) needs no choice; from several, at least one.
            p.push((SubscriptionField::Lists, Problem::Missing));
        }
    }
    check_text(
        p,
        SubscriptionField::Consent,
        values.consent,
        Ask::Required,
        MAX_CONSENT_CHARS,
        true,
    );
    for (field, url) in [
        (SubscriptionField::Privacy, values.privacy),
        (SubscriptionField::Page, values.page),
    ] {
        if url.is_empty() {
            p.push((field, Problem::Missing));
        } else if !is_web_address(url) {
            p.push((field, Problem::NotAWebAddress));
        }
    }
    problems
}

/// An absolute `http://` or `https://` address with a host, without white space, control
/// characters or quotes, at most [`MAX_URL_CHARS`] long.
pub fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    url.len() <= MAX_URL_CHARS
        && !rest.is_empty()
        && !rest.starts_with(['/', '?', '#'])
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

/// The page address as proof keeps it: without query and fragment, which may carry a
/// tracking id or a session.
pub fn page_address(href: &str) -> &str {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    &href[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Vec<OptionKey> {
        k.iter()
            .map(|k| OptionKey::parse(k).expect("valid key"))
            .collect()
    }

    fn check(
        email: &str,
        name: &str,
        lists: &[&str],
        offer: Option<(Ask, &[&str])>,
    ) -> Vec<(&'static str, Problem)> {
        let lists = keys(lists);
        let offered = offer.map(|(_, l)| keys(l));
        let values = SubscriptionValues {
            email,
            name,
            lists: &lists,
            consent: "Ja, ich möchte den Newsletter erhalten.",
            privacy: "https://www.musterstadt.de/datenschutz",
            page: "https://www.musterstadt.de/beteiligung",
        };
        let offer = offer.map(|(name, _)| Offer {
            name,
            lists: offered.as_deref().unwrap_or_default(),
        });
        check_subscription(&values, offer)
            .into_iter()
            .map(|(f, p)| (f.name(), p))
            .collect()
    }

    #[test]
    fn an_address_is_enough_when_nothing_else_is_asked() {
        assert_eq!(check("erika@example.de", "", &[], None), []);
        assert_eq!(check("erika@example.de", "", &[], Some((Ask::No, &[]))), []);
        assert_eq!(check("", "", &[], None), [("email", Problem::Missing)]);
        assert_eq!(
            check("erika@", "", &[], None),
            [("email", Problem::NotAnEmail)]
        );
    }

    #[test]
    fn the_name_follows_the_form() {
        let optional = Some((Ask::Optional, &[][..]));
        assert_eq!(check("e@example.de", "Erika", &[], optional), []);
        assert_eq!(
            check("e@example.de", "", &[], Some((Ask::Required, &[]))),
            [("name", Problem::Missing)]
        );
        assert_eq!(
            check("e@example.de", "Erika", &[], Some((Ask::No, &[]))),
            [("name", Problem::NotAsked)]
        );
        assert_eq!(
            check("e@example.de", "Eri\nka", &[], optional),
            [("name", Problem::BadCharacters)]
        );
        assert_eq!(
            check("e@example.de", &"x".repeat(101), &[], None),
            [("name", Problem::TooLong { max: 100 })]
        );
    }

    #[test]
    fn lists_come_from_the_offer_and_one_is_chosen_of_several() {
        let two = Some((Ask::Optional, &["beteiligung", "termine"][..]));
        assert_eq!(check("e@example.de", "", &["termine"], two), []);
        assert_eq!(
            check("e@example.de", "", &[], two),
            [("lists", Problem::Missing)]
        );
        assert_eq!(
            check("e@example.de", "", &["sport"], two),
            [("lists", Problem::BadChoice)]
        );
        assert_eq!(
            check("e@example.de", "", &["termine", "termine"], None),
            [("lists", Problem::BadChoice)]
        );
        let one = Some((Ask::Optional, &["beteiligung"][..]));
        assert_eq!(check("e@example.de", "", &[], one), []);
        assert_eq!(check("e@example.de", "", &["beteiligung"], one), []);
    }

    #[test]
    fn consent_privacy_and_page_are_required_and_checked() {
        let lists = keys(&[]);
        let mut values = SubscriptionValues {
            email: "e@example.de",
            name: "",
            lists: &lists,
            consent: " ",
            privacy: "/datenschutz",
            page: "javascript:alert(1)",
        };
        let names = |v: &SubscriptionValues| -> Vec<(&str, Problem)> {
            check_subscription(v, None)
                .into_iter()
                .map(|(f, p)| (f.name(), p))
                .collect()
        };
        assert_eq!(
            names(&values),
            [
                ("consent", Problem::Missing),
                ("privacy", Problem::NotAWebAddress),
                ("page", Problem::NotAWebAddress)
            ]
        );
        values.consent = "Ja.\nIch kann jederzeit widerrufen.";
        values.privacy = "https://example.de/datenschutz";
        values.page = "http://localhost:8080/rathaus.html";
        assert_eq!(names(&values), []);
    }

    #[test]
    fn web_addresses() {
        assert!(is_web_address("https://www.musterstadt.de/"));
        assert!(is_web_address("HTTP://127.0.0.1:8080/x.html"));
        for bad in [
            "",
            "https://",
            "https:///pfad",
            "ftp://example.de",
            "/datenschutz",
            "https://example.de/a b",
            "https://example.de/\"x",
            "javascript:alert(1)",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
        assert!(!is_web_address(&format!(
            "https://example.de/{}",
            "a".repeat(MAX_URL_CHARS)
        )));
        assert_eq!(
            page_address("https://example.de/seite?utm=1#x"),
            "https://example.de/seite"
        );
        assert_eq!(page_address("https://example.de/"), "https://example.de/");
    }
}
