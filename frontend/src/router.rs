//! The app's own router: the address's path as a signal, the page it names,
//! same-site links and Back/Forward followed without a reload, and
//! `navigate`. The app has a handful of fixed paths, and leptos_router cost
//! far more of the size budget than these few lines (decision 0045).

use leptos::ev;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Every page of the app, read off the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Login,
    ForgotPassword,
    ResetPassword,
    Home,
    Facility(String),
    Account,
    Users,
    /// Any other path: sent home, which sends visitors on to the login.
    Unknown,
}

impl Page {
    pub fn from_path(path: &str) -> Page {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        match path {
            "/login" => Page::Login,
            "/forgot-password" => Page::ForgotPassword,
            "/reset-password" => Page::ResetPassword,
            "/" => Page::Home,
            "/account" => Page::Account,
            "/users" => Page::Users,
            _ => match path.strip_prefix("/facility/") {
                Some(id) if !id.is_empty() && !id.contains('/') => Page::Facility(id.to_owned()),
                _ => Page::Unknown,
            },
        }
    }

    /// Pages open whether or not someone is signed in; the others are shown
    /// inside the signed-in shell.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Page::Login | Page::ForgotPassword | Page::ResetPassword
        )
    }
}

/// The current page, for every component (see `provide`).
#[derive(Clone, Copy)]
pub struct Router {
    page: RwSignal<Page>,
}

impl Router {
    /// Starts following the address: Back and Forward, and clicks on links
    /// to a path of this app.
    pub fn provide() -> Router {
        let router = Router {
            page: RwSignal::new(Page::from_path(&current_path())),
        };
        provide_context(router);

        let back_or_forward = window_event_listener(ev::popstate, move |_| router.follow_address());
        let link_click = window_event_listener(ev::click, move |ev| {
            if let Some(path) = link_target(&ev) {
                ev.prevent_default();
                router.navigate(&path, false);
            }
        });
        on_cleanup(move || {
            back_or_forward.remove();
            link_click.remove();
        });
        router
    }

    /// The page shown, tracked.
    pub fn page(self) -> Page {
        self.page.get()
    }

    /// Shows the page the address names now; an unchanged page is not
    /// rendered again.
    fn follow_address(self) {
        let page = Page::from_path(&current_path());
        if self
            .page
            .try_get_untracked()
            .is_some_and(|shown| shown != page)
        {
            self.page.set(page);
        }
    }

    /// Opens `path` (a path of this app). `replace` overwrites the current
    /// history entry, so Back skips a page that only redirected.
    pub fn navigate(self, path: &str, replace: bool) {
        let window = window();
        if let Ok(history) = window.history() {
            let state = wasm_bindgen::JsValue::NULL;
            let written = if replace {
                history.replace_state_with_url(&state, "", Some(path))
            } else {
                history.push_state_with_url(&state, "", Some(path))
            };
            if written.is_err() {
                return;
            }
        }
        if !replace {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
        self.follow_address();
    }
}

/// The router that `Router::provide` started.
pub fn use_router() -> Router {
    expect_context()
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned())
}

/// The path a plain left click on a link to this app opens; `None` for
/// anything the browser should handle itself (new tab, download, another
/// site, a link that a handler already dealt with).
fn link_target(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.ctrl_key()
        || ev.meta_key()
        || ev.shift_key()
        || ev.alt_key()
    {
        return None;
    }
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let link = target.closest("a[href]").ok()??;
    if link.has_attribute("target") || link.has_attribute("download") {
        return None;
    }
    let href = link.get_attribute("href")?;
    // Only paths of this site: `/x`, never `//host/x` or `https://…`; and
    // not the server's own (`/api/…`, such as the start of single sign-on).
    let rest = href.strip_prefix('/')?;
    (!rest.starts_with('/') && !rest.starts_with('\\') && !rest.starts_with("api/")).then_some(href)
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn paths_name_their_pages() {
        assert_eq!(Page::from_path("/login"), Page::Login);
        assert_eq!(Page::from_path("/login/"), Page::Login);
        assert_eq!(Page::from_path("/"), Page::Home);
        assert_eq!(Page::from_path("/users"), Page::Users);
        assert_eq!(
            Page::from_path("/facility/f-1"),
            Page::Facility("f-1".into())
        );
        assert_eq!(Page::from_path("/facility/"), Page::Unknown);
        assert_eq!(Page::from_path("/facility/a/b"), Page::Unknown);
        assert_eq!(Page::from_path("/nowhere"), Page::Unknown);
    }

    #[test]
    fn only_sign_in_pages_are_public() {
        assert!(Page::from_path("/reset-password").is_public());
        assert!(!Page::from_path("/account").is_public());
        assert!(!Page::Unknown.is_public());
    }
}
