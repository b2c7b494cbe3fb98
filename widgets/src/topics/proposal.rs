//! The "propose a topic" form: its state as data (what was typed, what is wrong, where the
//! proposal is), and its view. The rules are the protocol's own (`Submission::validate`), so
//! the widget refuses exactly what the endpoint would.

use crate::transport::SendError;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::protocol::{
    MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, MIN_TITLE_CHARS, Proposal, Submission,
};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Editing,
    Sending,
    /// Stored; it waits for moderation.
    Sent,
    Failed(SendError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalState {
    pub title: String,
    pub description: String,
    pub phase: Phase,
    pub title_invalid: bool,
    pub description_invalid: bool,
    /// The idempotency key of the proposal being sent; a changed text gets a new one.
    pub attempt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Title(String),
    Description(String),
    Invalid { title: bool, description: bool },
    Send { key: String },
    Sent,
    Failed(SendError),
}

impl Default for ProposalState {
    fn default() -> Self {
        ProposalState {
            title: String::new(),
            description: String::new(),
            phase: Phase::Editing,
            title_invalid: false,
            description_invalid: false,
            attempt: None,
        }
    }
}

impl ProposalState {
    pub fn submission(&self, honeypot: String) -> Submission {
        Submission::Proposal(Proposal {
            title: self.title.clone(),
            description: self.description.clone(),
            honeypot,
        })
    }

    /// Which fields break the protocol's rules: (title, description).
    pub fn invalid_fields(&self) -> (bool, bool) {
        match self.submission(String::new()).validate() {
            Ok(()) => (false, false),
            Err(errors) => (
                errors.iter().any(|e| e.pointer.starts_with("/title")),
                errors.iter().any(|e| e.pointer.starts_with("/description")),
            ),
        }
    }

    pub fn apply(mut self, action: Action) -> Self {
        let editable = !matches!(self.phase, Phase::Sending);
        match action {
            Action::Title(t) if editable => {
                self.title = t;
                self.title_invalid = false;
                self.attempt = None;
                self.phase = Phase::Editing;
            }
            Action::Description(d) if editable => {
                self.description = d;
                self.description_invalid = false;
                self.attempt = None;
                self.phase = Phase::Editing;
            }
            Action::Invalid { title, description } if editable => {
                self.title_invalid = title;
                self.description_invalid = description;
            }
            Action::Send { key } if editable => {
                self.attempt = Some(key);
                self.phase = Phase::Sending;
            }
            Action::Sent if self.phase == Phase::Sending => {
                // The form is ready for the next proposal.
                self = ProposalState {
                    phase: Phase::Sent,
                    ..ProposalState::default()
                };
            }
            Action::Failed(e) if self.phase == Phase::Sending => self.phase = Phase::Failed(e),
            _ => {}
        }
        self
    }
}

impl Reducible for ProposalState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

pub struct Props<'a> {
    pub texts: &'a Texts,
    pub heading_level: u8,
    pub state: &'a UseReducerHandle<ProposalState>,
    pub on_submit: Callback<SubmitEvent>,
    pub honeypot_ref: NodeRef,
    pub title_ref: NodeRef,
}

fn counter(texts: &Texts, text: &str, max: usize) -> String {
    texts.fill(
        Text::Characters,
        &[
            ("count", &text.chars().count().to_string()),
            ("max", &max.to_string()),
        ],
    )
}

pub fn view(props: &Props) -> Html {
    let Props { texts, state, .. } = props;
    let heading = format!("h{}", (props.heading_level + 1).min(6));
    let sending = state.phase == Phase::Sending;
    let on_title = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            dispatch.dispatch(Action::Title(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_description = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            dispatch.dispatch(Action::Description(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let title_error = state.title_invalid.then(|| {
        texts.fill(
            Text::ProposalTitleInvalid,
            &[
                ("min", &MIN_TITLE_CHARS.to_string()),
                ("max", &MAX_TITLE_CHARS.to_string()),
            ],
        )
    });
    let description_error = state.description_invalid.then(|| {
        texts.fill(
            Text::ProposalDescriptionInvalid,
            &[("max", &MAX_DESCRIPTION_CHARS.to_string())],
        )
    });
    let status = match state.phase {
        Phase::Sending => texts.get(Text::SendingProposal).to_owned(),
        Phase::Sent => texts.get(Text::ProposalThanks).to_owned(),
        _ => String::new(),
    };
    let alert = match &state.phase {
        Phase::Failed(error) => crate::ballot::failure(error, texts),
        _ => String::new(),
    };
    html! {
        <form class="mm-propose" novalidate=true aria-busy={sending.then_some("true")} onsubmit={props.on_submit.clone()}>
            <@{heading} class="mm-heading">{ texts.get(Text::ProposeHeading) }</@>
            <div class="mm-field">
                <label for="mm-p-title">{ texts.get(Text::ProposalTitle) }</label>
                <input id="mm-p-title" ref={props.title_ref.clone()} type="text" autocomplete="off"
                       maxlength={MAX_TITLE_CHARS.to_string()} value={state.title.clone()} oninput={on_title}
                       aria-invalid={state.title_invalid.then_some("true")}
                       aria-describedby="mm-p-title-count mm-p-title-error" />
                <p class="mm-count" id="mm-p-title-count">{ counter(texts, &state.title, MAX_TITLE_CHARS) }</p>
                <p class="mm-field-error" id="mm-p-title-error">{ title_error.unwrap_or_default() }</p>
            </div>
            <div class="mm-field">
                <label for="mm-p-description">{ texts.get(Text::ProposalDescription) }</label>
                <textarea id="mm-p-description" rows="3" maxlength={MAX_DESCRIPTION_CHARS.to_string()}
                          value={state.description.clone()} oninput={on_description}
                          aria-invalid={state.description_invalid.then_some("true")}
                          aria-describedby="mm-p-description-count mm-p-description-error" />
                <p class="mm-count" id="mm-p-description-count">{ counter(texts, &state.description, MAX_DESCRIPTION_CHARS) }</p>
                <p class="mm-field-error" id="mm-p-description-error">{ description_error.unwrap_or_default() }</p>
            </div>
            <button type="submit" class="mm-submit" aria-disabled={sending.then_some("true")}>
                { texts.get(Text::SubmitProposal) }
            </button>
            { crate::honeypot::view(&props.honeypot_ref) }
            <p class={classes!("mm-status", (state.phase == Phase::Sent).then_some("mm-done"))} role="status">{ status }</p>
            <p class="mm-alert" role="alert">{ alert }</p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocols_limits_mark_the_fields() {
        let s = ProposalState::default().apply(Action::Title("ab".into()));
        assert_eq!(s.invalid_fields(), (true, false));
        let s = s
            .apply(Action::Title("  Radweg  ".into()))
            .apply(Action::Description("x".repeat(1001)));
        assert_eq!(s.invalid_fields(), (false, true));
        let s = s.apply(Action::Description("Zur Schule".into()));
        assert_eq!(s.invalid_fields(), (false, false));
    }

    #[test]
    fn typing_clears_an_error_and_a_failed_text_is_kept() {
        let s = ProposalState::default()
            .apply(Action::Title("ab".into()))
            .apply(Action::Invalid {
                title: true,
                description: false,
            });
        assert!(s.title_invalid);
        let s = s.apply(Action::Title("abc".into()));
        assert!(!s.title_invalid);
        let s = s
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Failed(SendError::Unreachable));
        assert_eq!((s.title.as_str(), s.attempt.as_deref()), ("abc", Some("k")));
        let s = s
            .apply(Action::Send { key: "k".into() })
            .apply(Action::Sent);
        assert_eq!((s.title.as_str(), &s.phase), ("", &Phase::Sent));
    }
}
