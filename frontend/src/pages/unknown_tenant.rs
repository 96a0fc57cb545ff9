//! The page for an address that belongs to no tenant.

use crate::components::page_title::set_page_title;
use leptos::prelude::*;

#[component]
pub fn UnknownTenantPage() -> impl IntoView {
    set_page_title("Unknown address · Backoffice");
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">
                    "This address does not belong to any Backoffice tenant."
                </h1>
                <p class="auth-subtitle">
                    "Check the address, or ask your administrator for your company's Backoffice link."
                </p>
            </div>
        </main>
    }
}
