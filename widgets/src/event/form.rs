//! The registration form: native inputs with their labels, what is required said in words, the
//! error summary (links to the fields) and each field's error tied to it, the data-use note
//! beside the link to the town's privacy notice, one submit button.

use super::state::{FieldError, Signup};
use mitmachen_shared::config::EventConfig;
use mitmachen_shared::event::{
    Ask, Field, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_ORGANISATION_CHARS,
    MAX_PHONE_CHARS, Placement, Problem,
};
use mitmachen_shared::messages::{Text, Texts};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

pub struct Props<'a> {
    pub config: &'a EventConfig,
    pub texts: &'a Texts,
    pub state: &'a Signup,
    /// A field changed: which, and its new value.
    pub on_edit: Callback<(Field, String)>,
    /// A link in the error summary was followed: focus that field.
    pub on_jump: Callback<Field>,
    /// One per field, in `Field::ALL` order.
    pub field_refs: &'a [NodeRef; 6],
    pub summary_ref: NodeRef,
    pub honeypot_ref: NodeRef,
}

/// The element id of a field's input (ids are per shadow root, so per widget).
fn input_id(field: Field) -> String {
    format!("mm-e-{}", field.name())
}

pub fn label(texts: &Texts, config: &EventConfig, field: Field) -> String {
    let text = match field {
        Field::Name => Text::FieldName,
        Field::Email => Text::FieldEmail,
        Field::Persons => Text::FieldPersons,
        Field::Phone => Text::FieldPhone,
        Field::Organisation => Text::FieldOrganisation,
        Field::Note => return config.fields.note.clone().unwrap_or_default(),
    };
    texts.get(text).to_owned()
}

pub fn error_text(texts: &Texts, field: Field, error: &FieldError) -> String {
    let number = |n: &dyn ToString| n.to_string();
    match error {
        FieldError::Check(problem) => match *problem {
            Problem::Missing => texts
                .get(match field {
                    Field::Name => Text::ErrorName,
                    Field::Email => Text::ErrorEmailMissing,
                    _ => Text::ErrorMissing,
                })
                .to_owned(),
            Problem::TooLong { max } => texts.fill(Text::ErrorTooLong, &[("max", &number(&max))]),
            Problem::BadCharacters => texts.get(Text::ErrorCharacters).to_owned(),
            Problem::NotAnEmail => texts.get(Text::ErrorEmail).to_owned(),
            Problem::NotAPhoneNumber => texts.get(Text::ErrorPhone).to_owned(),
            Problem::PersonsOutOfRange { max } => {
                texts.fill(Text::ErrorPersons, &[("max", &number(&max))])
            }
            // A registration form never finds these (they belong to the newsletter's form).
            Problem::NotAsked | Problem::BadChoice | Problem::NotAWebAddress => {
                texts.fill(Text::ErrorNotAccepted, &[("detail", &problem.detail())])
            }
        },
        FieldError::SeatsLeft(left) => texts.fill(Text::ErrorSeats, &[("left", &number(left))]),
        FieldError::Server(detail) => texts.fill(Text::ErrorNotAccepted, &[("detail", detail)]),
    }
}

/// Which fields the form has, in order, and whether each must be filled in.
fn asked(config: &EventConfig, persons_max: u32) -> Vec<(Field, bool)> {
    let f = &config.fields;
    let optional = |field, ask: Ask| ask.asked().then_some((field, ask == Ask::Required));
    [
        Some((Field::Name, true)),
        Some((Field::Email, true)),
        (persons_max > 1).then_some((Field::Persons, true)),
        optional(Field::Phone, f.phone),
        optional(Field::Organisation, f.organisation),
        f.note.as_ref().map(|_| (Field::Note, false)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn field_view(props: &Props, field: Field, required: bool, persons_max: u32) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    let id = input_id(field);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let hint = match field {
        Field::Email => Some(texts.get(Text::EmailHint).to_owned()),
        Field::Persons => Some(texts.fill(Text::PersonsHint, &[("max", &persons_max.to_string())])),
        _ => None,
    };
    let errors: Vec<String> = state
        .errors_of(field)
        .map(|e| error_text(texts, field, e))
        .collect();
    let invalid = !errors.is_empty();
    let described_by = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    let marker = texts.get(if required {
        Text::Required
    } else {
        Text::Optional
    });
    let readonly = !state.editable();
    let node_ref = Field::ALL
        .iter()
        .position(|f| *f == field)
        .and_then(|i| props.field_refs.get(i))
        .cloned()
        .unwrap_or_default();
    let value = state.form.value(field).to_owned();
    let on_edit = props.on_edit.clone();
    let control = if field == Field::Note {
        let oninput = Callback::from(move |e: InputEvent| {
            on_edit.emit((
                field,
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        });
        html! {
            <textarea id={id.clone()} ref={node_ref} name="note" rows="3"
                      maxlength={MAX_NOTE_CHARS.to_string()} {value} {oninput} {readonly}
                      aria-invalid={invalid.then_some("true")} aria-describedby={described_by} />
        }
    } else {
        let oninput = Callback::from(move |e: InputEvent| {
            on_edit.emit((field, e.target_unchecked_into::<HtmlInputElement>().value()))
        });
        let (kind, autocomplete, max_chars) = match field {
            Field::Name => ("text", Some("name"), MAX_NAME_CHARS),
            Field::Email => ("email", Some("email"), MAX_EMAIL_CHARS),
            Field::Persons => ("number", None, 2),
            Field::Phone => ("tel", Some("tel"), MAX_PHONE_CHARS),
            _ => ("text", Some("organization"), MAX_ORGANISATION_CHARS),
        };
        let persons = field == Field::Persons;
        html! {
            <input id={id.clone()} ref={node_ref} name={field.name()} type={kind}
                   autocomplete={autocomplete}
                   spellcheck={(field == Field::Email).then_some("false")}
                   inputmode={persons.then_some("numeric")}
                   min={persons.then_some("1")}
                   max={persons.then(|| persons_max.to_string())}
                   maxlength={(!persons).then(|| max_chars.to_string())}
                   {required} {value} {oninput} {readonly}
                   aria-invalid={invalid.then_some("true")} aria-describedby={described_by} />
        }
    };
    html! {
        <div class="mm-field" key={field.name()}>
            <label for={id}>
                { label(texts, config, field) }
                <span class="mm-marker">{ format!(" ({marker})") }</span>
            </label>
            if let Some(hint) = hint {
                <p class="mm-field-hint" id={hint_id}>{ hint }</p>
            }
            <p class="mm-field-error" id={error_id}>{ errors.join(" ") }</p>
            { control }
        </div>
    }
}

fn summary(props: &Props) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    if state.errors.is_empty() {
        return html! {};
    }
    let items = state.errors.iter().map(|(field, error)| {
        let field = *field;
        let on_jump = props.on_jump.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_jump.emit(field);
        });
        html! {
            <li>
                <a href={format!("#{}", input_id(field))} {onclick}>
                    { format!("{}: {}", label(texts, config, field), error_text(texts, field, error)) }
                </a>
            </li>
        }
    });
    html! {
        <div class="mm-error-summary" role="group" aria-labelledby="mm-e-summary" tabindex="-1"
             ref={props.summary_ref.clone()}>
            <p class="mm-error-title" id="mm-e-summary">{ texts.get(Text::ErrorSummary) }</p>
            <ul>{ for items }</ul>
        </div>
    }
}

pub fn view(props: &Props) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    let heading = format!("h{}", (config.heading_level + 1).min(6));
    let persons_max = state.fields(config).persons_max;
    let fields = asked(config, persons_max)
        .into_iter()
        .map(|(field, required)| field_view(props, field, required, persons_max));
    let button = if matches!(state.phase, super::state::Phase::Failed(_)) {
        texts.get(Text::Retry)
    } else if state.expected_placement() == Some(Placement::WaitingList) {
        texts.get(Text::SubmitWaitingList)
    } else {
        texts.get(Text::SubmitRegistration)
    };
    html! {
        <div class="mm-register">
            <@{heading} class="mm-subheading">{ texts.get(Text::RegisterHeading) }</@>
            { summary(props) }
            { for fields }
            <p class="mm-meta">
                { texts.get(Text::DataUse) }
                { " " }
                <a class="mm-link" href={config.privacy_url.clone()} target="_blank" rel="noopener">
                    { texts.get(Text::PrivacyLink) }
                </a>
            </p>
            if state.shows_submit() {
                <button type="submit" class="mm-submit" aria-disabled={state.is_sending().then_some("true")}>
                    { button }
                </button>
                { crate::honeypot::view(&props.honeypot_ref) }
            }
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
        assert_eq!(
            error_text(&texts, Field::Name, &FieldError::Check(Problem::Missing)),
            "Bitte geben Sie Ihren Namen an."
        );
        assert_eq!(
            error_text(&texts, Field::Phone, &FieldError::Check(Problem::Missing)),
            "Bitte füllen Sie dieses Feld aus."
        );
        assert_eq!(
            error_text(
                &texts,
                Field::Persons,
                &FieldError::Check(Problem::PersonsOutOfRange { max: 4 })
            ),
            "Bitte geben Sie eine ganze Zahl von 1 bis 4 an."
        );
        assert!(
            error_text(&texts, Field::Email, &FieldError::Server("bad".into())).ends_with(": bad")
        );
    }
}
