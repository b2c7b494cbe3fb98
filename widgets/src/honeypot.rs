//! The honeypot field in every widget form: out of sight, out of the tab order and hidden from
//! assistive technology, so only bots that fill in every field fill it in. The collector then
//! answers as if it accepted the submission and stores nothing.

use web_sys::HtmlInputElement;
use yew::prelude::*;

pub fn view(input: &NodeRef) -> Html {
    html! {
        <div class="mm-hp" aria-hidden="true">
            <label>
                { "Website (bitte leer lassen / leave empty)" }
                <input ref={input.clone()} type="text" name="website" tabindex="-1" autocomplete="off" />
            </label>
        </div>
    }
}

/// What was typed into the honeypot; empty for people.
pub fn value(input: &NodeRef) -> String {
    input
        .cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}
