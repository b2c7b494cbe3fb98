//! What a widget shows instead of itself: a broken configuration (what is wrong, for the editor)
//! or a widget the collector holds as a draft (not open yet); below it the editor's own HTML
//! (the no-JS fallback) through a slot, so the citizen still reads it.

use mitmachen_shared::messages::{Text, Texts};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub texts: Rc<Texts>,
    /// What is wrong; empty: the widget is a draft, not broken.
    pub messages: Vec<String>,
}

#[function_component]
pub fn ConfigErrorView(props: &Props) -> Html {
    if props.messages.is_empty() {
        return html! {
            <>
                <p class="mm-notice" role="status">{ props.texts.get(Text::NotOpenYet) }</p>
                <slot></slot>
            </>
        };
    }
    html! {
        <>
            <div class="mm-config-error">
                <p>{ props.texts.get(Text::ConfigProblem) }</p>
                <ul>{ for props.messages.iter().map(|m| html! { <li>{ m }</li> }) }</ul>
            </div>
            <slot></slot>
        </>
    }
}
