//! The neutral screen shown while the app finds out who is signed in, so a
//! signed-in user never sees the login form flash on reload.

use crate::i18n::{td_string, tr};
use leptos::prelude::*;

#[component]
pub fn LoadingScreen() -> impl IntoView {
    view! {
        <main class="loading-screen" aria-busy="true">
            <div class="loading-indicator" role="status">
                <span class="spinner" aria-hidden="true"></span>
                <span class="visually-hidden">
                    {tr(|l| td_string!(l, common.loading))}
                </span>
            </div>
        </main>
    }
}
