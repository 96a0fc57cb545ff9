//! The bar across the top of every signed-in page: tenant name, facility
//! switcher when the user has several facilities, and the user's name and
//! profile menu.

use crate::components::facility_switcher::FacilitySwitcher;
use crate::components::profile_menu::ProfileMenu;
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let me = session.me();
    let display_name = me.as_ref().map(|me| me.display_name()).unwrap_or_default();
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
            <div class="app-header-user">
                <span class="app-header-name">{display_name}</span>
                <ProfileMenu/>
            </div>
        </header>
    }
}
