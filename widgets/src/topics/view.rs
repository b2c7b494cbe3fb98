//! The topic list: each topic with its real buttons to give or take back a dot (their names say
//! the topic and the citizen's dots), the dots left in a live region, one submit button.

use super::state::{Notice, Phase, Reducer};
use mitmachen_shared::config::TopicsConfig;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::topics::DotRefused;
use yew::prelude::*;

pub struct Props<'a> {
    pub config: &'a TopicsConfig,
    pub texts: &'a Texts,
    pub state: &'a UseReducerHandle<Reducer>,
    pub on_add: Callback<OptionKey>,
    pub on_take_back: Callback<OptionKey>,
    /// Shows a long description whole, or cut again.
    pub on_expand: Callback<OptionKey>,
    pub on_submit: Callback<SubmitEvent>,
    pub status_ref: NodeRef,
    pub honeypot_ref: NodeRef,
}

pub fn view(props: &Props) -> Html {
    let Props {
        config,
        texts,
        state,
        ..
    } = props;
    let s = &state.state;
    let rules = config.rules;
    let open = s.accepts_input();
    let sending = s.phase.is_sending();
    let show_counts = s.results_visible(config);
    let heading = format!("h{}", config.heading_level);
    let mut hint = texts.fill(Text::TopicsHint, &[("dots", &rules.dots.to_string())]);
    if rules.per_topic > 1 {
        hint.push(' ');
        hint.push_str(&texts.fill(
            Text::TopicsPerTopic,
            &[("max", &rules.per_topic.to_string())],
        ));
    }
    if let (Some(t), true) = (config.closes_at, s.phase != Phase::Closed) {
        hint.push(' ');
        hint.push_str(&texts.fill(Text::OpenUntil, &[("date", &texts.date_time(t))]));
    }
    let left = texts.fill(
        Text::DotsLeft,
        &[
            ("left", &s.dots.remaining(rules).to_string()),
            ("dots", &rules.dots.to_string()),
        ],
    );
    let notice = s.notice.map(|n| match n {
        Notice::Refused(DotRefused::NoDotsLeft) => texts.get(Text::NoDotsLeft),
        Notice::Refused(DotRefused::TopicFull) => texts.get(Text::TopicFull),
        Notice::NothingPlaced => texts.get(Text::NothingPlaced),
    });

    let items = s.listed().into_iter().map(|(topic, standing)| {
        let mine = s.dots.on(&topic.key);
        let (add, take) = (props.on_add.clone(), props.on_take_back.clone());
        let (k1, k2, k3) = (topic.key.clone(), topic.key.clone(), topic.key.clone());
        let give_label = texts.fill(Text::GiveDotLabel, &[("title", &topic.title), ("count", &mine.to_string())]);
        let take_label = texts.fill(Text::TakeBackDotLabel, &[("title", &topic.title)]);
        // With one dot per topic one button gives the dot and, once given, takes it back; its
        // words say which (a pressed state alone showed no change but a colour).
        let toggle = rules.per_topic == 1;
        let undo = toggle && mine > 0;
        let on_give = Callback::from(move |_: MouseEvent| {
            if undo {
                take.emit(k1.clone())
            } else {
                add.emit(k1.clone())
            }
        });
        let take = props.on_take_back.clone();
        let on_take = Callback::from(move |_: MouseEvent| take.emit(k2.clone()));
        let expand = props.on_expand.clone();
        let on_expand = Callback::from(move |_: MouseEvent| expand.emit(k3.clone()));
        let expanded = s.expanded.contains(&topic.key);
        let short = excerpt(&topic.description).filter(|_| !expanded);
        html! {
            <li key={topic.key.as_str().to_owned()} class={classes!("mm-topic", (mine > 0).then_some("mm-chosen"))}>
                <div class="mm-topic-text">
                    <span class="mm-topic-title">{ &topic.title }</span>
                    if !topic.description.is_empty() {
                        <span class="mm-topic-desc">
                            { short.unwrap_or(&topic.description) }
                            if short.is_some() { { " …" } }
                        </span>
                    }
                    // Only a description that was cut (or is shown whole after a cut) gets the button.
                    if expanded || short.is_some() {
                        <button type="button" class="mm-more" aria-expanded={if expanded { "true" } else { "false" }} onclick={on_expand}>
                            { texts.get(if expanded { Text::ShowLess } else { Text::ShowMore }) }
                        </button>
                    }
                    if let (true, Some((rank, count))) = (show_counts, standing) {
                        <span class="mm-topic-count">
                            { format!("{} · {}", texts.fill(Text::Rank, &[("rank", &rank.to_string())]), texts.dots(count)) }
                        </span>
                    }
                </div>
                if open {
                    <div class="mm-topic-actions">
                        <button type="button" class={classes!("mm-dot", undo.then_some("mm-take"))}
                                aria-label={if undo { take_label.clone() } else { give_label }}
                                onclick={on_give}>
                            { texts.get(if undo { Text::TakeBackDot } else { Text::GiveDot }) }
                            if !toggle { <span class="mm-mine" aria-hidden="true">{ format!(" ({mine})") }</span> }
                        </button>
                        if !toggle && mine > 0 {
                            <button type="button" class="mm-dot mm-take" aria-label={take_label} onclick={on_take}>
                                { texts.get(Text::TakeBackDot) }
                            </button>
                        }
                    </div>
                }
            </li>
        }
    });

    html! {
        <form class="mm-topics" novalidate=true aria-busy={sending.then_some("true")} onsubmit={props.on_submit.clone()}>
            <@{heading} class="mm-heading">{ &config.heading }</@>
            if open || sending {
                <p class="mm-hint">{ hint }</p>
            }
            <p class="mm-dots-left" aria-live="polite">
                if open { { left } }
            </p>
            <p class="mm-field-error" aria-live="polite">{ notice.unwrap_or_default() }</p>
            <ol class="mm-topic-list">{ for items }</ol>
            if open || sending {
                <button type="submit" class="mm-submit" aria-disabled={sending.then_some("true")}>
                    { if matches!(s.phase, Phase::Failed(_)) { texts.get(Text::Retry) } else { texts.get(Text::SubmitDots) } }
                </button>
                { crate::honeypot::view(&props.honeypot_ref) }
            }
            <p class={s.phase.status_class()}
               role="status" tabindex="-1" ref={props.status_ref.clone()}>
                { s.phase.status(texts, Text::ThanksDots, Text::AlreadyDots) }
            </p>
            <p class="mm-alert" role="alert">{ s.phase.alert(texts) }</p>
        </form>
    }
}

/// A description longer than this many characters is cut, to keep the list short.
const LONG: usize = 200;
/// Where a long description is cut: at the last space before this many bytes (as many
/// characters in most German text; counting bytes spares the bundle UTF-8 decoding).
const SHOWN: usize = 160;

/// The start of a long description, cut at a word boundary; `None` for one short enough to
/// show whole (the cut should hide a good part, not the last few words).
fn excerpt(text: &str) -> Option<&str> {
    if text.chars().count() <= LONG {
        return None;
    }
    let head = text.get(..text.floor_char_boundary(SHOWN))?;
    // At the last space; a single very long word is cut where it is.
    let cut = head
        .bytes()
        .rposition(|b| b == b' ')
        .filter(|i| *i > SHOWN / 2)
        .unwrap_or(head.len());
    head.get(..cut)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn only_long_descriptions_are_cut_at_a_word() {
        assert_eq!(excerpt("Kurz."), None);
        assert_eq!(
            excerpt(&"a".repeat(200)),
            None,
            "200 characters are shown whole"
        );
        let words = "Wort ".repeat(50);
        let cut = excerpt(&words).expect("long");
        assert!(cut.ends_with("Wort") && cut.chars().count() <= 160, "{cut}");
        let word = "ä".repeat(300);
        assert_eq!(
            excerpt(&word),
            Some(&word[..160]),
            "cut inside one long word"
        );
    }
}
