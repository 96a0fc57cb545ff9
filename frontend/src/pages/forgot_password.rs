//! `/forgot-password`: asks for a link to set a new password by email. The
//! server answers the same whatever the account, and so does this page: it
//! never tells whether a username exists or has an email address.

use crate::api::{ApiClient, ApiError};
use crate::components::form::{FormCard, InputField};
use crate::components::page_title::set_page_title;
use crate::components::result_card::{Outcome, ResultCard};
use crate::i18n::{field_texts, problem_text, td_string, use_locale, Locale};
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn page_title(locale: Locale, tenant: &str) -> String {
    format!("{} · {tenant}", td_string!(locale, forgot.title))
}

/// Why the last request was refused: about the field, or about the whole
/// request.
#[derive(Debug, Clone, PartialEq)]
enum RequestError {
    Username(String),
    Alert(String),
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let session = use_session();
    // Signed out, the browser's languages decide: the words are picked once.
    let locale = use_locale().get_untracked();
    set_page_title(&page_title(locale, &session.tenant_name()));
    let api = session.api();
    let sent = RwSignal::new(false);
    // Plain functions, not components, so that both pages of the reset flow
    // render the same card types (and the app carries their code once).
    move || {
        if sent.get() {
            reset_requested(locale).into_any()
        } else {
            untrack(|| reset_request_form(locale, api, sent)).into_any()
        }
    }
}

/// The form; `sent` turns true once the server has the request.
fn reset_request_form(locale: Locale, api: ApiClient, sent: RwSignal<bool>) -> impl IntoView {
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
            username_error.set(Some(td_string!(locale, login.enter_username).to_owned()));
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
                Err(failure) => match describe(locale, &failure) {
                    RequestError::Username(message) => {
                        let _ = username_error.try_set(Some(message));
                        if let Some(input) = username_input.get_untracked() {
                            let _ = input.focus();
                        }
                    }
                    RequestError::Alert(message) => {
                        let _ = alert.try_set(Some(message));
                    }
                },
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <FormCard
            title=td_string!(locale, forgot.title)
            lead=td_string!(locale, forgot.lead)
            alert
            pending
            submit=(td_string!(locale, forgot.submit), td_string!(locale, forgot.submitting))
            on_submit=Callback::new(on_submit)
            footer=("/login", td_string!(locale, common.back_to_login))
        >
            <InputField
                id="username"
                label=td_string!(locale, login.username)
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
fn reset_requested(locale: Locale) -> impl IntoView {
    view! {
        <ResultCard
            outcome=Outcome::Mail
            title=td_string!(locale, forgot.sent_title)
            paragraphs=vec![
                td_string!(locale, forgot.sent_link),
                td_string!(locale, forgot.sent_fallback),
            ]
            links=vec![("/login", td_string!(locale, common.back_to_login))]
        />
    }
}

/// Turns a refused request into a message at the field or above the form,
/// by problem code (never the server's English words).
fn describe(locale: Locale, error: &ApiError) -> RequestError {
    let username = field_texts(locale, error, "username", 0);
    if username.is_empty() {
        RequestError::Alert(problem_text(locale, error).to_owned())
    } else {
        RequestError::Username(username.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Problem, ProblemCode};
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
        let english = Locale::en;
        assert_eq!(
            describe(english,
                &problem(422, ProblemCode::ValidationFailed, &[("username", "Too long.")])
            ),
            RequestError::Username(
                "Check the username: it has at most 64 characters, and only letters, digits and . _ - @."
                    .to_owned()
            )
        );
        assert_eq!(
            describe(english, &problem(503, ProblemCode::ServiceBusy, &[])),
            RequestError::Alert("Too many requests at once. Try again in a moment.".to_owned())
        );
        assert_eq!(
            describe(english, &ApiError::Network),
            RequestError::Alert("Could not reach the server. Try again.".to_owned())
        );
        assert_eq!(
            describe(Locale::de, &problem(500, ProblemCode::InternalError, &[])),
            RequestError::Alert(
                "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.".to_owned()
            )
        );
    }
}
