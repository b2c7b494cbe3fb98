//! Reads an editor's element into a configuration [`Source`]: its `data-*` attributes, the
//! first heading and the items of the first list inside it, and the page's language.

use mitmachen_shared::config::{EditorContent, Heading, Item, Source};
use web_sys::Element;

pub fn read(el: &Element, default_endpoint: Option<String>) -> Source {
    Source {
        attributes: data_attributes(el),
        content: content(el),
        page_lang: page_lang(el),
        default_endpoint,
    }
}

/// The `lang` of the closest element that has one (`el` itself included).
pub fn page_lang(el: &Element) -> Option<String> {
    el.closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"))
}

fn data_attributes(el: &Element) -> Vec<(String, String)> {
    let attrs = el.attributes();
    (0..attrs.length())
        .filter_map(|i| attrs.item(i))
        .map(|a| (a.name(), a.value()))
        .filter(|(name, _)| name.starts_with("data-"))
        .collect()
}

fn content(el: &Element) -> EditorContent {
    let heading = el
        .query_selector("h1, h2, h3, h4, h5, h6")
        .ok()
        .flatten()
        .map(|h| Heading {
            level: h
                .tag_name()
                .as_bytes()
                .get(1)
                .map_or(2, |d| d.saturating_sub(b'0')),
            text: h.text_content().unwrap_or_default(),
        });
    let items = el
        .query_selector("ul, ol")
        .ok()
        .flatten()
        .map(|list| {
            let children = list.children();
            (0..children.length())
                .filter_map(|i| children.item(i))
                .filter(|c| c.tag_name().eq_ignore_ascii_case("li"))
                .map(|li| Item {
                    text: li.text_content().unwrap_or_default(),
                    key: li.get_attribute("data-key"),
                    title: li
                        .query_selector("strong, b, h2, h3, h4, h5, h6")
                        .ok()
                        .flatten()
                        .and_then(|t| t.text_content()),
                })
                .collect()
        })
        .unwrap_or_default();
    EditorContent { heading, items }
}
