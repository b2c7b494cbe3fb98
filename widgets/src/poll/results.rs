//! Results as text (count and share of all votes per answer, total ballots) with bars beside
//! them; the bars are decoration (`aria-hidden`), the text carries the information.

use super::state::ResultsState;
use crate::styles::width_class;
use mitmachen_shared::config::PollConfig;
use mitmachen_shared::messages::{Text, Texts};
use mitmachen_shared::shares::percentage;
use std::rc::Rc;
use yew::prelude::*;

pub struct Props {
    pub config: Rc<PollConfig>,
    pub texts: Rc<Texts>,
    pub results: ResultsState,
}

/// A plain function, not a component, like [`super::form::view`].
pub fn view(props: &Props) -> Html {
    let Props {
        config,
        texts,
        results,
    } = props;
    let heading = format!("h{}", (config.heading_level + 1).min(6));
    let body = match results {
        ResultsState::NotLoaded | ResultsState::Loading => {
            html! { <p class="mm-meta">{ texts.get(Text::ResultsLoading) }</p> }
        }
        ResultsState::Unavailable => {
            html! { <p class="mm-meta">{ texts.get(Text::ResultsUnavailable) }</p> }
        }
        ResultsState::Loaded(results) => {
            let counts: Vec<u64> = config
                .options
                .iter()
                .map(|o| results.count(o.key.as_str()))
                .collect();
            // Shares of all votes, rounded so that they add up to 100 (as in the console);
            // rounding each on its own gives 99 % for 1:1:1 and 101 % for 1:1:4.
            let rows = config.options.iter().zip(&counts).enumerate().map(|(i, (option, count))| {
                let count = *count;
                let share = percentage(&counts, i);
                let percent = texts.share(share);
                html! {
                    <li key={option.key.as_str().to_owned()}>
                        <div class="mm-bar-label">
                            <span>{ &option.label }</span>
                            <span class="mm-bar-count">{ format!("{} ({percent})", texts.votes(count)) }</span>
                        </div>
                        <div class="mm-bar" aria-hidden="true"><div class={width_class(share)}></div></div>
                    </li>
                }
            });
            html! {
                <>
                    <ul class="mm-bars">{ for rows }</ul>
                    <p class="mm-meta">{ texts.ballots(results.ballots) }</p>
                </>
            }
        }
    };
    html! {
        <section class="mm-results" aria-labelledby="mm-results-heading" aria-live="polite">
            <@{heading} class="mm-heading" id="mm-results-heading">{ texts.get(Text::ResultsHeading) }</@>
            { body }
        </section>
    }
}
