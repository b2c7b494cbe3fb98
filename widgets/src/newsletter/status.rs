//! What the citizen is told about the request: progress while sending, then the same message
//! whatever the collector knew of the address (a link to confirm is on its way), or why the
//! request was not stored.

use super::state::{Failure, Phase};
use mitmachen_shared::messages::{Text, Texts};
use yew::prelude::*;

/// What the status region says.
pub fn status(texts: &Texts, phase: &Phase) -> Html {
    match phase {
        Phase::Sending { retry_in_s: None } => html! { texts.get(Text::SendingSubscription) },
        Phase::Sending {
            retry_in_s: Some(s),
        } => {
            html! { <p class="mm-offline">{ texts.fill(Text::RetryingSubscription, &[("seconds", &s.to_string())]) }</p> }
        }
        // The address is what the citizen typed, as text.
        Phase::Requested { address } => html! {
            <>
                <p class="mm-done">{ texts.fill(Text::ConfirmSubscription, &[("address", address)]) }</p>
                <p>{ texts.get(Text::ConfirmSubscriptionNote) }</p>
            </>
        },
        Phase::Editing | Phase::Failed(_) => html! {},
    }
}

/// What the alert region says: why the request was not stored.
pub fn alert(texts: &Texts, phase: &Phase) -> String {
    match phase {
        Phase::Failed(Failure::Unreachable) => texts.get(Text::SubscriptionFailed).to_owned(),
        Phase::Failed(Failure::Unknown) => texts.get(Text::NewsletterUnknown).to_owned(),
        Phase::Failed(Failure::Rejected(detail)) => {
            texts.fill(Text::SubscriptionRejected, &[("detail", detail)])
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::messages::Lang;

    #[test]
    fn failures_in_words() {
        let texts = Texts::new(Lang::De);
        assert_eq!(alert(&texts, &Phase::Editing), "");
        assert!(alert(&texts, &Phase::Failed(Failure::Unknown)).contains("nicht eingerichtet"));
        assert_eq!(
            alert(&texts, &Phase::Failed(Failure::Rejected("zu oft".into()))),
            "Ihre Anmeldung zum Newsletter wurde nicht angenommen: zu oft"
        );
        assert_eq!(
            texts.fill(Text::ConfirmSubscription, &[("address", "{seconds}@x.de")]),
            "Bitte bestätigen Sie den Link, den wir an {seconds}@x.de gesendet haben."
        );
    }
}
