//! After a widget is mounted from its element: the collector's definition, where it holds one,
//! laid over the element. The widget is rendered again only if the definition changes what it
//! shows (after an editor adopted a page's widget they are the same, and nothing moves), or as a
//! notice while the collector holds it as a draft. A definition taken from the first page that
//! showed it and not looked at by an editor yet is not laid over (anyone can post a page's
//! widget; the page's own text stays what the page shows). Where the collector holds none, the
//! widget tells it what the element says, so that an administrator finds the page. An element
//! whose own attributes do not make a widget still asks: the definition may.

use super::{KINDS, Mounted, hand_over, replace};
use crate::{browser, transport};
use mitmachen_shared::config::{self, Endpoint, Source, WidgetConfig};
use mitmachen_shared::definition::Definition;
use mitmachen_shared::ids::WidgetId;
use std::cell::RefCell;
use std::rc::Rc;

/// The widget's id and endpoint as the element names them (the script tag's endpoint where the
/// element has none), even when the rest of it is broken.
fn target(source: &Source) -> Option<(WidgetId, Endpoint)> {
    let attribute = |name: &str| {
        source
            .attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    };
    let id = WidgetId::parse(attribute("data-id")?).ok()?;
    let endpoint = attribute("data-endpoint")
        .filter(|e| !e.is_empty())
        .or(source.default_endpoint.as_deref())?;
    Some((id, Endpoint::parse(endpoint).ok()?))
}

/// The page's address without query and fragment: they may carry a visitor's data.
fn page_address() -> String {
    browser::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.origin().ok()?,
                location.pathname().ok()?
            ))
        })
        .unwrap_or_default()
}

pub(super) async fn follow(
    mounted: Rc<RefCell<Mounted>>,
    source: Source,
    shown: Option<WidgetConfig>,
) {
    let Some((id, endpoint)) = target(&source) else {
        return;
    };
    let defined = match transport::definition(&endpoint, &id).await {
        transport::Defined::Yes(defined) => defined,
        transport::Defined::No => {
            // Only a widget that works records its page: a broken one would be refused anyway.
            let (Some(_), Some(mine)) = (&shown, Definition::from_source(&source)) else {
                return;
            };
            match transport::record_page(&endpoint, &id, &page_address(), &mine).await {
                Some(made) => made,
                None => return,
            }
        }
        transport::Defined::Unavailable => return,
    };
    let draft = defined.state == "draft";
    if !defined.reviewed && !draft {
        return;
    }
    // A kind this bundle lacks (its parser is not even in it): the complete bundle shows it.
    let kind = defined.definition.kind.as_str();
    if !draft && !KINDS.contains(&kind) {
        return hand_over(&mounted, kind);
    }
    let parsed = config::parse(&defined.definition.over(&source));
    match &parsed.config {
        Ok(config) if Some(config) == shown.as_ref() && !draft => {}
        Ok(_) => replace(&mounted, parsed, draft),
        // The collector checked it on its own page; this page lacks something it needs.
        Err(errors) => {
            for e in errors {
                browser::console_warn(&format!(
                    "mitmachen [{id}]: the collector's definition does not fit this page: {}",
                    e.message(parsed.texts.lang)
                ));
            }
        }
    }
}
