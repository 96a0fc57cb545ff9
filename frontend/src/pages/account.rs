//! `/account`: the signed-in user's own account settings: the profile (names
//! and language editable), the password (changed in a dialog; not for
//! single sign-on accounts), and the sessions.

use crate::components::change_password_dialog::ChangePasswordDialog;
use crate::components::page_title::set_page_title;
use crate::components::profile_form::ProfileForm;
use crate::components::sessions_list::SessionsList;
use crate::i18n::{td_string, tr, use_locale, Locale};
use crate::session::use_session;
use leptos::prelude::*;
use shared::account::SignInMethod;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let tenant = session.tenant_name();
    Effect::new(move |_| {
        let title = td_string!(locale.get(), account.title);
        set_page_title(&format!("{title} · {tenant}"));
    });
    // Bumped when the sessions may have changed.
    let refresh = RwSignal::new(0_u32);
    let password = session.me().map(
        |me| view! { <PasswordSection username=me.username method=me.sign_in_method refresh/> },
    );

    view! {
        <h1 class="page-title">{tr(|l| td_string!(l, account.title))}</h1>
        <ProfileForm/>
        {password}
        <SessionsList refresh/>
    }
}

/// Whether the account's password is kept here, and so can be changed here.
fn password_changeable(method: SignInMethod) -> bool {
    method == SignInMethod::Password
}

/// The Password card: the Change password button and the dialog it opens,
/// or for single sign-on accounts where their password lives instead.
#[component]
fn PasswordSection(
    username: String,
    method: SignInMethod,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let changeable = password_changeable(method);
    let open = RwSignal::new(false);
    // What happened last, in the active language.
    let status = RwSignal::new(None::<fn(Locale) -> &'static str>);
    let locale = use_locale();
    let on_changed = Callback::new(move |()| {
        status.set(Some(|l| td_string!(l, account.password_changed)));
        refresh.update(|n| *n = n.wrapping_add(1));
    });
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 class="card-title" id="password-heading">
                {tr(|l| td_string!(l, account.password_title))}
            </h2>
            <p class="card-lead">
                {move || {
                    if changeable {
                        td_string!(locale.get(), account.password_lead)
                    } else {
                        td_string!(locale.get(), account.password_sso)
                    }
                }}
            </p>
            <div class="form-actions" hidden=!changeable>
                <button
                    type="button"
                    class="button button-secondary"
                    aria-haspopup="dialog"
                    on:click=move |_| {
                        status.set(None);
                        open.set(true);
                    }
                >
                    {tr(|l| td_string!(l, account.change_password))}
                </button>
                <p class="account-status" role="status">
                    {move || status.get().map(|words| words(locale.get()))}
                </p>
            </div>
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <ChangePasswordDialog username=username.clone() open on_changed/>
                        }
                    })
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_password_accounts_change_their_password_here() {
        assert!(password_changeable(SignInMethod::Password));
        assert!(!password_changeable(SignInMethod::Oidc));
    }
}
