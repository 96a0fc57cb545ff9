//! The page for an address that belongs to no tenant.

use crate::components::page_title::set_page_title;
use crate::i18n::{td_string, use_locale};
use leptos::prelude::*;

#[component]
pub fn UnknownTenantPage() -> impl IntoView {
    let locale = use_locale().get_untracked();
    set_page_title(&format!(
        "{} · Backoffice",
        td_string!(locale, unknown_tenant.page_title)
    ));
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">{td_string!(locale, unknown_tenant.title)}</h1>
                <p class="auth-subtitle">{td_string!(locale, unknown_tenant.text)}</p>
            </div>
        </main>
    }
}
