//! The registration form: native inputs with their labels, what is required said in words, the
//! error summary (links to the fields) and each field's error tied to it, the data-use note
//! beside the link to the town's privacy notice, one submit button.

use super::state::Signup;
use crate::form::{self, Field as FieldView, FieldError, Input};
use mitmachen_shared::config::EventConfig;
use mitmachen_shared::event::{
    Ask, Field, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_ORGANISATION_CHARS,
    MAX_PHONE_CHARS, Placement,
};
use mitmachen_shared::messages::{Text, Texts};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

pub struct Props<'a> {
    pub config: &'a EventConfig,
    pub texts: &'a Texts,
    pub state: &'a Signup,
    /// A field changed: which, and its new value.
    pub on_edit: Callback<(Field, String)>,
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
    let missing = match field {
        Field::Name => Text::ErrorName,
        Field::Email => Text::ErrorEmailMissing,
        _ => Text::ErrorMissing,
    };
    form::error_text(texts, error, missing)
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
    let view = FieldView {
        id: input_id(field),
        label: label(texts, config, field),
        required,
        hint: match field {
            Field::Email => Some(texts.get(Text::EmailHint).to_owned()),
            Field::Persons => {
                Some(texts.fill(Text::PersonsHint, &[("max", &persons_max.to_string())]))
            }
            _ => None,
        },
        errors: state
            .errors
            .of(field)
            .map(|e| error_text(texts, field, e))
            .collect(),
    };
    let readonly = !state.editable();
    let value = state.form.value(field);
    let on_edit = props.on_edit.clone();
    let control = if field == Field::Note {
        let oninput = Callback::from(move |e: InputEvent| {
            on_edit.emit((
                field,
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        });
        html! {
            <textarea id={view.id.clone()} name="note" rows="3"
                      maxlength={MAX_NOTE_CHARS.to_string()} value={value.to_owned()} {oninput} {readonly}
                      aria-invalid={view.invalid()} aria-describedby={view.described_by()} />
        }
    } else {
        let (kind, autocomplete, max) = match field {
            Field::Name => ("text", Some("name"), MAX_NAME_CHARS),
            Field::Email => ("email", Some("email"), MAX_EMAIL_CHARS),
            Field::Persons => ("number", None, persons_max as usize),
            Field::Phone => ("tel", Some("tel"), MAX_PHONE_CHARS),
            _ => ("text", Some("organization"), MAX_ORGANISATION_CHARS),
        };
        form::input(
            &view,
            Input {
                name: field.name(),
                kind,
                autocomplete,
                max,
                required,
                value,
                readonly,
                on_input: Callback::from(move |value| on_edit.emit((field, value))),
            },
        )
    };
    view.view(texts, control)
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
    let errors = state.errors.list.iter().map(|(field, error)| {
        let line = format!(
            "{}: {}",
            label(texts, config, *field),
            error_text(texts, *field, error)
        );
        (input_id(*field), line)
    });
    let summary = form::summary(texts, props.summary_ref.clone(), errors.collect());
    html! {
        <div class="mm-register">
            <@{heading} class="mm-subheading">{ texts.get(Text::RegisterHeading) }</@>
            { summary }
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
