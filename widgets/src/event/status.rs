//! The event's facts (title at the editor's heading level, when, where) and what the event
//! allows now: seats left, few left, full, closed, cancelled, or that this cannot be shown.

use super::state::{Availability, Seats, Signup};
use mitmachen_shared::config::EventConfig;
use mitmachen_shared::messages::{Text, Texts};
use yew::prelude::*;

pub fn facts(config: &EventConfig, texts: &Texts) -> Html {
    let facts = &config.facts;
    let heading = format!("h{}", config.heading_level);
    html! {
        <>
            <@{heading} class="mm-heading">{ &facts.title }</@>
            <dl class="mm-facts">
                <div>
                    <dt>{ texts.get(Text::EventWhen) }</dt>
                    <dd>{ texts.event_time(facts.starts_at, facts.ends_at) }</dd>
                </div>
                if !facts.place.is_empty() {
                    <div>
                        <dt>{ texts.get(Text::EventWhere) }</dt>
                        <dd>{ &facts.place }</dd>
                    </div>
                }
            </dl>
        </>
    }
}

/// The line about seats and whether registering is possible, in a region that is live (polite)
/// while the first answer is awaited and just after it came: the form is usable before the
/// seats are known, so their arrival is told without interrupting. Later background refreshes
/// change it quietly, and it never takes the focus.
pub fn availability(config: &EventConfig, texts: &Texts, state: &Signup) -> Html {
    let number = |n: u32| n.to_string();
    let (text, class) = match state.availability() {
        Availability::Loading => (texts.get(Text::SeatsLoading).to_owned(), None),
        Availability::Open {
            seats: Some((left, capacity)),
            few,
        } => {
            let values = [("left", number(left)), ("capacity", number(capacity))];
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if few {
                (texts.fill(Text::FewSeatsLeft, &values), Some("mm-few"))
            } else {
                (texts.fill(Text::SeatsLeft, &values), None)
            }
        }
        Availability::Open { seats: None, .. } => (String::new(), None),
        Availability::FullWaitingList => {
            (texts.get(Text::FullWaitingList).to_owned(), Some("mm-full"))
        }
        Availability::FullNoList => (texts.get(Text::FullNoList).to_owned(), Some("mm-full")),
        Availability::Closed => (
            texts.get(Text::RegistrationClosed).to_owned(),
            Some("mm-over"),
        ),
        Availability::Cancelled => (texts.get(Text::EventCancelled).to_owned(), Some("mm-over")),
        Availability::Unavailable => (texts.get(Text::EventUnavailable).to_owned(), None),
    };
    let until = match (config.deadline, state.availability().takes_registrations()) {
        (Some(_), true) => Some(texts.fill(
            Text::RegisterUntil,
            &[("date", &texts.date_time(config.registration_closes()))],
        )),
        _ => None,
    };
    let live = (state.seats == Seats::Loading || state.announce_seats).then_some("polite");
    html! {
        <>
            <div class="mm-availability" aria-live={live}>
                if !text.is_empty() {
                    <p class={classes!("mm-seats", class)}>{ text }</p>
                }
            </div>
            if let Some(until) = until {
                <p class="mm-hint">{ until }</p>
            }
        </>
    }
}
