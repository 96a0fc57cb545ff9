//! The screen an account with a temporary password (set by an administrator,
//! or the first start's) sees after signing in, before anything else: it
//! chooses its own password, and then the app goes on to the signed-in shell.

use crate::components::change_password_dialog::PasswordChangeForm;
use crate::components::page_title::set_page_title;
use crate::i18n::{td_string, use_locale};
use crate::session::{use_session, AuthState};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ChoosePasswordPage() -> impl IntoView {
    let session = use_session();
    let api = session.api();
    let me = session.me();
    let username = me
        .as_ref()
        .map(|me| me.username.clone())
        .unwrap_or_default();
    // The account's language, which cannot change on this screen.
    let locale = use_locale().get_untracked();
    set_page_title(&format!(
        "{} · {}",
        td_string!(locale, account.choose_title),
        session.tenant_name()
    ));
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
                <p class="auth-product">"Backoffice"</p>
                <h1 class="auth-title">{td_string!(locale, account.choose_title)}</h1>
                <p class="auth-subtitle">
                    {td_string!(locale, account.choose_lead, username = &username)}
                </p>
                <form class="auth-form" novalidate on:submit=on_submit>
                    {form.fields(td_string!(locale, account.temporary_password))}
                    {form.submit_button(
                        "button button-primary button-block",
                        |l| (td_string!(l, account.set_password), td_string!(l, account.setting_password)),
                    )}
                </form>
                <p class="auth-footer">
                    <button
                        type="button"
                        class="link-button"
                        on:click=move |_| spawn_local(async move { session.log_out().await })
                    >
                        {td_string!(locale, account.log_out)}
                    </button>
                </p>
            </div>
        </main>
    }
}
