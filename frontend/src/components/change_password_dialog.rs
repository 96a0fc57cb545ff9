//! Changing one's own password: the form (current password, new password
//! with the shared policy checklist and strength meter, the new one again)
//! that both the account page's Change password dialog and the
//! choose-password screen after a temporary password use, and that dialog:
//! modal, focus kept inside, closed by Escape or Cancel, focus back on the
//! button that opened it.

use crate::api::{ApiClient, ApiError};
use crate::components::form::{bool_attr, InputField};
use crate::components::password_rules::NewPasswordHelp;
use crate::session::use_session;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::ChangePassword;
use shared::password_policy::{PasswordPolicy, MAX_LENGTH};
use shared::{Problem, ProblemCode};
use wasm_bindgen::JsCast;

/// What the form and the dialog say, kept together for the translation.
pub mod text {
    pub const DIALOG_TITLE: &str = "Change password";
    pub const DIALOG_LEAD: &str =
        "Your other sessions will be signed out. This session stays signed in.";
    pub const CURRENT: &str = "Current password";
    pub const NEW: &str = "New password";
    pub const CONFIRM: &str = "Confirm new password";
    pub const CANCEL: &str = "Cancel";
    pub const SUBMIT: &str = "Change password";
    pub const SUBMITTING: &str = "Changing password…";
    pub const CURRENT_MISSING: &str = "Enter your current password.";
    pub const CURRENT_WRONG: &str = "The current password is not correct.";
    pub const BREAKS_POLICY: &str = "Choose a password that meets every rule below.";
    pub const SAME_AS_CURRENT: &str = "Choose a password other than the current one.";
    pub const CONFIRM_MISSING: &str = "Enter the new password again.";
    pub const MISMATCH: &str = "The passwords do not match.";
    pub fn too_short(min: usize) -> String {
        format!("Use at least {min} characters.")
    }
    pub fn too_long(max: usize) -> String {
        format!("Use at most {max} characters.")
    }
    pub const COMMON: &str = "This password is too common. Choose a less predictable one.";
    pub const SAME_AS_USERNAME: &str = "The password must not be your username.";
    pub const TOO_MANY: &str = "Too many attempts. Wait a moment and try again.";
    pub const BUSY: &str = "Too many requests at once. Try again in a moment.";
    pub const SSO: &str =
        "Your password is managed by your organization's single sign-on, not here.";
    pub const UNREACHABLE: &str = "Could not reach the server. Try again.";
    pub const FAILED: &str = "Something went wrong. Try again.";
}
use text::*;

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
}

impl PasswordChangeForm {
    /// The policy's minimum is the tenant's, which the app is not told: the
    /// checklist applies the default (also the floor) and a longer minimum
    /// shows in the server's words.
    pub fn new(username: String) -> Self {
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
                checked(current.with(String::is_empty).then_some(CURRENT_MISSING), 0)
            }),
            Signal::derive(move || {
                let message = new.with(|n| {
                    if !policy.check(n, &name).is_empty() {
                        Some(BREAKS_POLICY)
                    } else {
                        current.with(|c| (c == n).then_some(SAME_AS_CURRENT))
                    }
                });
                checked(message, 1)
            }),
            Signal::derive(move || {
                let (first, second) = (new.get(), confirm.get());
                if second.is_empty() {
                    return attempted.get().then(|| CONFIRM_MISSING.to_owned());
                }
                // Not while the second copy is still being typed.
                let finished = attempted.get() || second.chars().count() >= first.chars().count();
                (first != second && finished).then(|| MISMATCH.to_owned())
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
        let messages = match error {
            ApiError::Problem(problem) => [
                field_message(problem, "current_password"),
                field_message(problem, "new_password"),
            ],
            _ => [None, None],
        };
        let Some(index) = messages.iter().position(Option::is_some) else {
            let _ = self.alert.try_set(Some(alert_message(error).to_owned()));
            return;
        };
        for (refused, message) in self.refused.into_iter().zip(messages) {
            let _ = refused.try_set(message);
        }
        focus(self.inputs[index]);
    }

    /// The alert, then the three inputs (the first labelled `current_label`)
    /// with the policy's help under the new password.
    pub fn fields(self, current_label: &'static str) -> impl IntoView {
        let [current, new, confirm] = self.values;
        let [current_error, new_error, confirm_error] = self.errors;
        let [current_input, new_input, confirm_input] = self.inputs;
        let username = self.username.get_value();
        let alert = self.alert;
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
                label=NEW
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
                label=CONFIRM
                kind="password"
                autocomplete="new-password"
                value=confirm
                error=confirm_error
                input_ref=confirm_input
            />
        }
    }

    /// The form's submit button.
    pub fn submit_button(
        self,
        class: &'static str,
        labels: (&'static str, &'static str),
    ) -> impl IntoView {
        submit_button(self.pending, class, labels)
    }
}

/// A submit button, busy and disabled while `pending`; its label, and its
/// label meanwhile. The profile form's too.
pub fn submit_button(
    pending: RwSignal<bool>,
    class: &'static str,
    labels: (&'static str, &'static str),
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get()
            aria-busy=move || bool_attr(pending.get())
        >
            {move || if pending.get() { labels.1 } else { labels.0 }}
        </button>
    }
}

/// The refusal of one input in this form's words where the code is known,
/// else in the server's. "Too short" keeps the server's words when it sends
/// them: they name the tenant's minimum.
fn field_message(problem: &Problem, field: &str) -> Option<String> {
    let server = problem.errors.get(field);
    let codes = problem.error_codes.get(field);
    let count = server.map_or(0, Vec::len).max(codes.map_or(0, Vec::len));
    let words: Vec<String> = (0..count)
        .filter_map(|index| {
            let said = server.and_then(|m| m.get(index)).cloned();
            let ours = match codes.and_then(|c| c.get(index)).map(String::as_str) {
                Some("current_password_missing") => CURRENT_MISSING,
                Some("current_password_wrong") => CURRENT_WRONG,
                Some("password_too_short") => {
                    return said.or_else(|| Some(too_short(PasswordPolicy::default().min_length)))
                }
                Some("password_too_long") => return Some(too_long(MAX_LENGTH)),
                Some("password_common") => COMMON,
                Some("password_same_as_username") => SAME_AS_USERNAME,
                Some("password_same_as_current") => SAME_AS_CURRENT,
                _ => return said,
            };
            Some(ours.to_owned())
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The alert for a failure that is not about one input.
fn alert_message(error: &ApiError) -> &'static str {
    match (error, error.code()) {
        (ApiError::Network, _) => UNREACHABLE,
        (_, Some(ProblemCode::PasswordManagedBySso)) => SSO,
        (_, Some(ProblemCode::ServiceBusy)) => BUSY,
        _ if error.status() == Some(429) => TOO_MANY,
        _ => FAILED,
    }
}

fn focus(input: NodeRef<html::Input>) {
    if let Some(input) = input.get_untracked() {
        let _ = input.focus();
    }
}

/// What Tab can reach in the dialog.
const FOCUSABLE: &str = "input:not([hidden]):not(:disabled), button:not(:disabled)";

/// The Change password dialog, rendered only while open. It opens as a
/// modal `<dialog>` (the page behind is inert), moves focus to the first
/// input, wraps Tab and Shift+Tab inside, and on Escape, Cancel or success
/// closes and gives focus back to `opener`.
#[component]
pub fn ChangePasswordDialog(
    username: String,
    /// Cleared on close.
    open: RwSignal<bool>,
    /// The button that opened the dialog.
    opener: NodeRef<html::Button>,
    /// Runs after the password has been changed (and the dialog closed).
    on_changed: Callback<()>,
) -> impl IntoView {
    let api = use_session().api();
    let form = PasswordChangeForm::new(username);
    let dialog = NodeRef::<html::Dialog>::new();

    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    });
    form.focus_first();

    // Idempotent: Escape, Cancel and the dialog's own close event all end
    // here. Leaving the top layer first lets the button take focus at once.
    let close = move || {
        if open.try_get_untracked() != Some(true) {
            return;
        }
        if let Some(dialog) = dialog.try_get_untracked().flatten() {
            dialog.close();
        }
        if let Some(button) = opener.try_get_untracked().flatten() {
            let _ = button.focus();
        }
        let _ = open.try_set(false);
    };

    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => {
            if let Some(dialog) = dialog.get_untracked() {
                keep_tab_inside(&ev, &dialog);
            }
        }
        _ => {}
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.submit(api, move || {
            close();
            on_changed.run(());
        });
    };

    view! {
        <dialog
            class="modal"
            aria-modal="true"
            aria-labelledby="change-password-title"
            aria-describedby="change-password-lead"
            node_ref=dialog
            on:keydown=on_keydown
            on:close=move |_| close()
        >
            <h2 class="modal-title" id="change-password-title">{DIALOG_TITLE}</h2>
            <p class="modal-lead" id="change-password-lead">{DIALOG_LEAD}</p>
            <form class="auth-form" novalidate on:submit=on_submit>
                {form.fields(CURRENT)}
                <div class="modal-actions">
                    <button type="button" class="button button-secondary" on:click=move |_| close()>
                        {CANCEL}
                    </button>
                    {form.submit_button("button button-primary", (SUBMIT, SUBMITTING))}
                </div>
            </form>
        </dialog>
    }
}

/// Tab on the last control goes to the first, Shift+Tab on the first (or
/// from outside) to the last.
fn keep_tab_inside(ev: &KeyboardEvent, container: &web_sys::Element) {
    let Ok(controls) = container.query_selector_all(FOCUSABLE) else {
        return;
    };
    let count = controls.length();
    if count == 0 {
        return;
    }
    let active: Option<web_sys::Node> = document().active_element().map(Into::into);
    let (first, last) = (controls.item(0), controls.item(count - 1));
    let inside = active
        .as_ref()
        .is_some_and(|node| container.contains(Some(node)));
    let target = if ev.shift_key() {
        (active == first || !inside).then_some(last)
    } else {
        (active == last || !inside).then_some(first)
    };
    if let Some(control) = target
        .flatten()
        .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
    {
        ev.prevent_default();
        let _ = control.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn refusal(field: &str, codes: &[&str], messages: &[&str]) -> Problem {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Problem {
            kind: "/problems/validation_failed".to_owned(),
            title: "Title".to_owned(),
            status: 422,
            detail: None,
            code: ProblemCode::ValidationFailed,
            errors: BTreeMap::from([(field.to_owned(), list(messages))]),
            error_codes: BTreeMap::from([(field.to_owned(), list(codes))]),
        }
    }

    #[test]
    fn refusals_read_in_this_forms_words_at_their_input() {
        let wrong = refusal(
            "current_password",
            &["current_password_wrong"],
            &["Server."],
        );
        assert_eq!(
            field_message(&wrong, "current_password").as_deref(),
            Some(CURRENT_WRONG)
        );
        assert_eq!(field_message(&wrong, "new_password"), None);
        let same = refusal("new_password", &["password_same_as_current"], &[]);
        assert_eq!(
            field_message(&same, "new_password").as_deref(),
            Some(SAME_AS_CURRENT)
        );
        let short = refusal(
            "new_password",
            &["password_too_short"],
            &["Use at least 14."],
        );
        assert_eq!(
            field_message(&short, "new_password").as_deref(),
            Some("Use at least 14.")
        );
        let two = refusal(
            "new_password",
            &["password_common", "password_from_tomorrow"],
            &["a", "New rule."],
        );
        assert_eq!(
            field_message(&two, "new_password"),
            Some(format!("{COMMON} New rule."))
        );
    }

    #[test]
    fn other_failures_go_to_the_alert() {
        let problem = |status, code| {
            ApiError::Problem(Problem {
                status,
                code,
                ..refusal("x", &[], &[])
            })
        };
        assert_eq!(alert_message(&ApiError::Network), UNREACHABLE);
        assert_eq!(
            alert_message(&problem(429, ProblemCode::TooManyAttempts)),
            TOO_MANY
        );
        assert_eq!(
            alert_message(&problem(403, ProblemCode::PasswordManagedBySso)),
            SSO
        );
        assert_eq!(alert_message(&problem(503, ProblemCode::ServiceBusy)), BUSY);
        assert_eq!(
            alert_message(&problem(500, ProblemCode::InternalError)),
            FAILED
        );
    }
}
