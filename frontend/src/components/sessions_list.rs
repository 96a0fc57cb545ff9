//! The account page's Sessions card: every place the account is signed in
//! (the browser or script told from its user agent, when it signed in, when
//! it was last active, this one marked), and signing any other one out, or
//! all of them at once. The server ends them at once, and the list reloads
//! after each change.

use crate::components::profile_form::format_timestamp;
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::SessionInfo;

/// What the card says, kept together for the translation.
pub mod text {
    pub const TITLE: &str = "Sessions";
    pub const LEAD: &str =
        "Where your account is signed in. Sign out any session you do not recognize.";
    pub const LOADING: &str = "Loading sessions…";
    pub const LOAD_FAILED: &str = "Could not load the sessions. Reload the page to try again.";
    pub const THIS_SESSION: &str = "This session";
    pub const NO_OTHERS: &str = "You are not signed in anywhere else.";
    pub const SIGN_OUT: &str = "Sign out";
    pub fn sign_out_label(client: &str, last_active: &str) -> String {
        format!("Sign out {client}, {last_active}")
    }
    pub const FACT_SEPARATOR: &str = " · ";
    pub const SIGN_OUT_OTHERS: &str = "Sign out of all other sessions";
    pub const SIGNED_OUT_ONE: &str = "The session has been signed out.";
    pub const SIGNED_OUT_OTHERS: &str = "All other sessions have been signed out.";
    pub const SIGN_OUT_FAILED: &str = "Could not sign the session out. Try again.";
    pub fn signed_in(at: &str) -> String {
        format!("Signed in {at}")
    }
    pub fn last_active(at: &str) -> String {
        format!("Last active {at}")
    }
    pub fn address(ip: &str) -> String {
        format!("IP address {ip}")
    }
    pub fn browser_on(browser: &str, system: &str) -> String {
        format!("{browser} on {system}")
    }
    pub fn script(name: &str) -> String {
        format!("Script ({name})")
    }
    pub const WEB_BROWSER: &str = "Web browser";
    pub const UNKNOWN_CLIENT: &str = "Unknown client";
}
use text::*;

#[component]
pub fn SessionsList(
    /// Bumped when the sessions may have changed (a password change ends
    /// the others); the list reloads.
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let api = use_session().api();
    // `None` until loaded, and when loading failed (then `failed`).
    let sessions = RwSignal::new(None::<Vec<SessionInfo>>);
    let failed = RwSignal::new(false);
    let status = RwSignal::new(None::<&'static str>);
    let heading = NodeRef::<html::H2>::new();

    Effect::new(move |_| {
        refresh.track();
        spawn_local(async move {
            let loaded = api.sessions().await.ok();
            let _ = failed.try_set(loaded.is_none());
            let _ = sessions.try_set(loaded);
        });
    });

    // One session (`Some(id)`) or all the others. Focus goes to the heading,
    // as the button pressed is gone.
    let sign_out = move |id: Option<String>| {
        status.set(None);
        spawn_local(async move {
            let outcome = match &id {
                // Gone already is as good as signed out.
                Some(id) => match api.revoke_session(id).await {
                    Err(error) if error.status() == Some(404) => Ok(()),
                    other => other,
                },
                None => api.revoke_other_sessions().await,
            };
            let message = match (outcome, id) {
                (Err(_), _) => SIGN_OUT_FAILED,
                (Ok(()), Some(_)) => SIGNED_OUT_ONE,
                (Ok(()), None) => SIGNED_OUT_OTHERS,
            };
            let _ = status.try_set(Some(message));
            let _ = refresh.try_update(|n| *n = n.wrapping_add(1));
            if let Some(heading) = heading.try_get_untracked().flatten() {
                let _ = heading.focus();
            }
        });
    };

    // What to say instead of, or under, the list; nothing when there are
    // other sessions to sign out.
    let note = move || {
        if failed.get() {
            return Some(LOAD_FAILED);
        }
        sessions.with(|all| match all {
            None => Some(LOADING),
            Some(all) if all.iter().all(|s| s.current) => Some(NO_OTHERS),
            Some(_) => None,
        })
    };

    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 class="card-title" id="sessions-heading" tabindex="-1" node_ref=heading>
                {TITLE}
            </h2>
            <p class="card-lead">{LEAD}</p>
            <ul class="session-list">
                {move || {
                    // This session first, then the server's order (latest first).
                    let (mine, others): (Vec<_>, Vec<_>) = sessions
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .partition(|s| s.current);
                    mine.into_iter()
                        .chain(others)
                        .map(|session| session_item(session, sign_out))
                        .collect_view()
                }}
            </ul>
            <p class="card-lead">{note}</p>
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    hidden=move || note().is_some()
                    on:click=move |_| sign_out(None)
                >
                    {SIGN_OUT_OTHERS}
                </button>
                <p class="account-status" role="status">
                    {move || status.get()}
                </p>
            </div>
        </section>
    }
}

fn session_item(
    session: SessionInfo,
    sign_out: impl Fn(Option<String>) + Copy + 'static,
) -> impl IntoView {
    let client = describe_client(session.user_agent.as_deref());
    let last_active = last_active(&format_timestamp(&session.last_seen_at));
    let facts = [
        Some(signed_in(&format_timestamp(&session.created_at))),
        Some(last_active.clone()),
        session.client_address.as_deref().map(address),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(FACT_SEPARATOR);
    let action = (!session.current).then(|| {
        let id = session.id.clone();
        view! {
            <button
                type="button"
                class="button button-secondary button-small"
                // Says which session, for screen readers.
                aria-label=sign_out_label(&client, &last_active)
                on:click=move |_| sign_out(Some(id.clone()))
            >
                {SIGN_OUT}
            </button>
        }
    });
    view! {
        <li class="session-item">
            <div class="session-about">
                <p class="session-client">
                    {client}
                    {session.current.then(|| view! { <span class="session-current">{THIS_SESSION}</span> })}
                </p>
                <p class="session-facts">{facts}</p>
            </div>
            {action}
        </li>
    }
}

/// A short name for what signed in, from its user agent: "Chrome on Linux",
/// "Script (curl)", "Unknown client".
pub fn describe_client(user_agent: Option<&str>) -> String {
    const SCRIPTS: [(&str, &str); 12] = [
        ("curl/", "curl"),
        ("wget/", "Wget"),
        ("python", "Python"),
        ("go-http-client", "Go"),
        ("postmanruntime", "Postman"),
        ("httpie", "HTTPie"),
        ("powershell", "PowerShell"),
        ("okhttp", "OkHttp"),
        ("java", "Java"),
        ("axios", "Node.js"),
        ("node", "Node.js"),
        ("undici", "Node.js"),
    ];
    const BROWSERS: [(&str, &str); 9] = [
        ("edg", "Edge"),
        ("opr/", "Opera"),
        ("samsungbrowser", "Samsung Internet"),
        ("firefox/", "Firefox"),
        ("fxios/", "Firefox"),
        ("crios/", "Chrome"),
        ("chromium/", "Chromium"),
        ("chrome/", "Chrome"),
        ("safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("windows", "Windows"),
        ("android", "Android"),
        ("iphone", "iOS"),
        ("ipad", "iPadOS"),
        ("cros", "ChromeOS"),
        ("mac os", "macOS"),
        ("linux", "Linux"),
    ];
    let agent = user_agent.unwrap_or_default().trim();
    let lower = agent.to_ascii_lowercase();
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| lower.contains(needle))
            .map(|(_, name)| *name)
    };
    if let Some(name) = find(&SCRIPTS) {
        return script(name);
    }
    if !lower.starts_with("mozilla/") {
        // Any other program that names itself, e.g. `backoffice-sync/1.2`.
        let product = agent.split(['/', ' ']).next().unwrap_or_default();
        return if product.is_empty() {
            UNKNOWN_CLIENT.to_owned()
        } else {
            script(product)
        };
    }
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => browser_on(browser, system),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => browser_on(WEB_BROWSER, system),
        (None, None) => WEB_BROWSER.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_a_browser_and_system_or_a_script() {
        for (agent, expected) in [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1", "Script (PowerShell)"),
            ("curl/8.5.0", "Script (curl)"),
            ("python-requests/2.32.3", "Script (Python)"),
            ("backoffice-sync/1.2", "Script (backoffice-sync)"),
            ("Mozilla/5.0", "Web browser"),
            ("", "Unknown client"),
        ] {
            assert_eq!(describe_client(Some(agent)), expected, "{agent}");
        }
        assert_eq!(describe_client(None), UNKNOWN_CLIENT);
    }
}
