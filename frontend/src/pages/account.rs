//! `/account`: the signed-in user's own account settings: the profile (names
//! and language editable), the password (changed in a dialog; not for
//! single sign-on accounts), and the sessions.

use crate::components::change_password_dialog::ChangePasswordDialog;
use crate::components::page_title::set_page_title;
use crate::components::profile_form::ProfileForm;
use crate::components::sessions_list::SessionsList;
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use shared::account::SignInMethod;

/// What the page says, kept together for the translation.
mod text {
    pub const TITLE: &str = "Account settings";
    pub fn page_title(tenant: &str) -> String {
        format!("Account settings · {tenant}")
    }
    pub const PASSWORD: &str = "Password";
    pub const PASSWORD_LEAD: &str =
        "Changing your password signs out your other sessions. This one stays signed in.";
    pub const PASSWORD_SSO: &str =
        "You sign in through your organization's single sign-on, which manages your password.";
    pub const CHANGE_PASSWORD: &str = "Change password";
    pub const PASSWORD_CHANGED: &str =
        "Your password has been changed. Your other sessions have been signed out.";
}
use text::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    set_page_title(&page_title(&session.tenant_name()));
    // Bumped when the sessions may have changed.
    let refresh = RwSignal::new(0_u32);
    let password = session.me().map(
        |me| view! { <PasswordSection username=me.username method=me.sign_in_method refresh/> },
    );

    view! {
        <h1 class="page-title">{TITLE}</h1>
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
    let status = RwSignal::new(None::<&'static str>);
    let opener = NodeRef::<html::Button>::new();
    let on_changed = Callback::new(move |()| {
        status.set(Some(PASSWORD_CHANGED));
        refresh.update(|n| *n = n.wrapping_add(1));
    });
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 class="card-title" id="password-heading">{PASSWORD}</h2>
            <p class="card-lead">{if changeable { PASSWORD_LEAD } else { PASSWORD_SSO }}</p>
            <div class="form-actions" hidden=!changeable>
                <button
                    type="button"
                    class="button button-secondary"
                    aria-haspopup="dialog"
                    node_ref=opener
                    on:click=move |_| {
                        status.set(None);
                        open.set(true);
                    }
                >
                    {CHANGE_PASSWORD}
                </button>
                <p class="account-status" role="status">
                    {move || status.get()}
                </p>
            </div>
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <ChangePasswordDialog username=username.clone() open opener on_changed/>
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
