//! The "Facility" drop-down in the header for users bound to several
//! facilities; choosing one opens its page.

use crate::i18n::{td_string, tr};
use crate::router::use_router;
use crate::session::use_session;
use leptos::prelude::*;
use shared::api::FacilityRef;

#[component]
pub fn FacilitySwitcher(facilities: Vec<FacilityRef>) -> impl IntoView {
    let session = use_session();
    let router = use_router();
    let on_change = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if !id.is_empty() {
            router.navigate(&facility_path(&id), false);
        }
    };

    view! {
        <div class="facility-switcher">
            <label for="facility-switcher">
                {tr(|l| td_string!(l, shell.facility))}
            </label>
            <select id="facility-switcher" on:change=on_change>
                {facilities
                    .into_iter()
                    .map(|facility| {
                        let id = facility.id.clone();
                        let selected = move || {
                            session.selected_facility.with(|s| s.as_deref() == Some(id.as_str()))
                        };
                        view! {
                            <option value=facility.id.clone() prop:selected=selected>
                                {format!("{} ({})", facility.name, facility.code)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The address of a facility's page.
pub fn facility_path(id: &str) -> String {
    format!("/facility/{}", js_sys::encode_uri_component(id))
}
