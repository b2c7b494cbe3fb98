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
        let (k1, k2) = (topic.key.clone(), topic.key.clone());
        let give_label = texts.fill(Text::GiveDotLabel, &[("title", &topic.title), ("count", &mine.to_string())]);
        let take_label = texts.fill(Text::TakeBackDotLabel, &[("title", &topic.title)]);
        // With one dot per topic the button is a toggle: pressed when the topic has the dot.
        let toggle = rules.per_topic == 1;
        let on_give = Callback::from(move |_: MouseEvent| {
            if toggle && mine > 0 {
                take.emit(k1.clone())
            } else {
                add.emit(k1.clone())
            }
        });
        let take = props.on_take_back.clone();
        let on_take = Callback::from(move |_: MouseEvent| take.emit(k2.clone()));
        html! {
            <li key={topic.key.as_str().to_owned()} class={classes!("mm-topic", (mine > 0).then_some("mm-chosen"))}>
                <div class="mm-topic-text">
                    <span class="mm-topic-title">{ &topic.title }</span>
                    if !topic.description.is_empty() {
                        <span class="mm-topic-desc">{ &topic.description }</span>
                    }
                    if let (true, Some((rank, count))) = (show_counts, standing) {
                        <span class="mm-topic-count">
                            { format!("{} · {}", texts.fill(Text::Rank, &[("rank", &rank.to_string())]), texts.dots(count)) }
                        </span>
                    }
                </div>
                if open {
                    <div class="mm-topic-actions">
                        <button type="button" class="mm-dot" aria-label={give_label}
                                aria-pressed={toggle.then_some(if mine > 0 { "true" } else { "false" })}
                                onclick={on_give}>
                            { texts.get(Text::GiveDot) }
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
            <p class={classes!("mm-status", matches!(s.phase, Phase::Submitted { .. }).then_some("mm-done"))}
               role="status" tabindex="-1" ref={props.status_ref.clone()}>
                { s.phase.status(texts, Text::ThanksDots, Text::AlreadyDots) }
            </p>
            <p class="mm-alert" role="alert">{ s.phase.alert(texts) }</p>
        </form>
    }
}
