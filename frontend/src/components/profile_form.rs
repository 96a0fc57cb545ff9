//! The account page's profile: what the server knows about the account, and
//! the form for the part its owner may change (first and last name, and the
//! language of the app and of its mail).

use crate::api::ApiError;
use crate::components::change_password_dialog::submit_button;
use crate::components::form::bool_attr;
use crate::session::{use_session, AuthState};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::SignInMethod;
use shared::api::{Me, UpdateMe};
use wasm_bindgen::JsValue;

/// What the profile says, kept together for the translation.
pub mod text {
    pub const PROFILE: &str = "Profile";
    pub const FIRST_NAME: &str = "First name";
    pub const LAST_NAME: &str = "Last name";
    pub const USERNAME: &str = "Username";
    pub const EMAIL: &str = "Email";
    pub const ROLE: &str = "Role";
    pub const FACILITIES: &str = "Facilities";
    pub const TENANT: &str = "Organization";
    pub const LANGUAGE: &str = "Language";
    pub const SIGN_IN: &str = "Signs in with";
    pub const PREVIOUS_SIGN_IN: &str = "Previous sign-in";
    pub const NOT_SET: &str = "Not set";
    pub const NO_EMAIL: &str = "No email";
    pub const ALL_FACILITIES: &str = "All facilities (network)";
    pub const NO_FACILITIES: &str = "None";
    pub const NONE_BEFORE: &str = "None before this one";
    pub const BY_PASSWORD: &str = "Password";
    pub const BY_SSO: &str = "Single sign-on (SSO)";
    pub const EDIT_TITLE: &str = "Name and language";
    pub const EDIT_LEAD: &str = "The language applies to this app and to the emails you receive.";
    pub const SAVE: &str = "Save changes";
    pub const SAVING: &str = "Saving…";
    pub const SAVED: &str = "Your profile has been saved.";
    pub const FIRST_NAME_MISSING: &str = "Enter your first name.";
    pub const UNREACHABLE: &str = "Could not reach the server. Try again.";
    pub const FAILED: &str = "Could not save the profile. Try again.";
    /// Each language in its own words, as a language menu lists them.
    pub const LANGUAGES: [(&str, &str); 2] = [("en", "English"), ("de", "Deutsch")];
}
use text::*;

/// The profile card and the name and language form under it.
#[component]
pub fn ProfileForm() -> impl IntoView {
    view! {
        <ProfileDetails/>
        <NameAndLanguageForm/>
    }
}

/// The account as the server knows it; follows every change of the session.
#[component]
fn ProfileDetails() -> impl IntoView {
    let session = use_session();
    let terms = [
        FIRST_NAME,
        LAST_NAME,
        USERNAME,
        EMAIL,
        ROLE,
        FACILITIES,
        TENANT,
        LANGUAGE,
        SIGN_IN,
        PREVIOUS_SIGN_IN,
    ];
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 class="card-title" id="profile-heading">{PROFILE}</h2>
            <dl class="details">
                {terms
                    .into_iter()
                    .enumerate()
                    .map(|(index, term)| {
                        let value = move || {
                            session.me().and_then(|me| profile_values(&me).into_iter().nth(index))
                        };
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

/// The values of the profile's rows, in the order of their terms.
fn profile_values(me: &Me) -> [String; 10] {
    let facilities = if !me.facilities.is_empty() {
        me.facilities
            .iter()
            .map(|f| format!("{} ({})", f.name, f.code))
            .collect::<Vec<_>>()
            .join(", ")
    } else if me.role.is_network_wide() {
        ALL_FACILITIES.to_owned()
    } else {
        NO_FACILITIES.to_owned()
    };
    // The sign-in before this one: the current one is "now", while the one
    // before tells the user whether someone else got in meanwhile.
    let previous_sign_in = me
        .previous_login_at
        .as_deref()
        .map_or_else(|| NONE_BEFORE.to_owned(), format_timestamp);
    let sign_in = match me.sign_in_method {
        SignInMethod::Password => BY_PASSWORD,
        SignInMethod::Oidc => BY_SSO,
    };
    [
        or_not_set(&me.first_name),
        or_not_set(&me.last_name),
        me.username.clone(),
        me.email.clone().unwrap_or_else(|| NO_EMAIL.to_owned()),
        me.role.label().to_owned(),
        facilities,
        me.tenant.display_name.clone(),
        language_name(&me.locale).to_owned(),
        sign_in.to_owned(),
        previous_sign_in,
    ]
}

fn or_not_set(value: &str) -> String {
    if value.trim().is_empty() {
        NOT_SET.to_owned()
    } else {
        value.to_owned()
    }
}

/// The language's own name, or the tag itself for one the app lacks.
fn language_name(locale: &str) -> &str {
    let primary = shared::locale::supported(locale).unwrap_or(locale);
    LANGUAGES
        .iter()
        .find(|(tag, _)| *tag == primary)
        .map_or(locale, |(_, name)| name)
}

/// First and last name and the language: `PATCH /me`, then the session,
/// and with it every screen, holds the account as saved.
#[component]
fn NameAndLanguageForm() -> impl IntoView {
    let session = use_session();
    let api = session.api();
    let me = session.me();
    let stored = |pick: fn(&Me) -> &String| me.as_ref().map(pick).cloned().unwrap_or_default();
    let first_name = RwSignal::new(stored(|me| &me.first_name));
    let last_name = RwSignal::new(stored(|me| &me.last_name));
    let locale = stored(|me| &me.locale);
    let locale = RwSignal::new(
        shared::locale::supported(&locale)
            .unwrap_or(shared::locale::DEFAULT)
            .to_owned(),
    );
    // Messages at the first name, the last name and the language.
    let errors = [(); 3].map(|()| RwSignal::new(None::<String>));
    let inputs = [(); 2].map(|()| NodeRef::<html::Input>::new());
    let alert = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        for slot in [alert, status].into_iter().chain(errors) {
            slot.set(None);
        }
        if first_name.with_untracked(|name| name.trim().is_empty()) {
            errors[0].set(Some(FIRST_NAME_MISSING.to_owned()));
            focus(inputs[0]);
            return;
        }
        let body = UpdateMe {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            locale: Some(locale.get_untracked()),
        };
        pending.set(true);
        spawn_local(async move {
            match api.update_me(&body).await {
                Ok(me) => {
                    apply_language(&me.locale);
                    let _ = status.try_set(Some(SAVED.to_owned()));
                    let _ = session.auth.try_set(AuthState::SignedIn(Box::new(me)));
                }
                Err(ApiError::Problem(problem)) if !problem.errors.is_empty() => {
                    let fields = ["first_name", "last_name", "locale"];
                    for (slot, field) in errors.into_iter().zip(fields) {
                        let _ = slot.try_set(problem.errors.get(field).map(|m| m.join(" ")));
                    }
                    if let Some(index) = fields[..2]
                        .iter()
                        .position(|f| problem.errors.contains_key(*f))
                    {
                        focus(inputs[index]);
                    }
                }
                Err(ApiError::Network) => {
                    let _ = alert.try_set(Some(UNREACHABLE.to_owned()));
                }
                Err(_) => {
                    let _ = alert.try_set(Some(FAILED.to_owned()));
                }
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="name-language-heading">
            <h2 class="card-title" id="name-language-heading">{EDIT_TITLE}</h2>
            <p class="card-lead">{EDIT_LEAD}</p>
            <div class="form-alert" role="alert">
                {move || alert.get()}
            </div>
            <form class="profile-form" novalidate on:submit=on_submit>
                <div class="profile-names">
                    {name_field("first-name", FIRST_NAME, "given-name", first_name, errors[0], inputs[0], true)}
                    {name_field("last-name", LAST_NAME, "family-name", last_name, errors[1], inputs[1], false)}
                </div>
                <div class="field">
                    <label for="language">{LANGUAGE}</label>
                    <select
                        id="language"
                        name="language"
                        aria-invalid=move || bool_attr(errors[2].with(Option::is_some))
                        aria-describedby="language-error"
                        on:change:target=move |ev| locale.set(ev.target().value())
                    >
                        {LANGUAGES
                            .iter()
                            .map(|(tag, name)| {
                                view! {
                                    <option value=*tag lang=*tag selected=locale.get_untracked() == *tag>
                                        {*name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <p class="field-error" id="language-error" aria-live="polite">
                        {move || errors[2].get()}
                    </p>
                </div>
                <div class="form-actions">
                    {submit_button(pending, "button button-primary", (SAVE, SAVING))}
                    <p class="account-status" role="status">
                        {move || status.get()}
                    </p>
                </div>
            </form>
        </section>
    }
}

/// A labelled text input for a name, its error under it.
fn name_field(
    id: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    input_ref: NodeRef<html::Input>,
    required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type="text"
                autocomplete=autocomplete
                maxlength="100"
                required=required
                aria-invalid=move || bool_attr(invalid())
                aria-describedby=error_id.clone()
                node_ref=input_ref
                bind:value=value
            />
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

fn focus(input: NodeRef<html::Input>) {
    if let Some(input) = input.get_untracked() {
        let _ = input.focus();
    }
}

/// Switches the app to `locale` (`en`, `de`): for now the page's `lang`,
/// which screen readers and date formats follow; the translations will
/// switch here too.
pub fn apply_language(locale: &str) {
    let tag = shared::locale::supported(locale).unwrap_or(shared::locale::DEFAULT);
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", tag);
    }
}

/// An RFC 3339 time in the browser's time zone and the page's language,
/// e.g. "Nov 28, 2025, 5:09 PM".
pub fn format_timestamp(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let lang = document()
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .unwrap_or_else(|| shared::locale::DEFAULT.to_owned());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(&lang, &options).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_read_in_their_own_words() {
        assert_eq!(language_name("en"), "English");
        assert_eq!(language_name("de-AT"), "Deutsch");
        assert_eq!(language_name("fr"), "fr");
    }
}
