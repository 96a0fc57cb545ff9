//! The login screen: username and password for the tenant of this address,
//! with the server's refusals turned into messages a person can act on.

use crate::api::ApiError;
use crate::components::form::bool_attr;
use crate::components::loading::LoadingScreen;
use crate::components::page_title::set_page_title;
use crate::components::replace_route::ReplaceRoute;
use crate::i18n::{code_text, field_texts, problem_text, td_string, use_locale, Locale};
use crate::session::{use_session, AuthState, TenantState};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::password_policy::MAX_LENGTH;
use shared::ProblemCode;

/// `/login`: the form for visitors, home for someone already signed in.
#[component]
pub fn LoginRoute() -> impl IntoView {
    let session = use_session();
    let signed_in = Memo::new(move |_| session.auth.with(auth_phase));
    move || match signed_in.get() {
        Phase::Checking => view! { <LoadingScreen/> }.into_any(),
        Phase::SignedIn => view! {
            <ReplaceRoute path=session.landing()/>
        }
        .into_any(),
        Phase::SignedOut => view! { <LoginPage/> }.into_any(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Checking,
    SignedOut,
    SignedIn,
}

fn auth_phase(auth: &AuthState) -> Phase {
    match auth {
        AuthState::Checking => Phase::Checking,
        AuthState::SignedOut => Phase::SignedOut,
        AuthState::SignedIn(_) => Phase::SignedIn,
    }
}

/// What went wrong with the last attempt, and which inputs it concerns.
#[derive(Debug, Clone, Default, PartialEq)]
struct LoginError {
    message: String,
    details: Vec<String>,
    username_invalid: bool,
    password_invalid: bool,
}

impl LoginError {
    fn plain(message: &str) -> Self {
        Self {
            message: message.to_owned(),
            ..Self::default()
        }
    }
}

/// The words of this screen in the active language. Before sign-in the
/// browser's languages decide, and they do not change during the visit, so
/// the screen picks its words once.
#[derive(Clone, Copy)]
struct Words {
    show_password: &'static str,
    hide_password: &'static str,
    show: &'static str,
    hide: &'static str,
    submit: &'static str,
    submitting: &'static str,
}

#[component]
fn LoginPage() -> impl IntoView {
    let session = use_session();
    let tenant_name = session.tenant_name();
    let locale = use_locale().get_untracked();
    set_page_title(&format!(
        "{} · {tenant_name}",
        td_string!(locale, login.title)
    ));
    let words = Words {
        show_password: td_string!(locale, login.show_password),
        hide_password: td_string!(locale, login.hide_password),
        show: td_string!(locale, login.show),
        hide: td_string!(locale, login.hide),
        submit: td_string!(locale, login.submit),
        submitting: td_string!(locale, login.submitting),
    };

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password_visible = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<LoginError>);
    let username_input = NodeRef::<html::Input>::new();
    let password_input = NodeRef::<html::Input>::new();
    // Back from the identity provider without a session: say why, once.
    if let Some(code) = take_sso_error() {
        error.set(Some(LoginError::plain(code_text(locale, code))));
    }
    let providers = session.tenant.with_untracked(|tenant| match tenant {
        TenantState::Ready(info) => info.sso_providers.clone(),
        _ => Vec::new(),
    });
    let return_to = session.return_to.get_untracked();

    Effect::new(move |_| {
        if let Some(input) = username_input.get() {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let name = username.get_untracked();
        let secret = password.get_untracked();
        if let Some(missing) = missing_fields(locale, &name, &secret) {
            let focus = if missing.username_invalid {
                username_input
            } else {
                password_input
            };
            error.set(Some(missing));
            if let Some(input) = focus.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            // On success the login route redirects and this form goes away,
            // hence the `try_` setters.
            if let Err(failure) = session.log_in(name, secret).await {
                let _ = error.try_set(Some(describe(locale, &failure)));
            }
            let _ = pending.try_set(false);
        });
    };

    let error_text = move || error.with(|e| e.as_ref().map(|e| e.message.clone()));
    let error_details = move || error.with(|e| e.as_ref().map(|e| e.details.clone()));
    let username_invalid = move || error.with(|e| e.as_ref().is_some_and(|e| e.username_invalid));
    let password_invalid = move || error.with(|e| e.as_ref().is_some_and(|e| e.password_invalid));

    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">{tenant_name}</h1>
                <p class="auth-subtitle">{td_string!(locale, login.subtitle)}</p>
                <Show when=move || session.expired.get()>
                    <p class="notice" role="status">
                        {td_string!(locale, problem.session_ended)}
                    </p>
                </Show>
                <div class="form-alert" role="alert" id="login-error">
                    {move || error_text().map(|text| view! { <p>{text}</p> })}
                    {move || {
                        error_details()
                            .filter(|details| !details.is_empty())
                            .map(|details| {
                                view! {
                                    <ul>
                                        {details
                                            .into_iter()
                                            .map(|detail| view! { <li>{detail}</li> })
                                            .collect_view()}
                                    </ul>
                                }
                            })
                    }}
                </div>
                <form class="auth-form" novalidate on:submit=on_submit>
                    <div class="field">
                        <label for="username">{td_string!(locale, login.username)}</label>
                        <input
                            id="username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required
                            aria-invalid=move || bool_attr(username_invalid())
                            aria-describedby=move || username_invalid().then_some("login-error")
                            node_ref=username_input
                            bind:value=username
                        />
                    </div>
                    <div class="field">
                        <label for="password">{td_string!(locale, login.password)}</label>
                        <div class="password-input">
                            <input
                                id="password"
                                name="password"
                                type=move || if password_visible.get() { "text" } else { "password" }
                                autocomplete="current-password"
                                required
                                aria-invalid=move || bool_attr(password_invalid())
                                aria-describedby=move || password_invalid().then_some("login-error")
                                node_ref=password_input
                                bind:value=password
                            />
                            <button
                                type="button"
                                class="password-toggle"
                                aria-controls="password"
                                aria-pressed=move || bool_attr(password_visible.get())
                                aria-label=move || {
                                    if password_visible.get() {
                                        words.hide_password
                                    } else {
                                        words.show_password
                                    }
                                }
                                on:click=move |_| password_visible.update(|v| *v = !*v)
                            >
                                {move || if password_visible.get() { words.hide } else { words.show }}
                            </button>
                        </div>
                    </div>
                    <button
                        type="submit"
                        class="button button-primary button-block"
                        disabled=move || pending.get()
                        aria-busy=move || bool_attr(pending.get())
                    >
                        {move || if pending.get() { words.submitting } else { words.submit }}
                    </button>
                </form>
                {(!providers.is_empty())
                    .then(|| {
                        view! {
                            <p class="auth-divider">{td_string!(locale, login.or)}</p>
                            <div class="sso-options">
                                {providers
                                    .into_iter()
                                    .map(|provider| {
                                        let href = sso_start(&provider.id, return_to.as_deref());
                                        view! {
                                            <a class="button button-secondary button-block" href=href>
                                                {td_string!(locale, login.sso_button, provider = provider.display_name)}
                                            </a>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })}
                <p class="auth-footer">
                    <a href="/forgot-password">{td_string!(locale, login.forgot_password)}</a>
                </p>
            </div>
        </main>
    }
}

/// Where a provider's button goes: the server's start of single sign-on,
/// which comes back to `return_to` (a path of this app) or home.
fn sso_start(provider: &str, return_to: Option<&str>) -> String {
    let mut href = format!(
        "/api/v1/auth/sso/start?provider={}",
        js_sys::encode_uri_component(provider)
    );
    if let Some(path) = return_to {
        href.push_str("&return_to=");
        href.push_str(&String::from(js_sys::encode_uri_component(path)));
    }
    href
}

/// The `?sso_error=` the server sends a failed single sign-on back with,
/// taken off the address so a reload does not repeat it.
fn take_sso_error() -> Option<ProblemCode> {
    let window = window();
    let search = window.location().search().ok()?;
    let code = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("sso_error="))
        // Read as the API's problem codes are (an unknown one is `Unknown`).
        .and_then(|code| serde_wasm_bindgen::from_value(code.into()).ok())?;
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/login"));
    }
    Some(code)
}

/// Checks in the browser what would only cost a round trip.
fn missing_fields(locale: Locale, username: &str, password: &str) -> Option<LoginError> {
    let username_missing = username.trim().is_empty();
    let password_missing = password.is_empty();
    let message = match (username_missing, password_missing) {
        (true, true) => td_string!(locale, login.enter_username_and_password),
        (true, false) => td_string!(locale, login.enter_username),
        (false, true) => td_string!(locale, login.enter_password),
        (false, false) if password.chars().count() > MAX_LENGTH => {
            // No account has such a password: the server would refuse it.
            return Some(LoginError {
                message: crate::i18n::field_code_text(locale, "password_too_long", 0),
                password_invalid: true,
                ..LoginError::default()
            });
        }
        (false, false) => return None,
    };
    Some(LoginError {
        message: message.to_owned(),
        details: Vec::new(),
        username_invalid: username_missing,
        password_invalid: password_missing,
    })
}

/// Turns a refused login into the message the form shows, by status and
/// problem code (never the server's English words).
fn describe(locale: Locale, error: &ApiError) -> LoginError {
    match (error.status(), error.code()) {
        (None, _) => LoginError::plain(problem_text(locale, error)),
        (_, Some(ProblemCode::ServiceBusy)) => {
            LoginError::plain(td_string!(locale, login.sign_ins_busy))
        }
        (Some(401), _) => LoginError::plain(td_string!(locale, problem.invalid_credentials)),
        (Some(429), None) => LoginError::plain(td_string!(locale, problem.too_many_attempts)),
        (Some(400 | 422), Some(ProblemCode::ValidationFailed)) => {
            let username = field_texts(locale, error, "username", 0);
            let password = field_texts(locale, error, "password", 0);
            LoginError {
                username_invalid: !username.is_empty(),
                password_invalid: !password.is_empty(),
                message: problem_text(locale, error).to_owned(),
                details: username.into_iter().chain(password).collect(),
            }
        }
        (Some(_), _) => LoginError::plain(problem_text(locale, error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Problem;
    use std::collections::BTreeMap;

    fn problem(status: u16, code: ProblemCode) -> ApiError {
        ApiError::Problem(crate::api::test_problem(status, code))
    }

    #[test]
    fn refusals_read_as_the_screen_promises() {
        let english = Locale::en;
        assert_eq!(
            describe(english, &problem(401, ProblemCode::InvalidCredentials)).message,
            "Incorrect username or password."
        );
        assert_eq!(
            describe(english, &problem(403, ProblemCode::AccountInactive)).message,
            "This account is inactive. Contact your administrator."
        );
        assert_eq!(
            describe(english, &problem(429, ProblemCode::TooManyAttempts)).message,
            "Too many attempts. Wait a moment and try again."
        );
        assert_eq!(
            describe(english, &problem(503, ProblemCode::ServiceBusy)).message,
            "Too many sign-ins at once. Try again in a moment."
        );
        assert_eq!(
            describe(english, &ApiError::Network).message,
            "Could not reach the server. Try again."
        );
        assert_eq!(
            describe(Locale::de, &problem(401, ProblemCode::InvalidCredentials)).message,
            "Benutzername oder Passwort ist falsch."
        );
    }

    #[test]
    fn field_problems_are_worded_here_not_by_the_server() {
        let mut refusal = Problem {
            kind: "/problems/validation_failed".to_owned(),
            title: "Some fields are not valid.".to_owned(),
            status: 422,
            detail: None,
            code: ProblemCode::ValidationFailed,
            errors: BTreeMap::new(),
            error_codes: BTreeMap::new(),
        };
        refusal
            .errors
            .insert("username".to_owned(), vec!["English words.".to_owned()]);
        let error = describe(Locale::de, &ApiError::Problem(refusal));
        assert!(error.username_invalid && !error.password_invalid);
        assert_eq!(
            error.details,
            vec![
                "Bitte prüfen Sie den Benutzernamen: höchstens 64 Zeichen, nur Buchstaben, Ziffern und . _ - @."
                    .to_owned()
            ]
        );
    }

    #[test]
    fn empty_fields_are_caught_before_sending() {
        assert!(missing_fields(Locale::en, "ann", "secret").is_none());
        assert_eq!(
            missing_fields(Locale::en, " ", "").map(|e| e.message),
            Some("Enter your username and password.".to_owned())
        );
        assert_eq!(
            missing_fields(Locale::de, "ann", "").map(|e| e.message),
            Some("Geben Sie Ihr Passwort ein.".to_owned())
        );
        let too_long = "x".repeat(MAX_LENGTH + 1);
        assert!(missing_fields(Locale::en, "ann", &too_long).is_some_and(|e| e.password_invalid));
    }
}
