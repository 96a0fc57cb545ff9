//! The card that reports how something ended (a reset link sent, a password
//! changed, a link that cannot be used) and offers the way on. One component
//! for all of them keeps the pages alike, and the app small.

use leptos::html;
use leptos::prelude::*;

const PRODUCT: &str = "Backoffice";

/// The badge above the heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Mail,
    Warning,
}

impl Outcome {
    fn class(self) -> &'static str {
        match self {
            Outcome::Done => "auth-icon auth-icon-done",
            Outcome::Mail => "auth-icon auth-icon-mail",
            Outcome::Warning => "auth-icon auth-icon-warning",
        }
    }
}

/// Badge, heading, paragraphs, then links styled as buttons: the first as
/// the main action, any others as secondary ones. The heading takes focus,
/// so that screen readers read what replaced the form or the loading state.
#[component]
pub fn ResultCard(
    outcome: Outcome,
    title: &'static str,
    paragraphs: Vec<&'static str>,
    /// `(href, label)` of each link.
    links: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">{PRODUCT}</p>
                <span class=outcome.class() aria-hidden="true"></span>
                <h1 class="auth-title" tabindex="-1" node_ref=heading>{title}</h1>
                <div class="auth-text">
                    {paragraphs.into_iter().map(|text| view! { <p>{text}</p> }).collect_view()}
                </div>
                <div class="auth-actions">
                    {links
                        .into_iter()
                        .enumerate()
                        .map(|(index, (href, label))| {
                            let class = if index == 0 {
                                "button button-primary button-block"
                            } else {
                                "button button-secondary button-block"
                            };
                            view! { <a class=class href=href>{label}</a> }
                        })
                        .collect_view()}
                </div>
            </div>
        </main>
    }
}
