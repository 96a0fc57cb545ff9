//! The screen an account with a temporary password (set by an administrator,
//! or the first start's) sees after signing in, before anything else: it
//! chooses its own password, and then the app goes on to the signed-in shell.

use crate::components::change_password_dialog::PasswordChangeForm;
use crate::components::page_title::set_page_title;
use crate::session::{use_session, AuthState};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the screen says, kept together for the translation.
mod text {
    pub const PRODUCT: &str = "Backoffice";
    pub const TITLE: &str = "Choose a new password";
    pub fn lead(username: &str) -> String {
        format!(
            "The password of {username} was set by an administrator. Choose your own to continue."
        )
    }
    pub fn page_title(tenant: &str) -> String {
        format!("Choose a new password · {tenant}")
    }
    pub const CURRENT: &str = "Current (temporary) password";
    pub const SUBMIT: &str = "Set new password";
    pub const SUBMITTING: &str = "Setting password…";
    pub const LOG_OUT: &str = "Log out";
}
use text::*;

#[component]
pub fn ChoosePasswordPage() -> impl IntoView {
    let session = use_session();
    let api = session.api();
    let me = session.me();
    let username = me
        .as_ref()
        .map(|me| me.username.clone())
        .unwrap_or_default();
    set_page_title(&page_title(&session.tenant_name()));
    let form = PasswordChangeForm::new(username.clone());
    form.focus_first();

    // With the password changed, the account as the server now has it lets
    // the shell show the app.
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let me = me.clone();
        form.submit(api, move || {
            spawn_local(async move {
                let fresh = api.me().await.ok().or_else(|| {
                    me.map(|mut me| {
                        me.must_change_password = false;
                        me
                    })
                });
                if let Some(fresh) = fresh {
                    let _ = session.auth.try_set(AuthState::SignedIn(Box::new(fresh)));
                }
            });
        });
    };

    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">{PRODUCT}</p>
                <h1 class="auth-title">{TITLE}</h1>
                <p class="auth-subtitle">{lead(&username)}</p>
                <form class="auth-form" novalidate on:submit=on_submit>
                    {form.fields(CURRENT)}
                    {form.submit_button("button button-primary button-block", (SUBMIT, SUBMITTING))}
                </form>
                <p class="auth-footer">
                    <button
                        type="button"
                        class="link-button"
                        on:click=move |_| spawn_local(async move { session.log_out().await })
                    >
                        {LOG_OUT}
                    </button>
                </p>
            </div>
        </main>
    }
}
