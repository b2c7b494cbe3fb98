//! An event sign-up's rules as plain data: what the collector said about the seats, what the
//! citizen typed and what is wrong with it, where the registration is, and from all that what
//! the event allows now. No DOM, nothing async; tested on the host.
//!
//! The field rules are `shared::event::check_registration`, which the collector applies too;
//! placing on a seat or the waiting list is `shared::event::place`, the collector's own rule.

use crate::form::Errors;
pub use crate::form::FieldError;
use crate::transport::SendError;
use mitmachen_shared::config::EventConfig;
use mitmachen_shared::event::{self, Field, FormFields, FormValues, Placement, check_registration};
use mitmachen_shared::protocol::{EventState, EventStatus, ProblemKind, Registration};
use std::rc::Rc;

/// What the collector said about the seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seats {
    Loading,
    Known(EventStatus),
    /// The first answer did not come (or the collector knows no such event).
    Unavailable,
}

/// What the event allows now, from the editor's configuration, the clock and the collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// The seats are on their way; registering works meanwhile.
    Loading,
    /// A registration of one person gets a seat: `seats` is (left, capacity) when limited,
    /// `few` when so few are left that the widget says so.
    Open {
        seats: Option<(u32, u32)>,
        few: bool,
    },
    /// Every seat is taken (or others wait already): registrations join the waiting list.
    FullWaitingList,
    FullNoList,
    Closed,
    Cancelled,
    Unavailable,
}

impl Availability {
    /// Whether a registration can be sent now. Also before the seats are known: the collector
    /// places every registration on a seat or the waiting list itself (or answers that the
    /// event is full or closed), so the form need not wait for the seats to be usable.
    pub fn takes_registrations(self) -> bool {
        matches!(
            self,
            Availability::Loading | Availability::Open { .. } | Availability::FullWaitingList
        )
    }
}

/// Why a registration was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No usable answer: nothing is known to be stored.
    Unreachable,
    /// Every seat was taken in the meantime, and there is no waiting list.
    Full,
    /// The deadline passed, the event began or was cancelled in the meantime.
    Closed,
    /// Any other refusal, with the endpoint's detail.
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Editing,
    Sending {
        retry_in_s: Option<u32>,
    },
    Failed(Failure),
    /// Stored: just now (with the persons registered), or earlier in this visit.
    Registered {
        placement: Placement,
        persons: Option<u32>,
        just_now: bool,
    },
}

/// The calendar file to download: its `blob:` URL and file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub url: String,
    pub file_name: String,
}

/// The form's values exactly as typed (the number of persons too, as text), so that nothing the
/// citizen typed is changed or lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub name: String,
    pub email: String,
    pub persons: String,
    pub phone: String,
    pub organisation: String,
    pub note: String,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            name: String::new(),
            email: String::new(),
            persons: "1".into(),
            phone: String::new(),
            organisation: String::new(),
            note: String::new(),
        }
    }
}

impl Form {
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Email => &self.email,
            Field::Persons => &self.persons,
            Field::Phone => &self.phone,
            Field::Organisation => &self.organisation,
            Field::Note => &self.note,
        }
    }

    fn set(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::Name => &mut self.name,
            Field::Email => &mut self.email,
            Field::Persons => &mut self.persons,
            Field::Phone => &mut self.phone,
            Field::Organisation => &mut self.organisation,
            Field::Note => &mut self.note,
        };
        *slot = value;
    }

    /// Whether the citizen has typed anything.
    pub fn touched(&self) -> bool {
        *self != Form::default()
    }

    /// The number of persons; 0 for anything that is not a whole number (which the check then
    /// names).
    pub fn persons(&self) -> u32 {
        self.persons.trim().parse().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Status(EventStatus),
    /// The seats could not be read; what was read before stays.
    StatusFailed,
    Edit(Field, String),
    /// Submit was pressed and the check found these problems.
    Invalid(Vec<(Field, FieldError)>),
    Send {
        key: String,
    },
    Waiting(u32),
    /// Stored, with where it landed, and the calendar file made for it.
    Sent {
        placement: Placement,
        calendar: Option<Calendar>,
    },
    Failed(SendError),
    /// The clock passed the registration deadline.
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub seats: Seats,
    pub closed: bool,
    pub cancelled: bool,
    pub form: Form,
    /// Every problem found at the last submit, in form order; a field's problems go when the
    /// citizen changes it.
    pub errors: Errors<Field>,
    pub phase: Phase,
    /// The idempotency key of the registration last sent: a retry of the same registration
    /// reuses it, a changed one gets a new key.
    pub attempt: Option<String>,
    /// Once registered.
    pub calendar: Option<Calendar>,
    /// The first answer about the seats (or its failure) just came: the seats line is announced
    /// then, politely, since the citizen may be typing already. Later refreshes change it
    /// quietly, as they would otherwise talk every few seconds.
    pub announce_seats: bool,
}

impl Signup {
    /// `closed`: the clock has passed the registration deadline; `registered`: where this
    /// browser's registration landed earlier in the visit.
    pub fn new(config: &EventConfig, closed: bool, registered: Option<Placement>) -> Self {
        Signup {
            // Nothing to ask the collector when the editor or the clock has decided already.
            seats: if config.cancelled || closed {
                Seats::Unavailable
            } else {
                Seats::Loading
            },
            closed,
            cancelled: config.cancelled,
            form: Form::default(),
            errors: Errors::default(),
            phase: registered.map_or(Phase::Editing, |placement| Phase::Registered {
                placement,
                persons: None,
                just_now: false,
            }),
            attempt: None,
            calendar: None,
            announce_seats: false,
        }
    }

    pub fn availability(&self) -> Availability {
        if self.cancelled {
            return Availability::Cancelled;
        }
        if self.closed {
            return Availability::Closed;
        }
        let status = match &self.seats {
            Seats::Loading => return Availability::Loading,
            Seats::Unavailable => return Availability::Unavailable,
            Seats::Known(status) => status,
        };
        let Some(capacity) = status.capacity else {
            return Availability::Open {
                seats: None,
                few: false,
            };
        };
        let taken = status.seats_taken;
        match event::place(
            Some(capacity),
            taken,
            status.waiting,
            1,
            status.waiting_list,
        ) {
            Some(Placement::Seat) => Availability::Open {
                seats: Some((event::seats_left(capacity, taken), capacity)),
                few: event::few_left(capacity, taken),
            },
            Some(Placement::WaitingList) => Availability::FullWaitingList,
            None => Availability::FullNoList,
        }
    }

    pub fn is_registered(&self) -> bool {
        matches!(self.phase, Phase::Registered { .. })
    }

    pub fn is_sending(&self) -> bool {
        matches!(self.phase, Phase::Sending { .. })
    }

    /// Whether the citizen can change the form.
    pub fn editable(&self) -> bool {
        matches!(self.phase, Phase::Editing | Phase::Failed(_))
    }

    /// Whether the form is on screen: while registering is possible, and afterwards too when
    /// the citizen has typed something (which stays visible and can be copied).
    pub fn shows_form(&self) -> bool {
        match (&self.phase, self.availability()) {
            (Phase::Registered { .. }, _) => false,
            (Phase::Sending { .. } | Phase::Failed(_), _) => true,
            (_, a) if a.takes_registrations() => true,
            _ => self.form.touched(),
        }
    }

    /// Whether the submit button is there.
    pub fn shows_submit(&self) -> bool {
        self.is_sending() || (self.editable() && self.availability().takes_registrations())
    }

    /// Where a registration of the persons in the form would land, as far as the widget knows.
    pub fn expected_placement(&self) -> Option<Placement> {
        match &self.seats {
            Seats::Known(s) => event::place(
                s.capacity,
                s.seats_taken,
                s.waiting,
                self.form.persons().max(1),
                s.waiting_list,
            ),
            _ => Some(Placement::Seat),
        }
    }

    /// The form's fields with the persons limit of both the page and the collector.
    pub fn fields(&self, config: &EventConfig) -> FormFields {
        let mut fields = config.fields.clone();
        if let Seats::Known(s) = &self.seats
            && s.persons_max >= 1
        {
            fields.persons_max = fields.persons_max.min(s.persons_max);
        }
        fields
    }

    /// The problems of the form as it is, in form order.
    pub fn check(&self, config: &EventConfig) -> Vec<(Field, FieldError)> {
        let fields = self.fields(config);
        let persons = if fields.persons_max > 1 {
            self.form.persons()
        } else {
            1
        };
        let f = &self.form;
        let values = FormValues {
            name: &f.name,
            email: &f.email,
            persons,
            phone: &f.phone,
            organisation: &f.organisation,
            note: &f.note,
        };
        let mut errors: Vec<(Field, FieldError)> = check_registration(&values, Some(&fields))
            .into_iter()
            .map(|(field, problem)| (field, FieldError::Check(problem)))
            .collect();
        if let Seats::Known(s) = &self.seats
            && let Some(capacity) = s.capacity
            && !errors.iter().any(|(f, _)| *f == Field::Persons)
            && event::place(
                Some(capacity),
                s.seats_taken,
                s.waiting,
                persons,
                s.waiting_list,
            )
            .is_none()
        {
            let left = event::seats_left(capacity, s.seats_taken);
            if left > 0 {
                // In form order: after name and e-mail, before the optional fields.
                let at = errors
                    .iter()
                    .position(|(f, _)| !matches!(f, Field::Name | Field::Email))
                    .unwrap_or(errors.len());
                errors.insert(at, (Field::Persons, FieldError::SeatsLeft(left)));
            }
        }
        errors
    }

    /// The registration to send (values trimmed at their ends), or what is wrong with the form.
    pub fn registration(
        &self,
        config: &EventConfig,
        lang: &str,
        honeypot: String,
    ) -> Result<Registration, Vec<(Field, FieldError)>> {
        let errors = self.check(config);
        if !errors.is_empty() {
            return Err(errors);
        }
        let fields = self.fields(config);
        let f = &self.form;
        let asked = |ask: bool, value: &str| {
            if ask {
                value.trim().to_owned()
            } else {
                String::new()
            }
        };
        Ok(Registration {
            name: f.name.trim().to_owned(),
            email: f.email.trim().to_owned(),
            persons: if fields.persons_max > 1 {
                f.persons()
            } else {
                1
            },
            phone: asked(fields.phone.asked(), &f.phone),
            organisation: asked(fields.organisation.asked(), &f.organisation),
            note: asked(fields.note.is_some(), &f.note),
            lang: lang.to_owned(),
            honeypot,
        })
    }

    fn failed(&mut self, error: SendError) {
        // A 409 without our problem type (another endpoint) is "full" too; a draft is not.
        if error.is_problem(ProblemKind::EventFull)
            || (matches!(error, SendError::Rejected { status: 409, .. })
                && !error.is_problem(ProblemKind::Draft))
        {
            self.phase = Phase::Failed(Failure::Full);
            return;
        }
        if error.is_problem(ProblemKind::Closed) {
            self.closed = true;
            self.phase = Phase::Failed(Failure::Closed);
            return;
        }
        let SendError::Rejected { detail, errors, .. } = error else {
            self.phase = Phase::Failed(Failure::Unreachable);
            return;
        };
        // Errors located at the form's fields are shown there, like the widget's own.
        self.phase = if self.errors.show_server(&errors, |name| {
            Field::ALL.into_iter().find(|f| f.name() == name)
        }) {
            Phase::Editing
        } else {
            Phase::Failed(Failure::Rejected(detail))
        };
    }

    pub fn apply(mut self, action: Action) -> Self {
        match action {
            Action::Status(status) => {
                match status.state {
                    EventState::Open => {}
                    EventState::Closed => self.closed = true,
                    EventState::Cancelled => self.cancelled = true,
                }
                self.announce_seats = self.seats == Seats::Loading;
                self.seats = Seats::Known(status);
            }
            Action::StatusFailed if self.seats == Seats::Loading => {
                self.announce_seats = true;
                self.seats = Seats::Unavailable;
            }
            Action::StatusFailed => self.announce_seats = false,
            Action::Edit(field, value) if self.editable() => {
                self.form.set(field, value);
                self.errors.clear(field);
                self.attempt = None;
                self.phase = Phase::Editing;
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
            Action::Sent {
                placement,
                calendar,
            } if self.is_sending() => {
                self.calendar = calendar;
                self.phase = Phase::Registered {
                    placement,
                    persons: Some(self.form.persons().max(1)),
                    just_now: true,
                };
            }
            Action::Failed(error) if self.is_sending() => self.failed(error),
            Action::Close => self.closed = true,
            _ => {}
        }
        self
    }
}

impl yew::Reducible for Signup {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

// Host tests only: `expect` here fails a test, it never runs in the wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::event::{Ask, EventFacts, MAX_NAME_CHARS, Problem};
    use mitmachen_shared::ids::WidgetId;
    use mitmachen_shared::time::Timestamp;

    fn config() -> EventConfig {
        EventConfig {
            heading_level: 3,
            facts: EventFacts {
                title: "Werkstatt".into(),
                starts_at: Timestamp(2_000_000_000_000),
                ends_at: None,
                place: "Jugendzentrum".into(),
            },
            capacity: Some(3),
            waiting_list: true,
            deadline: None,
            fields: FormFields {
                persons_max: 2,
                phone: Ask::No,
                organisation: Ask::Optional,
                note: None,
            },
            privacy_url: "/datenschutz.html".into(),
            cancelled: false,
            refresh_s: 30,
        }
    }

    fn status(capacity: Option<u32>, taken: u32, waiting: u32, waiting_list: bool) -> EventStatus {
        EventStatus {
            widget: WidgetId::parse("werkstatt").expect("valid"),
            state: EventState::Open,
            capacity,
            seats_taken: taken,
            waiting,
            waiting_list,
            persons_max: 2,
        }
    }

    fn loaded(status: EventStatus) -> Signup {
        Signup::new(&config(), false, None).apply(Action::Status(status))
    }

    fn filled(s: Signup) -> Signup {
        s.apply(Action::Edit(Field::Name, " Erika Mustermann ".into()))
            .apply(Action::Edit(Field::Email, "erika@example.de".into()))
    }

    #[test]
    fn availability_follows_the_collectors_seats() {
        // Before the seats are known the form is there and can be sent.
        let s = Signup::new(&config(), false, None);
        assert_eq!(s.availability(), Availability::Loading);
        assert!(s.shows_form() && s.shows_submit());
        assert_eq!(
            loaded(status(Some(50), 38, 0, true)).availability(),
            Availability::Open {
                seats: Some((12, 50)),
                few: false
            }
        );
        assert_eq!(
            loaded(status(Some(3), 1, 0, true)).availability(),
            Availability::Open {
                seats: Some((2, 3)),
                few: true
            }
        );
        assert_eq!(
            loaded(status(None, 500, 0, false)).availability(),
            Availability::Open {
                seats: None,
                few: false
            }
        );
        // Nobody overtakes the queue: with people waiting, a free seat is theirs.
        let full = loaded(status(Some(3), 2, 2, true));
        assert_eq!(full.availability(), Availability::FullWaitingList);
        assert!(full.shows_form() && full.shows_submit());
        let full = loaded(status(Some(2), 2, 0, false));
        assert_eq!(full.availability(), Availability::FullNoList);
        assert!(!full.shows_form() && !full.shows_submit());
        // A failed refresh keeps what is known; a failed first load says so.
        let s = loaded(status(Some(3), 1, 0, true)).apply(Action::StatusFailed);
        assert!(matches!(s.availability(), Availability::Open { .. }));
        let s = Signup::new(&config(), false, None).apply(Action::StatusFailed);
        assert_eq!(s.availability(), Availability::Unavailable);
    }

    #[test]
    fn a_registration_goes_out_before_the_seats_are_known() {
        let s = filled(Signup::new(&config(), false, None));
        assert_eq!(s.expected_placement(), Some(Placement::Seat));
        let r = s
            .registration(&config(), "de", String::new())
            .expect("valid without seats");
        assert_eq!(r.persons, 1);
        // The seats arrive while it is on its way; where it landed is the collector's answer.
        let s = s
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Status(status(Some(3), 3, 0, true)))
            .apply(Action::Sent {
                placement: Placement::WaitingList,
                calendar: None,
            });
        assert!(matches!(
            s.phase,
            Phase::Registered {
                placement: Placement::WaitingList,
                ..
            }
        ));
    }

    #[test]
    fn only_the_first_answer_about_the_seats_is_announced() {
        let s = Signup::new(&config(), false, None);
        assert!(!s.announce_seats);
        let s = s.apply(Action::Status(status(Some(3), 0, 0, true)));
        assert!(s.announce_seats, "the seats came");
        let s = s.apply(Action::Edit(Field::Name, "E".into()));
        assert!(s.announce_seats, "typing does not silence it");
        let s = s.apply(Action::Status(status(Some(3), 1, 0, true)));
        assert!(!s.announce_seats, "a refresh is quiet");
        let s = s.apply(Action::StatusFailed);
        assert!(!s.announce_seats);
        let s = Signup::new(&config(), false, None).apply(Action::StatusFailed);
        assert!(s.announce_seats, "that they cannot be shown is said too");
    }

    #[test]
    fn cancelled_and_closed_win_over_seats() {
        let mut c = config();
        c.cancelled = true;
        let s = Signup::new(&c, false, None);
        assert_eq!(
            (s.availability(), &s.seats),
            (Availability::Cancelled, &Seats::Unavailable)
        );
        let s = Signup::new(&config(), true, None);
        assert_eq!(s.availability(), Availability::Closed);
        let mut st = status(Some(50), 0, 0, true);
        st.state = EventState::Cancelled;
        assert_eq!(loaded(st).availability(), Availability::Cancelled);
        let mut st = status(Some(50), 0, 0, true);
        st.state = EventState::Closed;
        assert_eq!(loaded(st).availability(), Availability::Closed);
        let s = loaded(status(Some(50), 0, 0, true)).apply(Action::Close);
        assert_eq!(s.availability(), Availability::Closed);
    }

    #[test]
    fn the_button_says_where_the_registration_lands() {
        let s = loaded(status(Some(3), 2, 0, true));
        assert_eq!(s.expected_placement(), Some(Placement::Seat));
        let s = s.apply(Action::Edit(Field::Persons, "2".into()));
        assert_eq!(s.expected_placement(), Some(Placement::WaitingList));
        let s = loaded(status(Some(3), 3, 0, true));
        assert_eq!(s.expected_placement(), Some(Placement::WaitingList));
    }

    #[test]
    fn the_check_names_every_field_in_form_order() {
        let s = loaded(status(Some(3), 0, 0, true))
            .apply(Action::Edit(Field::Email, "erika@".into()))
            .apply(Action::Edit(Field::Persons, "3".into()))
            .apply(Action::Edit(Field::Organisation, "a\nb".into()));
        assert_eq!(
            s.check(&config()),
            vec![
                (Field::Name, FieldError::Check(Problem::Missing)),
                (Field::Email, FieldError::Check(Problem::NotAnEmail)),
                (
                    Field::Persons,
                    FieldError::Check(Problem::PersonsOutOfRange { max: 2 })
                ),
                (
                    Field::Organisation,
                    FieldError::Check(Problem::BadCharacters)
                ),
            ]
        );
        // Not a number is out of range too, and the text stays as typed.
        let s = s.apply(Action::Edit(Field::Persons, "zwei".into()));
        assert!(s.check(&config()).contains(&(
            Field::Persons,
            FieldError::Check(Problem::PersonsOutOfRange { max: 2 })
        )));
        assert_eq!(s.form.persons, "zwei");
        // Without a waiting list, more persons than seats left are refused at the field.
        let s = filled(loaded(status(Some(3), 2, 0, false)))
            .apply(Action::Edit(Field::Persons, "2".into()));
        assert_eq!(
            s.check(&config()),
            vec![(Field::Persons, FieldError::SeatsLeft(1))]
        );
        let s = s
            .apply(Action::Edit(Field::Name, String::new()))
            .apply(Action::Edit(Field::Organisation, "a\u{0}".into()));
        let fields: Vec<Field> = s.check(&config()).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, [Field::Name, Field::Persons, Field::Organisation]);
        // The collector's lower persons limit counts.
        let mut st = status(Some(50), 0, 0, true);
        st.persons_max = 1;
        let s = filled(loaded(st)).apply(Action::Edit(Field::Persons, "2".into()));
        assert!(
            s.check(&config()).is_empty(),
            "no persons field: one person"
        );
    }

    #[test]
    fn the_registration_sends_only_the_fields_asked_trimmed() {
        let s = filled(loaded(status(Some(3), 0, 0, true)))
            .apply(Action::Edit(Field::Persons, " 2 ".into()))
            .apply(Action::Edit(Field::Organisation, " Verein ".into()))
            .apply(Action::Edit(Field::Phone, "0301234567".into()));
        let r = s
            .registration(&config(), "de-einfach", String::new())
            .expect("valid");
        assert_eq!(
            (
                r.name.as_str(),
                r.persons,
                r.organisation.as_str(),
                r.phone.as_str(),
                r.lang.as_str()
            ),
            ("Erika Mustermann", 2, "Verein", "", "de-einfach")
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let s = s.apply(Action::Edit(Field::Name, long));
        assert_eq!(
            s.registration(&config(), "de", String::new()),
            Err(vec![(
                Field::Name,
                FieldError::Check(Problem::TooLong {
                    max: MAX_NAME_CHARS
                })
            )])
        );
    }

    #[test]
    fn errors_go_field_by_field_and_each_failed_submit_moves_focus() {
        let s = loaded(status(Some(3), 0, 0, true));
        let errors = s.check(&config());
        let s = s.apply(Action::Invalid(errors.clone()));
        assert_eq!(s.errors.focus, 1);
        let s = s.apply(Action::Invalid(errors));
        assert_eq!(s.errors.focus, 2);
        assert_eq!(s.errors.of(Field::Email).count(), 1);
        let s = s.apply(Action::Edit(Field::Email, "e".into()));
        assert_eq!(
            (
                s.errors.of(Field::Email).count(),
                s.errors.of(Field::Name).count()
            ),
            (0, 1)
        );
    }

    #[test]
    fn nothing_typed_is_lost_while_sending_or_after_a_failure() {
        let s = filled(loaded(status(Some(3), 0, 0, true)));
        let typed = s.form.clone();
        let s = s.apply(Action::Send { key: "k1".into() });
        assert!(s.is_sending() && !s.editable());
        let s = s
            .apply(Action::Edit(Field::Name, "changed while sending".into()))
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
        // A retry reuses the key; a change makes a new registration.
        assert_eq!(s.attempt.as_deref(), Some("k1"));
        let s = s.apply(Action::Edit(Field::Name, "Erika M.".into()));
        assert_eq!((s.attempt.as_deref(), &s.phase), (None, &Phase::Editing));
    }

    #[test]
    fn refusals_are_told_apart() {
        let sending =
            || filled(loaded(status(Some(3), 0, 0, false))).apply(Action::Send { key: "k".into() });
        let s = sending().apply(Action::Failed(SendError::refusal(
            409,
            ProblemKind::EventFull,
            &[],
        )));
        assert_eq!(s.phase, Phase::Failed(Failure::Full));
        assert!(s.shows_form(), "the typed form stays");
        let s = sending().apply(Action::Failed(SendError::refusal(
            422,
            ProblemKind::Closed,
            &[],
        )));
        assert_eq!(
            (s.phase.clone(), s.availability()),
            (Phase::Failed(Failure::Closed), Availability::Closed)
        );
        assert!(s.shows_form() && !s.shows_submit());
        // Field errors of the endpoint go to the fields, like the widget's own.
        let s = sending().apply(Action::Failed(SendError::refusal(
            422,
            ProblemKind::InvalidSubmission,
            &[("/email", "email is not an e-mail address")],
        )));
        assert_eq!((s.phase.clone(), s.errors.focus), (Phase::Editing, 1));
        assert_eq!(
            s.errors.list,
            vec![(
                Field::Email,
                FieldError::Server("email is not an e-mail address".into())
            )]
        );
        // Errors the form cannot show at a field are a refusal with the endpoint's detail.
        let s = sending().apply(Action::Failed(SendError::refusal(
            422,
            ProblemKind::InvalidSubmission,
            &[("/lang", "lang must be de")],
        )));
        assert_eq!(s.phase, Phase::Failed(Failure::Rejected("refused".into())));
        let s = sending().apply(Action::Failed(SendError::refusal(
            403,
            ProblemKind::OriginNotAllowed,
            &[],
        )));
        assert_eq!(s.phase, Phase::Failed(Failure::Rejected("refused".into())));
    }

    #[test]
    fn a_registration_is_final_and_remembered_without_what_was_typed() {
        let s = filled(loaded(status(Some(3), 0, 0, true)))
            .apply(Action::Edit(Field::Persons, "2".into()))
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Sent {
                placement: Placement::WaitingList,
                calendar: Some(Calendar {
                    url: "blob:x".into(),
                    file_name: "werkstatt.ics".into(),
                }),
            });
        assert_eq!(
            s.phase,
            Phase::Registered {
                placement: Placement::WaitingList,
                persons: Some(2),
                just_now: true
            }
        );
        assert!(!s.shows_form() && !s.shows_submit());
        assert!(s.calendar.is_some());
        let s = s.apply(Action::Edit(Field::Name, "again".into()));
        assert_eq!(s.form.name, " Erika Mustermann ");
        let later = Signup::new(&config(), false, Some(Placement::Seat));
        assert_eq!(
            later.phase,
            Phase::Registered {
                placement: Placement::Seat,
                persons: None,
                just_now: false
            }
        );
    }
}
