//! The account page's Sessions card: every place the account is signed in
//! (the browser or script told from its user agent, when it signed in, when
//! it was last active, this one marked), and signing any other one out, or
//! all of them at once. The server ends them at once, and the list reloads
//! after each change.

use crate::components::profile_form::format_timestamp_in;
use crate::i18n::{td_string, tr, use_locale, Locale};
use crate::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::SessionInfo;

/// Between the facts about one session.
const FACT_SEPARATOR: &str = " · ";

/// Words in a language, for a message kept in a signal that follows a
/// change of language.
type Words = fn(Locale) -> &'static str;

#[component]
pub fn SessionsList(
    /// Bumped when the sessions may have changed (a password change ends
    /// the others); the list reloads.
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let api = use_session().api();
    let locale = use_locale();
    // `None` until loaded, and when loading failed (then `failed`).
    let sessions = RwSignal::new(None::<Vec<SessionInfo>>);
    let failed = RwSignal::new(false);
    let status = RwSignal::new(None::<Words>);
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
            let message: Words = match (outcome, id) {
                (Err(_), _) => |l| td_string!(l, account.sign_out_failed),
                (Ok(()), Some(_)) => |l| td_string!(l, account.signed_out_one),
                (Ok(()), None) => |l| td_string!(l, account.signed_out_others),
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
        let locale = locale.get();
        if failed.get() {
            return Some(td_string!(locale, account.sessions_load_failed));
        }
        sessions.with(|all| match all {
            None => Some(td_string!(locale, account.sessions_loading)),
            Some(all) if all.iter().all(|s| s.current) => {
                Some(td_string!(locale, account.no_other_sessions))
            }
            Some(_) => None,
        })
    };

    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 class="card-title" id="sessions-heading" tabindex="-1" node_ref=heading>
                {tr(|l| td_string!(l, account.sessions))}
            </h2>
            <p class="card-lead">{tr(|l| td_string!(l, account.sessions_lead))}</p>
            <ul class="session-list">
                {move || {
                    let locale = locale.get();
                    // This session first, then the server's order (latest first).
                    let (mine, others): (Vec<_>, Vec<_>) = sessions
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .partition(|s| s.current);
                    mine.into_iter()
                        .chain(others)
                        .map(|session| session_item(locale, session, sign_out))
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
                    {tr(|l| td_string!(l, account.sign_out_others))}
                </button>
                <p class="account-status" role="status">
                    {move || status.get().map(|words| words(locale.get()))}
                </p>
            </div>
        </section>
    }
}

fn session_item(
    locale: Locale,
    session: SessionInfo,
    sign_out: impl Fn(Option<String>) + Copy + 'static,
) -> impl IntoView {
    let client = describe_client(locale, session.user_agent.as_deref());
    let at = |time: &str| format_timestamp_in(time, locale);
    let last_active = td_string!(
        locale,
        account.last_active_at,
        at = at(&session.last_seen_at)
    );
    let facts = [
        Some(td_string!(
            locale,
            account.signed_in_at,
            at = at(&session.created_at)
        )),
        Some(last_active.clone()),
        session
            .client_address
            .as_deref()
            .map(|ip| td_string!(locale, account.ip_address, ip = ip)),
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
                aria-label=td_string!(
                    locale,
                    account.sign_out_session,
                    client = &client,
                    last_active = &last_active
                )
                on:click=move |_| sign_out(Some(id.clone()))
            >
                {td_string!(locale, account.sign_out)}
            </button>
        }
    });
    view! {
        <li class="session-item">
            <div class="session-about">
                <p class="session-client">
                    {client}
                    {session.current.then(|| view! { <span class="session-current">{td_string!(locale, account.this_session)}</span> })}
                </p>
                <p class="session-facts">{facts}</p>
            </div>
            {action}
        </li>
    }
}

/// What signed in, as told from its user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client<'a> {
    /// A browser, if known by name, and the system it runs on, if known.
    Browser(Option<&'a str>, Option<&'a str>),
    /// A script or other program, by name.
    Script(&'a str),
    Unknown,
}

/// A short name for what signed in, from its user agent: "Chrome on Linux",
/// "Script (curl)", "Unknown client", in `locale`'s words.
pub fn describe_client(locale: Locale, user_agent: Option<&str>) -> String {
    let web_browser = || td_string!(locale, account.web_browser);
    match identify(user_agent.unwrap_or_default()) {
        Client::Browser(browser, Some(system)) => td_string!(
            locale,
            account.browser_on_system,
            browser = browser.unwrap_or_else(web_browser),
            system = system
        ),
        Client::Browser(browser, None) => browser.unwrap_or_else(web_browser).to_owned(),
        Client::Script(name) => td_string!(locale, account.script, name = name),
        Client::Unknown => td_string!(locale, account.unknown_client).to_owned(),
    }
}

fn identify(user_agent: &str) -> Client<'_> {
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
    let agent = user_agent.trim();
    let lower = agent.to_ascii_lowercase();
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| lower.contains(needle))
            .map(|(_, name)| *name)
    };
    if let Some(name) = find(&SCRIPTS) {
        return Client::Script(name);
    }
    if !lower.starts_with("mozilla/") {
        // Any other program that names itself, e.g. `backoffice-sync/1.2`.
        let product = agent.split(['/', ' ']).next().unwrap_or_default();
        return if product.is_empty() {
            Client::Unknown
        } else {
            Client::Script(product)
        };
    }
    Client::Browser(find(&BROWSERS), find(&SYSTEMS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_a_browser_and_system_or_a_script() {
        use Client::*;
        for (agent, expected) in [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Browser(Some("Chrome"), Some("Linux"))),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", Browser(Some("Chrome"), Some("Linux"))),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Browser(Some("Edge"), Some("Windows"))),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", Browser(Some("Firefox"), Some("Linux"))),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", Browser(Some("Safari"), Some("macOS"))),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", Browser(Some("Safari"), Some("iOS"))),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Browser(Some("Chrome"), Some("Android"))),
            ("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1", Script("PowerShell")),
            ("curl/8.5.0", Script("curl")),
            ("python-requests/2.32.3", Script("Python")),
            ("backoffice-sync/1.2", Script("backoffice-sync")),
            ("Mozilla/5.0", Browser(None, None)),
            ("", Unknown),
            ("   ", Unknown),
        ] {
            assert_eq!(identify(agent), expected, "{agent}");
        }
    }

    #[test]
    fn clients_are_described_in_each_language() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36";
        for locale in [Locale::en, Locale::de] {
            assert_eq!(
                describe_client(locale, Some(chrome)),
                td_string!(
                    locale,
                    account.browser_on_system,
                    browser = "Chrome",
                    system = "Linux"
                )
            );
            assert_eq!(
                describe_client(locale, Some("Mozilla/5.0 (Windows NT 10.0)")),
                td_string!(
                    locale,
                    account.browser_on_system,
                    browser = td_string!(locale, account.web_browser),
                    system = "Windows"
                )
            );
            assert_eq!(
                describe_client(locale, Some("curl/8.5.0")),
                td_string!(locale, account.script, name = "curl")
            );
            assert_eq!(
                describe_client(locale, None),
                td_string!(locale, account.unknown_client)
            );
        }
        assert_ne!(
            describe_client(Locale::en, Some(chrome)),
            describe_client(Locale::de, Some(chrome))
        );
    }
}
