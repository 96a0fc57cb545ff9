//! `/reset-password#token=…`: the page the emailed link opens. It takes the
//! token out of the address bar at once (it lives on only in memory), asks
//! the server whether the link can still be used, and then offers the form
//! for the new password, checked as the person types against the policy the
//! server will apply. A link that cannot be used says why.

use crate::api::{ApiClient, ApiError};
use crate::components::form::{FormCard, InputField};
use crate::components::loading::LoadingScreen;
use crate::components::page_title::set_page_title;
use crate::components::password_rules::NewPasswordHelp;
use crate::components::result_card::{Outcome, ResultCard};
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::PasswordResetLink;
use shared::password_policy::{PasswordPolicy, MAX_LENGTH};
use shared::ProblemCode;
use wasm_bindgen::JsValue;

// What the page says, kept together for the coming translation.
const TITLE: &str = "Set a new password";
fn lead(username: &str, tenant: &str) -> String {
    format!("Choose a new password for {username} at {tenant}.")
}
const NEW_PASSWORD: &str = "New password";
const CONFIRM_PASSWORD: &str = "Confirm new password";
const SUBMIT: &str = "Set new password";
const SUBMITTING: &str = "Setting password…";
const BACK_TO_LOGIN: &str = "Back to login";
const REQUEST_NEW_LINK: &str = "Request a new link";
const BREAKS_POLICY: &str = "Choose a password that meets every rule below.";
const CONFIRM_MISSING: &str = "Enter the new password again.";
const MISMATCH: &str = "The passwords do not match.";
fn too_short(min: usize) -> String {
    format!("Use at least {min} characters.")
}
fn too_long(max: usize) -> String {
    format!("Use at most {max} characters.")
}
const COMMON: &str = "This password is too common. Choose a less predictable one.";
const SAME_AS_USERNAME: &str = "The password must not be your username.";
const BUSY: &str = "Too many requests at once. Try again in a moment.";
const TOO_MANY: &str = "Too many attempts. Wait a moment and try again.";
const UNREACHABLE: &str = "Could not reach the server. Try again.";
const FAILED: &str = "Something went wrong. Try again.";
const CHECK_FAILED_TITLE: &str = "Could not check the link";
const OPEN_AGAIN: &str =
    "The link itself may well be fine: open it again from the email in a moment.";
const DONE_TITLE: &str = "Your password has been changed.";
const DONE_TEXT: &str = "You can now log in with your new password.";
const EXPIRED_TITLE: &str = "This link has expired";
const EXPIRED_TEXT: &str =
    "A link to set a new password works only for a limited time. Request a new link to try again.";
const USED_TITLE: &str = "This link has already been used";
const USED_TEXT: &str =
    "Each link sets a password only once. If you did not change your password, request a new link.";
const REPLACED_TITLE: &str = "This link has been replaced";
const REPLACED_TEXT: &str =
    "A newer link has been requested since, or the password has been changed. Use the link in the most recent email, or request a new one.";
const INVALID_TITLE: &str = "This link is not valid";
const INVALID_TEXT: &str =
    "The link may be incomplete. Open it again from the email, or request a new link.";
fn page_title(heading: &str, tenant: &str) -> String {
    format!("{heading} · {tenant}")
}

/// Why a reset link cannot be used, as the server's problem codes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnusableLink {
    Invalid,
    Expired,
    Used,
    Replaced,
}

impl UnusableLink {
    fn from_code(code: Option<ProblemCode>) -> Option<Self> {
        match code? {
            ProblemCode::ResetLinkInvalid => Some(UnusableLink::Invalid),
            ProblemCode::ResetLinkExpired => Some(UnusableLink::Expired),
            ProblemCode::ResetLinkUsed => Some(UnusableLink::Used),
            ProblemCode::ResetLinkReplaced => Some(UnusableLink::Replaced),
            _ => None,
        }
    }

    fn words(self) -> (&'static str, &'static str) {
        match self {
            UnusableLink::Invalid => (INVALID_TITLE, INVALID_TEXT),
            UnusableLink::Expired => (EXPIRED_TITLE, EXPIRED_TEXT),
            UnusableLink::Used => (USED_TITLE, USED_TEXT),
            UnusableLink::Replaced => (REPLACED_TITLE, REPLACED_TEXT),
        }
    }
}

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
enum ResetState {
    Checking,
    /// The server could not say (offline, busy): the link may be fine.
    CheckFailed(&'static str),
    Usable(PasswordResetLink),
    Unusable(UnusableLink),
    Done,
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let session = use_session();
    let api = session.api();
    let tenant = session.tenant_name();
    let token = StoredValue::new(take_token_from_address());
    let state = RwSignal::new(ResetState::Checking);
    set_page_title(&page_title(TITLE, &tenant));

    // Ask the server about the link, once. No token at all is as good as a
    // garbled one.
    match token.get_value() {
        None => state.set(ResetState::Unusable(UnusableLink::Invalid)),
        Some(secret) => spawn_local(async move {
            let next = match api.verify_password_reset(secret).await {
                Ok(link) => ResetState::Usable(link),
                Err(error) => match link_verdict(&error) {
                    Some(unusable) => ResetState::Unusable(unusable),
                    None => ResetState::CheckFailed(alert_message(&error)),
                },
            };
            let _ = state.try_set(next);
        }),
    }

    // The token is of no more use once the link is spent or refused.
    Effect::new(move |_| {
        if matches!(state.get(), ResetState::Done | ResetState::Unusable(_)) {
            token.set_value(None);
        }
    });

    move || {
        let tenant = tenant.clone();
        let (title, view) = match state.get() {
            ResetState::Checking => return view! { <LoadingScreen/> }.into_any(),
            ResetState::Usable(link) => (
                TITLE,
                untrack(|| new_password_form(link, &tenant, api, token, state)).into_any(),
            ),
            ResetState::CheckFailed(message) => (
                CHECK_FAILED_TITLE,
                view! {
                    <ResultCard
                        outcome=Outcome::Warning
                        title=CHECK_FAILED_TITLE
                        paragraphs=vec![message, OPEN_AGAIN]
                        links=vec![("/login", BACK_TO_LOGIN)]
                    />
                }
                .into_any(),
            ),
            ResetState::Unusable(reason) => {
                let (title, text) = reason.words();
                (
                    title,
                    view! {
                        <ResultCard
                            outcome=Outcome::Warning
                            title
                            paragraphs=vec![text]
                            links=vec![
                                ("/forgot-password", REQUEST_NEW_LINK),
                                ("/login", BACK_TO_LOGIN),
                            ]
                        />
                    }
                    .into_any(),
                )
            }
            ResetState::Done => (
                DONE_TITLE,
                view! {
                    <ResultCard
                        outcome=Outcome::Done
                        title=DONE_TITLE
                        paragraphs=vec![DONE_TEXT]
                        links=vec![("/login", BACK_TO_LOGIN)]
                    />
                }
                .into_any(),
            ),
        };
        set_page_title(&page_title(title, &tenant));
        view
    }
}

/// The token from `#token=…`, after which the fragment is removed from the
/// address bar and this history entry, so it is not left on screen, in the
/// history or in a bookmark.
fn take_token_from_address() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let fragment = location.hash().ok()?;
    if fragment.is_empty() {
        return None;
    }
    if let Ok(history) = window.history() {
        let address = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let state = history.state().unwrap_or(JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(&address));
    }
    token_from_fragment(&fragment)
}

/// `#token=abc` (or `token=abc&…`) to `abc`; nothing for anything else.
fn token_from_fragment(fragment: &str) -> Option<String> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

/// Whether an error says the link itself is unusable. Any other failure
/// (offline, busy, a server fault) says nothing about the link.
fn link_verdict(error: &ApiError) -> Option<UnusableLink> {
    UnusableLink::from_code(error.code()).or_else(|| match error {
        ApiError::Problem(problem) if problem.errors.contains_key("token") => {
            Some(UnusableLink::Invalid)
        }
        _ => None,
    })
}

/// The alert for a failure that is not about the link or the password.
fn alert_message(error: &ApiError) -> &'static str {
    match (error, error.code()) {
        (ApiError::Network, _) => UNREACHABLE,
        (_, Some(ProblemCode::ServiceBusy)) => BUSY,
        (_, _) if error.status() == Some(429) => TOO_MANY,
        _ => FAILED,
    }
}

/// The server's verdict on the new password, in this page's words where the
/// code is known, else in the server's. "Too short" keeps the server's
/// words when it sends them: they name the minimum it applies.
fn password_messages(error: &ApiError, min_length: usize) -> Vec<String> {
    let ApiError::Problem(problem) = error else {
        return Vec::new();
    };
    let messages = problem
        .errors
        .get("new_password")
        .cloned()
        .unwrap_or_default();
    let Some(codes) = problem.error_codes.get("new_password") else {
        return messages;
    };
    codes
        .iter()
        .enumerate()
        .filter_map(|(index, code)| match code.as_str() {
            "password_too_short" => messages
                .get(index)
                .cloned()
                .or_else(|| Some(too_short(min_length))),
            "password_too_long" => Some(too_long(MAX_LENGTH)),
            "password_common" => Some(COMMON.to_owned()),
            "password_same_as_username" => Some(SAME_AS_USERNAME.to_owned()),
            _ => messages.get(index).cloned(),
        })
        .collect()
}

/// The form for the new password. A plain function, not a component, so
/// that both pages of the reset flow render the same card types (and the app
/// carries their code once).
fn new_password_form(
    link: PasswordResetLink,
    tenant: &str,
    api: ApiClient,
    token: StoredValue<Option<String>>,
    state: RwSignal<ResetState>,
) -> impl IntoView {
    let policy = PasswordPolicy::with_min_length(link.password_min_length);
    let min_length = policy.min_length;
    let username = link.username.clone();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    // Set by the first submit: from then on every problem shows as it is.
    let attempted = RwSignal::new(false);
    let alert = RwSignal::new(None::<String>);
    // The server's refusal of the password typed; typing clears it.
    let refused = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        password.track();
        refused.set(None);
    });
    let password_input = NodeRef::<html::Input>::new();
    let confirmation_input = NodeRef::<html::Input>::new();

    let password_error = {
        let username = username.clone();
        Signal::derive(move || {
            refused.get().or_else(|| {
                let breaks_policy = password.with(|p| !policy.check(p, &username).is_empty());
                (attempted.get() && breaks_policy).then(|| BREAKS_POLICY.to_owned())
            })
        })
    };
    let confirmation_error = Signal::derive(move || {
        let (first, second) = (password.get(), confirmation.get());
        if second.is_empty() {
            return attempted.get().then(|| CONFIRM_MISSING.to_owned());
        }
        // Not while the second copy is still being typed.
        let finished = attempted.get() || second.chars().count() >= first.chars().count();
        (first != second && finished).then(|| MISMATCH.to_owned())
    });

    Effect::new(move |_| {
        if let Some(input) = password_input.get() {
            let _ = input.focus();
        }
    });

    let focus = |input: NodeRef<html::Input>| {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };

    let on_submit = move |()| {
        attempted.set(true);
        alert.set(None);
        if password_error.get_untracked().is_some() {
            focus(password_input);
            return;
        }
        if confirmation_error.get_untracked().is_some() {
            focus(confirmation_input);
            return;
        }
        let Some(secret) = token.get_value() else {
            state.set(ResetState::Unusable(UnusableLink::Invalid));
            return;
        };
        let new_password = password.get_untracked();
        pending.set(true);
        spawn_local(async move {
            match api.confirm_password_reset(secret, new_password).await {
                Ok(()) => {
                    let _ = state.try_set(ResetState::Done);
                }
                Err(error) => {
                    if let Some(unusable) = link_verdict(&error) {
                        let _ = state.try_set(ResetState::Unusable(unusable));
                    } else {
                        let messages = password_messages(&error, min_length);
                        if messages.is_empty() {
                            let _ = alert.try_set(Some(alert_message(&error).to_owned()));
                        } else {
                            let _ = refused.try_set(Some(messages.join(" ")));
                            focus(password_input);
                        }
                    }
                }
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <FormCard
            title=TITLE
            lead=lead(&username, tenant)
            alert
            pending
            submit=(SUBMIT, SUBMITTING)
            on_submit=Callback::new(on_submit)
            footer=("/login", BACK_TO_LOGIN)
        >
            <InputField
                id="new-password"
                label=NEW_PASSWORD
                kind="password"
                autocomplete="new-password"
                value=password
                error=password_error
                input_ref=password_input
                hints="new-password-strength new-password-rules"
            >
                <NewPasswordHelp
                    ids=("new-password-strength", "new-password-rules")
                    policy
                    username=username.clone()
                    password
                />
            </InputField>
            <InputField
                id="confirm-password"
                label=CONFIRM_PASSWORD
                kind="password"
                autocomplete="new-password"
                value=confirmation
                error=confirmation_error
                input_ref=confirmation_input
            />
        </FormCard>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Problem;
    use std::collections::BTreeMap;

    fn problem(status: u16, code: ProblemCode) -> Problem {
        Problem {
            kind: format!("/problems/{}", code.as_str()),
            title: "Title".to_owned(),
            status,
            detail: None,
            code,
            errors: BTreeMap::new(),
            error_codes: BTreeMap::new(),
        }
    }

    #[test]
    fn the_token_comes_from_the_fragment() {
        let token = "q7Lz0Nc1m9yqB3oXh0mR2b8JtU5vWkE4sYdAfGiHjKl";
        assert_eq!(
            token_from_fragment(&format!("#token={token}")).as_deref(),
            Some(token)
        );
        assert_eq!(
            token_from_fragment(&format!("#x=1&token={token}")).as_deref(),
            Some(token)
        );
        assert_eq!(token_from_fragment("#token="), None);
        assert_eq!(token_from_fragment("#other"), None);
        assert_eq!(token_from_fragment(""), None);
    }

    #[test]
    fn each_reset_link_code_has_its_page_and_other_failures_none() {
        for (code, page) in [
            (ProblemCode::ResetLinkInvalid, UnusableLink::Invalid),
            (ProblemCode::ResetLinkExpired, UnusableLink::Expired),
            (ProblemCode::ResetLinkUsed, UnusableLink::Used),
            (ProblemCode::ResetLinkReplaced, UnusableLink::Replaced),
        ] {
            assert_eq!(
                link_verdict(&ApiError::Problem(problem(410, code))),
                Some(page)
            );
        }
        assert_eq!(link_verdict(&ApiError::Network), None);
        assert_eq!(
            link_verdict(&ApiError::Problem(problem(503, ProblemCode::ServiceBusy))),
            None
        );
    }

    #[test]
    fn password_refusals_read_in_the_page_words_where_it_has_them() {
        let mut refusal = problem(422, ProblemCode::ValidationFailed);
        refusal.errors.insert(
            "new_password".to_owned(),
            vec![
                "Server says short.".to_owned(),
                "Server says new rule.".to_owned(),
            ],
        );
        refusal.error_codes.insert(
            "new_password".to_owned(),
            vec![
                "password_too_short".to_owned(),
                "password_from_tomorrow".to_owned(),
            ],
        );
        assert_eq!(
            password_messages(&ApiError::Problem(refusal.clone()), 14),
            vec![
                "Server says short.".to_owned(),
                "Server says new rule.".to_owned()
            ]
        );
        refusal.errors.clear();
        assert_eq!(
            password_messages(&ApiError::Problem(refusal.clone()), 14),
            vec![too_short(14)]
        );
        refusal.error_codes.insert(
            "new_password".to_owned(),
            vec!["password_common".to_owned()],
        );
        assert_eq!(
            password_messages(&ApiError::Problem(refusal.clone()), 14),
            vec![COMMON.to_owned()]
        );
        refusal.errors.insert(
            "new_password".to_owned(),
            vec![
                "Server says short.".to_owned(),
                "Server says new rule.".to_owned(),
            ],
        );
        refusal.error_codes.clear();
        assert_eq!(
            password_messages(&ApiError::Problem(refusal), 14),
            vec![
                "Server says short.".to_owned(),
                "Server says new rule.".to_owned()
            ]
        );
        assert!(password_messages(&ApiError::Network, 14).is_empty());
    }
}
