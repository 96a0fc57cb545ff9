//! English and German for every screen. The words live in the catalogues
//! `frontend/locales/en.json` and `frontend/locales/de.json` (nested keys,
//! `{{ name }}` placeholders), compiled in by leptos_i18n through
//! `build.rs`, which refuses to build when a key or a placeholder is in one
//! catalogue only (a unit test checks the same).
//!
//! In a component (`td_string!` checks the key at compile time):
//!
//! ```ignore
//! use crate::i18n::{td_string, tr, use_locale};
//! view! {
//!     // Follows a change of language:
//!     <h1>{tr(|l| td_string!(l, shell.account_settings))}</h1>
//!     <button aria-label=tr(|l| td_string!(l, shell.profile_menu))>…</button>
//! }
//! let locale = use_locale(); // the active language, a Memo; Copy
//! // With values (a `String`):
//! view! { <p>{move || td_string!(locale.get(), field.password_too_short, min = 12)}</p> }
//! // Once, e.g. for a message kept in a signal (`&'static str` without
//! // values):
//! let text = td_string!(locale.get_untracked(), problem.failed);
//! ```
//!
//! - Problems from the API: [`problem_text`] words an `ApiError` by its
//!   `ProblemCode`, [`field_texts`] a field's `error_codes`; never show the
//!   server's English `title`, `detail` or `errors`.
//! - The active language: before sign-in the browser's (`navigator.languages`
//!   through `shared::locale::negotiate`), signed in the account's
//!   (`Me.locale`). To switch at run time, put the account the server answers
//!   to `PATCH /me` into `session.auth` (`AuthState::SignedIn`); `<html
//!   lang>` follows.
//! - Page titles: `set_page_title` with a `td_string!` inside an `Effect`, so
//!   the tab follows a switch too.

use crate::api::ApiError;
use crate::session::AuthState;
use leptos::prelude::*;
use shared::{ProblemCode, Role};

/// What leptos_i18n generates from the catalogues (`build.rs`): the
/// `Locale` enum, the keys, and the macros. Only part of it is used here,
/// and its code is not held to this crate's lints (it parses the constant
/// tags `"en"` and `"de"` with `expect`).
#[allow(unused_imports, dead_code, clippy::all, clippy::expect_used)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

pub use self::generated::i18n::{td_string, Locale};
use leptos_i18n::Locale as _;

/// Every language of the catalogues, the default first.
const LOCALES: [Locale; 2] = [Locale::en, Locale::de];

/// The catalogue for a language tag (`de`, `de-AT`), if there is one.
pub fn locale_for(tag: &str) -> Option<Locale> {
    let tag = shared::locale::supported(tag)?;
    LOCALES.into_iter().find(|locale| locale.as_str() == tag)
}

/// The language tag of a catalogue, as `Me.locale` and `PATCH /me` spell it.
pub fn tag(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The active language, shared through context.
#[derive(Clone, Copy)]
struct ActiveLocale {
    locale: Memo<Locale>,
}

/// Provides the active language to every component below: the account's
/// while someone is signed in, else the browser's. Keeps `<html lang>` on it.
pub fn provide_locale(auth: RwSignal<AuthState>) {
    let browser = browser_locale();
    let locale = Memo::new(move |_| {
        let account = auth.with(|auth| match auth {
            AuthState::SignedIn(me) => locale_for(&me.locale),
            _ => None,
        });
        account.unwrap_or(browser)
    });
    set_html_lang(locale.get_untracked());
    Effect::new(move |_| set_html_lang(locale.get()));
    provide_context(ActiveLocale { locale });
}

/// The active language; read it with `.get()` in a reactive closure.
pub fn use_locale() -> Memo<Locale> {
    // `App` provides it (through `Session::provide`) before anything renders.
    expect_context::<ActiveLocale>().locale
}

/// Words that follow the active language, for a view or an attribute:
/// `{tr(|l| td_string!(l, shell.log_out))}`, short for
/// `{move || td_string!(locale.get(), shell.log_out)}` with
/// `locale = use_locale()`.
pub fn tr(
    words: fn(Locale) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || words(locale.get())
}

/// The first of the browser's languages that has a catalogue, else English.
fn browser_locale() -> Locale {
    let languages: Vec<String> = web_sys::window()
        .map(|window| {
            window
                .navigator()
                .languages()
                .iter()
                .filter_map(|language| language.as_string())
                .collect()
        })
        .unwrap_or_default();
    locale_for(shared::locale::negotiate(
        languages.iter().map(String::as_str),
    ))
    .unwrap_or_default()
}

fn set_html_lang(locale: Locale) {
    if let Some(html) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        let _ = html.set_attribute("lang", tag(locale));
    }
}

/// What a failed call says to a person: by the problem's code, else by what
/// happened (no answer, an answer the app does not understand).
pub fn problem_text(locale: Locale, error: &ApiError) -> &'static str {
    match error {
        ApiError::Network => td_string!(locale, problem.unreachable),
        ApiError::Unexpected { status: 429 } => td_string!(locale, problem.too_many_attempts),
        ApiError::Unexpected { .. } => td_string!(locale, problem.failed),
        ApiError::Problem(problem) => code_text(locale, problem.code),
    }
}

/// The words for each problem code the API answers with.
pub fn code_text(locale: Locale, code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::InvalidCredentials => td_string!(locale, problem.invalid_credentials),
        ProblemCode::AccountInactive => td_string!(locale, problem.account_inactive),
        ProblemCode::InvalidToken | ProblemCode::InvalidRefreshToken => {
            td_string!(locale, problem.session_ended)
        }
        ProblemCode::ServiceBusy => td_string!(locale, problem.busy),
        ProblemCode::UnknownTenant => td_string!(locale, problem.unknown_tenant),
        ProblemCode::NotFound => td_string!(locale, problem.not_found),
        ProblemCode::VersionConflict => td_string!(locale, problem.version_conflict),
        ProblemCode::UsernameTaken => td_string!(locale, problem.username_taken),
        ProblemCode::FacilityExists => td_string!(locale, problem.facility_exists),
        ProblemCode::CannotInvite => td_string!(locale, problem.cannot_invite),
        ProblemCode::Forbidden => td_string!(locale, problem.forbidden),
        ProblemCode::MethodNotAllowed
        | ProblemCode::ForbiddenOrigin
        | ProblemCode::MalformedJson
        | ProblemCode::UnreadableBody
        | ProblemCode::UnsupportedMediaType
        | ProblemCode::BadRequest => td_string!(locale, problem.bad_request),
        ProblemCode::PayloadTooLarge => td_string!(locale, problem.payload_too_large),
        ProblemCode::ValidationFailed => td_string!(locale, problem.validation_failed),
        ProblemCode::ResetLinkInvalid => td_string!(locale, problem.reset_link_invalid),
        ProblemCode::ResetLinkExpired => td_string!(locale, problem.reset_link_expired),
        ProblemCode::ResetLinkUsed => td_string!(locale, problem.reset_link_used),
        ProblemCode::ResetLinkReplaced => td_string!(locale, problem.reset_link_replaced),
        ProblemCode::PasswordChangeRequired => {
            td_string!(locale, problem.password_change_required)
        }
        ProblemCode::PasswordManagedBySso => td_string!(locale, problem.password_managed_by_sso),
        ProblemCode::TooManyAttempts => td_string!(locale, problem.too_many_attempts),
        ProblemCode::SsoFailed => td_string!(locale, problem.sso_failed),
        ProblemCode::SsoCancelled => td_string!(locale, problem.sso_cancelled),
        ProblemCode::SsoUnavailable => td_string!(locale, problem.sso_unavailable),
        ProblemCode::SsoRoleUnmapped => td_string!(locale, problem.sso_role_unmapped),
        ProblemCode::DatabaseUnavailable | ProblemCode::InternalError | ProblemCode::Unknown => {
            td_string!(locale, problem.failed)
        }
    }
}

/// The words for what the server found wrong with one field: one text per
/// stable code in the problem's `error_codes` (`min_length` fills in "use at
/// least … characters"; the codes carry no numbers). A field the server
/// named without codes gets one general text. Empty when the field is fine.
pub fn field_texts(
    locale: Locale,
    error: &ApiError,
    field: &str,
    min_length: usize,
) -> Vec<String> {
    let ApiError::Problem(problem) = error else {
        return Vec::new();
    };
    match problem.error_codes.get(field) {
        Some(codes) if !codes.is_empty() => codes
            .iter()
            .map(|code| field_code_text(locale, code, min_length))
            .collect(),
        _ if problem.errors.contains_key(field) => {
            vec![field_code_text(
                locale,
                &format!("{field}_invalid"),
                min_length,
            )]
        }
        _ => Vec::new(),
    }
}

/// The words for one field code, e.g. `password_too_short`.
pub fn field_code_text(locale: Locale, code: &str, min_length: usize) -> String {
    let max = shared::password_policy::MAX_LENGTH;
    match code {
        "password_too_short" => td_string!(locale, field.password_too_short, min = min_length),
        "password_too_long" => td_string!(locale, field.password_too_long, max = max),
        "password_common" => td_string!(locale, field.password_common).to_owned(),
        "password_same_as_username" => {
            td_string!(locale, field.password_same_as_username).to_owned()
        }
        "password_same_as_current" => td_string!(locale, field.password_same_as_current).to_owned(),
        "current_password_missing" => td_string!(locale, field.current_password_missing).to_owned(),
        "username_invalid" => td_string!(locale, field.username_invalid).to_owned(),
        "email_invalid" => td_string!(locale, field.email_invalid).to_owned(),
        "locale_unsupported" => td_string!(locale, field.locale_unsupported).to_owned(),
        "required" => td_string!(locale, users.field_required).to_owned(),
        "too_long" => td_string!(locale, users.field_too_long).to_owned(),
        "invalid_characters" => td_string!(locale, users.field_invalid_characters).to_owned(),
        "password_or_email_required" => {
            td_string!(locale, users.field_password_or_email_required).to_owned()
        }
        "facility_unknown" => td_string!(locale, users.field_facility_unknown).to_owned(),
        "administrator_without_facilities" => {
            td_string!(locale, users.field_administrator_without_facilities).to_owned()
        }
        "facilities_required" => td_string!(locale, users.field_facilities_required).to_owned(),
        _ => td_string!(locale, field.invalid).to_owned(),
    }
}

/// A role as a person reads it.
pub fn role_label(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Administrator => td_string!(locale, role.administrator),
        Role::Supervisor => td_string!(locale, role.supervisor),
        Role::Fulfiller => td_string!(locale, role.fulfiller),
    }
}

/// A language's name, in the active language.
pub fn language_name(locale: Locale, language: Locale) -> &'static str {
    match language {
        Locale::en => td_string!(locale, language.en),
        Locale::de => td_string!(locale, language.de),
    }
}

/// The catalogue comparison `build.rs` runs, for the test below.
#[cfg(test)]
#[path = "catalogue_keys.rs"]
mod catalogue_keys_check;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use super::catalogue_keys_check as catalogue_keys;

    const ENGLISH: &str = include_str!("../locales/en.json");
    const GERMAN: &str = include_str!("../locales/de.json");

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        assert_eq!(
            catalogue_keys::differences(("en", ENGLISH), ("de", GERMAN)),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_key_in_one_catalogue_only_is_caught() {
        let english = r#"{"login": {"title": "Log in", "lead": "Hi {{ name }}"}}"#;
        let german = r#"{"login": {"title": "Anmelden", "lead": "Hallo {{ nom }}"}, "extra": "x"}"#;
        let problems = catalogue_keys::differences(("en", english), ("de", german));
        assert_eq!(problems.map(|p| p.len()), Ok(2));
        let missing = r#"{"login": {"title": "Anmelden"}}"#;
        assert_eq!(
            catalogue_keys::differences(("en", english), ("de", missing)),
            Ok(vec!["`login.lead` is in en but not in de".to_owned()])
        );
    }

    #[test]
    fn every_supported_language_has_a_catalogue() {
        for tag_name in shared::locale::SUPPORTED {
            assert_eq!(locale_for(tag_name).map(tag), Some(tag_name));
        }
        assert_eq!(locale_for("de-AT"), Some(Locale::de));
        assert_eq!(locale_for("fr"), None);
        assert_eq!(tag(Locale::default()), shared::locale::DEFAULT);
    }

    fn problem(code: ProblemCode, field_codes: &[(&str, &[&str])]) -> ApiError {
        let error_codes: BTreeMap<String, Vec<String>> = field_codes
            .iter()
            .map(|(field, codes)| {
                let codes = codes.iter().map(|code| code.to_string()).collect();
                (field.to_string(), codes)
            })
            .collect();
        ApiError::Problem(shared::Problem {
            kind: format!("/problems/{}", code.as_str()),
            title: "English title".to_owned(),
            status: 422,
            detail: None,
            code,
            errors: error_codes
                .keys()
                .map(|field| (field.clone(), vec!["English words.".to_owned()]))
                .collect(),
            error_codes,
        })
    }

    #[test]
    fn problems_are_worded_by_code_in_each_language() {
        let busy = problem(ProblemCode::ServiceBusy, &[]);
        assert_eq!(
            problem_text(Locale::en, &busy),
            "Too many requests at once. Try again in a moment."
        );
        assert_eq!(
            problem_text(Locale::de, &busy),
            "Zu viele Anfragen gleichzeitig. Bitte versuchen Sie es gleich noch einmal."
        );
        assert_eq!(
            problem_text(Locale::de, &ApiError::Network),
            "Der Server ist nicht erreichbar. Bitte versuchen Sie es erneut."
        );
    }

    #[test]
    fn field_codes_are_worded_and_unknown_ones_get_a_general_text() {
        let refusal = problem(
            ProblemCode::ValidationFailed,
            &[(
                "new_password",
                &["password_too_short", "password_from_tomorrow"],
            )],
        );
        assert_eq!(
            field_texts(Locale::de, &refusal, "new_password", 14),
            vec![
                "Verwenden Sie mindestens 14 Zeichen.".to_owned(),
                "Diese Angabe ist ungültig.".to_owned()
            ]
        );
        assert_eq!(
            field_texts(Locale::en, &refusal, "new_password", 14),
            vec![
                "Use at least 14 characters.".to_owned(),
                "This entry is not valid.".to_owned()
            ]
        );
        assert!(field_texts(Locale::en, &refusal, "username", 14).is_empty());
    }
}
