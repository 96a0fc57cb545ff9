//! The root component: the tenant check, then the page the address names.

use crate::components::loading::LoadingScreen;
use crate::components::replace_route::ReplaceRoute;
use crate::components::signed_in_shell::SignedInShell;
use crate::pages::account::AccountPage;
use crate::pages::facility::FacilityPage;
use crate::pages::forgot_password::ForgotPasswordPage;
use crate::pages::home::HomePage;
use crate::pages::login::LoginRoute;
use crate::pages::reset_password::ResetPasswordPage;
use crate::pages::server_unavailable::ServerUnavailablePage;
use crate::pages::unknown_tenant::UnknownTenantPage;
use crate::pages::users::UsersPage;
use crate::router::{Page, Router};
use crate::session::{Session, TenantState};
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let session = Session::provide();
    let router = Router::provide();
    let phase = Memo::new(move |_| {
        session.tenant.with(|tenant| match tenant {
            TenantState::Loading => 0,
            TenantState::Ready(_) => 1,
            TenantState::Unknown => 2,
            TenantState::Unavailable => 3,
        })
    });
    // The public page shown, or `None` for the signed-in shell; the shell
    // stays as it is while its pages change.
    let public_page = Memo::new(move |_| Some(router.page()).filter(Page::is_public));

    move || match phase.get() {
        1 => (move || match public_page.get() {
            Some(Page::Login) => view! { <LoginRoute/> }.into_any(),
            // Open whether or not someone is signed in: a reset link may be
            // opened in a browser where another account is.
            Some(Page::ForgotPassword) => view! { <ForgotPasswordPage/> }.into_any(),
            Some(_) => view! { <ResetPasswordPage/> }.into_any(),
            None => view! {
                <SignedInShell>
                    <ShellPage/>
                </SignedInShell>
            }
            .into_any(),
        })
        .into_any(),
        2 => view! { <UnknownTenantPage/> }.into_any(),
        3 => view! { <ServerUnavailablePage/> }.into_any(),
        _ => view! { <LoadingScreen/> }.into_any(),
    }
}

/// The page inside the signed-in shell. Unknown paths go home, which in
/// turn sends visitors to the login screen.
#[component]
fn ShellPage() -> impl IntoView {
    let router = crate::router::use_router();
    let page = Memo::new(move |_| router.page());
    move || match page.get() {
        Page::Home => view! { <HomePage/> }.into_any(),
        Page::Facility(id) => view! { <FacilityPage id/> }.into_any(),
        Page::Account => view! { <AccountPage/> }.into_any(),
        Page::Users => view! { <UsersPage/> }.into_any(),
        _ => view! { <ReplaceRoute path="/"/> }.into_any(),
    }
}
