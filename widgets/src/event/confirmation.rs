//! What the citizen learns after registering: a seat or a waiting-list place, for how many
//! persons, that a confirmation mail with a cancellation link is on its way, and the event as a
//! calendar file made in the browser (`shared::ics`, the same bytes the mail attaches).

use super::state::{Calendar, Failure, Phase};
use crate::browser;
use mitmachen_shared::event::{EventFacts, Placement};
use mitmachen_shared::ics;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::time::Timestamp;
use yew::prelude::*;

/// The event's calendar file as a `blob:` URL (an `<a download>` to it needs no inline script
/// or style, so a strict CSP allows it). The entry links to the page it came from, without
/// query or fragment.
pub fn calendar(widget: &str, facts: &EventFacts) -> Option<Calendar> {
    let page = browser::page_url();
    let text = ics::calendar(widget, facts, Timestamp(browser::now_ms()), page.as_deref());
    Some(Calendar {
        url: browser::object_url(&text, ics::CONTENT_TYPE)?,
        file_name: ics::file_name(widget),
    })
}

/// What the status region says for this phase: progress while sending, the confirmation once
/// registered.
pub fn status(texts: &Texts, phase: &Phase, calendar: Option<&Calendar>) -> Html {
    match phase {
        Phase::Sending { retry_in_s: None } => html! { texts.get(Text::SendingRegistration) },
        Phase::Sending {
            retry_in_s: Some(s),
        } => {
            html! { <p class="mm-offline">{ texts.fill(Text::RetryingRegistration, &[("seconds", &s.to_string())]) }</p> }
        }
        Phase::Registered {
            placement,
            persons,
            just_now,
        } => confirmation(texts, *placement, *persons, *just_now, calendar),
        Phase::Editing | Phase::Failed(_) => html! {},
    }
}

fn confirmation(
    texts: &Texts,
    placement: Placement,
    persons: Option<u32>,
    just_now: bool,
    calendar: Option<&Calendar>,
) -> Html {
    let headline = match (placement, just_now) {
        (Placement::Seat, true) => Text::RegisteredSeat,
        (Placement::WaitingList, true) => Text::RegisteredWaitingList,
        (Placement::Seat, false) => Text::AlreadyRegistered,
        (Placement::WaitingList, false) => Text::AlreadyWaiting,
    };
    html! {
        <>
            <p class="mm-done">{ texts.get(headline) }</p>
            if let Some(n) = persons {
                <p>{ texts.fill(Text::RegisteredFor, &[("persons", &texts.persons(n))]) }</p>
            }
            if just_now {
                <p>{ texts.get(Text::ConfirmationMail) }</p>
            }
            if let Some(c) = calendar {
                <p>
                    <a class="mm-download" href={c.url.clone()} download={c.file_name.clone()}>
                        { texts.get(Text::CalendarDownload) }
                    </a>
                </p>
            }
        </>
    }
}

/// What the alert region says: why the registration was not stored.
pub fn alert(texts: &Texts, phase: &Phase) -> String {
    let Phase::Failed(failure) = phase else {
        return String::new();
    };
    match failure {
        Failure::Unreachable => texts.get(Text::RegistrationFailed).to_owned(),
        Failure::Full => texts.get(Text::RegistrationFull).to_owned(),
        Failure::Closed => texts.get(Text::RegistrationClosedNow).to_owned(),
        Failure::Rejected(detail) => texts.fill(Text::RegistrationRejected, &[("detail", detail)]),
    }
}
