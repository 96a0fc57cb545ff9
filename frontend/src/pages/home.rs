//! `/`: where a signed-in user lands. Administrators see the network
//! overview; everyone else is taken to their facility.

use crate::components::facility_switcher::facility_path;
use crate::components::page_title::set_page_title;
use crate::components::replace_route::ReplaceRoute;
use crate::components::scope_summary::ScopeSummary;
use crate::i18n::{td_string, tr, use_locale};
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let Some(me) = session.me() else {
        return ().into_any();
    };
    if me.role.is_network_wide() {
        return view! { <NetworkOverview/> }.into_any();
    }
    // The facility opened last in this session, else the first one.
    let remembered = session.selected_facility.get_untracked();
    let target = me
        .facilities
        .iter()
        .find(|f| remembered.as_deref() == Some(f.id.as_str()))
        .or_else(|| me.facilities.first());
    match target {
        Some(facility) => view! {
            <ReplaceRoute path=facility_path(&facility.id)/>
        }
        .into_any(),
        None => view! { <NoFacility/> }.into_any(),
    }
}

#[component]
fn NetworkOverview() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let tenant_name = session.tenant_name();
    let title_tenant = tenant_name.clone();
    Effect::new(move |_| {
        let title = td_string!(locale.get(), home.network_title);
        set_page_title(&format!("{title} · {title_tenant}"));
    });
    let role = session.me().map(|me| me.role);

    view! {
        <h1 class="page-title">{tr(|l| td_string!(l, home.network_title))}</h1>
        {role.map(|role| view! { <ScopeSummary scope=tenant_name.clone() role/> })}
        <p class="page-lead">{tr(|l| td_string!(l, home.network_lead))}</p>
    }
}

/// A facility-bound account with no facility assigned yet.
#[component]
fn NoFacility() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let tenant_name = session.tenant_name();
    Effect::new(move |_| {
        let title = td_string!(locale.get(), home.no_facility_page);
        set_page_title(&format!("{title} · {tenant_name}"));
    });
    view! {
        <h1 class="page-title">{tr(|l| td_string!(l, home.no_facility_title))}</h1>
        <p class="page-lead">{tr(|l| td_string!(l, home.no_facility_lead))}</p>
    }
}
