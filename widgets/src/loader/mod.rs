//! Finds the editor's `[data-mitmachen]` elements and mounts a widget in each.
//!
//! Elements present at start and any added later (a MutationObserver watches the document) get
//! an open shadow root with the widget's stylesheet and a reset wrapper, then the widget for
//! their configuration, or a message naming what is wrong with it. An element that already has
//! a shadow root is never mounted again. Then the collector's definition, where it holds one,
//! is laid over the element (`defined`): the widget is rendered again only if that changes it.
//!
//! A bundle may hold only some kinds (`KINDS`): it mounts only elements of those, and the
//! loader script loads another bundle for the rest. Where the collector's definition makes an
//! element a kind this bundle lacks, the element is handed over to the bundle with every kind.

mod defined;
pub mod source;

#[cfg(feature = "event")]
use crate::event;
#[cfg(feature = "newsletter")]
use crate::newsletter;
#[cfg(feature = "poll")]
use crate::poll;
#[cfg(feature = "topics")]
use crate::topics;
use crate::{browser, config_error, events, styles};
use mitmachen_shared::config::{self, Parsed, WidgetKind};
use mitmachen_shared::text;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Element, MutationObserver, MutationObserverInit, MutationRecord, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};
use yew::AppHandle;

pub const SELECTOR: &str = "[data-mitmachen]";

/// The widget kinds this bundle holds (its cargo features).
pub const KINDS: &[&str] = &[
    #[cfg(feature = "poll")]
    "poll",
    #[cfg(feature = "topics")]
    "topics",
    #[cfg(feature = "event")]
    "event",
    #[cfg(feature = "newsletter")]
    "newsletter",
];

/// Whether this bundle holds every language: a bundle for German (or English) pages leaves a
/// widget in another language to one that has it (the loader script loads that one).
const EVERY_LANG: bool = cfg!(all(
    feature = "lang-de",
    feature = "lang-de-easy",
    feature = "lang-en"
));

/// The bundle with every kind and language also takes every element no other bundle would: a
/// misspelt or missing kind, which it explains.
const COMPLETE: bool = KINDS.len() == 4 && EVERY_LANG;

/// `data-mitmachen` reduced to its ASCII letters, lowercased: how the loader script reads it to
/// choose the bundles (the same rule here, so that each element is some bundle's).
fn kind_letters(host: &Element) -> String {
    let mut kind = host.get_attribute("data-mitmachen").unwrap_or_default();
    kind.retain(|c| c.is_ascii_alphabetic());
    kind.make_ascii_lowercase();
    kind
}

/// Whether this bundle mounts `host`.
fn claims(host: &Element) -> bool {
    COMPLETE || (KINDS.contains(&kind_letters(host).as_str()) && (EVERY_LANG || speaks(host)))
}

/// Whether this bundle holds the language `host`'s widget speaks (the parser's rule).
fn speaks(host: &Element) -> bool {
    let page_lang = source::page_lang(host);
    config::lang_of(
        host.get_attribute("data-lang").as_deref(),
        page_lang.as_deref(),
    )
    .is_ok_and(|lang| lang.in_build())
}

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

/// A mounted widget, kept so that it can be replaced by the collector's definition.
pub(crate) enum App {
    #[cfg(feature = "poll")]
    Poll(AppHandle<poll::PollWidget>),
    #[cfg(feature = "topics")]
    Topics(AppHandle<topics::TopicsWidget>),
    #[cfg(feature = "event")]
    Event(AppHandle<event::EventWidget>),
    #[cfg(feature = "newsletter")]
    Newsletter(AppHandle<newsletter::NewsletterWidget>),
    Notice(AppHandle<config_error::ConfigErrorView>),
}

impl App {
    fn destroy(self) {
        match self {
            #[cfg(feature = "poll")]
            App::Poll(a) => a.destroy(),
            #[cfg(feature = "topics")]
            App::Topics(a) => a.destroy(),
            #[cfg(feature = "event")]
            App::Event(a) => a.destroy(),
            #[cfg(feature = "newsletter")]
            App::Newsletter(a) => a.destroy(),
            App::Notice(a) => a.destroy(),
        }
    }
}

/// Where a widget lives: its element, the wrapper it renders into, and the app.
pub(crate) struct Mounted {
    host: Element,
    root: Element,
    app: Option<App>,
}

fn mount(host: &Element) {
    if host.shadow_root().is_some() || !claims(host) {
        return;
    }
    let Ok(shadow) = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) else {
        browser::console_error(&format!(
            "mitmachen [{}]: a <{}> cannot hold a widget; use a <div data-mitmachen=…>",
            host.get_attribute("data-id").unwrap_or_default(),
            host.tag_name().to_ascii_lowercase()
        ));
        return;
    };
    mount_in(host, &shadow);
}

/// Takes over an element another bundle handed over (see [`hand_over`]): its shadow root is
/// emptied and the widget mounted again.
pub fn adopt(host: &Element) {
    let Some(shadow) = host.shadow_root() else {
        return mount(host);
    };
    while let Some(child) = shadow.first_child() {
        if shadow.remove_child(&child).is_err() {
            return;
        }
    }
    mount_in(host, &shadow);
}

/// Lets the bundle with every kind render the element instead (through the loader script):
/// the collector's definition made it a kind this bundle does not hold.
pub(crate) fn hand_over(mounted: &Rc<RefCell<Mounted>>, kind: &str) {
    let mut mounted = mounted.borrow_mut();
    if let Some(app) = mounted.app.take() {
        app.destroy();
    }
    mounted.root.remove();
    if !browser::hand_over(&mounted.host) {
        browser::console_error(&format!(
            "mitmachen: this bundle cannot show a {kind}, and no loader script can load one that does"
        ));
    }
}

fn mount_in(host: &Element, shadow: &ShadowRoot) {
    let default_endpoint = DEFAULT_ENDPOINT.with(|d| d.borrow().clone());
    let source = source::read(host, default_endpoint);
    let parsed = config::parse(&source);
    let name = host.get_attribute("data-id").unwrap_or_default();
    for warning in &parsed.warnings {
        browser::console_warn(&format!("mitmachen [{name}]: {warning}"));
    }
    let Some(root) = wrapper(shadow, &parsed) else {
        return;
    };
    let shown = parsed.config.clone().ok();
    let app = render(host, &root, parsed, false);
    let mounted = Rc::new(RefCell::new(Mounted {
        host: host.clone(),
        root,
        app: Some(app),
    }));
    KEEP.with(|k| k.borrow_mut().push(Box::new(mounted.clone())));
    wasm_bindgen_futures::spawn_local(defined::follow(mounted, source, shown));
}

/// Replaces the widget by one for `parsed` (or the draft notice), in a fresh wrapper, so that
/// the old app's teardown cannot touch the new one.
pub(crate) fn replace(mounted: &Rc<RefCell<Mounted>>, parsed: Parsed, draft: bool) {
    let mut mounted = mounted.borrow_mut();
    let Some(fresh) = browser::document()
        .and_then(|d| d.create_element("div").ok())
        .filter(|fresh| mounted.root.replace_with_with_node_1(fresh).is_ok())
    else {
        return;
    };
    fresh.set_class_name("mm-root");
    let _ = fresh.set_attribute("lang", parsed.texts.lang.tag());
    if let Some(old) = mounted.app.take() {
        old.destroy();
    }
    let app = render(&mounted.host, &fresh, parsed, draft);
    mounted.root = fresh;
    mounted.app = Some(app);
}

// Once in the wasm, not inlined into both callers: it holds every widget's renderer.
#[inline(never)]
fn render(host: &Element, root: &Element, parsed: Parsed, draft: bool) -> App {
    let name = host.get_attribute("data-id").unwrap_or_default();
    let texts = Rc::new(parsed.texts);
    let root = root.clone();
    match parsed.config {
        Ok(_) if draft => App::Notice(
            yew::Renderer::<config_error::ConfigErrorView>::with_root_and_props(
                root,
                config_error::Props {
                    texts,
                    messages: Vec::new(),
                },
            )
            .render(),
        ),
        Ok(config) => match config.kind {
            #[cfg(feature = "poll")]
            WidgetKind::Poll(poll_config) => App::Poll(
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
            #[cfg(feature = "topics")]
            WidgetKind::Topics(topics_config) => App::Topics(
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
            #[cfg(feature = "event")]
            WidgetKind::Event(event_config) => App::Event(
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
            #[cfg(feature = "newsletter")]
            WidgetKind::Newsletter(newsletter_config) => App::Newsletter(
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
            // Not reached: an element of a kind this bundle lacks is never mounted here, and a
            // definition that makes it one is handed over (`hand_over`) before rendering.
            #[allow(unreachable_patterns)]
            _ => App::Notice(
                yew::Renderer::<config_error::ConfigErrorView>::with_root_and_props(
                    root,
                    config_error::Props {
                        texts,
                        messages: Vec::new(),
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
            events::error(host, &name, &text::join(&messages, " "));
            App::Notice(
                yew::Renderer::<config_error::ConfigErrorView>::with_root_and_props(
                    root,
                    config_error::Props { texts, messages },
                )
                .render(),
            )
        }
    }
}

/// The styles and the reset wrapper the widget renders into, in its shadow root.
fn wrapper(shadow: &ShadowRoot, parsed: &Parsed) -> Option<Element> {
    if styles::adopt(shadow).is_err() {
        browser::console_warn("mitmachen: this browser cannot apply the widget styles");
    }
    let root = browser::document()?.create_element("div").ok()?;
    root.set_class_name("mm-root");
    let _ = root.set_attribute("lang", parsed.texts.lang.tag());
    shadow.append_child(&root).ok()?;
    Some(root)
}
