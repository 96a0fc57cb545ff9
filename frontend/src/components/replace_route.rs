//! Client-side redirects that replace the current history entry, so Back
//! never returns to a page that only redirects (or that the user may no
//! longer see).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// Navigates to `path` once rendered. Unlike `leptos_router`'s `Redirect`,
/// the navigation waits for an effect: a `Routes` fallback renders while the
/// router still holds its location, and navigating right then aborts.
#[component]
pub fn ReplaceRoute(#[prop(into)] path: String) -> impl IntoView {
    let navigate = use_navigate();
    Effect::new(move |_| {
        navigate(
            &path,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
}
