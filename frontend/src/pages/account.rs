//! `/account`: the signed-in user's own account settings, starting with the
//! profile as the server knows it.

use crate::components::page_title::set_page_title;
use crate::session::use_session;
use leptos::prelude::*;
use shared::api::Me;
use wasm_bindgen::JsValue;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    set_page_title(&format!("Account settings · {}", session.tenant_name()));
    let profile = session.me().map(|me| view! { <ProfileSection me/> });

    view! {
        <h1 class="page-title">"Account settings"</h1>
        {profile}
    }
}

#[component]
fn ProfileSection(me: Me) -> impl IntoView {
    let email = me.email.clone().unwrap_or_else(|| "No email".to_owned());
    let facilities = if me.facilities.is_empty() {
        if me.role.is_network_wide() {
            "All facilities (network)".to_owned()
        } else {
            "None".to_owned()
        }
    } else {
        me.facilities
            .iter()
            .map(|f| format!("{} ({})", f.name, f.code))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The sign-in before this one: the current one is "now", while the one
    // before tells the user whether someone else got in meanwhile.
    let previous_sign_in = me
        .previous_login_at
        .as_deref()
        .map(format_timestamp)
        .unwrap_or_else(|| "None before this one".to_owned());

    let rows = [
        ("Username", me.username.clone()),
        ("First name", or_not_set(&me.first_name)),
        ("Last name", or_not_set(&me.last_name)),
        ("Email", email),
        ("Role", me.role.label().to_owned()),
        ("Facilities", facilities),
        ("Language", language_name(&me.locale)),
        ("Previous sign-in", previous_sign_in),
    ];

    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 class="card-title" id="profile-heading">"Profile"</h2>
            <dl class="details">
                {rows
                    .into_iter()
                    .map(|(term, value)| {
                        view! {
                            <div class="details-row">
                                <dt>{term}</dt>
                                <dd>{value}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

fn or_not_set(value: &str) -> String {
    if value.trim().is_empty() {
        "Not set".to_owned()
    } else {
        value.to_owned()
    }
}

/// The locale as a person reads it, with its code.
fn language_name(locale: &str) -> String {
    let name = match locale.split(['-', '_']).next().unwrap_or_default() {
        "en" => "English",
        "de" => "German",
        _ => return locale.to_owned(),
    };
    format!("{name} ({locale})")
}

/// An RFC 3339 time in the browser's time zone, e.g. "Nov 28, 2025, 5:09 PM".
fn format_timestamp(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string("en", &options).into()
}
