//! The opt-in form: the e-mail address, the name if the editor asks it, the lists as checkboxes
//! when there is a choice, the error summary and each field's errors tied to it, the consent
//! text right before the one submit button with the privacy notice beside it.

use super::state::{OptIn, Phase};
use crate::form::{self, Field, FieldError, Input};
use mitmachen_shared::config::NewsletterConfig;
use mitmachen_shared::event::{Ask, MAX_EMAIL_CHARS, MAX_NAME_CHARS};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::newsletter::SubscriptionField;
use mitmachen_shared::text;
use yew::prelude::*;

pub struct Props<'a> {
    pub config: &'a NewsletterConfig,
    pub texts: &'a Texts,
    pub state: &'a OptIn,
    /// The consent text as shown, which the request carries.
    pub consent: &'a str,
    /// The e-mail or name field changed: which, and its new value.
    pub on_edit: Callback<(SubscriptionField, String)>,
    pub on_toggle: Callback<OptionKey>,
    pub summary_ref: NodeRef,
    pub honeypot_ref: NodeRef,
}

/// The element id of a field's control (for the lists, the first checkbox).
fn control_id(field: SubscriptionField) -> String {
    format!("mm-n-{}", field.name())
}

fn label(texts: &Texts, field: SubscriptionField) -> &str {
    texts.get(match field {
        SubscriptionField::Name => Text::FieldName,
        SubscriptionField::Lists => Text::NewsletterLists,
        _ => Text::FieldEmail,
    })
}

fn error_text(texts: &Texts, field: SubscriptionField, error: &FieldError) -> String {
    let missing = match field {
        SubscriptionField::Name => Text::ErrorName,
        SubscriptionField::Lists => Text::ErrorLists,
        _ => Text::ErrorEmailMissing,
    };
    form::error_text(texts, error, missing)
}

fn errors(props: &Props, field: SubscriptionField) -> Vec<String> {
    props
        .state
        .errors
        .of(field)
        .map(|e| error_text(props.texts, field, e))
        .collect()
}

/// The e-mail or the name field.
fn text_field(props: &Props, field: SubscriptionField) -> Html {
    let (texts, state) = (props.texts, props.state);
    let email = field == SubscriptionField::Email;
    let required = email || props.config.name == Ask::Required;
    let view = Field {
        id: control_id(field),
        label: label(texts, field).to_owned(),
        required,
        hint: email.then(|| texts.get(Text::NewsletterEmailHint).to_owned()),
        errors: errors(props, field),
    };
    let on_edit = props.on_edit.clone();
    let (name, kind, max, value) = if email {
        ("email", "email", MAX_EMAIL_CHARS, &state.form.email)
    } else {
        ("name", "text", MAX_NAME_CHARS, &state.form.name)
    };
    let control = form::input(
        &view,
        Input {
            name,
            kind,
            autocomplete: Some(name),
            max,
            required,
            value,
            readonly: !state.editable(),
            on_input: Callback::from(move |value| on_edit.emit((field, value))),
        },
    );
    view.view(texts, control)
}

/// The lists to choose from, at least one.
fn lists(props: &Props) -> Html {
    let (texts, state) = (props.texts, props.state);
    let field = SubscriptionField::Lists;
    let id = control_id(field);
    let error_id = format!("{id}-error");
    let errors = errors(props, field);
    let invalid = (!errors.is_empty()).then_some("true");
    let boxes = props.config.lists.iter().enumerate().map(|(i, list)| {
        let key = list.key.clone();
        let on_toggle = props.on_toggle.clone();
        let onchange = Callback::from(move |_: Event| on_toggle.emit(key.clone()));
        html! {
            <label class="mm-option" key={list.key.as_str().to_owned()}>
                <input type="checkbox" id={(i == 0).then(|| id.clone())} name="lists"
                       value={list.key.as_str().to_owned()} checked={state.is_chosen(&list.key)}
                       disabled={!state.editable()} aria-invalid={invalid}
                       aria-describedby={error_id.clone()} {onchange} />
                <span>{ &list.label }</span>
            </label>
        }
    });
    html! {
        <fieldset class="mm-lists">
            <legend>
                { label(texts, field) }
                <span class="mm-marker">{ format!(" ({})", texts.get(Text::Required)) }</span>
            </legend>
            <p class="mm-field-error" id={error_id.clone()}>{ text::join(&errors, " ") }</p>
            <div class="mm-options">{ for boxes }</div>
        </fieldset>
    }
}

pub fn view(props: &Props) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    let fields = state.fields.iter().map(|field| match field {
        SubscriptionField::Lists => lists(props),
        field => text_field(props, *field),
    });
    let summary = state.errors.list.iter().map(|(field, error)| {
        let line = format!(
            "{}: {}",
            label(texts, *field),
            error_text(texts, *field, error)
        );
        (control_id(*field), line)
    });
    let button = if matches!(state.phase, Phase::Failed(_)) {
        texts.get(Text::Retry)
    } else {
        texts.get(Text::SubmitSubscription)
    };
    html! {
        <>
            { form::summary(texts, props.summary_ref.clone(), summary.collect()) }
            { for fields }
            <p class="mm-agree">
                <span class="mm-consent" id="mm-n-consent">{ props.consent }</span>
                { " " }
                <a class="mm-link" href={config.privacy_url.clone()} target="_blank" rel="noopener">
                    { texts.get(Text::PrivacyLink) }
                </a>
            </p>
            <button type="submit" class="mm-submit" aria-describedby="mm-n-consent"
                    aria-disabled={state.is_sending().then_some("true")}>
                { button }
            </button>
            { crate::honeypot::view(&props.honeypot_ref) }
        </>
    }
}
