//! The newsletter opt-in: the form, the request with its proof of consent, and the message that
//! a confirmation link is on its way (double opt-in: the collector mails the link, and only the
//! address owner's confirmation subscribes).
//!
//! [`state`] holds the rules; `form.rs` and `status.rs` are views; this file wires them to the
//! collector and to the browser (focus, the page's address, events).

mod form;
pub mod state;
mod status;

use crate::{browser, events, honeypot, transport};
use mitmachen_shared::config::{Endpoint, NewsletterConfig};
use mitmachen_shared::event::lang_code;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::newsletter::{SubscriptionField, page_address};
use mitmachen_shared::protocol::{ProblemKind, Submission, Subscription};
use state::{Action, OptIn, Proof};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct NewsletterProps {
    pub id: WidgetId,
    pub endpoint: Endpoint,
    pub config: Rc<NewsletterConfig>,
    pub texts: Rc<Texts>,
    /// The editor's element, where the widget's events are dispatched.
    pub host: Element,
}

/// Sends the request and reports every step to the state. The page hears that a request was
/// stored, never the address, and no receipt: the collector answers alike whether the address
/// was new or known, and so does the widget.
async fn send(
    props: NewsletterProps,
    dispatch: UseReducerDispatcher<OptIn>,
    key: String,
    subscription: Subscription,
) {
    let submission = Submission::Subscription(subscription);
    let waiting = dispatch.clone();
    let sent = transport::submit(&props.endpoint, &props.id, &submission, &key, &move |s| {
        waiting.dispatch(Action::Waiting(s))
    })
    .await;
    let id = props.id.as_str();
    match sent {
        Ok(_) => {
            events::requested(&props.host, id);
            dispatch.dispatch(Action::Sent);
        }
        Err(error) => {
            if error.is_problem(ProblemKind::UnknownNewsletter) {
                browser::console_warn(&format!(
                    "mitmachen [{id}]: the endpoint knows no newsletter with this id; \
                     declare it in the collector's configuration"
                ));
            }
            events::error(&props.host, id, &error.describe());
            dispatch.dispatch(Action::Failed(error));
        }
    }
}

#[function_component]
pub fn NewsletterWidget(props: &NewsletterProps) -> Html {
    let state = use_reducer(|| OptIn::new(&props.config));
    let status_ref = use_node_ref();
    let summary_ref = use_node_ref();
    let honeypot_ref = use_node_ref();
    let texts = &*props.texts;
    let config = &*props.config;
    // The consent text exactly as shown beside the button is the text the request carries.
    let consent = config
        .consent
        .as_deref()
        .unwrap_or_else(|| texts.get(Text::NewsletterConsent))
        .to_owned();

    // One effect for the three moments that move focus or tell the page: interactive at
    // first; after each failed submit, focus to the error summary; once stored, focus to the
    // message (which is also announced). Neither value ever goes back, so (false, 0) is the
    // first render only.
    {
        let (host, id) = (props.host.clone(), props.id.clone());
        let (status_ref, summary_ref) = (status_ref.clone(), summary_ref.clone());
        use_effect_with(
            (state.is_requested(), state.errors.focus),
            move |moment| match *moment {
                (true, _) => browser::focus(&status_ref),
                (false, 0) => events::ready(&host, id.as_str(), "newsletter"),
                _ => browser::focus(&summary_ref),
            },
        );
    }

    let on_edit = {
        let dispatch = state.dispatcher();
        Callback::from(move |(field, value): (SubscriptionField, String)| {
            dispatch.dispatch(Action::Edit(field, value))
        })
    };
    let on_toggle = {
        let dispatch = state.dispatcher();
        Callback::from(move |list| dispatch.dispatch(Action::Toggle(list)))
    };
    let on_submit = {
        let (props, state, honeypot_ref) = (props.clone(), state.clone(), honeypot_ref.clone());
        let consent = consent.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !state.editable() {
                return;
            }
            let dispatch = state.dispatcher();
            let config = &*props.config;
            let href = browser::page_href().unwrap_or_default();
            let privacy = browser::absolute_url(&config.privacy_url);
            let proof = Proof {
                consent: &consent,
                privacy: privacy.as_deref().unwrap_or(&config.privacy_url),
                page: page_address(&href),
            };
            let lang = lang_code(props.texts.lang);
            match state.subscription(config, &proof, lang, honeypot::value(&honeypot_ref)) {
                Err(errors) => dispatch.dispatch(Action::Invalid(errors)),
                Ok(subscription) => {
                    // A retry of the same request reuses its key.
                    let key = state.attempt.clone().unwrap_or_else(browser::random_uuid);
                    dispatch.dispatch(Action::Send { key: key.clone() });
                    wasm_bindgen_futures::spawn_local(send(
                        props.clone(),
                        dispatch,
                        key,
                        subscription,
                    ));
                }
            }
        })
    };

    let heading = format!("h{}", config.heading_level);
    let requested = state.is_requested();
    html! {
        <form class="mm-newsletter" novalidate=true aria-busy={state.is_sending().then_some("true")}
              onsubmit={on_submit}>
            <@{heading} class="mm-heading">
                { config.heading.as_deref().unwrap_or_else(|| texts.get(Text::NewsletterHeading)) }
            </@>
            if !requested {
                { form::view(&form::Props {
                    config,
                    texts,
                    state: &state,
                    consent: &consent,
                    on_edit,
                    on_toggle,
                    summary_ref,
                    honeypot_ref,
                }) }
            }
            <div class={classes!("mm-status", requested.then_some("mm-confirmation"))}
                 role="status" tabindex="-1" ref={status_ref}>
                { status::status(texts, &state.phase) }
            </div>
            <p class="mm-alert" role="alert">{ status::alert(texts, &state.phase) }</p>
        </form>
    }
}
