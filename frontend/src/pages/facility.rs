//! `/facility/:id`: the view of one facility the user may see.

use crate::components::page_title::set_page_title;
use crate::components::scope_summary::ScopeSummary;
use crate::i18n::{td_string, use_locale};
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn FacilityPage(id: String) -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let facility = Memo::new(move |_| {
        session
            .me()
            .and_then(|me| me.facilities.into_iter().find(|f| f.id == id))
    });

    // Keep the header's facility switcher on the facility shown.
    Effect::new(move |_| {
        if let Some(facility) = facility.get() {
            session.selected_facility.set(Some(facility.id));
        }
    });

    // Rendered again when the account or its language changes.
    move || {
        let locale = locale.get();
        let role = session.me()?.role;
        let tenant_name = session.tenant_name();
        let view = match facility.get() {
            Some(facility) => {
                set_page_title(&format!("{} · {tenant_name}", facility.name));
                let scope = format!("{} ({})", facility.name, facility.code);
                view! {
                    <h1 class="page-title">
                        {facility.name}
                        <span class="page-title-code">{format!(" ({})", facility.code)}</span>
                    </h1>
                    <ScopeSummary scope role/>
                    <p class="page-lead">{td_string!(locale, facility.lead)}</p>
                }
                .into_any()
            }
            None => {
                let title = td_string!(locale, facility.not_found_title);
                set_page_title(&format!("{title} · {tenant_name}"));
                view! {
                    <h1 class="page-title">{title}</h1>
                    <p class="page-lead">{td_string!(locale, facility.not_found_lead)}</p>
                    <p>
                        <a href="/">{td_string!(locale, facility.go_home)}</a>
                    </p>
                }
                .into_any()
            }
        };
        Some(view)
    }
}
