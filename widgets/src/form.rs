//! What the forms with typed fields share (event sign-up, newsletter opt-in): what is wrong with
//! a field and the words for it, a field with its label, hint and errors tied to its control,
//! and the error summary that takes the focus after a failed submit.

use crate::browser;
use mitmachen_shared::event::Problem;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::text;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What is wrong with one field, for the citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// A rule of the shared checks (`check_registration`, `check_subscription`).
    Check(Problem),
    /// More persons than seats left, and no waiting list.
    SeatsLeft(u32),
    /// The endpoint refused the field; its detail.
    Server(String),
}

/// The words for an error; `missing` is what to say when the field is empty.
pub fn error_text(texts: &Texts, error: &FieldError, missing: Text) -> String {
    let number = |n: &dyn ToString| n.to_string();
    match error {
        FieldError::Check(problem) => match *problem {
            Problem::Missing => texts.get(missing).to_owned(),
            Problem::TooLong { max } => texts.fill(Text::ErrorTooLong, &[("max", &number(&max))]),
            Problem::BadCharacters => texts.get(Text::ErrorCharacters).to_owned(),
            Problem::NotAnEmail => texts.get(Text::ErrorEmail).to_owned(),
            Problem::NotAPhoneNumber => texts.get(Text::ErrorPhone).to_owned(),
            Problem::PersonsOutOfRange { max } => {
                texts.fill(Text::ErrorPersons, &[("max", &number(&max))])
            }
            // Nothing a citizen types leads to these: a field the form does not ask, a choice
            // it does not offer, an address the page supplies.
            Problem::NotAsked | Problem::BadChoice | Problem::NotAWebAddress => {
                texts.fill(Text::ErrorNotAccepted, &[("detail", &problem.detail())])
            }
        },
        FieldError::SeatsLeft(left) => texts.fill(Text::ErrorSeats, &[("left", &number(left))]),
        FieldError::Server(detail) => texts.fill(Text::ErrorNotAccepted, &[("detail", detail)]),
    }
}

/// The problems a form shows at its fields, in form order, and how often a submit was refused:
/// each refusal moves the focus to the error summary once more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors<F> {
    pub list: Vec<(F, FieldError)>,
    /// Counts refused submits; the view moves the focus to the summary when it changes.
    pub focus: u32,
}

impl<F> Default for Errors<F> {
    fn default() -> Self {
        Errors {
            list: Vec::new(),
            focus: 0,
        }
    }
}

impl<F: Copy + PartialEq> Errors<F> {
    /// A refused submit: these problems replace those before, and the summary takes the focus.
    pub fn show(&mut self, list: Vec<(F, FieldError)>) {
        self.list = list;
        self.focus += 1;
    }

    /// An endpoint's refusal: its errors are shown like the form's own when every one points
    /// at a field the form shows (`field` names it: `/email`, or `/lists/1` for the lists).
    /// `false` when any does not, or there are none: then the refusal as a whole is what the
    /// citizen is told.
    pub fn show_server(
        &mut self,
        errors: &[(String, String)],
        field: impl Fn(&str) -> Option<F>,
    ) -> bool {
        let at_fields: Option<Vec<_>> = errors
            .iter()
            .map(|(pointer, detail)| {
                let name = pointer.strip_prefix('/')?.split('/').next()?;
                Some((field(name)?, FieldError::Server(detail.clone())))
            })
            .collect();
        match at_fields {
            Some(list) if !list.is_empty() => {
                self.show(list);
                true
            }
            _ => false,
        }
    }

    /// The citizen changed the field: its problems go.
    pub fn clear(&mut self, field: F) {
        self.list.retain(|(f, _)| *f != field);
    }

    /// The problems of one field.
    pub fn of(&self, field: F) -> impl Iterator<Item = &FieldError> {
        self.list
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, e)| e)
    }
}

/// One field as the citizen sees it: the label, saying in words whether it must be filled in, a
/// hint, the field's errors, and its control, which [`Field::described_by`] and
/// [`Field::invalid`] tie to both.
pub struct Field {
    /// The control's element id (ids are per shadow root, so per widget); the hint's and the
    /// errors' ids are made from it.
    pub id: String,
    pub label: String,
    pub required: bool,
    pub hint: Option<String>,
    pub errors: Vec<String>,
}

impl Field {
    pub fn described_by(&self) -> String {
        match self.hint {
            Some(_) => format!("{0}-hint {0}-error", self.id),
            None => format!("{}-error", self.id),
        }
    }

    pub fn invalid(&self) -> Option<&'static str> {
        (!self.errors.is_empty()).then_some("true")
    }

    pub fn view(self, texts: &Texts, control: Html) -> Html {
        let marker = texts.get(if self.required {
            Text::Required
        } else {
            Text::Optional
        });
        html! {
            <div class="mm-field" key={self.id.clone()}>
                <label for={self.id.clone()}>
                    { self.label }
                    <span class="mm-marker">{ format!(" ({marker})") }</span>
                </label>
                if let Some(hint) = self.hint {
                    <p class="mm-field-hint" id={format!("{}-hint", self.id)}>{ hint }</p>
                }
                <p class="mm-field-error" id={format!("{}-error", self.id)}>{ text::join(&self.errors, " ") }</p>
                { control }
            </div>
        }
    }
}

/// A one-line input for a [`Field`].
pub struct Input<'a> {
    pub name: &'static str,
    /// `text`, `email`, `tel` or `number` (a whole number from 1 to `max`).
    pub kind: &'static str,
    pub autocomplete: Option<&'static str>,
    /// Most characters, or for a number its largest value.
    pub max: usize,
    pub required: bool,
    pub value: &'a str,
    pub readonly: bool,
    pub on_input: Callback<String>,
}

pub fn input(field: &Field, i: Input) -> Html {
    let number = i.kind == "number";
    let on_input = i.on_input;
    let oninput = Callback::from(move |e: InputEvent| {
        on_input.emit(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    html! {
        <input id={field.id.clone()} name={i.name} type={i.kind} autocomplete={i.autocomplete}
               spellcheck={(i.kind == "email").then_some("false")}
               inputmode={number.then_some("numeric")}
               min={number.then_some("1")}
               max={number.then(|| i.max.to_string())}
               maxlength={(!number).then(|| i.max.to_string())}
               required={i.required} value={i.value.to_owned()} {oninput} readonly={i.readonly}
               aria-invalid={field.invalid()} aria-describedby={field.described_by()} />
    }
}

/// The error summary: one link per error, `(control id, what to say)`, each leading to its
/// field. `node_ref` takes the focus after each failed submit.
pub fn summary(texts: &Texts, node_ref: NodeRef, errors: Vec<(String, String)>) -> Html {
    if errors.is_empty() {
        return html! {};
    }
    let items = errors.into_iter().map(|(id, line)| {
        let href = format!("#{id}");
        let onclick = Callback::from(move |e: MouseEvent| {
            // A fragment link does not reach into a shadow root: focus the control directly.
            e.prevent_default();
            browser::focus_by_id(&e, &id);
        });
        html! { <li><a {href} {onclick}>{ line }</a></li> }
    });
    html! {
        <div class="mm-error-summary" role="group" aria-labelledby="mm-summary" tabindex="-1"
             ref={node_ref}>
            <p class="mm-error-title" id="mm-summary">{ texts.get(Text::ErrorSummary) }</p>
            <ul>{ for items }</ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::messages::Lang;

    #[test]
    fn every_problem_has_words_for_the_citizen() {
        let texts = Texts::new(Lang::De);
        let check = |p| FieldError::Check(p);
        assert_eq!(
            error_text(&texts, &check(Problem::Missing), Text::ErrorName),
            "Bitte geben Sie Ihren Namen an."
        );
        assert_eq!(
            error_text(
                &texts,
                &check(Problem::PersonsOutOfRange { max: 4 }),
                Text::ErrorMissing
            ),
            "Bitte geben Sie eine ganze Zahl von 1 bis 4 an."
        );
        assert!(
            error_text(
                &texts,
                &FieldError::Server("bad".into()),
                Text::ErrorMissing
            )
            .ends_with(": bad")
        );
        assert!(
            error_text(&texts, &check(Problem::BadChoice), Text::ErrorMissing)
                .starts_with("Diese Angabe wurde nicht angenommen: ")
        );
    }

    #[test]
    fn server_errors_go_to_fields_only_when_all_of_them_can() {
        let field = |name: &str| ["email", "lists"].into_iter().find(|f| *f == name);
        let errors = |e: &[(&str, &str)]| -> Vec<(String, String)> {
            e.iter()
                .map(|(p, d)| ((*p).to_owned(), (*d).to_owned()))
                .collect()
        };
        let mut shown = Errors::default();
        assert!(shown.show_server(&errors(&[("/email", "no"), ("/lists/1", "unknown")]), field));
        assert_eq!(
            (shown.list.clone(), shown.focus),
            (
                vec![
                    ("email", FieldError::Server("no".into())),
                    ("lists", FieldError::Server("unknown".into()))
                ],
                1
            )
        );
        for refused in [
            &[("/email", "no"), ("/page", "bad")][..],
            &[("email", "no")],
            &[],
        ] {
            let mut e = Errors::default();
            assert!(!e.show_server(&errors(refused), field), "{refused:?}");
            assert_eq!(e, Errors::default());
        }
        shown.clear("email");
        assert_eq!(shown.of("email").count(), 0);
        assert_eq!(shown.of("lists").count(), 1);
    }
}
