//! The poll's form: question, answers as native radio buttons or checkboxes, one submit button,
//! and the live regions that announce progress and errors.

use super::state::{Invalid, Phase, PollState};
use mitmachen_shared::config::PollConfig;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::text;
use std::rc::Rc;
use yew::prelude::*;

pub struct Props {
    pub config: Rc<PollConfig>,
    pub texts: Rc<Texts>,
    pub state: UseReducerHandle<PollState>,
    pub on_pick: Callback<OptionKey>,
    pub on_submit: Callback<SubmitEvent>,
    pub status_ref: NodeRef,
    pub first_input_ref: NodeRef,
    pub honeypot_ref: NodeRef,
}

fn hint(config: &PollConfig, texts: &Texts, closed: bool) -> Option<String> {
    let mut parts = Vec::new();
    if config.max_choices() > 1 && !closed {
        parts.push(texts.fill(
            Text::HintMultiple,
            &[("max", &config.max_choices().to_string())],
        ));
    }
    if let (Some(t), false) = (config.closes_at, closed) {
        parts.push(texts.fill(Text::OpenUntil, &[("date", &texts.date_time(t))]));
    }
    (!parts.is_empty()).then(|| text::join(&parts, " "))
}

pub fn view(props: &Props) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    let closed = state.phase == Phase::Closed;
    let multiple = config.max_choices() > 1;
    let locked = !state.accepts_input();
    let invalid_text = state.invalid.map(|i| match i {
        Invalid::NothingChosen => texts.get(Text::NothingChosen).to_owned(),
        Invalid::TooMany { max } => texts.fill(Text::TooMany, &[("max", &max.to_string())]),
    });
    let hint_text = hint(config, texts, closed);
    let described_by = [
        hint_text.as_ref().map(|_| "mm-hint"),
        invalid_text.as_ref().map(|_| "mm-invalid"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let described_by = text::join(&described_by, " ");
    let described_by = (!described_by.is_empty()).then_some(described_by);
    let heading = format!("h{}", config.heading_level);
    let sending = state.phase.is_sending();
    let show_button = matches!(
        state.phase,
        Phase::Open | Phase::Failed(_) | Phase::Sending { .. }
    );
    // After voting the disabled answers are pale; the citizen's own answer is said in words.
    let answered = matches!(state.phase, Phase::Submitted { .. }).then(|| {
        let mut chosen = String::new();
        for option in config.options.iter().filter(|o| state.is_selected(&o.key)) {
            if !chosen.is_empty() {
                chosen.push_str(", ");
            }
            chosen.push_str(&option.label);
        }
        let text = if state.selected.len() > 1 {
            Text::YourAnswers
        } else {
            Text::YourAnswer
        };
        texts.fill(text, &[("answer", &chosen)])
    });
    let button_text = match state.phase {
        Phase::Failed(_) => texts.get(Text::Retry),
        _ => texts.get(Text::Submit),
    };

    let options = config.options.iter().enumerate().map(|(i, option)| {
        let key = option.key.clone();
        let on_pick = props.on_pick.clone();
        let onchange = Callback::from(move |_: Event| on_pick.emit(key.clone()));
        html! {
            <label class="mm-option" key={option.key.as_str().to_owned()}>
                <input
                    ref={if i == 0 { props.first_input_ref.clone() } else { NodeRef::default() }}
                    type={if multiple { "checkbox" } else { "radio" }}
                    name="choice"
                    value={option.key.as_str().to_owned()}
                    checked={state.is_selected(&option.key)}
                    disabled={locked}
                    aria-invalid={invalid_text.as_ref().map(|_| "true")}
                    aria-describedby={described_by.clone()}
                    {onchange}
                />
                <span>{ &option.label }</span>
            </label>
        }
    });

    html! {
        <form class="mm-poll" novalidate=true aria-busy={sending.then_some("true")} onsubmit={props.on_submit.clone()}>
            if closed {
                <@{heading} class="mm-heading">{ &config.question }</@>
            } else {
                <fieldset>
                    <legend><@{heading} class="mm-heading">{ &config.question }</@></legend>
                    if let Some(h) = hint_text {
                        <p class="mm-hint" id="mm-hint">{ h }</p>
                    }
                    if let Some(message) = invalid_text.clone() {
                        <p class="mm-field-error" id="mm-invalid">{ message }</p>
                    }
                    <div class="mm-options">{ for options }</div>
                </fieldset>
                if show_button {
                    <button type="submit" class="mm-submit" aria-disabled={sending.then_some("true")}>
                        { button_text }
                    </button>
                    { crate::honeypot::view(&props.honeypot_ref) }
                }
            }
            if let Some(answer) = answered {
                <p class="mm-answer">{ answer }</p>
            }
            <p class={state.phase.status_class()}
               role="status" tabindex="-1" ref={props.status_ref.clone()}>
                { state.phase.status(texts, Text::Thanks, Text::AlreadyAnswered) }
            </p>
            <p class="mm-alert" role="alert">{ state.phase.alert(texts) }</p>
        </form>
    }
}
