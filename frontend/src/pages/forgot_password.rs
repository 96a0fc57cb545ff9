//! `/forgot-password`: asks for a link to set a new password by email. The
//! server answers the same whatever the account, and so does this page: it
//! never tells whether a username exists or has an email address.

use crate::api::{ApiClient, ApiError};
use crate::components::form::{FormCard, InputField};
use crate::components::page_title::set_page_title;
use crate::components::result_card::{Outcome, ResultCard};
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ProblemCode;

// What the page says, kept together for the coming translation.
const TITLE: &str = "Reset your password";
const LEAD: &str =
    "Enter your username. If your account has an email address, we will send a link to set a new password.";
const USERNAME: &str = "Username";
const SUBMIT: &str = "Reset password";
const SUBMITTING: &str = "Sending…";
const BACK_TO_LOGIN: &str = "Back to login";
const SENT_TITLE: &str = "Check your email";
const SENT_LINK: &str =
    "If the account exists and has an email address, a link to set a new password has been sent to it.";
const SENT_FALLBACK: &str =
    "If no email arrives, an administrator or supervisor can set a new password for you.";
const ENTER_USERNAME: &str = "Enter your username.";
const BUSY: &str = "Too many requests at once. Try again in a moment.";
const TOO_MANY: &str = "Too many attempts. Wait a moment and try again.";
const UNREACHABLE: &str = "Could not reach the server. Try again.";
const FAILED: &str = "Something went wrong. Try again.";
fn page_title(tenant: &str) -> String {
    format!("{TITLE} · {tenant}")
}

/// Why the last request was refused: about the field, or about the whole
/// request.
#[derive(Debug, Clone, PartialEq)]
enum RequestError {
    Username(String),
    Alert(&'static str),
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let session = use_session();
    set_page_title(&page_title(&session.tenant_name()));
    let api = session.api();
    let sent = RwSignal::new(false);
    // Plain functions, not components, so that both pages of the reset flow
    // render the same card types (and the app carries their code once).
    move || {
        if sent.get() {
            reset_requested().into_any()
        } else {
            untrack(|| reset_request_form(api, sent)).into_any()
        }
    }
}

/// The form; `sent` turns true once the server has the request.
fn reset_request_form(api: ApiClient, sent: RwSignal<bool>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let username_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let username_input = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if let Some(input) = username_input.get() {
            let _ = input.focus();
        }
    });

    let on_submit = move |()| {
        let name = username.get_untracked().trim().to_owned();
        alert.set(None);
        if name.is_empty() {
            username_error.set(Some(ENTER_USERNAME.to_owned()));
            if let Some(input) = username_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        pending.set(true);
        username_error.set(None);
        spawn_local(async move {
            match api.request_password_reset(name).await {
                Ok(()) => {
                    let _ = sent.try_set(true);
                }
                Err(failure) => match describe(&failure) {
                    RequestError::Username(message) => {
                        let _ = username_error.try_set(Some(message));
                        if let Some(input) = username_input.get_untracked() {
                            let _ = input.focus();
                        }
                    }
                    RequestError::Alert(message) => {
                        let _ = alert.try_set(Some(message.to_owned()));
                    }
                },
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <FormCard
            title=TITLE
            lead=LEAD
            alert
            pending
            submit=(SUBMIT, SUBMITTING)
            on_submit=Callback::new(on_submit)
            footer=("/login", BACK_TO_LOGIN)
        >
            <InputField
                id="username"
                label=USERNAME
                kind="text"
                autocomplete="username"
                value=username
                error=username_error
                input_ref=username_input
            />
        </FormCard>
    }
}

/// The same answer for every username, as the server gives it.
fn reset_requested() -> impl IntoView {
    view! {
        <ResultCard
            outcome=Outcome::Mail
            title=SENT_TITLE
            paragraphs=vec![SENT_LINK, SENT_FALLBACK]
            links=vec![("/login", BACK_TO_LOGIN)]
        />
    }
}

/// Turns a refused request into a message at the field or above the form.
fn describe(error: &ApiError) -> RequestError {
    match (error, error.code()) {
        (ApiError::Network, _) => RequestError::Alert(UNREACHABLE),
        (_, Some(ProblemCode::ServiceBusy)) => RequestError::Alert(BUSY),
        (_, _) if error.status() == Some(429) => RequestError::Alert(TOO_MANY),
        (ApiError::Problem(problem), _) => match problem.errors.get("username") {
            // Empty or too long: the server's words (the form already
            // catches an empty one).
            Some(messages) if !messages.is_empty() => RequestError::Username(messages.join(" ")),
            _ => RequestError::Alert(FAILED),
        },
        (ApiError::Unexpected { .. }, _) => RequestError::Alert(FAILED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Problem;
    use std::collections::BTreeMap;

    fn problem(status: u16, code: ProblemCode, errors: &[(&str, &str)]) -> ApiError {
        ApiError::Problem(Problem {
            kind: format!("/problems/{}", code.as_str()),
            title: "Title".to_owned(),
            status,
            detail: None,
            code,
            errors: errors
                .iter()
                .map(|(field, message)| (field.to_string(), vec![message.to_string()]))
                .collect(),
            error_codes: BTreeMap::new(),
        })
    }

    #[test]
    fn field_problems_go_to_the_field_and_the_rest_above_the_form() {
        assert_eq!(
            describe(&problem(
                422,
                ProblemCode::ValidationFailed,
                &[("username", "Too long.")]
            )),
            RequestError::Username("Too long.".to_owned())
        );
        assert_eq!(
            describe(&problem(503, ProblemCode::ServiceBusy, &[])),
            RequestError::Alert(BUSY)
        );
        assert_eq!(
            describe(&ApiError::Network),
            RequestError::Alert(UNREACHABLE)
        );
        assert_eq!(
            describe(&problem(500, ProblemCode::InternalError, &[])),
            RequestError::Alert(FAILED)
        );
    }
}
