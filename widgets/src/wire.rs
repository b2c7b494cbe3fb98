//! The protocol's JSON on the widget side, written out by hand instead of serde with
//! serde-wasm-bindgen, whose generic code and error formatting were a large part of the wasm.
//!
//! Answers arrive as the JS values `Response.json()` made; they are accepted exactly when serde
//! with serde-wasm-bindgen accepted them: objects with every field present and of the right
//! type (unknown fields ignored), integers as safe non-negative JS integers, and identifiers
//! that parse.

use js_sys::{Array, Number, Object, Reflect};
use mitmachen_shared::definition::{Definition, DefinitionItem, Kind};
use mitmachen_shared::event::Placement;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{
    EventState, EventStatus, ProblemKind, Proposal, Receipt, Registration, Submission,
    Subscription, TopicBallot,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The submission's JSON, byte for byte as serde writes it. Option keys are identifiers
/// (`a-z`, `0-9`, `-`, `_`), which JSON never escapes.
pub fn submission_json(submission: &Submission) -> String {
    let ballot = match submission {
        Submission::Poll(ballot) => ballot,
        Submission::Proposal(proposal) => return proposal_json(proposal),
        Submission::Topics(ballot) => return topics_json(ballot),
        Submission::Registration(registration) => return registration_json(registration),
        Submission::Subscription(subscription) => return subscription_json(subscription),
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

/// A registration's JSON, byte for byte as serde writes it: empty optional fields left out.
fn registration_json(r: &Registration) -> String {
    let mut json = String::from(r#"{"kind":"registration","name":"#);
    push_quoted(&mut json, &r.name);
    json.push_str(r#","email":"#);
    push_quoted(&mut json, &r.email);
    json.push_str(&format!(r#","persons":{}"#, r.persons));
    for (name, value) in [
        ("phone", &r.phone),
        ("organisation", &r.organisation),
        ("note", &r.note),
        ("lang", &r.lang),
    ] {
        if !value.is_empty() {
            json.push_str(&format!(r#","{name}":"#));
            push_quoted(&mut json, value);
        }
    }
    push_honeypot(&mut json, &r.honeypot);
    json
}

/// A newsletter request's JSON, byte for byte as serde writes it: empty optional fields (name,
/// lists, lang, honeypot) left out.
fn subscription_json(s: &Subscription) -> String {
    let mut json = String::from(r#"{"kind":"subscription","email":"#);
    push_quoted(&mut json, &s.email);
    if !s.name.is_empty() {
        json.push_str(r#","name":"#);
        push_quoted(&mut json, &s.name);
    }
    if !s.lists.is_empty() {
        json.push_str(r#","lists":["#);
        for (i, key) in s.lists.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            push_quoted(&mut json, key.as_str());
        }
        json.push(']');
    }
    for (name, value) in [
        ("consent", &s.consent),
        ("privacy", &s.privacy),
        ("page", &s.page),
    ] {
        json.push_str(&format!(r#","{name}":"#));
        push_quoted(&mut json, value);
    }
    if !s.lang.is_empty() {
        json.push_str(r#","lang":"#);
        push_quoted(&mut json, &s.lang);
    }
    push_honeypot(&mut json, &s.honeypot);
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

/// A JSON value as the readers below see it: in the browser the JS value `Response.json()`
/// made; in host tests serde_json's, so that the tests can check that these readers accept
/// exactly what serde accepts.
pub trait Json: Sized {
    /// A present field of an object.
    fn get(&self, name: &str) -> Option<Self>;
    fn is_object(&self) -> bool;
    fn is_null(&self) -> bool;
    fn text(&self) -> Option<String>;
    /// A non-negative integer (in JS: a safe one).
    fn unsigned(&self) -> Option<u64>;
    fn boolean(&self) -> Option<bool>;
    fn items(&self) -> Option<Vec<Self>>;
    /// An object's fields, in order.
    fn entries(&self) -> Option<Vec<(String, Self)>>;
}

impl Json for JsValue {
    fn get(&self, name: &str) -> Option<Self> {
        field(self, name)
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self)
    }
    fn is_null(&self) -> bool {
        JsValue::is_null(self)
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn unsigned(&self) -> Option<u64> {
        unsigned(self)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        Some(self.dyn_ref::<Array>()?.iter().collect())
    }
    fn entries(&self) -> Option<Vec<(String, Self)>> {
        let obj = self.dyn_ref::<Object>()?;
        Object::entries(obj)
            .iter()
            .map(|pair| {
                let pair = pair.dyn_into::<Array>().ok()?;
                Some((pair.get(0).as_string()?, pair.get(1)))
            })
            .collect()
    }
}

fn text_field<J: Json>(obj: &J, name: &str) -> Option<String> {
    obj.get(name)?.text()
}

fn u32_field<J: Json>(obj: &J, name: &str) -> Option<u32> {
    u32::try_from(obj.get(name)?.unsigned()?).ok()
}

fn widget_field<J: Json>(obj: &J) -> Option<WidgetId> {
    WidgetId::parse(&text_field(obj, "widget")?).ok()
}

/// An `Option` field as serde reads it: absent or `null` is `None`, anything else must parse.
fn optional<J: Json, T>(obj: &J, name: &str, parse: impl Fn(&J) -> Option<T>) -> Option<Option<T>> {
    match obj.get(name) {
        None => Some(None),
        Some(v) if v.is_null() => Some(None),
        Some(v) => parse(&v).map(Some),
    }
}

/// A placement as the wire format names it: `seat`, `waiting_list`.
pub fn placement(value: &str) -> Option<Placement> {
    match value {
        "seat" => Some(Placement::Seat),
        "waiting_list" => Some(Placement::WaitingList),
        _ => None,
    }
}

pub fn placement_name(placement: Placement) -> &'static str {
    match placement {
        Placement::Seat => "seat",
        Placement::WaitingList => "waiting_list",
    }
}

pub fn receipt<J: Json>(value: J) -> Option<Receipt> {
    value.is_object().then_some(())?;
    Some(Receipt {
        receipt: text_field(&value, "receipt")?,
        widget: widget_field(&value)?,
        accepted_at: text_field(&value, "accepted_at")?,
        placement: optional(&value, "placement", |v| placement(&v.text()?))?,
    })
}

/// What a refusal says: its `type`, `detail`, and the `errors` as (pointer, detail).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemReply {
    pub kind: String,
    pub detail: String,
    pub errors: Vec<(String, String)>,
}

impl ProblemReply {
    /// The `type`, typed; [`ProblemKind::Other`] for one this widget does not know.
    pub fn kind(&self) -> ProblemKind {
        ProblemKind::from_type_uri(&self.kind)
    }
}

/// An error answer, if it is a whole problem object (`type`, `title`, `status`, `detail`, and
/// `errors` if present: a list of `{pointer, detail}`).
pub fn problem<J: Json>(value: J) -> Option<ProblemReply> {
    value.is_object().then_some(())?;
    text_field(&value, "title")?;
    u16::try_from(value.get("status")?.unsigned()?).ok()?;
    let mut errors = Vec::new();
    if let Some(list) = value.get("errors") {
        for e in list.items()? {
            e.is_object().then_some(())?;
            errors.push((text_field(&e, "pointer")?, text_field(&e, "detail")?));
        }
    }
    Some(ProblemReply {
        kind: text_field(&value, "type")?,
        detail: text_field(&value, "detail")?,
        errors,
    })
}

/// An event's seats (`GET .../event`, `protocol::EventStatus`).
pub fn event_status<J: Json>(value: J) -> Option<EventStatus> {
    value.is_object().then_some(())?;
    let state = match text_field(&value, "state")?.as_str() {
        "open" => EventState::Open,
        "closed" => EventState::Closed,
        "cancelled" => EventState::Cancelled,
        _ => return None,
    };
    Some(EventStatus {
        widget: widget_field(&value)?,
        state,
        capacity: optional(&value, "capacity", |v| u32::try_from(v.unsigned()?).ok())?,
        seats_taken: u32_field(&value, "seats_taken")?,
        waiting: u32_field(&value, "waiting")?,
        waiting_list: value.get("waiting_list")?.boolean()?,
        persons_max: u32_field(&value, "persons_max")?,
    })
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

/// What an endpoint says of a widget's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defined {
    pub definition: Definition,
    /// `open`, `closed`, `cancelled` or `draft`.
    pub state: String,
    /// `false`: taken from the first page that showed it, not looked at by an editor yet (absent:
    /// `true`).
    pub reviewed: bool,
}

/// A collector's definition of the widget, read as serde reads `Definition` (unknown fields
/// besides `id`, `state`, `version` and `reviewed` refused, so a definition this widget does not
/// understand is not laid over it).
pub fn definition<J: Json>(value: J) -> Option<Defined> {
    value.is_object().then_some(())?;
    let state = text_field(&value, "state")?;
    let reviewed = optional(&value, "reviewed", Json::boolean)?.unwrap_or(true);
    for (name, _) in value.entries()? {
        if !matches!(
            name.as_str(),
            "id" | "kind" | "attributes" | "heading" | "items" | "state" | "version" | "reviewed"
        ) {
            return None;
        }
    }
    let kind = Kind::parse(&text_field(&value, "kind")?)?;
    let mut attributes = mitmachen_shared::definition::Attributes::default();
    if let Some(found) = value.get("attributes") {
        for (name, v) in found.entries()? {
            attributes.insert(name, v.text()?);
        }
    }
    let heading = optional(&value, "heading", Json::text)?;
    let mut items = Vec::new();
    if let Some(list) = value.get("items") {
        for item in list.items()? {
            item.is_object().then_some(())?;
            for (name, _) in item.entries()? {
                if !matches!(name.as_str(), "text" | "key" | "title") {
                    return None;
                }
            }
            items.push(DefinitionItem {
                text: text_field(&item, "text")?,
                key: optional(&item, "key", Json::text)?,
                title: optional(&item, "title", Json::text)?,
            });
        }
    }
    Some(Defined {
        definition: Definition {
            kind,
            attributes,
            heading,
            items,
        },
        state,
        reviewed,
    })
}

/// What a page says about a widget the collector does not know: `{"page": …, "definition": …}`
/// as serde writes it.
pub fn page_json(page: &str, definition: &Definition) -> String {
    let mut json = String::from(r#"{"page":"#);
    push_quoted(&mut json, page);
    json.push_str(r#","definition":{"kind":""#);
    json.push_str(definition.kind.as_str());
    json.push_str(r#"","attributes":{"#);
    for (i, (name, value)) in definition.attributes.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_quoted(&mut json, name);
        json.push(':');
        push_quoted(&mut json, value);
    }
    json.push('}');
    if let Some(heading) = &definition.heading {
        json.push_str(r#","heading":"#);
        push_quoted(&mut json, heading);
    }
    if !definition.items.is_empty() {
        json.push_str(r#","items":["#);
        for (i, item) in definition.items.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(r#"{"text":"#);
            push_quoted(&mut json, &item.text);
            if let Some(key) = &item.key {
                json.push_str(r#","key":"#);
                push_quoted(&mut json, key);
            }
            if let Some(title) = &item.title {
                json.push_str(r#","title":"#);
                push_quoted(&mut json, title);
            }
            json.push('}');
        }
        json.push(']');
    }
    json.push_str("}}");
    json
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
    use mitmachen_shared::protocol::{PollBallot, Problem};
    use serde_json::Value;

    impl Json for Value {
        fn get(&self, name: &str) -> Option<Self> {
            self.as_object()?.get(name).cloned()
        }
        fn is_object(&self) -> bool {
            Value::is_object(self)
        }
        fn is_null(&self) -> bool {
            Value::is_null(self)
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn unsigned(&self) -> Option<u64> {
            self.as_u64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<Self>> {
            self.as_array().cloned()
        }
        fn entries(&self) -> Option<Vec<(String, Self)>> {
            Some(
                self.as_object()?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or(Value::Null)
    }

    /// Each reply is read exactly when serde reads it, and to the same value.
    fn same_as_serde<T>(replies: &[&str], read: impl Fn(Value) -> Option<T>)
    where
        T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for reply in replies {
            assert_eq!(
                read(json(reply)),
                serde_json::from_str::<T>(reply).ok(),
                "{reply}"
            );
        }
    }

    #[test]
    fn receipts_with_and_without_a_placement() {
        let base = r#""receipt":"r-1","widget":"haushalt","accepted_at":"2027-01-01T10:00:00Z""#;
        let replies: Vec<String> = [
            "",
            r#","placement":"seat""#,
            r#","placement":"waiting_list""#,
            r#","placement":null"#,
            r#","placement":"front_row""#,
            r#","placement":1"#,
            r#","extra":[1,2]"#,
        ]
        .iter()
        .map(|tail| format!("{{{base}{tail}}}"))
        .chain([
            r#"{"receipt":"r-1","widget":"Bad Id","accepted_at":"x"}"#.to_owned(),
            r#"{"receipt":"r-1","widget":"haushalt"}"#.to_owned(),
            r#"["r-1"]"#.to_owned(),
            "null".to_owned(),
        ])
        .collect();
        let replies: Vec<&str> = replies.iter().map(String::as_str).collect();
        same_as_serde::<Receipt>(&replies, receipt);
        let read = receipt(json(&format!(r#"{{{base},"placement":"waiting_list"}}"#)));
        assert_eq!(read.and_then(|r| r.placement), Some(Placement::WaitingList));
    }

    #[test]
    fn event_status_as_serde_reads_it() {
        same_as_serde::<EventStatus>(
            &[
                r#"{"widget":"x","state":"open","capacity":50,"seats_taken":3,"waiting":0,"waiting_list":true,"persons_max":4}"#,
                r#"{"widget":"x","state":"closed","capacity":null,"seats_taken":0,"waiting":0,"waiting_list":false,"persons_max":1}"#,
                r#"{"widget":"x","state":"cancelled","seats_taken":7,"waiting":2,"waiting_list":true,"persons_max":1,"more":{}}"#,
                r#"{"widget":"x","state":"full","capacity":5,"seats_taken":0,"waiting":0,"waiting_list":true,"persons_max":1}"#,
                r#"{"widget":"x","state":"open","capacity":-1,"seats_taken":0,"waiting":0,"waiting_list":true,"persons_max":1}"#,
                r#"{"widget":"x","state":"open","capacity":4294967296,"seats_taken":0,"waiting":0,"waiting_list":true,"persons_max":1}"#,
                r#"{"widget":"x","state":"open","capacity":5,"seats_taken":"3","waiting":0,"waiting_list":true,"persons_max":1}"#,
                r#"{"widget":"x","state":"open","capacity":5,"seats_taken":3,"waiting":0,"waiting_list":"yes","persons_max":1}"#,
                r#"{"widget":"x","state":"open","capacity":5,"seats_taken":3,"waiting":0,"persons_max":1}"#,
                r#"{"widget":"../x","state":"open","capacity":5,"seats_taken":3,"waiting":0,"waiting_list":true,"persons_max":1}"#,
                r#""open""#,
            ],
            event_status,
        );
    }

    #[test]
    fn problems_with_field_errors() {
        let replies = [
            r#"{"type":"urn:mitmachen:problem:invalid-submission","title":"t","status":422,"detail":"d","errors":[{"pointer":"/email","detail":"email is not an e-mail address"}]}"#,
            r#"{"type":"urn:mitmachen:problem:event-full","title":"t","status":409,"detail":"full"}"#,
            r#"{"type":"urn:mitmachen:problem:closed","title":"t","status":422,"detail":"d","errors":[{"pointer":"/email"}]}"#,
            r#"{"type":"x","title":"t","status":70000,"detail":"d"}"#,
            r#"{"type":"x","title":"t","status":422,"detail":"d","errors":null}"#,
            r#"{"type":"x","title":"t","status":422}"#,
            "<html>Bad Gateway</html>",
        ];
        for reply in replies {
            let ours = problem(json(reply));
            let serde = serde_json::from_str::<Problem>(reply).ok();
            assert_eq!(
                ours,
                serde.map(|p| ProblemReply {
                    kind: p.kind,
                    detail: p.detail,
                    errors: p
                        .errors
                        .into_iter()
                        .map(|e| (e.pointer, e.detail))
                        .collect(),
                }),
                "{reply}"
            );
        }
        let kind = |reply: &str| problem(json(reply)).map(|p| p.kind());
        assert_eq!(kind(replies[1]), Some(ProblemKind::EventFull));
        let newer = r#"{"type":"urn:mitmachen:problem:seat-lottery","title":"t","status":409,"detail":"d"}"#;
        assert_eq!(
            kind(newer),
            Some(ProblemKind::Other),
            "a newer collector's type"
        );
    }

    #[test]
    fn registration_json_is_what_serde_writes() {
        let tricky = "\"'><script>alert(1)</script> \\ \u{0}\u{1f}\t\r\n Grüße 🙂 \u{2028}";
        let full = Registration {
            name: "Erika Mustermann".into(),
            email: "erika@example.de".into(),
            persons: 3,
            phone: "+49 30 1234567".into(),
            organisation: "Verein \"Spielplatz\" e. V.".into(),
            note: "Rollstuhl\nund Begleitung".into(),
            lang: "de-einfach".into(),
            honeypot: String::new(),
        };
        let bare = Registration {
            name: tricky.into(),
            email: "a@b.de".into(),
            persons: 1,
            phone: String::new(),
            organisation: String::new(),
            note: tricky.into(),
            lang: String::new(),
            honeypot: "http://spam.example".into(),
        };
        for r in [full, bare] {
            let submission = Submission::Registration(r);
            assert_eq!(
                submission_json(&submission),
                serde_json::to_string(&submission).unwrap_or_default()
            );
        }
    }

    #[test]
    fn subscription_json_is_what_serde_writes() {
        let tricky = "\"'><script>alert(1)</script> \\ \u{0}\u{1f}\t\r\n Grüße 🙂 \u{2028}";
        let full = Subscription {
            email: "erika@example.de".into(),
            name: "Erika Mustermann".into(),
            lists: ["beteiligung", "veranstaltungen"]
                .iter()
                .filter_map(|k| OptionKey::parse(k).ok())
                .collect(),
            consent: "Ja, ich möchte den Newsletter per E-Mail erhalten.\nWiderruf jederzeit."
                .into(),
            privacy: "https://www.musterstadt.de/datenschutz".into(),
            page: "http://localhost:8080/examples/rathaus.html".into(),
            lang: "de-einfach".into(),
            honeypot: String::new(),
        };
        let bare = Subscription {
            email: tricky.into(),
            name: String::new(),
            lists: vec![],
            consent: tricky.into(),
            privacy: String::new(),
            page: "https://example.de/a\"b".into(),
            lang: String::new(),
            honeypot: "http://spam.example".into(),
        };
        for s in [full, bare] {
            let submission = Submission::Subscription(s);
            assert_eq!(
                submission_json(&submission),
                serde_json::to_string(&submission).unwrap_or_default()
            );
        }
    }

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

    #[test]
    fn definitions_are_read_and_pages_written_as_serde_does() {
        let definition = Definition {
            kind: Kind::Poll,
            attributes: [
                ("data-question".to_owned(), "Wie \"heißt\" er?\n".to_owned()),
                ("data-max-choices".to_owned(), "2".to_owned()),
            ]
            .into_iter()
            .collect(),
            heading: Some("Überschrift".into()),
            items: vec![
                DefinitionItem {
                    text: "Markt".into(),
                    key: Some("markt".into()),
                    title: None,
                },
                DefinitionItem {
                    text: "Linde: schattig".into(),
                    key: None,
                    title: Some("Linde".into()),
                },
            ],
        };
        let page: Value = json(&page_json("https://www.musterstadt.de/a", &definition));
        assert_eq!(page["page"], "https://www.musterstadt.de/a");
        assert_eq!(
            serde_json::from_value::<Definition>(page["definition"].clone()).ok(),
            Some(definition.clone())
        );
        let mut public = serde_json::to_value(&definition).unwrap_or(Value::Null);
        public["id"] = "platz".into();
        public["state"] = "open".into();
        public["version"] = 3.into();
        assert_eq!(
            super::definition(public.clone()),
            Some(Defined {
                definition: definition.clone(),
                state: "open".to_owned(),
                reviewed: true,
            })
        );
        public["reviewed"] = false.into();
        assert_eq!(
            super::definition(public.clone()).map(|d| d.reviewed),
            Some(false)
        );
        // What this widget does not understand is not laid over it.
        for (field, value) in [
            ("colour", Value::from("rot")),
            ("kind", Value::from("quiz")),
        ] {
            let mut odd = public.clone();
            odd[field] = value;
            assert_eq!(super::definition(odd), None, "{field}");
        }
        let bare = json(r#"{"kind":"event","state":"draft"}"#);
        assert_eq!(
            super::definition(bare).map(|d| (
                d.definition.attributes.len(),
                d.definition.items.len(),
                d.state
            )),
            Some((0, 0, "draft".to_owned()))
        );
    }
}
