//! What a widget with a broken configuration shows: what is wrong, for the editor, and below it
//! the editor's own HTML (the no-JS fallback) through a slot, so the citizen still reads it.

use mitmachen_shared::messages::{Text, Texts};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub texts: Rc<Texts>,
    pub messages: Vec<String>,
}

#[function_component]
pub fn ConfigErrorView(props: &Props) -> Html {
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
