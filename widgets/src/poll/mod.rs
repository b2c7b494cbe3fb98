//! The poll widget: wires [`state`] to the views and the transport.

mod form;
mod results;
pub mod state;

use crate::{browser, events, honeypot, transport, visit};
use mitmachen_shared::config::{Endpoint, PollConfig, ResultsVisibility};
use mitmachen_shared::ids::{OptionKey, WidgetId};
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::protocol::{PollBallot, Submission};
use mitmachen_shared::time::Timestamp;
use state::{Action, Phase, PollState};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct PollProps {
    pub id: WidgetId,
    pub endpoint: Endpoint,
    pub config: Rc<PollConfig>,
    pub texts: Rc<Texts>,
    /// The editor's element, where the widget's events are dispatched.
    pub host: Element,
}

fn now() -> Timestamp {
    Timestamp(browser::now_ms())
}

fn load_results(props: &PollProps, dispatch: UseReducerDispatcher<PollState>) {
    let (endpoint, id) = (props.endpoint.clone(), props.id.clone());
    dispatch.dispatch(Action::ResultsLoading);
    wasm_bindgen_futures::spawn_local(async move {
        match transport::results(&endpoint, &id).await {
            Some(results) => dispatch.dispatch(Action::ResultsLoaded(results)),
            None => dispatch.dispatch(Action::ResultsFailed),
        }
    });
}

/// Sends the ballot and reports every step to the state.
async fn send(
    props: PollProps,
    dispatch: UseReducerDispatcher<PollState>,
    key: String,
    ballot: Vec<OptionKey>,
    honeypot: String,
) {
    let submission = Submission::Poll(PollBallot {
        choices: ballot.clone(),
        honeypot,
    });
    let waiting = dispatch.clone();
    let sent = transport::submit(&props.endpoint, &props.id, &submission, &key, &move |s| {
        waiting.dispatch(Action::Waiting(s))
    })
    .await;
    events::report(&props.host, props.id.as_str(), &sent);
    match sent {
        Ok(_) => {
            visit::remember(&props.endpoint, &props.id, &ballot);
            dispatch.dispatch(Action::Sent);
            if matches!(
                props.config.results,
                ResultsVisibility::Always | ResultsVisibility::AfterVoting
            ) {
                load_results(&props, dispatch);
            }
        }
        Err(error) => dispatch.dispatch(Action::Failed(error)),
    }
}

#[function_component]
pub fn PollWidget(props: &PollProps) -> Html {
    let state = use_reducer(|| {
        PollState::new(
            &props.config,
            now(),
            visit::answered(&props.endpoint, &props.id),
        )
    });
    let status_ref = use_node_ref();
    let first_input_ref = use_node_ref();
    let honeypot_ref = use_node_ref();

    {
        let (props, dispatch, visible) = (
            props.clone(),
            state.dispatcher(),
            state.results_visible(&props.config),
        );
        use_effect_with((), move |_| {
            events::ready(&props.host, props.id.as_str(), "poll");
            if visible {
                load_results(&props, dispatch);
            }
        });
    }

    // After a successful vote, focus goes to the confirmation (which is also announced).
    {
        let status_ref = status_ref.clone();
        let just_now = state.phase == Phase::Submitted { just_now: true };
        use_effect_with(just_now, move |just_now| {
            if *just_now {
                browser::focus(&status_ref);
            }
        });
    }

    let on_submit = {
        let (props, state, first_input_ref, honeypot_ref) = (
            props.clone(),
            state.clone(),
            first_input_ref.clone(),
            honeypot_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !state.accepts_input() {
                return;
            }
            let dispatch = state.dispatcher();
            if props.config.is_closed(now()) {
                dispatch.dispatch(Action::Close);
                if props.config.results != ResultsVisibility::Never {
                    load_results(&props, dispatch);
                }
                return;
            }
            match state.ballot(&props.config) {
                Err(invalid) => {
                    dispatch.dispatch(Action::Reject(invalid));
                    browser::focus(&first_input_ref);
                }
                Ok(ballot) => {
                    let key = state
                        .key_for(&ballot)
                        .map(str::to_owned)
                        .unwrap_or_else(browser::random_uuid);
                    dispatch.dispatch(Action::Send {
                        key: key.clone(),
                        ballot: ballot.clone(),
                    });
                    let honeypot = honeypot::value(&honeypot_ref);
                    wasm_bindgen_futures::spawn_local(send(
                        props.clone(),
                        dispatch,
                        key,
                        ballot,
                        honeypot,
                    ));
                }
            }
        })
    };

    let on_pick = {
        let dispatch = state.dispatcher();
        let multiple = props.config.max_choices() > 1;
        Callback::from(move |key| {
            dispatch.dispatch(if multiple {
                Action::Toggle(key)
            } else {
                Action::Choose(key)
            })
        })
    };

    html! {
        <>
            { form::view(&form::Props {
                config: props.config.clone(),
                texts: props.texts.clone(),
                state: state.clone(),
                on_pick,
                on_submit,
                status_ref,
                first_input_ref,
                honeypot_ref,
            }) }
            if state.results_visible(&props.config) {
                { results::view(&results::Props {
                    config: props.config.clone(),
                    texts: props.texts.clone(),
                    results: state.results.clone(),
                }) }
            } else if props.config.results == ResultsVisibility::AfterClosing && !state.accepts_input() {
                <p class="mm-meta">{ props.texts.get(Text::ResultsAfterClosing) }</p>
            }
        </>
    }
}
