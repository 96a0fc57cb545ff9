//! The account page's profile: what the server knows about the account, and
//! the form for the part its owner may change (first and last name, and the
//! language of the app and of its mail).

use crate::api::ApiError;
use crate::components::change_password_dialog::submit_button;
use crate::components::form::bool_attr;
use crate::i18n::{
    field_texts, language_name, locale_for, problem_text, role_label, tag, td_string, tr,
    use_locale, Locale,
};
use crate::session::{use_session, AuthState};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::SignInMethod;
use shared::api::{Me, UpdateMe};
use wasm_bindgen::JsValue;

/// The profile card and the name and language form under it.
#[component]
pub fn ProfileForm() -> impl IntoView {
    view! {
        <ProfileDetails/>
        <NameAndLanguageForm/>
    }
}

/// The account as the server knows it; follows every change of the session
/// and of the language.
#[component]
fn ProfileDetails() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let terms: [fn(Locale) -> &'static str; 10] = [
        |l| td_string!(l, account.first_name),
        |l| td_string!(l, account.last_name),
        |l| td_string!(l, account.username),
        |l| td_string!(l, account.email),
        |l| td_string!(l, account.role),
        |l| td_string!(l, account.facilities),
        |l| td_string!(l, account.organization),
        |l| td_string!(l, account.language),
        |l| td_string!(l, account.sign_in_method),
        |l| td_string!(l, account.previous_sign_in),
    ];
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 class="card-title" id="profile-heading">{tr(|l| td_string!(l, account.profile))}</h2>
            <dl class="details">
                {terms
                    .into_iter()
                    .enumerate()
                    .map(|(index, term)| {
                        let value = move || {
                            let locale = locale.get();
                            session
                                .me()
                                .and_then(|me| profile_values(locale, &me).into_iter().nth(index))
                        };
                        view! {
                            <div class="details-row">
                                <dt>{tr(term)}</dt>
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
fn profile_values(locale: Locale, me: &Me) -> [String; 10] {
    let facilities = if !me.facilities.is_empty() {
        me.facilities
            .iter()
            .map(|f| format!("{} ({})", f.name, f.code))
            .collect::<Vec<_>>()
            .join(", ")
    } else if me.role.is_network_wide() {
        td_string!(locale, account.all_facilities).to_owned()
    } else {
        td_string!(locale, account.no_facilities).to_owned()
    };
    // The sign-in before this one: the current one is "now", while the one
    // before tells the user whether someone else got in meanwhile.
    let previous_sign_in = me.previous_login_at.as_deref().map_or_else(
        || td_string!(locale, account.none_before).to_owned(),
        |at| format_timestamp_in(at, locale),
    );
    let sign_in = match me.sign_in_method {
        SignInMethod::Password => td_string!(locale, account.by_password),
        SignInMethod::Oidc => td_string!(locale, account.by_sso),
    };
    let not_set = || td_string!(locale, account.not_set).to_owned();
    let or_not_set = |value: &str| {
        if value.trim().is_empty() {
            not_set()
        } else {
            value.to_owned()
        }
    };
    [
        or_not_set(&me.first_name),
        or_not_set(&me.last_name),
        me.username.clone(),
        me.email
            .clone()
            .unwrap_or_else(|| td_string!(locale, account.no_email).to_owned()),
        role_label(locale, me.role).to_owned(),
        facilities,
        me.tenant.display_name.clone(),
        account_language(locale, &me.locale).to_owned(),
        sign_in.to_owned(),
        previous_sign_in,
    ]
}

/// The account's language named in the active one, or the tag itself for
/// one the app lacks.
fn account_language(locale: Locale, account: &str) -> &str {
    locale_for(account).map_or(account, |language| language_name(locale, language))
}

/// The languages the app has, each in its own words, as a language menu
/// lists them: `(tag, name)`.
fn languages() -> [(&'static str, &'static str); 2] {
    [Locale::en, Locale::de].map(|language| (tag(language), language_name(language, language)))
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
    // The language chosen in the form; `locale` is the app's, which
    // follows the account once saved.
    let language = stored(|me| &me.locale);
    let language = RwSignal::new(
        shared::locale::supported(&language)
            .unwrap_or(shared::locale::DEFAULT)
            .to_owned(),
    );
    let locale = use_locale();
    // Messages at the first name, the last name and the language. Only a
    // save changes the language, and it clears them.
    let errors = [(); 3].map(|()| RwSignal::new(None::<String>));
    let inputs = [(); 2].map(|()| NodeRef::<html::Input>::new());
    let alert = RwSignal::new(None::<String>);
    // "Saved", said in the language just saved.
    let saved = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        saved.set(false);
        for slot in [alert].into_iter().chain(errors) {
            slot.set(None);
        }
        if first_name.with_untracked(|name| name.trim().is_empty()) {
            let missing = td_string!(locale.get_untracked(), account.first_name_missing);
            errors[0].set(Some(missing.to_owned()));
            focus(inputs[0]);
            return;
        }
        let body = UpdateMe {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            locale: Some(language.get_untracked()),
        };
        pending.set(true);
        spawn_local(async move {
            match api.update_me(&body).await {
                Ok(me) => {
                    let _ = saved.try_set(true);
                    // With it the whole app, this page too, switches to the
                    // language saved.
                    let _ = session.auth.try_set(AuthState::SignedIn(Box::new(me)));
                }
                Err(error) => {
                    if let Some(locale) = locale.try_get_untracked() {
                        show_refusal(locale, &error, errors, alert, inputs);
                    }
                }
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="name-language-heading">
            <h2 class="card-title" id="name-language-heading">
                {tr(|l| td_string!(l, account.edit_title))}
            </h2>
            <p class="card-lead">{tr(|l| td_string!(l, account.edit_lead))}</p>
            <div class="form-alert" role="alert">
                {move || alert.get()}
            </div>
            <form class="profile-form" novalidate on:submit=on_submit>
                <div class="profile-names">
                    {name_field(
                        ("first-name", "given-name"),
                        |l| td_string!(l, account.first_name),
                        first_name,
                        (errors[0], inputs[0]),
                        true,
                    )}
                    {name_field(
                        ("last-name", "family-name"),
                        |l| td_string!(l, account.last_name),
                        last_name,
                        (errors[1], inputs[1]),
                        false,
                    )}
                </div>
                <div class="field">
                    <label for="language">{tr(|l| td_string!(l, account.language))}</label>
                    <select
                        id="language"
                        name="language"
                        aria-invalid=move || bool_attr(errors[2].with(Option::is_some))
                        aria-describedby="language-error"
                        on:change:target=move |ev| language.set(ev.target().value())
                    >
                        {languages()
                            .into_iter()
                            .map(|(tag, name)| {
                                view! {
                                    <option value=tag lang=tag selected=language.get_untracked() == tag>
                                        {name}
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
                    {submit_button(
                        pending,
                        "button button-primary",
                        |l| (td_string!(l, account.save), td_string!(l, account.saving)),
                    )}
                    <p class="account-status" role="status">
                        {move || saved.get().then(|| td_string!(locale.get(), account.saved))}
                    </p>
                </div>
            </form>
        </section>
    }
}

/// The server's refusal at the fields it names (focus on the first name
/// input it names), else above the form.
fn show_refusal(
    locale: Locale,
    error: &ApiError,
    errors: [RwSignal<Option<String>>; 3],
    alert: RwSignal<Option<String>>,
    inputs: [NodeRef<html::Input>; 2],
) {
    let messages = field_messages(locale, error);
    if messages.iter().all(Option::is_none) {
        let _ = alert.try_set(Some(problem_text(locale, error).to_owned()));
        return;
    }
    if let Some(input) = messages[..2]
        .iter()
        .position(Option::is_some)
        .and_then(|index| inputs.get(index))
    {
        focus(*input);
    }
    for (slot, message) in errors.into_iter().zip(messages) {
        let _ = slot.try_set(message);
    }
}

/// What the server found wrong with the first name, the last name and the
/// language, worded by its codes.
fn field_messages(locale: Locale, error: &ApiError) -> [Option<String>; 3] {
    let min_length = shared::password_policy::PasswordPolicy::default().min_length;
    ["first_name", "last_name", "locale"].map(|field| {
        let texts = field_texts(locale, error, field, min_length);
        (!texts.is_empty()).then(|| texts.join(" "))
    })
}

/// A labelled text input for a name, its error under it.
fn name_field(
    (id, autocomplete): (&'static str, &'static str),
    label: fn(Locale) -> &'static str,
    value: RwSignal<String>,
    (error, input_ref): (RwSignal<Option<String>>, NodeRef<html::Input>),
    required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
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

/// An RFC 3339 time in the browser's time zone, formatted for `locale`,
/// e.g. "Nov 28, 2025, 5:09 PM" or "28.11.2025, 17:09".
pub fn format_timestamp_in(rfc3339: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(tag(locale), &options).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_menu_names_each_language_in_its_own_words() {
        assert_eq!(
            languages(),
            [
                ("en", td_string!(Locale::en, language.en)),
                ("de", td_string!(Locale::de, language.de))
            ]
        );
    }

    #[test]
    fn the_accounts_language_is_named_in_the_active_one() {
        assert_eq!(
            account_language(Locale::de, "en"),
            td_string!(Locale::de, language.en)
        );
        assert_eq!(
            account_language(Locale::en, "de-AT"),
            td_string!(Locale::en, language.de)
        );
        assert_eq!(account_language(Locale::de, "fr"), "fr");
    }
}
