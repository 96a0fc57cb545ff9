//! The frame of every signed-in page (header above, page below) and the
//! guard that sends anyone without a session to the login screen.

use crate::components::header::Header;
use crate::components::loading::LoadingScreen;
use crate::components::replace_route::ReplaceRoute;
use crate::pages::choose_password::ChoosePasswordPage;
use crate::session::{use_session, AuthState};
use leptos::prelude::*;

/// Around every page but the sign-in ones. Redirects replace
/// the history entry, so Back after logout never shows a signed-in page.
#[component]
pub fn SignedInShell(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    // Re-render only when someone signs in or out, not on every state write.
    let signed_in_as = Memo::new(move |_| {
        session.auth.with(|auth| match auth {
            AuthState::Checking => None,
            AuthState::SignedOut => Some(None),
            AuthState::SignedIn(me) => Some(Some((me.session_id.clone(), me.must_change_password))),
        })
    });
    move || match signed_in_as.get() {
        None => view! { <LoadingScreen/> }.into_any(),
        Some(None) => view! {
            <ReplaceRoute path="/login"/>
        }
        .into_any(),
        // A temporary password: choosing a new one comes before anything.
        Some(Some((_, true))) => view! { <ChoosePasswordPage/> }.into_any(),
        Some(Some(_)) => view! {
            <div class="app-shell">
                <Header/>
                <main class="page" id="main">
                    {children()}
                </main>
            </div>
        }
        .into_any(),
    }
}
