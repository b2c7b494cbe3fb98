//! After a widget is mounted from its element: the collector's definition, where it holds one,
//! laid over the element. The widget is rendered again only if the definition changes what it
//! shows (after a page's widget was adopted they are the same, and nothing moves), or as a
//! notice while the collector holds it as a draft. Where the collector holds none, the widget
//! tells it what the element says, so that an administrator finds the page in the console.

use super::{Mounted, replace};
use crate::{browser, transport};
use mitmachen_shared::config::{self, Source, WidgetConfig};
use mitmachen_shared::definition::Definition;
use std::cell::RefCell;
use std::rc::Rc;

pub(super) async fn follow(mounted: Rc<RefCell<Mounted>>, source: Source, shown: WidgetConfig) {
    let (definition, state) = match transport::definition(&shown.endpoint, &shown.id).await {
        transport::Defined::Yes(definition, state) => (definition, state),
        transport::Defined::No => {
            let Some(mine) = Definition::from_source(&source) else {
                return;
            };
            let page = browser::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            match transport::record_page(&shown.endpoint, &shown.id, &page, &mine).await {
                Some(made) => made,
                None => return,
            }
        }
        transport::Defined::Unavailable => return,
    };
    let parsed = config::parse(&definition.over(&source));
    let draft = state == "draft";
    match &parsed.config {
        Ok(config) if *config == shown && !draft => {}
        Ok(_) => replace(&mounted, parsed, draft),
        // The collector checked it with its own page; this page lacks something it needs.
        Err(errors) => {
            for e in errors {
                browser::console_warn(&format!(
                    "mitmachen [{}]: the collector's definition does not fit this page: {}",
                    shown.id,
                    e.message(parsed.texts.lang)
                ));
            }
        }
    }
}
