//! A newsletter opt-in's rules as plain data: what the citizen typed and chose, what is wrong
//! with it, and where the request is. No DOM, nothing async; tested on the host.
//!
//! The field rules are `shared::newsletter::check_subscription`, which the collector applies
//! too. Whatever the collector knew of the address, a stored request looks the same here: the
//! widget cannot tell, and must not.

use crate::form::{Errors, FieldError};
use crate::transport::SendError;
use mitmachen_shared::config::NewsletterConfig;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::newsletter::{
    Offer, SubscriptionField, SubscriptionValues, check_subscription,
};
use mitmachen_shared::protocol::{ProblemKind, Subscription};
use std::rc::Rc;

/// Why a request was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No usable answer: nothing is known to be stored.
    Unreachable,
    /// The endpoint has no newsletter of this id (`unknown-newsletter`): a setup mistake.
    Unknown,
    /// Any other refusal, with its detail.
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Editing,
    Sending {
        retry_in_s: Option<u32>,
    },
    Failed(Failure),
    /// Stored; a confirmation link is on its way to `address` (as the citizen typed it).
    Requested {
        address: String,
    },
}

/// What the citizen typed and chose, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    pub email: String,
    pub name: String,
    /// The lists ticked, in the order they were ticked.
    pub lists: Vec<OptionKey>,
}

/// What the widget itself adds to a request, as proof of consent: the consent text as shown,
/// the privacy notice's absolute address, and the page's address.
pub struct Proof<'a> {
    pub consent: &'a str,
    pub privacy: &'a str,
    pub page: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The e-mail or name field changed.
    Edit(SubscriptionField, String),
    /// A list's checkbox was ticked or unticked.
    Toggle(OptionKey),
    /// Submit was pressed and the check found these problems.
    Invalid(Vec<(SubscriptionField, FieldError)>),
    Send {
        key: String,
    },
    Waiting(u32),
    Sent,
    Failed(SendError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptIn {
    /// The fields on screen, in form order: the e-mail, the name if asked, the lists if there is
    /// a choice. Problems anywhere else are the page's, not the citizen's.
    pub fields: Vec<SubscriptionField>,
    pub form: Form,
    /// Every problem found at the last submit, in form order; a field's problems go when the
    /// citizen changes it.
    pub errors: Errors<SubscriptionField>,
    pub phase: Phase,
    /// The idempotency key of the request last sent: a retry of the same request reuses it, a
    /// changed one gets a new key.
    pub attempt: Option<String>,
}

impl OptIn {
    pub fn new(config: &NewsletterConfig) -> Self {
        let fields = [
            Some(SubscriptionField::Email),
            config.name.asked().then_some(SubscriptionField::Name),
            config.offers_choice().then_some(SubscriptionField::Lists),
        ];
        OptIn {
            fields: fields.into_iter().flatten().collect(),
            form: Form::default(),
            errors: Errors::default(),
            phase: Phase::Editing,
            attempt: None,
        }
    }

    pub fn is_sending(&self) -> bool {
        matches!(self.phase, Phase::Sending { .. })
    }

    pub fn is_requested(&self) -> bool {
        matches!(self.phase, Phase::Requested { .. })
    }

    /// Whether the citizen can change the form and send it.
    pub fn editable(&self) -> bool {
        matches!(self.phase, Phase::Editing | Phase::Failed(_))
    }

    pub fn is_chosen(&self, list: &OptionKey) -> bool {
        self.form.lists.contains(list)
    }

    /// The lists the request names: those ticked, in the editor's order, when there is a
    /// choice; else the only one (or none).
    pub fn lists(&self, config: &NewsletterConfig) -> Vec<OptionKey> {
        config
            .lists
            .iter()
            .filter(|l| !config.offers_choice() || self.is_chosen(&l.key))
            .map(|l| l.key.clone())
            .collect()
    }

    /// The request to send (values trimmed at their ends), or the problems at the fields on
    /// screen. Problems of what the page supplies (consent text, privacy notice, page address)
    /// are not the citizen's to fix: the endpoint refuses such a request and says why.
    pub fn subscription(
        &self,
        config: &NewsletterConfig,
        proof: &Proof,
        lang: &str,
        honeypot: String,
    ) -> Result<Subscription, Vec<(SubscriptionField, FieldError)>> {
        let email = self.form.email.trim();
        let name = if config.name.asked() {
            self.form.name.trim()
        } else {
            ""
        };
        let lists = self.lists(config);
        let values = SubscriptionValues {
            email,
            name,
            lists: &lists,
            consent: proof.consent,
            privacy: proof.privacy,
            page: proof.page,
        };
        let offer = Offer {
            name: config.name,
            lists: &config.list_keys(),
        };
        let problems: Vec<(SubscriptionField, FieldError)> =
            check_subscription(&values, Some(offer))
                .into_iter()
                .filter(|(field, _)| self.fields.contains(field))
                .map(|(field, problem)| (field, FieldError::Check(problem)))
                .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Subscription {
            email: email.to_owned(),
            name: name.to_owned(),
            lists,
            consent: proof.consent.to_owned(),
            privacy: proof.privacy.to_owned(),
            page: proof.page.to_owned(),
            lang: lang.to_owned(),
            honeypot,
        })
    }

    fn failed(&mut self, error: SendError) {
        if error.is_problem(ProblemKind::UnknownNewsletter) {
            self.phase = Phase::Failed(Failure::Unknown);
            return;
        }
        let SendError::Rejected { detail, errors, .. } = error else {
            self.phase = Phase::Failed(Failure::Unreachable);
            return;
        };
        // Errors located at the fields on screen are shown there, like the widget's own.
        let field = |name: &str| self.fields.iter().copied().find(|f| f.name() == name);
        self.phase = if self.errors.show_server(&errors, field) {
            Phase::Editing
        } else {
            Phase::Failed(Failure::Rejected(detail))
        };
    }

    /// A change by the citizen: that field's problems go, and it is a new request.
    fn changed(&mut self, field: SubscriptionField) {
        self.errors.clear(field);
        self.attempt = None;
        self.phase = Phase::Editing;
    }

    pub fn apply(mut self, action: Action) -> Self {
        match action {
            Action::Edit(field, value) if self.editable() => {
                match field {
                    SubscriptionField::Name => self.form.name = value,
                    _ => self.form.email = value,
                }
                self.changed(field);
            }
            Action::Toggle(list) if self.editable() => {
                match self.form.lists.iter().position(|l| *l == list) {
                    Some(i) => {
                        self.form.lists.remove(i);
                    }
                    None => self.form.lists.push(list),
                }
                self.changed(SubscriptionField::Lists);
            }
            Action::Invalid(errors) if self.editable() => self.errors.show(errors),
            Action::Send { key } if self.editable() => {
                self.errors.list.clear();
                self.attempt = Some(key);
                self.phase = Phase::Sending { retry_in_s: None };
            }
            Action::Waiting(s) if self.is_sending() => {
                self.phase = Phase::Sending {
                    retry_in_s: Some(s),
                };
            }
            Action::Sent if self.is_sending() => {
                self.phase = Phase::Requested {
                    address: self.form.email.trim().to_owned(),
                };
            }
            Action::Failed(error) if self.is_sending() => self.failed(error),
            _ => {}
        }
        self
    }
}

impl yew::Reducible for OptIn {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

// Host tests only: `expect` here fails a test, it never runs in the wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use SubscriptionField::{Email, Lists, Name};
    use mitmachen_shared::config::PollOption;
    use mitmachen_shared::event::{Ask, Problem};

    fn key(k: &str) -> OptionKey {
        OptionKey::parse(k).expect("valid key")
    }

    fn config(lists: &[&str], name: Ask) -> NewsletterConfig {
        NewsletterConfig {
            heading: None,
            heading_level: 2,
            lists: lists
                .iter()
                .map(|k| PollOption {
                    key: key(k),
                    label: k.to_uppercase(),
                })
                .collect(),
            name,
            consent: None,
            privacy_url: "/datenschutz".into(),
        }
    }

    const PROOF: Proof = Proof {
        consent: "Ja, ich möchte den Newsletter erhalten.",
        privacy: "https://www.musterstadt.de/datenschutz",
        page: "https://www.musterstadt.de/beteiligung",
    };

    fn request(
        s: &OptIn,
        c: &NewsletterConfig,
    ) -> Result<Subscription, Vec<(SubscriptionField, FieldError)>> {
        s.subscription(c, &PROOF, "de", String::new())
    }

    #[test]
    fn the_fields_follow_the_editors_configuration() {
        assert_eq!(OptIn::new(&config(&[], Ask::No)).fields, [Email]);
        assert_eq!(
            OptIn::new(&config(&["a"], Ask::Optional)).fields,
            [Email, Name]
        );
        assert_eq!(
            OptIn::new(&config(&["a", "b"], Ask::Required)).fields,
            [Email, Name, Lists]
        );
    }

    #[test]
    fn the_request_carries_the_proof_and_the_lists_in_the_editors_order() {
        let c = config(&["beteiligung", "termine", "sport"], Ask::Optional);
        let s = OptIn::new(&c)
            .apply(Action::Edit(Email, " erika@example.de ".into()))
            .apply(Action::Edit(Name, " Erika ".into()))
            .apply(Action::Toggle(key("sport")))
            .apply(Action::Toggle(key("beteiligung")))
            .apply(Action::Toggle(key("termine")))
            .apply(Action::Toggle(key("termine")));
        let r = request(&s, &c).expect("valid");
        assert_eq!(
            r,
            Subscription {
                email: "erika@example.de".into(),
                name: "Erika".into(),
                lists: vec![key("beteiligung"), key("sport")],
                consent: PROOF.consent.into(),
                privacy: PROOF.privacy.into(),
                page: PROOF.page.into(),
                lang: "de".into(),
                honeypot: String::new(),
            }
        );
        // One list is sent without asking; none, nothing.
        let one = config(&["beteiligung"], Ask::No);
        let s = OptIn::new(&one).apply(Action::Edit(Email, "e@example.de".into()));
        assert_eq!(
            request(&s, &one).map(|r| (r.lists, r.name)),
            Ok((vec![key("beteiligung")], String::new()))
        );
        let none = config(&[], Ask::No);
        assert_eq!(request(&s, &none).map(|r| r.lists), Ok(vec![]));
    }

    #[test]
    fn the_check_names_each_field_and_each_failed_submit_moves_focus() {
        let c = config(&["a", "b"], Ask::Required);
        let s = OptIn::new(&c).apply(Action::Edit(Email, "erika@".into()));
        let errors = request(&s, &c).expect_err("invalid");
        assert_eq!(
            errors,
            vec![
                (Email, FieldError::Check(Problem::NotAnEmail)),
                (Name, FieldError::Check(Problem::Missing)),
                (Lists, FieldError::Check(Problem::Missing)),
            ]
        );
        let s = s.apply(Action::Invalid(errors.clone()));
        assert_eq!((s.errors.focus, s.errors.list.len()), (1, 3));
        let s = s.apply(Action::Invalid(errors));
        assert_eq!(s.errors.focus, 2);
        // Changing a field takes its errors away; ticking a list, those of the lists.
        let s = s
            .apply(Action::Edit(Email, "erika@example.de".into()))
            .apply(Action::Toggle(key("b")));
        assert_eq!(
            s.errors.list,
            vec![(Name, FieldError::Check(Problem::Missing))]
        );
        assert_eq!(s.form.email, "erika@example.de");
    }

    #[test]
    fn what_the_page_supplies_is_the_endpoints_to_refuse() {
        let c = config(&[], Ask::Optional);
        let s = OptIn::new(&c).apply(Action::Edit(Email, "erika@example.de".into()));
        let proof = Proof {
            page: "file:///tmp/seite.html",
            ..PROOF
        };
        let r = s.subscription(&c, &proof, "de", String::new());
        assert_eq!(r.map(|r| r.page), Ok("file:///tmp/seite.html".to_owned()));
        let s = s
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Failed(SendError::refusal(
                422,
                ProblemKind::InvalidSubmission,
                &[("/page", "page is not an http(s) address")],
            )));
        assert_eq!(s.phase, Phase::Failed(Failure::Rejected("refused".into())));
        assert_eq!(s.form.email, "erika@example.de");
    }

    #[test]
    fn nothing_typed_is_lost_while_sending_or_after_a_failure() {
        let c = config(&["a", "b"], Ask::Optional);
        let s = OptIn::new(&c)
            .apply(Action::Edit(Email, "erika@example.de".into()))
            .apply(Action::Toggle(key("a")));
        let typed = s.form.clone();
        let s = s.apply(Action::Send { key: "k1".into() });
        assert!(s.is_sending() && !s.editable());
        let s = s
            .apply(Action::Edit(Email, "changed@example.de".into()))
            .apply(Action::Toggle(key("b")))
            .apply(Action::Waiting(4));
        assert_eq!(
            s.phase,
            Phase::Sending {
                retry_in_s: Some(4)
            }
        );
        let s = s.apply(Action::Failed(SendError::Unreachable));
        assert_eq!(s.phase, Phase::Failed(Failure::Unreachable));
        assert_eq!(s.form, typed);
        // A retry reuses the key; a change makes a new request.
        assert_eq!(s.attempt.as_deref(), Some("k1"));
        let s = s.apply(Action::Toggle(key("b")));
        assert_eq!((s.attempt.as_deref(), &s.phase), (None, &Phase::Editing));
    }

    #[test]
    fn refusals_are_told_apart() {
        let c = config(&["a", "b"], Ask::No);
        let sending = || {
            OptIn::new(&c)
                .apply(Action::Edit(Email, "erika@example.de".into()))
                .apply(Action::Send { key: "k".into() })
        };
        let s = sending().apply(Action::Failed(SendError::refusal(
            404,
            ProblemKind::UnknownNewsletter,
            &[],
        )));
        assert_eq!(s.phase, Phase::Failed(Failure::Unknown));
        assert_eq!(
            (s.form.email.as_str(), s.attempt.as_deref()),
            ("erika@example.de", Some("k"))
        );
        // Field errors of the endpoint go to the fields on screen, like the widget's own.
        let s = sending().apply(Action::Failed(SendError::refusal(
            422,
            ProblemKind::InvalidSubmission,
            &[
                ("/email", "this domain takes no mail"),
                ("/lists/0", "no such list"),
            ],
        )));
        assert_eq!((s.phase.clone(), s.errors.focus), (Phase::Editing, 1));
        assert_eq!(
            s.errors.list,
            vec![
                (
                    Email,
                    FieldError::Server("this domain takes no mail".into())
                ),
                (Lists, FieldError::Server("no such list".into()))
            ]
        );
        // A field the form does not show (the name is not asked here), or the page's proof:
        // a refusal with the endpoint's detail.
        for pointer in ["/name", "/consent", "/lang"] {
            let s = sending().apply(Action::Failed(SendError::refusal(
                422,
                ProblemKind::InvalidSubmission,
                &[(pointer, "x")],
            )));
            assert_eq!(
                s.phase,
                Phase::Failed(Failure::Rejected("refused".into())),
                "{pointer}"
            );
        }
        let s = sending().apply(Action::Failed(SendError::refusal(
            403,
            ProblemKind::OriginNotAllowed,
            &[],
        )));
        assert_eq!(s.phase, Phase::Failed(Failure::Rejected("refused".into())));
    }

    #[test]
    fn a_stored_request_names_the_address_as_typed_and_is_final() {
        let c = config(&[], Ask::Optional);
        let s = OptIn::new(&c)
            .apply(Action::Edit(Email, "  erika@example.de ".into()))
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Sent);
        assert_eq!(
            s.phase,
            Phase::Requested {
                address: "erika@example.de".into()
            }
        );
        assert!(s.is_requested() && !s.editable());
        let s = s
            .apply(Action::Edit(Email, "other@example.de".into()))
            .apply(Action::Failed(SendError::Unreachable));
        assert!(s.is_requested());
        // Nothing arrives for a request that is not on its way.
        let idle = OptIn::new(&c).apply(Action::Sent).apply(Action::Waiting(3));
        assert_eq!(idle.phase, Phase::Editing);
    }
}
