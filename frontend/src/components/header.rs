//! The bar across the top of every signed-in page: tenant name, facility
//! switcher when the user has several facilities, Users for those who
//! manage accounts, and the user's name and profile menu.

use crate::components::facility_switcher::FacilitySwitcher;
use crate::components::profile_menu::ProfileMenu;
use crate::i18n::{td_string, tr};
use crate::router::{use_router, Page};
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let me = session.me();
    // Follows a rename in Account settings.
    let display_name = move || session.me().map(|me| me.display_name());
    let manages_accounts = me
        .as_ref()
        .is_some_and(|me| me.role != shared::Role::Fulfiller);
    let router = use_router();
    let on_users = move || router.page() == Page::Users;
    let facilities = me
        .as_ref()
        .map(|me| me.facilities.clone())
        .unwrap_or_default();

    view! {
        <header class="app-header">
            <a class="app-header-brand" href="/">
                {session.tenant_name()}
            </a>
            {(facilities.len() > 1).then(|| view! { <FacilitySwitcher facilities/> })}
            {manages_accounts
                .then(|| {
                    view! {
                        <nav class="app-header-nav" aria-label=tr(|l| td_string!(l, users.nav))>
                            <a
                                href="/users"
                                aria-current=move || on_users().then_some("page")
                            >
                                {tr(|l| td_string!(l, users.nav))}
                            </a>
                        </nav>
                    }
                })}
            <div class="app-header-user">
                <span class="app-header-name">{display_name}</span>
                <ProfileMenu/>
            </div>
        </header>
    }
}
