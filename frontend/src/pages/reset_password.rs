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
use crate::i18n::{field_texts, problem_text, td_string, use_locale, Locale};
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::PasswordResetLink;
use shared::password_policy::PasswordPolicy;
use shared::ProblemCode;
use wasm_bindgen::JsValue;

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

    fn words(self, locale: Locale) -> (&'static str, &'static str) {
        match self {
            UnusableLink::Invalid => (
                td_string!(locale, reset.invalid_title),
                td_string!(locale, reset.invalid_text),
            ),
            UnusableLink::Expired => (
                td_string!(locale, reset.expired_title),
                td_string!(locale, reset.expired_text),
            ),
            UnusableLink::Used => (
                td_string!(locale, reset.used_title),
                td_string!(locale, reset.used_text),
            ),
            UnusableLink::Replaced => (
                td_string!(locale, reset.replaced_title),
                td_string!(locale, reset.replaced_text),
            ),
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
    // The language of a link opened signed out is the browser's, and does
    // not change during the visit: the words are picked once.
    let locale = use_locale().get_untracked();
    let back_to_login = td_string!(locale, common.back_to_login);
    set_page_title(&page_title(td_string!(locale, reset.title), &tenant));

    // Ask the server about the link, once. No token at all is as good as a
    // garbled one.
    match token.get_value() {
        None => state.set(ResetState::Unusable(UnusableLink::Invalid)),
        Some(secret) => spawn_local(async move {
            let next = match api.verify_password_reset(secret).await {
                Ok(link) => ResetState::Usable(link),
                Err(error) => match link_verdict(&error) {
                    Some(unusable) => ResetState::Unusable(unusable),
                    None => ResetState::CheckFailed(problem_text(locale, &error)),
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
                if link.purpose == INVITATION {
                    td_string!(locale, reset.invite_title)
                } else {
                    td_string!(locale, reset.title)
                },
                untrack(|| new_password_form(locale, link, &tenant, api, token, state)).into_any(),
            ),
            ResetState::CheckFailed(message) => {
                let title = td_string!(locale, reset.check_failed_title);
                (
                    title,
                    view! {
                        <ResultCard
                            outcome=Outcome::Warning
                            title
                            paragraphs=vec![message, td_string!(locale, reset.open_again)]
                            links=vec![("/login", back_to_login)]
                        />
                    }
                    .into_any(),
                )
            }
            ResetState::Unusable(reason) => {
                let (title, text) = reason.words(locale);
                (
                    title,
                    view! {
                        <ResultCard
                            outcome=Outcome::Warning
                            title
                            paragraphs=vec![text]
                            links=vec![
                                ("/forgot-password", td_string!(locale, reset.request_new_link)),
                                ("/login", back_to_login),
                            ]
                        />
                    }
                    .into_any(),
                )
            }
            ResetState::Done => {
                let title = td_string!(locale, reset.done_title);
                (
                    title,
                    view! {
                        <ResultCard
                            outcome=Outcome::Done
                            title
                            paragraphs=vec![td_string!(locale, reset.done_text)]
                            links=vec![("/login", back_to_login)]
                        />
                    }
                    .into_any(),
                )
            }
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

/// `PasswordResetLink.purpose` of a link from an invitation mail.
const INVITATION: &str = "invitation";

/// The form for the new password. A plain function, not a component, so
/// that both pages of the reset flow render the same card types (and the app
/// carries their code once).
fn new_password_form(
    locale: Locale,
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
                (attempted.get() && breaks_policy)
                    .then(|| td_string!(locale, reset.breaks_policy).to_owned())
            })
        })
    };
    let confirmation_error = Signal::derive(move || {
        let (first, second) = (password.get(), confirmation.get());
        if second.is_empty() {
            return attempted
                .get()
                .then(|| td_string!(locale, reset.confirm_missing).to_owned());
        }
        // Not while the second copy is still being typed.
        let finished = attempted.get() || second.chars().count() >= first.chars().count();
        (first != second && finished).then(|| td_string!(locale, reset.mismatch).to_owned())
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
                        // The server's verdict in this page's words, by its
                        // codes; anything else goes above the form.
                        let messages = field_texts(locale, &error, "new_password", min_length);
                        if messages.is_empty() {
                            let _ = alert.try_set(Some(problem_text(locale, &error).to_owned()));
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

    // An invitation's link opens the same form, worded as a welcome.
    let (title, lead) = if link.purpose == INVITATION {
        (
            td_string!(locale, reset.invite_title),
            td_string!(
                locale,
                reset.invite_lead,
                username = &username,
                tenant = tenant
            ),
        )
    } else {
        (
            td_string!(locale, reset.title),
            td_string!(locale, reset.lead, username = &username, tenant = tenant),
        )
    };
    view! {
        <FormCard
            title
            lead
            alert
            pending
            submit=(td_string!(locale, reset.submit), td_string!(locale, reset.submitting))
            on_submit=Callback::new(on_submit)
            footer=("/login", td_string!(locale, common.back_to_login))
        >
            <InputField
                id="new-password"
                label=td_string!(locale, reset.new_password)
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
                label=td_string!(locale, reset.confirm_password)
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
    use crate::api::test_problem as problem;

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
}
