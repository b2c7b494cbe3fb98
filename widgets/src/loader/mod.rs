//! Finds the editor's `[data-mitmachen]` elements and mounts a widget in each.
//!
//! Elements present at start and any added later (a MutationObserver watches the document) get
//! an open shadow root with the widget's stylesheet and a reset wrapper, then the widget for
//! their configuration, or a message naming what is wrong with it. An element that already has
//! a shadow root is never mounted again.

pub mod source;

use crate::{browser, config_error, event, events, newsletter, poll, styles, topics};
use mitmachen_shared::config::{self, Parsed, WidgetKind};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Element, MutationObserver, MutationObserverInit, MutationRecord, ShadowRootInit, ShadowRootMode,
};

pub const SELECTOR: &str = "[data-mitmachen]";

thread_local! {
    static DEFAULT_ENDPOINT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Keeps every mounted app (and the observer's callback) alive for the life of the page.
    static KEEP: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

pub fn start(default_endpoint: Option<String>) {
    DEFAULT_ENDPOINT.with(|d| *d.borrow_mut() = default_endpoint);
    let Some(doc) = browser::document() else {
        return;
    };
    if let Ok(found) = doc.query_selector_all(SELECTOR) {
        for i in 0..found.length() {
            if let Some(el) = found.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                mount(&el);
            }
        }
    }
    observe(&doc);
}

/// Mounts widgets in elements that a CMS or a page script adds after load.
fn observe(doc: &web_sys::Document) {
    let callback = Closure::<dyn FnMut(js_sys::Array, MutationObserver)>::new(
        |records: js_sys::Array, _: MutationObserver| {
            for record in records
                .iter()
                .filter_map(|r| r.dyn_into::<MutationRecord>().ok())
            {
                let added = record.added_nodes();
                for i in 0..added.length() {
                    let Some(el) = added.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                        continue;
                    };
                    if el.matches(SELECTOR).unwrap_or(false) {
                        mount(&el);
                    }
                    if let Ok(inner) = el.query_selector_all(SELECTOR) {
                        for j in 0..inner.length() {
                            if let Some(e) =
                                inner.item(j).and_then(|n| n.dyn_into::<Element>().ok())
                            {
                                mount(&e);
                            }
                        }
                    }
                }
            }
        },
    );
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    if let Some(root) = doc.document_element() {
        let _ = observer.observe_with_options(&root, &init);
    }
    KEEP.with(|k| {
        k.borrow_mut().push(Box::new(callback));
        k.borrow_mut().push(Box::new(observer));
    });
}

fn mount(host: &Element) {
    if host.shadow_root().is_some() {
        return;
    }
    let default_endpoint = DEFAULT_ENDPOINT.with(|d| d.borrow().clone());
    let parsed = config::parse(&source::read(host, default_endpoint));
    let name = host.get_attribute("data-id").unwrap_or_default();
    for warning in &parsed.warnings {
        browser::console_warn(&format!("mitmachen [{name}]: {warning}"));
    }
    let Some(root) = shadow_wrapper(host, &parsed) else {
        browser::console_error(&format!(
            "mitmachen [{name}]: a <{}> cannot hold a widget; use a <div data-mitmachen=…>",
            host.tag_name().to_ascii_lowercase()
        ));
        return;
    };
    let texts = Rc::new(parsed.texts);
    let app: Box<dyn Any> = match parsed.config {
        Ok(config) => match config.kind {
            WidgetKind::Poll(poll_config) => Box::new(
                yew::Renderer::<poll::PollWidget>::with_root_and_props(
                    root,
                    poll::PollProps {
                        id: config.id,
                        endpoint: config.endpoint,
                        config: Rc::new(poll_config),
                        texts,
                        host: host.clone(),
                    },
                )
                .render(),
            ),
            WidgetKind::Topics(topics_config) => Box::new(
                yew::Renderer::<topics::TopicsWidget>::with_root_and_props(
                    root,
                    topics::TopicsProps {
                        id: config.id,
                        endpoint: config.endpoint,
                        config: Rc::new(topics_config),
                        texts,
                        host: host.clone(),
                    },
                )
                .render(),
            ),
            WidgetKind::Event(event_config) => Box::new(
                yew::Renderer::<event::EventWidget>::with_root_and_props(
                    root,
                    event::EventProps {
                        id: config.id,
                        endpoint: config.endpoint,
                        config: Rc::new(event_config),
                        texts,
                        host: host.clone(),
                    },
                )
                .render(),
            ),
            WidgetKind::Newsletter(newsletter_config) => Box::new(
                yew::Renderer::<newsletter::NewsletterWidget>::with_root_and_props(
                    root,
                    newsletter::NewsletterProps {
                        id: config.id,
                        endpoint: config.endpoint,
                        config: Rc::new(newsletter_config),
                        texts,
                        host: host.clone(),
                    },
                )
                .render(),
            ),
        },
        Err(errors) => {
            let messages: Vec<String> = errors.iter().map(|e| e.message(texts.lang)).collect();
            for message in &messages {
                browser::console_error(&format!("mitmachen [{name}]: {message}"));
            }
            events::error(host, &name, &messages.join(" "));
            Box::new(
                yew::Renderer::<config_error::ConfigErrorView>::with_root_and_props(
                    root,
                    config_error::Props { texts, messages },
                )
                .render(),
            )
        }
    };
    KEEP.with(|k| k.borrow_mut().push(app));
}

/// The shadow root with styles and the reset wrapper the widget renders into.
fn shadow_wrapper(host: &Element, parsed: &Parsed) -> Option<Element> {
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    if styles::adopt(&shadow).is_err() {
        browser::console_warn("mitmachen: this browser cannot apply the widget styles");
    }
    let root = browser::document()?.create_element("div").ok()?;
    root.set_class_name("mm-root");
    let _ = root.set_attribute("lang", parsed.texts.lang.tag());
    shadow.append_child(&root).ok()?;
    Some(root)
}
