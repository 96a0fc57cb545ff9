//! The page shown when the app cannot reach the server at start.

use crate::components::page_title::set_page_title;
use crate::i18n::{td_string, use_locale};
use leptos::prelude::*;

#[component]
pub fn ServerUnavailablePage() -> impl IntoView {
    set_page_title("Backoffice");
    let locale = use_locale().get_untracked();
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">{td_string!(locale, unavailable.title)}</h1>
                <p class="auth-subtitle" role="alert">
                    {td_string!(locale, problem.unreachable)}
                </p>
                <button type="button" class="button button-primary button-block" on:click=reload>
                    {td_string!(locale, common.try_again)}
                </button>
            </div>
        </main>
    }
}
