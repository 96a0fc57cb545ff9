//! Changing one's own password: the form (current password, new password
//! with the shared policy checklist and strength meter, the new one again)
//! that both the account page's Change password dialog and the
//! choose-password screen after a temporary password use, and that dialog:
//! modal, focus kept inside, closed by Escape or Cancel, focus back on the
//! button that opened it.

use crate::api::{ApiClient, ApiError};
use crate::components::form::{bool_attr, InputField};
use crate::components::modal::ModalDialog;
use crate::components::password_rules::NewPasswordHelp;
use crate::i18n::{field_code_text, field_texts, problem_text, td_string, tr, use_locale, Locale};
use crate::session::use_session;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::ChangePassword;
use shared::password_policy::PasswordPolicy;

/// The state of one password change form, shared by copy.
#[derive(Clone, Copy)]
pub struct PasswordChangeForm {
    /// Current, new, and the new one again.
    values: [RwSignal<String>; 3],
    /// The message at each input, if any.
    errors: [Signal<Option<String>>; 3],
    inputs: [NodeRef<html::Input>; 3],
    /// The server's verdict on the current and the new password; typing in
    /// that input clears it.
    refused: [RwSignal<Option<String>>; 2],
    /// Problems that are not about one input.
    alert: RwSignal<Option<String>>,
    /// Set by the first submit: from then on every problem shows.
    attempted: RwSignal<bool>,
    pending: RwSignal<bool>,
    username: StoredValue<String>,
    locale: Memo<Locale>,
}

impl PasswordChangeForm {
    /// The policy's minimum is the tenant's, which the app is not told: the
    /// checklist applies the default (also the floor) and a longer minimum
    /// shows as the server names it.
    pub fn new(username: String) -> Self {
        let locale = use_locale();
        let policy = PasswordPolicy::default();
        let values = [(); 3].map(|()| RwSignal::new(String::new()));
        let refused = [(); 2].map(|()| RwSignal::new(None::<String>));
        for (value, refused) in values.into_iter().zip(refused) {
            Effect::new(move |_| {
                value.track();
                refused.set(None);
            });
        }
        let attempted = RwSignal::new(false);
        let [current, new, confirm] = values;
        let checked = move |message: Option<&str>, field: usize| {
            refused
                .get(field)
                .and_then(|r| r.get())
                .or_else(|| message.filter(|_| attempted.get()).map(str::to_owned))
        };
        let name = username.clone();
        let errors = [
            Signal::derive(move || {
                let missing = td_string!(locale.get(), field.current_password_missing);
                checked(current.with(String::is_empty).then_some(missing), 0)
            }),
            Signal::derive(move || {
                let locale = locale.get();
                let message = new.with(|n| {
                    if !policy.check(n, &name).is_empty() {
                        Some(td_string!(locale, account.breaks_policy))
                    } else {
                        current.with(|c| {
                            (c == n).then_some(td_string!(locale, field.password_same_as_current))
                        })
                    }
                });
                checked(message, 1)
            }),
            Signal::derive(move || {
                let locale = locale.get();
                let (first, second) = (new.get(), confirm.get());
                if second.is_empty() {
                    return attempted
                        .get()
                        .then(|| td_string!(locale, account.confirm_missing).to_owned());
                }
                // Not while the second copy is still being typed.
                let finished = attempted.get() || second.chars().count() >= first.chars().count();
                (first != second && finished)
                    .then(|| td_string!(locale, account.mismatch).to_owned())
            }),
        ];
        Self {
            values,
            errors,
            inputs: [(); 3].map(|()| NodeRef::new()),
            refused,
            alert: RwSignal::new(None),
            attempted,
            pending: RwSignal::new(false),
            username: StoredValue::new(username),
            locale,
        }
    }

    /// Moves focus to the first input once it is in the page.
    pub fn focus_first(self) {
        let input = self.inputs[0];
        Effect::new(move |_| {
            if let Some(input) = input.get() {
                let _ = input.focus();
            }
        });
    }

    /// Checks the form, then sends it; `on_done` runs once the password has
    /// been changed.
    pub fn submit(self, api: ApiClient, on_done: impl FnOnce() + 'static) {
        if self.pending.get_untracked() {
            return;
        }
        self.attempted.set(true);
        self.alert.set(None);
        if let Some(index) = self.errors.iter().position(|e| e.get_untracked().is_some()) {
            focus(self.inputs[index]);
            return;
        }
        let body = ChangePassword {
            current_password: self.values[0].get_untracked(),
            new_password: self.values[1].get_untracked(),
        };
        self.pending.set(true);
        spawn_local(async move {
            let result = api.change_password(&body).await;
            let _ = self.pending.try_set(false);
            match result {
                Ok(()) => on_done(),
                Err(error) => self.show_refusal(&error),
            }
        });
    }

    /// The server's refusal at the input it is about, else in the alert.
    fn show_refusal(self, error: &ApiError) {
        let Some(locale) = self.locale.try_get_untracked() else {
            return;
        };
        match refusal(locale, error) {
            Refusal::Alert(message) => {
                let _ = self.alert.try_set(Some(message.to_owned()));
            }
            Refusal::Fields(messages) => {
                let first = messages.iter().position(Option::is_some);
                for (refused, message) in self.refused.into_iter().zip(messages) {
                    let _ = refused.try_set(message);
                }
                if let Some(index) = first {
                    focus(self.inputs[index]);
                }
            }
        }
    }

    /// The alert, then the three inputs (the first labelled `current_label`)
    /// with the policy's help under the new password. The labels are those
    /// of the language active when the form is made: no screen with this
    /// form can switch the language while it shows.
    pub fn fields(self, current_label: &'static str) -> impl IntoView {
        let [current, new, confirm] = self.values;
        let [current_error, new_error, confirm_error] = self.errors;
        let [current_input, new_input, confirm_input] = self.inputs;
        let username = self.username.get_value();
        let alert = self.alert;
        let locale = self.locale.get_untracked();
        view! {
            <div class="form-alert" role="alert">
                {move || alert.get()}
            </div>
            // For password managers: the account the new password is for.
            <input
                type="text"
                name="username"
                autocomplete="username"
                value=username.clone()
                readonly
                hidden
            />
            <InputField
                id="current-password"
                label=current_label
                kind="password"
                autocomplete="current-password"
                value=current
                error=current_error
                input_ref=current_input
            />
            <InputField
                id="new-password"
                label=td_string!(locale, account.new_password)
                kind="password"
                autocomplete="new-password"
                value=new
                error=new_error
                input_ref=new_input
                hints="new-password-strength new-password-rules"
            >
                <NewPasswordHelp
                    ids=("new-password-strength", "new-password-rules")
                    policy=PasswordPolicy::default()
                    username
                    password=new
                />
            </InputField>
            <InputField
                id="confirm-password"
                label=td_string!(locale, account.confirm_password)
                kind="password"
                autocomplete="new-password"
                value=confirm
                error=confirm_error
                input_ref=confirm_input
            />
        }
    }

    /// The form's submit button.
    pub fn submit_button(self, class: &'static str, labels: Labels) -> impl IntoView {
        submit_button(self.pending, class, labels)
    }
}

/// A submit button's label, and its label while the form is sent, in a
/// language.
pub type Labels = fn(Locale) -> (&'static str, &'static str);

/// A submit button, busy and disabled while `pending`; its label, and its
/// label meanwhile, follow the active language. The profile form's too.
pub fn submit_button(
    pending: RwSignal<bool>,
    class: &'static str,
    labels: Labels,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get()
            aria-busy=move || bool_attr(pending.get())
        >
            {move || {
                let (idle, busy) = labels(locale.get());
                if pending.get() { busy } else { idle }
            }}
        </button>
    }
}

/// Where the server's refusal shows.
#[derive(Debug, PartialEq)]
enum Refusal {
    /// At the current and the new password (at least one of them).
    Fields([Option<String>; 2]),
    /// Above the form: not about one input.
    Alert(&'static str),
}

/// The server's refusal in this form's words: at the inputs it names, by
/// their codes, else in the alert by the problem's code.
fn refusal(locale: Locale, error: &ApiError) -> Refusal {
    let messages =
        ["current_password", "new_password"].map(|field| field_message(locale, error, field));
    if messages.iter().any(Option::is_some) {
        Refusal::Fields(messages)
    } else {
        Refusal::Alert(problem_text(locale, error))
    }
}

/// The refusal of one input, one text per code. "Too short" names the
/// tenant's minimum, which only the server's words carry: its number is
/// taken from them.
fn field_message(locale: Locale, error: &ApiError, field: &str) -> Option<String> {
    let ApiError::Problem(problem) = error else {
        return None;
    };
    let default_min = PasswordPolicy::default().min_length;
    let words: Vec<String> = match problem.error_codes.get(field) {
        Some(codes) if !codes.is_empty() => codes
            .iter()
            .enumerate()
            .map(|(index, code)| match code.as_str() {
                "current_password_wrong" => {
                    td_string!(locale, account.current_password_wrong).to_owned()
                }
                code => {
                    let said = problem.errors.get(field).and_then(|m| m.get(index));
                    let min = said
                        .and_then(|said| first_number(said))
                        .unwrap_or(default_min);
                    field_code_text(locale, code, min)
                }
            })
            .collect(),
        _ => field_texts(locale, error, field, default_min),
    };
    (!words.is_empty()).then(|| words.join(" "))
}

/// The first whole number in a text, e.g. 14 in "Use at least 14 characters."
fn first_number(text: &str) -> Option<usize> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|part| !part.is_empty())
        .and_then(|digits| digits.parse().ok())
}

fn focus(input: NodeRef<html::Input>) {
    if let Some(input) = input.get_untracked() {
        let _ = input.focus();
    }
}

/// The Change password dialog, rendered only while open: a modal dialog
/// (see `modal.rs`) that moves focus to the first input and closes on
/// Escape, Cancel or success.
#[component]
pub fn ChangePasswordDialog(
    username: String,
    /// Cleared on close.
    open: RwSignal<bool>,
    /// Runs after the password has been changed (and the dialog closed).
    on_changed: Callback<()>,
) -> impl IntoView {
    let api = use_session().api();
    let locale = use_locale().get_untracked();
    let form = PasswordChangeForm::new(username);
    form.focus_first();
    let close = Callback::new(move |()| {
        let _ = open.try_set(false);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.submit(api, move || {
            let _ = close.try_run(());
            let _ = on_changed.try_run(());
        });
    };

    view! {
        <ModalDialog
            labelled_by="change-password-title"
            described_by="change-password-lead"
            on_close=close
        >
            <h2 class="modal-title" id="change-password-title">
                {tr(|l| td_string!(l, account.change_password))}
            </h2>
            <p class="modal-lead" id="change-password-lead">
                {tr(|l| td_string!(l, account.dialog_lead))}
            </p>
            <form class="auth-form" novalidate on:submit=on_submit>
                {form.fields(td_string!(locale, account.current_password))}
                <div class="modal-actions">
                    <button type="button" class="button button-secondary" on:click=move |_| { let _ = close.try_run(()); }>
                        {tr(|l| td_string!(l, account.cancel))}
                    </button>
                    {form.submit_button(
                        "button button-primary",
                        |l| (td_string!(l, account.change_password), td_string!(l, account.changing_password)),
                    )}
                </div>
            </form>
        </ModalDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Problem, ProblemCode};
    use std::collections::BTreeMap;

    use crate::api::test_problem as problem;

    fn refusal_of(field: &str, codes: &[&str], messages: &[&str]) -> ApiError {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        ApiError::Problem(Problem {
            errors: BTreeMap::from([(field.to_owned(), list(messages))]),
            error_codes: BTreeMap::from([(field.to_owned(), list(codes))]),
            ..problem(422, ProblemCode::ValidationFailed)
        })
    }

    #[test]
    fn refusals_show_at_their_input_in_the_active_language() {
        let wrong = refusal_of(
            "current_password",
            &["current_password_wrong"],
            &["Server."],
        );
        for locale in [Locale::en, Locale::de] {
            assert_eq!(
                refusal(locale, &wrong),
                Refusal::Fields([
                    Some(td_string!(locale, account.current_password_wrong).to_owned()),
                    None
                ])
            );
        }
        assert_ne!(refusal(Locale::en, &wrong), refusal(Locale::de, &wrong));
        let same = refusal_of("new_password", &["password_same_as_current"], &[]);
        assert_eq!(
            field_message(Locale::de, &same, "new_password"),
            Some(td_string!(Locale::de, field.password_same_as_current).to_owned())
        );
        assert_eq!(field_message(Locale::de, &same, "current_password"), None);
    }

    #[test]
    fn too_short_names_the_servers_minimum_and_unknown_codes_get_a_general_text() {
        let short = refusal_of(
            "new_password",
            &["password_too_short"],
            &["Use at least 14 characters."],
        );
        assert_eq!(
            field_message(Locale::de, &short, "new_password"),
            Some(td_string!(Locale::de, field.password_too_short, min = 14))
        );
        let two = refusal_of(
            "new_password",
            &["password_common", "password_from_tomorrow"],
            &["a", "New rule."],
        );
        let expected = format!(
            "{} {}",
            td_string!(Locale::en, field.password_common),
            td_string!(Locale::en, field.invalid)
        );
        assert_eq!(
            field_message(Locale::en, &two, "new_password"),
            Some(expected)
        );
        assert_eq!(first_number("Use at least 14 characters."), Some(14));
        assert_eq!(first_number("Too short."), None);
    }

    #[test]
    fn other_failures_go_to_the_alert() {
        let problem = |status, code| ApiError::Problem(problem(status, code));
        for error in [
            ApiError::Network,
            problem(429, ProblemCode::TooManyAttempts),
            problem(403, ProblemCode::PasswordManagedBySso),
            problem(503, ProblemCode::ServiceBusy),
            problem(500, ProblemCode::InternalError),
        ] {
            for locale in [Locale::en, Locale::de] {
                assert_eq!(
                    refusal(locale, &error),
                    Refusal::Alert(problem_text(locale, &error))
                );
            }
        }
    }
}
