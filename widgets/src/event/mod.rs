//! The event sign-up widget: the event's facts, the seats the collector counts (refreshed while
//! on screen), the registration form, and the confirmation with a calendar file.
//!
//! [`state`] holds the rules; `status.rs`, `form.rs` and `confirmation.rs` are views; this file
//! wires them to the collector (seats, submission) and to the browser (focus, storage, events).

mod confirmation;
mod form;
pub mod state;
mod status;

use crate::{browser, events, honeypot, transport, visit, wire};
use mitmachen_shared::config::{Endpoint, EventConfig};
use mitmachen_shared::event::{self, Field, Placement};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Texts;
use mitmachen_shared::protocol::{ProblemKind, Registration, Submission};
use mitmachen_shared::time::Timestamp;
use state::{Action, Availability, Phase, Seats, Signup};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// After failures, refreshes wait longer, up to this.
const MAX_REFRESH_MS: u32 = 300_000;

#[derive(Properties, PartialEq, Clone)]
pub struct EventProps {
    pub id: WidgetId,
    pub endpoint: Endpoint,
    pub config: Rc<EventConfig>,
    pub texts: Rc<Texts>,
    /// The editor's element, where the widget's events are dispatched.
    pub host: Element,
}

/// Whether the clock has passed the registration deadline (or the start).
fn closed_by_clock(config: &EventConfig) -> bool {
    Timestamp(browser::now_ms()) >= config.registration_closes()
}

/// Reads the seats into the state.
async fn load(
    props: &EventProps,
    dispatch: &UseReducerDispatcher<Signup>,
) -> Result<(), transport::StatusError> {
    match transport::event_status(&props.endpoint, &props.id).await {
        Ok(status) => {
            dispatch.dispatch(Action::Status(status));
            Ok(())
        }
        Err(error) => {
            if error == transport::StatusError::Unknown {
                browser::console_warn(&format!(
                    "mitmachen [{}]: the endpoint knows no event with this id; \
                     declare it in the collector's configuration",
                    props.id
                ));
            }
            dispatch.dispatch(Action::StatusFailed);
            Err(error)
        }
    }
}

/// Refreshes the seats while the widget is on screen, at the editor's interval (longer after
/// failures), until registering is over for this visit; closes registration when the clock
/// passes the deadline. An event the endpoint does not know is not asked for again.
async fn refresh(
    props: EventProps,
    dispatch: UseReducerDispatcher<Signup>,
    active: Rc<RefCell<bool>>,
) {
    let every = props.config.refresh_s.saturating_mul(1000);
    let mut wait = every;
    loop {
        browser::sleep(wait).await;
        if !*active.borrow() {
            return;
        }
        if closed_by_clock(&props.config) {
            dispatch.dispatch(Action::Close);
            return;
        }
        if !browser::on_screen(&props.host) {
            continue;
        }
        wait = match load(&props, &dispatch).await {
            Ok(()) => every,
            // A setup mistake, not a passing failure: asking again will not help.
            Err(transport::StatusError::Unknown) => return,
            Err(transport::StatusError::Unavailable) => {
                wait.saturating_mul(2).min(MAX_REFRESH_MS.max(every))
            }
        };
    }
}

/// Sends the registration and reports every step to the state. The page hears only where it
/// landed, never what was typed.
async fn send(
    props: EventProps,
    dispatch: UseReducerDispatcher<Signup>,
    key: String,
    registration: Registration,
) {
    let submission = Submission::Registration(registration);
    let waiting = dispatch.clone();
    let sent = transport::submit(&props.endpoint, &props.id, &submission, &key, &move |s| {
        waiting.dispatch(Action::Waiting(s))
    })
    .await;
    match sent {
        Ok(receipt) => {
            // An endpoint that does not say (an older one) gave a seat.
            let placement = receipt.placement.unwrap_or(Placement::Seat);
            visit::remember_registration(&props.endpoint, &props.id, placement);
            events::registered(
                &props.host,
                props.id.as_str(),
                wire::placement_name(placement),
            );
            let calendar = confirmation::calendar(props.id.as_str(), &props.config.facts);
            dispatch.dispatch(Action::Sent {
                placement,
                calendar,
            });
        }
        Err(error) => {
            events::error(&props.host, props.id.as_str(), &error.describe());
            // The seats changed under the citizen's hands: show how things are now.
            let stale = error.is_problem(ProblemKind::EventFull)
                || error.is_problem(ProblemKind::Closed)
                || matches!(error, transport::SendError::Rejected { status: 409, .. });
            dispatch.dispatch(Action::Failed(error));
            if stale {
                let _ = load(&props, &dispatch).await;
            }
        }
    }
}

#[function_component]
pub fn EventWidget(props: &EventProps) -> Html {
    let state = use_reducer(|| {
        let mut state = Signup::new(
            &props.config,
            closed_by_clock(&props.config),
            visit::registered(&props.endpoint, &props.id),
        );
        if state.is_registered() {
            state.calendar = confirmation::calendar(props.id.as_str(), &props.config.facts);
        }
        state
    });
    let status_ref = use_node_ref();
    let summary_ref = use_node_ref();
    let honeypot_ref = use_node_ref();
    let availability = state.availability();

    // The refresh loop reads, at each round, whether registering is still ahead.
    let active = use_mut_ref(|| true);
    *active.borrow_mut() = !state.is_registered()
        && !matches!(availability, Availability::Closed | Availability::Cancelled);

    {
        let (props, dispatch, active) = (props.clone(), state.dispatcher(), active.clone());
        let loading = state.seats == Seats::Loading;
        use_effect_with((), move |_| {
            // Interactive at once: facts and form are rendered, and a registration sent before
            // the seats are known is placed by the collector all the same.
            events::ready(&props.host, props.id.as_str(), "event");
            wasm_bindgen_futures::spawn_local(async move {
                let unknown = loading
                    && load(&props, &dispatch).await == Err(transport::StatusError::Unknown);
                if !unknown {
                    refresh(props, dispatch, active).await;
                }
            });
        });
    }

    // After a registration, focus goes to the confirmation (which is also announced).
    {
        let status_ref = status_ref.clone();
        let just_now = matches!(state.phase, Phase::Registered { just_now: true, .. });
        use_effect_with(just_now, move |just_now| {
            if *just_now {
                browser::focus(&status_ref);
            }
        });
    }

    // After each failed submit, focus goes to the error summary.
    {
        let summary_ref = summary_ref.clone();
        use_effect_with(state.errors.focus, move |count| {
            if *count > 0 {
                browser::focus(&summary_ref);
            }
        });
    }

    let on_edit = {
        let dispatch = state.dispatcher();
        Callback::from(move |(field, value): (Field, String)| {
            dispatch.dispatch(Action::Edit(field, value))
        })
    };
    let on_submit = {
        let (props, state, honeypot_ref) = (props.clone(), state.clone(), honeypot_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !state.shows_submit() || state.is_sending() {
                return;
            }
            let dispatch = state.dispatcher();
            if closed_by_clock(&props.config) {
                dispatch.dispatch(Action::Close);
                return;
            }
            let lang = event::lang_code(props.texts.lang);
            match state.registration(&props.config, lang, honeypot::value(&honeypot_ref)) {
                Err(errors) => dispatch.dispatch(Action::Invalid(errors)),
                Ok(registration) => {
                    // A retry of the same registration reuses its key.
                    let key = state.attempt.clone().unwrap_or_else(browser::random_uuid);
                    dispatch.dispatch(Action::Send { key: key.clone() });
                    wasm_bindgen_futures::spawn_local(send(
                        props.clone(),
                        dispatch,
                        key,
                        registration,
                    ));
                }
            }
        })
    };

    let texts = &*props.texts;
    let config = &*props.config;
    let cancelled = availability == Availability::Cancelled;
    let registered = state.is_registered();
    // A cancelled event says only that, also to someone who registered for it.
    let phase = if cancelled && registered {
        &Phase::Editing
    } else {
        &state.phase
    };
    html! {
        <form class="mm-event" novalidate=true aria-busy={state.is_sending().then_some("true")}
              onsubmit={on_submit}>
            { status::facts(config, texts) }
            if !registered || cancelled {
                { status::availability(config, texts, &state) }
            }
            if state.shows_form() {
                { form::view(&form::Props {
                    config,
                    texts,
                    state: &state,
                    on_edit,
                    summary_ref,
                    honeypot_ref,
                }) }
            }
            <div class={classes!("mm-status", (registered && !cancelled).then_some("mm-confirmation"))}
                 role="status" tabindex="-1" ref={status_ref}>
                { confirmation::status(texts, phase, state.calendar.as_ref()) }
            </div>
            <p class="mm-alert" role="alert">{ confirmation::alert(texts, phase) }</p>
        </form>
    }
}
