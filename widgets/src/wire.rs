//! The protocol's JSON on the widget side, written out by hand instead of serde with
//! serde-wasm-bindgen, whose generic code and error formatting were a large part of the wasm.
//!
//! Answers arrive as the JS values `Response.json()` made; they are accepted exactly when serde
//! with serde-wasm-bindgen accepted them: objects with every field present and of the right
//! type (unknown fields ignored), integers as safe non-negative JS integers, and identifiers
//! that parse.

use js_sys::{Array, Number, Object, Reflect};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Proposal, Receipt, Submission, TopicBallot};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The submission's JSON, byte for byte as serde writes it. Option keys are identifiers
/// (`a-z`, `0-9`, `-`, `_`), which JSON never escapes.
pub fn submission_json(submission: &Submission) -> String {
    let ballot = match submission {
        Submission::Poll(ballot) => ballot,
        Submission::Proposal(proposal) => return proposal_json(proposal),
        Submission::Topics(ballot) => return topics_json(ballot),
    };
    let mut json = String::from(r#"{"kind":"poll","choices":["#);
    for (i, key) in ballot.choices.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push('"');
        json.push_str(key.as_str());
        json.push('"');
    }
    json.push(']');
    push_honeypot(&mut json, &ballot.honeypot);
    json
}

/// Closes the object, with the honeypot before the brace when it was filled in (as serde
/// writes it: only then).
fn push_honeypot(json: &mut String, honeypot: &str) {
    if !honeypot.is_empty() {
        json.push_str(r#","honeypot":"#);
        push_quoted(json, honeypot);
    }
    json.push('}');
}

/// A topic ballot's JSON, byte for byte as serde writes it.
fn topics_json(ballot: &TopicBallot) -> String {
    let mut json = String::from(r#"{"kind":"topics","dots":["#);
    for (i, d) in ballot.dots.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(r#"{{"topic":"{}","count":{}}}"#, d.topic, d.count));
    }
    json.push(']');
    push_honeypot(&mut json, &ballot.honeypot);
    json
}

/// A proposal's JSON, byte for byte as serde writes it.
fn proposal_json(proposal: &Proposal) -> String {
    let mut json = String::from(r#"{"kind":"proposal","title":"#);
    push_quoted(&mut json, &proposal.title);
    json.push_str(r#","description":"#);
    push_quoted(&mut json, &proposal.description);
    push_honeypot(&mut json, &proposal.honeypot);
    json
}

/// A JSON string escaped as serde_json escapes it: quote, backslash and control characters
/// below U+0020, nothing else.
fn push_quoted(json: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            '\u{8}' => json.push_str("\\b"),
            '\u{c}' => json.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                json.push_str("\\u00");
                json.push(char::from(HEX[b >> 4]));
                json.push(char::from(HEX[b & 0xf]));
            }
            c => json.push(c),
        }
    }
    json.push('"');
}

/// A present field of an object (a JSON value is never `undefined`, so `undefined` means absent).
fn field(obj: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined())
}

fn object(value: JsValue) -> Option<JsValue> {
    value.is_object().then_some(value)
}

fn string(obj: &JsValue, name: &str) -> Option<String> {
    field(obj, name)?.as_string()
}

fn unsigned(value: &JsValue) -> Option<u64> {
    let n = value.as_f64()?;
    (Number::is_safe_integer(value) && n >= 0.0).then_some(n as u64)
}

fn widget_id(obj: &JsValue) -> Option<WidgetId> {
    WidgetId::parse(&string(obj, "widget")?).ok()
}

pub fn receipt(value: JsValue) -> Option<Receipt> {
    let obj = object(value)?;
    Some(Receipt {
        receipt: string(&obj, "receipt")?,
        widget: widget_id(&obj)?,
        accepted_at: string(&obj, "accepted_at")?,
    })
}

/// The `detail` of an error answer, if it is a whole problem object (`type`, `title`, `status`,
/// `detail`, and `errors` if present: a list of `{pointer, detail}`).
pub fn problem_detail(value: JsValue) -> Option<String> {
    let obj = object(value)?;
    string(&obj, "type")?;
    string(&obj, "title")?;
    u16::try_from(unsigned(&field(&obj, "status")?)?).ok()?;
    let detail = string(&obj, "detail")?;
    if let Some(errors) = field(&obj, "errors") {
        for e in errors.dyn_into::<Array>().ok()?.iter() {
            let e = object(e)?;
            string(&e, "pointer")?;
            string(&e, "detail")?;
        }
    }
    Some(detail)
}

/// What the widget keeps of a results answer (`protocol::Results`, whose `widget` is checked
/// but not needed): a list instead of a `BTreeMap`, which would bring its own code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub ballots: u64,
    pub counts: Vec<(String, u64)>,
}

impl Tally {
    /// How often `key` was chosen (for a key listed twice, the later count, as a map keeps it).
    pub fn count(&self, key: &str) -> u64 {
        self.counts
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map_or(0, |(_, n)| *n)
    }
}

pub fn results(value: JsValue) -> Option<Tally> {
    let obj = object(value)?;
    widget_id(&obj)?;
    let ballots = unsigned(&field(&obj, "ballots")?)?;
    let counts = object(field(&obj, "counts")?)?;
    // A map is an object, or (as serde-wasm-bindgen also took it) a list of [key, count] pairs.
    let entries = if Array::is_array(&counts) {
        counts.unchecked_into::<Array>()
    } else {
        Object::entries(counts.unchecked_ref())
    };
    let mut counts = Vec::new();
    for pair in entries.iter() {
        let pair = object(pair)?;
        let key = Reflect::get_u32(&pair, 0).ok()?.as_string()?;
        counts.push((key, unsigned(&Reflect::get_u32(&pair, 1).ok()?)?));
    }
    Some(Tally { ballots, counts })
}

/// The approved proposals of a topics answer (`protocol::Topics`), as topics of the list.
/// Entries that are not whole (`key`, `title`, `description` strings, a valid key) are skipped.
pub fn topics(value: JsValue) -> Option<Vec<mitmachen_shared::config::TopicItem>> {
    let obj = object(value)?;
    widget_id(&obj)?;
    let list = field(&obj, "topics")?.dyn_into::<Array>().ok()?;
    Some(
        list.iter()
            .filter_map(|t| {
                let t = object(t)?;
                Some(mitmachen_shared::config::TopicItem {
                    key: mitmachen_shared::ids::OptionKey::parse(&string(&t, "key")?).ok()?,
                    title: string(&t, "title")?,
                    description: string(&t, "description").unwrap_or_default(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::ids::OptionKey;
    use mitmachen_shared::protocol::PollBallot;

    #[test]
    fn submission_json_is_what_serde_writes() {
        for keys in [vec![], vec!["ja"], vec!["ja", "nein", "option-3_b"]] {
            let submission = Submission::Poll(PollBallot {
                choices: keys
                    .iter()
                    .filter_map(|k| OptionKey::parse(k).ok())
                    .collect(),
                honeypot: String::new(),
            });
            assert_eq!(
                submission_json(&submission),
                serde_json::to_string(&submission).unwrap_or_default()
            );
        }
    }

    #[test]
    fn topic_ballot_json_is_what_serde_writes() {
        use mitmachen_shared::protocol::DotPlacement;
        for (dots, honeypot) in [
            (vec![], ""),
            (vec![("radwege", 2), ("p-0a1b2c3d", 1)], ""),
            (vec![("a", 1)], "x\"y"),
        ] {
            let submission = Submission::Topics(TopicBallot {
                dots: dots
                    .iter()
                    .filter_map(|(k, n)| {
                        Some(DotPlacement {
                            topic: OptionKey::parse(k).ok()?,
                            count: *n,
                        })
                    })
                    .collect(),
                honeypot: honeypot.into(),
            });
            assert_eq!(
                submission_json(&submission),
                serde_json::to_string(&submission).unwrap_or_default()
            );
        }
    }

    #[test]
    fn proposal_json_is_what_serde_writes() {
        let tricky = "\"'><script>alert(1)</script> \\ / \u{0}\u{1f}\u{7f}\u{8}\u{c}\t\r\n \
                      <img src=x onerror=alert(1)> Grüße ẞ 🙂 \u{2028}\u{feff}";
        for (title, description, honeypot) in [
            ("Radweg", "", ""),
            (tricky, tricky, ""),
            ("Bänke", "mehr\nBänke", "http://spam.example"),
        ] {
            let submission = Submission::Proposal(Proposal {
                title: title.into(),
                description: description.into(),
                honeypot: honeypot.into(),
            });
            assert_eq!(
                submission_json(&submission),
                serde_json::to_string(&submission).unwrap_or_default()
            );
        }
    }
}
