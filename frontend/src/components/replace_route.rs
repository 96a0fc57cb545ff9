//! Client-side redirects that replace the current history entry, so Back
//! never returns to a page that only redirects (or that the user may no
//! longer see).

use crate::router::use_router;
use leptos::prelude::*;

/// Navigates to `path` once rendered: from an effect, so the page that
/// redirects has finished rendering before the next one starts.
#[component]
pub fn ReplaceRoute(#[prop(into)] path: String) -> impl IntoView {
    let router = use_router();
    Effect::new(move |_| router.navigate(&path, true));
}
