//! The protocol's JSON on the widget side, written out by hand instead of serde with
//! serde-wasm-bindgen, whose generic code and error formatting were a large part of the wasm.
//!
//! Answers arrive as the JS values `Response.json()` made; they are accepted exactly when serde
//! with serde-wasm-bindgen accepted them: objects with every field present and of the right
//! type (unknown fields ignored), integers as safe non-negative JS integers, and identifiers
//! that parse.

use js_sys::{Array, Number, Object, Reflect};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Receipt, Submission};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The submission's JSON, byte for byte as serde writes it. Option keys are identifiers
/// (`a-z`, `0-9`, `-`, `_`), which JSON never escapes.
pub fn submission_json(submission: &Submission) -> String {
    let Submission::Poll(ballot) = submission;
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
    // Serde writes the honeypot only when it is filled in (the widget never fills it).
    if !ballot.honeypot.is_empty() {
        json.push_str(r#","honeypot":"#);
        let quoted = js_sys::JSON::stringify(&JsValue::from_str(&ballot.honeypot));
        json.push_str(&quoted.map(String::from).unwrap_or_default());
    }
    json.push('}');
    json
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
}
