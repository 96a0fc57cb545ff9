//! A real OpenID provider for the tests: `e2e/idp/idp.mjs` (the npm
//! package `oidc-provider`) under `node`, started per test on a free
//! loopback port with the clients the test registers. Tests sign in on its
//! real login form over HTTP, as a browser would.

use crate::mailbox::free_port;
use reqwest::{Client, Url};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A client registered at the provider.
pub struct IdpClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

pub struct Idp {
    child: Option<Child>,
    pub port: u16,
    config: PathBuf,
    clients: Value,
    dir: tempfile::TempDir,
}

fn node() -> String {
    std::env::var("BACKOFFICE_TEST_NODE").unwrap_or_else(|_| "node".to_owned())
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../e2e/idp/idp.mjs")
}

impl Idp {
    /// The provider with `clients` and its built-in accounts.
    pub fn start(clients: &[IdpClient]) -> Idp {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let clients = Value::Array(
            clients
                .iter()
                .map(|c| {
                    json!({
                        "client_id": c.client_id,
                        "client_secret": c.client_secret,
                        "redirect_uris": [c.redirect_uri],
                    })
                })
                .collect(),
        );
        let mut idp = Idp {
            child: None,
            port: free_port(),
            config: dir.path().join("idp.json"),
            clients,
            dir,
        };
        idp.write_config(None);
        idp.resume();
        idp
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn write_config(&self, accounts: Option<&Value>) {
        let mut config = json!({ "clients": self.clients });
        if let Some(accounts) = accounts {
            config["accounts"] = accounts.clone();
        }
        std::fs::write(&self.config, config.to_string())
            .unwrap_or_else(|e| panic!("idp config: {e}"));
    }

    /// Replaces the accounts (sub → claims); the next sign-in sees them.
    pub fn set_accounts(&self, accounts: &Value) {
        self.write_config(Some(accounts));
    }

    /// Stops answering: the port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port, with a new signing key (a key
    /// rotation, as the relying party sees it); returns once it is ready.
    pub fn resume(&mut self) {
        let log = self.dir.path().join("idp.log");
        let stderr = std::fs::File::create(&log).unwrap_or_else(|e| panic!("idp log: {e}"));
        let mut child = Command::new(node())
            .arg(script())
            .arg(self.port.to_string())
            .arg(&self.config)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start the OpenID provider (node; scripts/test.sh runs npm ci): {e}")
            });
        let stdout = child.stdout.take();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("idp ready") {
                    let _ = ready_tx.send(());
                }
            }
        });
        self.child = Some(child);
        if ready_rx.recv_timeout(Duration::from_secs(30)).is_err() {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            self.stop();
            panic!(
                "the OpenID provider did not get ready on {}:\n{said}",
                self.port
            );
        }
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `location` (absolute or relative) against the URL it answered.
pub fn absolute(base: &str, location: &str) -> String {
    Url::parse(base)
        .and_then(|base| base.join(location))
        .map(String::from)
        .unwrap_or_else(|e| panic!("{location} against {base}: {e}"))
}

fn location(response: &reqwest::Response, url: &str) -> String {
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{url} answered {} without a Location", response.status()));
    absolute(url, to)
}

/// What the person does at the provider.
#[derive(Clone, Copy)]
pub enum AtProvider<'a> {
    /// Signs in on the login form as this account.
    SignIn(&'a str),
    /// Cancels on the login form.
    Cancel,
}

/// Follows a browser from `url` (the provider's authorization URL) through
/// the provider's login form until it is sent to a URL starting with
/// `back_to`, which it returns without visiting.
pub async fn through_provider(
    browser: &Client,
    url: &str,
    what: AtProvider<'_>,
    back_to: &str,
) -> String {
    let mut url = url.to_owned();
    for _ in 0..12 {
        if url.starts_with(back_to) {
            return url;
        }
        let response = browser
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        if response.status().is_redirection() {
            url = location(&response, &url);
            continue;
        }
        assert_eq!(response.status(), 200, "the provider's page at {url}");
        let page = response.text().await.unwrap_or_default();
        url = match what {
            AtProvider::SignIn(login) => {
                let action = between(&page, "action=\"", "\"");
                let action = absolute(&url, &action.replace("&amp;", "&"));
                let response = browser
                    .post(&action)
                    .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{action}: {e}"));
                assert!(
                    response.status().is_redirection(),
                    "the login form answered {}",
                    response.status()
                );
                location(&response, &action)
            }
            AtProvider::Cancel => {
                let abort = page
                    .split("href=\"")
                    .skip(1)
                    .filter_map(|rest| rest.split('"').next())
                    .find(|href| href.contains("/abort"))
                    .unwrap_or_else(|| panic!("no cancel link on the login page:\n{page}"));
                absolute(&url, &abort.replace("&amp;", "&"))
            }
        };
    }
    panic!("the provider never sent the browser back to {back_to}; last at {url}");
}

fn between(text: &str, start: &str, end: &str) -> String {
    text.split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(inside, _)| inside.to_owned())
        .unwrap_or_else(|| panic!("no {start}…{end} in:\n{text}"))
}
