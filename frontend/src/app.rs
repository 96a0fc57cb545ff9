//! The root component: the tenant check, then the routes.

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
use crate::session::{Session, TenantState};
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    let session = Session::provide();
    let phase = Memo::new(move |_| {
        session.tenant.with(|tenant| match tenant {
            TenantState::Loading => 0,
            TenantState::Ready(_) => 1,
            TenantState::Unknown => 2,
            TenantState::Unavailable => 3,
        })
    });

    view! {
        <Router>
            {move || match phase.get() {
                1 => view! { <AppRoutes/> }.into_any(),
                2 => view! { <UnknownTenantPage/> }.into_any(),
                3 => view! { <ServerUnavailablePage/> }.into_any(),
                _ => view! { <LoadingScreen/> }.into_any(),
            }}
        </Router>
    }
}

/// Unknown paths go home, which in turn sends visitors to the login screen.
#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| {
            view! { <ReplaceRoute path="/"/> }
        }>
            <Route path=path!("/login") view=LoginRoute/>
            // Open whether or not someone is signed in: a reset link may be
            // opened in a browser where another account is.
            <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
            <Route path=path!("/reset-password") view=ResetPasswordPage/>
            <ParentRoute path=path!("") view=SignedInShell>
                <Route path=path!("") view=HomePage/>
                <Route path=path!("facility/:id") view=FacilityPage/>
                <Route path=path!("account") view=AccountPage/>
            </ParentRoute>
        </Routes>
    }
}
