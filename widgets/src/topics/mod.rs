//! The topic-voting widget: citizens give dots to the topics that matter most to them.

mod proposal;
pub mod state;
mod view;

use crate::{browser, events, honeypot, transport, visit};
use mitmachen_shared::config::{Endpoint, ResultsVisibility, TopicsConfig};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Texts;
use mitmachen_shared::protocol::{DotPlacement, Submission, TopicBallot};
use mitmachen_shared::time::Timestamp;
use state::{Action, Phase, Reducer, TopicsState};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// After failures, refreshes wait longer, up to this.
const MAX_REFRESH_MS: u32 = 300_000;

#[derive(Properties, PartialEq, Clone)]
pub struct TopicsProps {
    pub id: WidgetId,
    pub endpoint: Endpoint,
    pub config: Rc<TopicsConfig>,
    pub texts: Rc<Texts>,
    pub host: Element,
}

fn now() -> Timestamp {
    Timestamp(browser::now_ms())
}

/// Loads what the endpoint knows: results (when the citizen may see them) and approved
/// proposals (when proposals are on). Returns whether everything that was asked for arrived.
async fn load(
    props: &TopicsProps,
    dispatch: &UseReducerDispatcher<Reducer>,
    results: bool,
) -> bool {
    let mut ok = true;
    if props.config.proposals {
        match transport::topics(&props.endpoint, &props.id).await {
            Some(proposed) => dispatch.dispatch(Action::Proposals(proposed)),
            None => ok = false,
        }
    }
    if results {
        dispatch.dispatch(Action::ResultsLoading);
        match transport::results(&props.endpoint, &props.id).await {
            Some(tally) => dispatch.dispatch(Action::ResultsLoaded(tally)),
            None => {
                dispatch.dispatch(Action::ResultsFailed);
                ok = false;
            }
        }
    }
    ok
}

/// Refreshes while the list is on screen, at the editor's interval, backing off after failures,
/// for the life of the page.
async fn refresh(
    props: TopicsProps,
    dispatch: UseReducerDispatcher<Reducer>,
    results_visible: Rc<std::cell::RefCell<bool>>,
) {
    let every = props.config.refresh_s.saturating_mul(1000);
    let mut wait = every;
    loop {
        browser::sleep(wait).await;
        if !browser::on_screen(&props.host) {
            continue;
        }
        let results = *results_visible.borrow();
        wait = if load(&props, &dispatch, results).await {
            every
        } else {
            wait.saturating_mul(2).min(MAX_REFRESH_MS.max(every))
        };
    }
}

async fn send(
    props: TopicsProps,
    dispatch: UseReducerDispatcher<Reducer>,
    key: String,
    dots: mitmachen_shared::topics::Dots,
    honeypot: String,
) {
    let submission = Submission::Topics(TopicBallot {
        dots: dots
            .placements()
            .iter()
            .map(|(topic, count)| DotPlacement {
                topic: topic.clone(),
                count: *count,
            })
            .collect(),
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
            visit::remember_dots(&props.endpoint, &props.id, &dots);
            dispatch.dispatch(Action::Sent);
            if matches!(
                props.config.results,
                ResultsVisibility::Always | ResultsVisibility::AfterVoting
            ) {
                load(&props, &dispatch, true).await;
            }
        }
        Err(error) => dispatch.dispatch(Action::Failed(error)),
    }
}

/// Sends a proposal; on success the form empties and says it awaits moderation.
async fn send_proposal(
    props: TopicsProps,
    dispatch: UseReducerDispatcher<proposal::ProposalState>,
    key: String,
    submission: Submission,
) {
    let sent = transport::submit(&props.endpoint, &props.id, &submission, &key, &|_| {}).await;
    events::report(&props.host, props.id.as_str(), &sent);
    dispatch.dispatch(match sent {
        Ok(_) => proposal::Action::Sent,
        Err(error) => proposal::Action::Failed(error),
    });
}

#[function_component]
pub fn TopicsWidget(props: &TopicsProps) -> Html {
    let reducer = use_reducer(|| Reducer {
        config: props.config.clone(),
        state: TopicsState::new(
            &props.config,
            now(),
            visit::dots_given(&props.endpoint, &props.id),
        ),
    });
    let status_ref = use_node_ref();
    let honeypot_ref = use_node_ref();

    // The refresh loop reads, at each round, whether the citizen may see results now.
    let results_visible = use_mut_ref(|| false);
    *results_visible.borrow_mut() = reducer.state.results_visible(&props.config);

    {
        let (props, dispatch) = (props.clone(), reducer.dispatcher());
        let results_visible = results_visible.clone();
        use_effect_with((), move |_| {
            events::ready(&props.host, props.id.as_str(), "topics");
            wasm_bindgen_futures::spawn_local(async move {
                let visible = *results_visible.borrow();
                load(&props, &dispatch, visible).await;
                refresh(props, dispatch, results_visible).await;
            });
        });
    }

    {
        let status_ref = status_ref.clone();
        let just_now = reducer.state.phase == Phase::Submitted { just_now: true };
        use_effect_with(just_now, move |just_now| {
            if *just_now {
                browser::focus(&status_ref);
            }
        });
    }

    let on_add = {
        let dispatch = reducer.dispatcher();
        Callback::from(move |key| dispatch.dispatch(Action::AddDot(key)))
    };
    let on_take_back = {
        let dispatch = reducer.dispatcher();
        Callback::from(move |key| dispatch.dispatch(Action::TakeBack(key)))
    };
    let on_expand = {
        let dispatch = reducer.dispatcher();
        Callback::from(move |key| dispatch.dispatch(Action::Expand(key)))
    };
    let on_submit = {
        let (props, reducer, honeypot_ref) = (props.clone(), reducer.clone(), honeypot_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let s = &reducer.state;
            if !s.accepts_input() {
                return;
            }
            let dispatch = reducer.dispatcher();
            if props.config.is_closed(now()) {
                dispatch.dispatch(Action::Close);
                return;
            }
            if s.dots.used() == 0 {
                dispatch.dispatch(Action::NothingPlaced);
                return;
            }
            // A retry after a failure reuses the key; the ballot cannot change while sending.
            let key = match (&s.phase, &s.attempt) {
                (Phase::Failed(_), Some(k)) => k.clone(),
                _ => browser::random_uuid(),
            };
            dispatch.dispatch(Action::Send { key: key.clone() });
            let honeypot = honeypot::value(&honeypot_ref);
            wasm_bindgen_futures::spawn_local(send(
                props.clone(),
                dispatch,
                key,
                s.dots.clone(),
                honeypot,
            ));
        })
    };

    let proposing = use_reducer(proposal::ProposalState::default);
    let proposal_honeypot = use_node_ref();
    let title_ref = use_node_ref();
    let on_propose = {
        let (props, proposing) = (props.clone(), proposing.clone());
        let (honeypot_ref, title_ref) = (proposal_honeypot.clone(), title_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if proposing.phase == proposal::Phase::Sending {
                return;
            }
            let dispatch = proposing.dispatcher();
            let (title, description) = proposing.invalid_fields();
            if title || description {
                dispatch.dispatch(proposal::Action::Invalid { title, description });
                if title {
                    browser::focus(&title_ref);
                }
                return;
            }
            let key = proposing
                .attempt
                .clone()
                .unwrap_or_else(browser::random_uuid);
            dispatch.dispatch(proposal::Action::Send { key: key.clone() });
            let submission = proposing.submission(honeypot::value(&honeypot_ref));
            wasm_bindgen_futures::spawn_local(send_proposal(
                props.clone(),
                dispatch,
                key,
                submission,
            ));
        })
    };

    let open_for_proposals = props.config.proposals && reducer.state.phase != Phase::Closed;
    html! {
        <>
            { view::view(&view::Props {
                config: &props.config,
                texts: &props.texts,
                state: &reducer,
                on_add,
                on_take_back,
                on_expand,
                on_submit,
                status_ref,
                honeypot_ref,
            }) }
            if open_for_proposals {
                { proposal::view(&proposal::Props {
                    texts: &props.texts,
                    heading_level: props.config.heading_level,
                    state: &proposing,
                    on_submit: on_propose,
                    honeypot_ref: proposal_honeypot,
                    title_ref,
                }) }
            }
        </>
    }
}
