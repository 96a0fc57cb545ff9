//! The login screen: username and password for the tenant of this address,
//! with the server's refusals turned into messages a person can act on.

use crate::api::ApiError;
use crate::components::form::bool_attr;
use crate::components::loading::LoadingScreen;
use crate::components::page_title::set_page_title;
use crate::components::replace_route::ReplaceRoute;
use crate::session::{use_session, AuthState};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ProblemCode;

/// `/login`: the form for visitors, home for someone already signed in.
#[component]
pub fn LoginRoute() -> impl IntoView {
    let session = use_session();
    let signed_in = Memo::new(move |_| session.auth.with(auth_phase));
    move || match signed_in.get() {
        Phase::Checking => view! { <LoadingScreen/> }.into_any(),
        Phase::SignedIn => view! {
            <ReplaceRoute path="/"/>
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

#[component]
fn LoginPage() -> impl IntoView {
    let session = use_session();
    let tenant_name = session.tenant_name();
    set_page_title(&format!("Log in · {tenant_name}"));

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password_visible = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<LoginError>);
    let username_input = NodeRef::<html::Input>::new();
    let password_input = NodeRef::<html::Input>::new();

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
        if let Some(missing) = missing_fields(&name, &secret) {
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
                let _ = error.try_set(Some(describe(&failure)));
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
                <p class="auth-subtitle">"Log in to continue."</p>
                <Show when=move || session.expired.get()>
                    <p class="notice" role="status">
                        "Your session has ended. Log in again."
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
                        <label for="username">"Username"</label>
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
                        <label for="password">"Password"</label>
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
                                    if password_visible.get() { "Hide password" } else { "Show password" }
                                }
                                on:click=move |_| password_visible.update(|v| *v = !*v)
                            >
                                {move || if password_visible.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                    </div>
                    <button
                        type="submit"
                        class="button button-primary button-block"
                        disabled=move || pending.get()
                        aria-busy=move || bool_attr(pending.get())
                    >
                        {move || if pending.get() { "Logging in…" } else { "Log in" }}
                    </button>
                </form>
                <p class="auth-footer">
                    <a href="/forgot-password">"Forgot password?"</a>
                </p>
            </div>
        </main>
    }
}

/// Checks in the browser what would only cost a round trip.
fn missing_fields(username: &str, password: &str) -> Option<LoginError> {
    let username_missing = username.trim().is_empty();
    let password_missing = password.is_empty();
    let message = match (username_missing, password_missing) {
        (true, true) => "Enter your username and password.",
        (true, false) => "Enter your username.",
        (false, true) => "Enter your password.",
        (false, false) => return None,
    };
    Some(LoginError {
        message: message.to_owned(),
        details: Vec::new(),
        username_invalid: username_missing,
        password_invalid: password_missing,
    })
}

/// Turns a refused login into the message the form shows.
fn describe(error: &ApiError) -> LoginError {
    match (error.status(), error.code()) {
        (None, _) => LoginError::plain("Could not reach the server. Try again."),
        (_, Some(ProblemCode::ServiceBusy)) => {
            LoginError::plain("Too many sign-ins at once. Try again in a moment.")
        }
        (Some(401), _) => LoginError::plain("Incorrect username or password."),
        (_, Some(ProblemCode::AccountInactive)) => {
            LoginError::plain("This account is inactive. Contact your administrator.")
        }
        (Some(429), _) => LoginError::plain("Too many attempts. Wait a moment and try again."),
        (Some(400 | 422), _) => match error {
            ApiError::Problem(problem) => LoginError {
                message: problem
                    .detail
                    .clone()
                    .unwrap_or_else(|| problem.title.clone()),
                details: problem.errors.values().flatten().cloned().collect(),
                username_invalid: problem.errors.contains_key("username"),
                password_invalid: problem.errors.contains_key("password"),
            },
            _ => LoginError::plain("The server could not read the request. Try again."),
        },
        (Some(_), _) => match error {
            ApiError::Problem(problem) => LoginError::plain(
                problem
                    .detail
                    .as_deref()
                    .unwrap_or("Something went wrong. Try again."),
            ),
            _ => LoginError::plain("Something went wrong. Try again."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Problem;
    use std::collections::BTreeMap;

    fn problem(status: u16, code: ProblemCode) -> ApiError {
        ApiError::Problem(Problem {
            kind: format!("/problems/{}", code.as_str()),
            title: "Title".to_owned(),
            status,
            detail: None,
            code,
            errors: BTreeMap::new(),
            error_codes: BTreeMap::new(),
        })
    }

    #[test]
    fn refusals_read_as_the_screen_promises() {
        assert_eq!(
            describe(&problem(401, ProblemCode::InvalidCredentials)).message,
            "Incorrect username or password."
        );
        assert_eq!(
            describe(&problem(403, ProblemCode::AccountInactive)).message,
            "This account is inactive. Contact your administrator."
        );
        assert_eq!(
            describe(&problem(429, ProblemCode::Unknown)).message,
            "Too many attempts. Wait a moment and try again."
        );
        assert_eq!(
            describe(&problem(503, ProblemCode::ServiceBusy)).message,
            "Too many sign-ins at once. Try again in a moment."
        );
        assert_eq!(
            describe(&ApiError::Network).message,
            "Could not reach the server. Try again."
        );
    }

    #[test]
    fn empty_fields_are_caught_before_sending() {
        assert!(missing_fields("ann", "secret").is_none());
        assert_eq!(
            missing_fields(" ", "").map(|e| e.message),
            Some("Enter your username and password.".to_owned())
        );
    }
}
