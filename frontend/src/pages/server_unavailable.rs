//! The page shown when the app cannot reach the server at start.

use crate::components::page_title::set_page_title;
use leptos::prelude::*;

#[component]
pub fn ServerUnavailablePage() -> impl IntoView {
    set_page_title("Backoffice");
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">"Backoffice is not available right now"</h1>
                <p class="auth-subtitle" role="alert">
                    "Could not reach the server. Try again."
                </p>
                <button type="button" class="button button-primary button-block" on:click=reload>
                    "Try again"
                </button>
            </div>
        </main>
    }
}
