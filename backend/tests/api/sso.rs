//! Single sign-on through a real OpenID provider (`oidc-provider`, see
//! `idp.rs`): the login screen's providers, the first sign-in that creates
//! the account, later sign-ins that replace its role and facilities, every
//! refusal (with no session), the provider down and back with new keys,
//! password features refused, and the administration of providers by API
//! and command line.

use crate::helpers::*;
use crate::idp::{through_provider, AtProvider, Idp, IdpClient};
use crate::operator::{backoffice, run};
use diesel::prelude::*;
use reqwest::Client;
use serde_json::{json, Value};

const CALLBACK: &str = "/api/v1/auth/sso/callback";
const ACME_SECRET: &str = "acme client secret 8f3a61";
const GLOBEX_SECRET: &str = "globex client secret 55c0";

struct World {
    app: TestApp,
    idp: Idp,
    /// The id of acme's provider.
    acme: String,
    /// An acme administrator's access token.
    admin: String,
}

fn acme_provider(idp: &Idp) -> Value {
    json!({
        "display_name": "Acme Login",
        "issuer": idp.issuer(),
        "client_id": "acme-backoffice",
        "client_secret": ACME_SECRET,
        "role_claim": "roles",
        "role_mapping": {
            "backoffice-admin": "ADMINISTRATOR",
            "backoffice-supervisor": "SUPERVISOR",
            "backoffice-fulfiller": "FULFILLER"
        },
        "group_claim": "groups",
        "group_mapping": {"store-berlin": ["BER-01"], "warehouse-hamburg": ["HAM-02"]}
    })
}

/// acme (administrator anna, two facilities, a provider) and globex, both
/// registered at a running provider.
async fn world() -> World {
    let app = spawn_app().await;
    app.acme_admin();
    app.tenant("globex");
    app.tenant("initech");
    app.facility("acme", "BER-01", "Berlin Store");
    app.facility("acme", "HAM-02", "Hamburg Warehouse");
    let idp = Idp::start(&[
        IdpClient {
            client_id: "acme-backoffice".to_owned(),
            client_secret: ACME_SECRET.to_owned(),
            redirect_uri: app.url("acme", CALLBACK),
        },
        IdpClient {
            client_id: "globex-backoffice".to_owned(),
            client_secret: GLOBEX_SECRET.to_owned(),
            redirect_uri: app.url("globex", CALLBACK),
        },
    ]);
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let admin = str_of(&tokens, "access_token").to_owned();
    let created = create_provider(&app, "acme", &admin, &acme_provider(&idp)).await;
    assert_eq!(created.status(), 201);
    let view: Value = created.json().await.unwrap();
    World {
        acme: str_of(&view, "id").to_owned(),
        app,
        idp,
        admin,
    }
}

async fn create_provider(
    app: &TestApp,
    tenant: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    client(app)
        .post(app.url(tenant, "/api/v1/sso-providers"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `sso_error` a refused callback sends the browser back with.
fn sso_error(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303);
    let to = location(response);
    assert!(
        !set_cookie(response).contains("backoffice_refresh=")
            || set_cookie(response).contains("backoffice_refresh=;"),
        "a refused sign-in sets no refresh cookie: {}",
        set_cookie(response)
    );
    to.strip_prefix("/login?sso_error=")
        .unwrap_or_else(|| panic!("not back to the login screen: {to}"))
        .to_owned()
}

impl World {
    /// Starts a sign-in on `tenant` with `provider` and goes through the
    /// provider; returns the callback URL the browser is sent to.
    async fn to_callback(
        &self,
        browser: &Client,
        tenant: &str,
        provider: &str,
        what: AtProvider<'_>,
    ) -> String {
        let start = browser
            .get(self.app.url(
                tenant,
                &format!("/api/v1/auth/sso/start?provider={provider}&return_to=/users%3Fpage%3D2"),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 303);
        let to = location(&start);
        assert!(to.starts_with(&self.idp.issuer()), "to the provider: {to}");
        through_provider(browser, &to, what, &self.app.url(tenant, CALLBACK)).await
    }

    /// A whole sign-in on acme as `login`: the callback's answer.
    async fn sign_in(&self, browser: &Client, login: &str) -> reqwest::Response {
        let callback = self
            .to_callback(browser, "acme", &self.acme, AtProvider::SignIn(login))
            .await;
        browser.get(callback).send().await.unwrap()
    }

    /// Signs in as `login` in a new browser, then does what the web app
    /// does next (refresh with the cookie, then `GET /me`).
    async fn signed_in(&self, login: &str) -> (Client, Value) {
        let browser = client(&self.app);
        let arrived = self.sign_in(&browser, login).await;
        assert_eq!(arrived.status(), 303, "signed in");
        assert_eq!(
            location(&arrived),
            "/users?page=2",
            "back where it asked to go"
        );
        let me = self.me(&browser).await;
        (browser, me)
    }

    async fn me(&self, browser: &Client) -> Value {
        let refreshed = browser
            .post(self.app.url("acme", "/api/v1/auth/refresh"))
            .send()
            .await
            .unwrap();
        assert_eq!(refreshed.status(), 200, "the refresh cookie works");
        let tokens: Value = refreshed.json().await.unwrap();
        let me = self.app.me("acme", str_of(&tokens, "access_token")).await;
        assert_eq!(me.status(), 200);
        me.json().await.unwrap()
    }

    fn provider_url(&self) -> String {
        self.app
            .url("acme", &format!("/api/v1/sso-providers/{}", self.acme))
    }

    /// acme's provider, as its administrator reads it.
    async fn provider(&self) -> Value {
        client(&self.app)
            .get(self.provider_url())
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Changes acme's provider at the version just read.
    async fn change_provider(&self, mut changes: Value) -> reqwest::Response {
        changes["version"] = self.provider().await["version"].clone();
        client(&self.app)
            .patch(self.provider_url())
            .bearer_auth(&self.admin)
            .json(&changes)
            .send()
            .await
            .unwrap()
    }

    /// What the login screen of `tenant` learns.
    async fn tenant_info(&self, tenant: &str) -> Value {
        client(&self.app)
            .get(self.app.url(tenant, "/api/v1/tenant"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Sessions in the database, of every tenant.
    fn sessions(&self) -> i64 {
        self.rows("sessions")
    }

    /// Accounts in the database, of every tenant.
    fn accounts(&self) -> i64 {
        self.rows("users")
    }

    fn rows(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.app.pool.get().unwrap();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    async fn audit_kinds(&self) -> Vec<String> {
        let page: Value = client(&self.app)
            .get(self.app.url("acme", "/api/v1/audit-events?per_page=200"))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    str_of(e, "kind"),
                    e["detail"].as_str().unwrap_or("")
                )
            })
            .collect()
    }
}

/// The `state` parameter of a callback URL.
fn state_of(callback: &str) -> String {
    callback
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("state="))
        .unwrap_or_default()
        .to_owned()
}

fn codes(me: &Value) -> Vec<String> {
    me["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| str_of(f, "code").to_owned())
        .collect()
}

#[tokio::test]
async fn the_login_screen_learns_the_active_providers_of_its_tenant_only() -> TestResult {
    let w = world().await;
    let info = w.tenant_info("acme").await;
    assert_eq!(info["sso_enabled"], true);
    assert_eq!(
        info["sso_providers"],
        json!([{"id": w.acme, "display_name": "Acme Login"}])
    );
    let other = w.tenant_info("initech").await;
    assert_eq!(other["sso_enabled"], false);
    assert_eq!(other["sso_providers"], json!([]));

    // An inactive provider is not offered, and cannot be started.
    let patched = w.change_provider(json!({"status": "INACTIVE"})).await;
    assert_eq!(patched.status(), 200);
    assert_eq!(w.tenant_info("acme").await["sso_providers"], json!([]));
    let start = client(&w.app)
        .get(w.app.url(
            "acme",
            &format!("/api/v1/auth/sso/start?provider={}", w.acme),
        ))
        .send()
        .await?;
    assert_eq!(sso_error(&start), "sso_failed");
    Ok(())
}

#[tokio::test]
async fn the_first_sign_in_creates_the_account_from_the_claims_and_opens_a_session() -> TestResult {
    let w = world().await;
    let before = w.sessions();
    let (browser, me) = w.signed_in("fred-0003").await;
    assert_eq!(me["username"], "fred");
    assert_eq!(me["first_name"], "Fred");
    assert_eq!(me["last_name"], "Fischer");
    // Only userinfo has the email (not the ID token).
    assert_eq!(me["email"], "fred@idp.example");
    assert_eq!(me["locale"], "de");
    assert_eq!(me["role"], "FULFILLER");
    assert_eq!(me["sign_in_method"], "OIDC");
    assert_eq!(codes(&me), vec!["BER-01"]);
    assert_eq!(w.sessions(), before + 1);

    // The session is an ordinary one: logout ends it.
    let logout = browser
        .post(w.app.url("acme", "/api/v1/auth/logout"))
        .send()
        .await?;
    assert!(logout.status().is_success(), "{}", logout.status());
    let refresh = browser
        .post(w.app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?;
    assert_eq!(refresh.status(), 401);

    // An administrator's role comes with the whole network.
    let (_, alice) = w.signed_in("alice-0001").await;
    assert_eq!(alice["role"], "ADMINISTRATOR");
    assert_eq!(codes(&alice), Vec::<String>::new());
    let kinds = w.audit_kinds().await;
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("user_created just in time by single sign-on")),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("login_succeeded single sign-on with Acme Login")),
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|k| k.contains(ACME_SECRET)));
    Ok(())
}

#[tokio::test]
async fn a_later_sign_in_replaces_role_and_facilities_with_what_the_claims_say_now() -> TestResult {
    let w = world().await;
    let sam = |roles: &[&str], groups: &[&str]| {
        json!({"sam-0002": {
            "preferred_username": "sam", "given_name": "Sam", "family_name": "Sommer",
            "email": "sam@idp.example", "locale": "de", "roles": roles, "groups": groups
        }})
    };
    w.idp.set_accounts(&sam(
        &["backoffice-supervisor"],
        &["store-berlin", "warehouse-hamburg"],
    ));
    let (first, me) = w.signed_in("sam-0002").await;
    assert_eq!(me["role"], "SUPERVISOR");
    assert_eq!(codes(&me), vec!["BER-01", "HAM-02"]);
    let accounts = w.accounts();

    // The provider now says: fulfiller, Hamburg only, and a new surname.
    let mut changed = sam(
        &["backoffice-fulfiller", "unmapped-value"],
        &["warehouse-hamburg"],
    );
    changed["sam-0002"]["family_name"] = json!("Sommer-Berg");
    w.idp.set_accounts(&changed);
    let (_, me) = w.signed_in("sam-0002").await;
    assert_eq!(me["role"], "FULFILLER");
    assert_eq!(codes(&me), vec!["HAM-02"], "replaced, not added");
    assert_eq!(me["last_name"], "Sommer-Berg");
    assert_eq!(w.accounts(), accounts, "the same account");
    // The lost role and facility ended the earlier session.
    let refresh = first
        .post(w.app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?;
    assert_eq!(refresh.status(), 401);
    let kinds = w.audit_kinds().await;
    assert!(
        kinds.contains(&"user_changed by single sign-on with Acme Login; changed: names, email or language, role, facilities; 1 sessions revoked".to_owned()),
        "{kinds:?}"
    );
    Ok(())
}

#[tokio::test]
async fn tampered_replayed_foreign_and_cancelled_callbacks_are_refused_without_a_session(
) -> TestResult {
    let w = world().await;
    // A tampered state.
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::SignIn("fred-0003"))
        .await;
    let before = (w.sessions(), w.accounts());
    let tampered = callback.replacen("state=", "state=x", 1);
    let refused = browser.get(&tampered).send().await?;
    assert_eq!(sso_error(&refused), "sso_failed");
    assert_eq!((w.sessions(), w.accounts()), before);

    // The genuine callback works once; replayed, it is refused.
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::SignIn("fred-0003"))
        .await;
    let first = browser.get(&callback).send().await?;
    assert_eq!(location(&first), "/users?page=2");
    let sessions = w.sessions();
    let again = browser.get(&callback).send().await?;
    assert_eq!(sso_error(&again), "sso_failed");
    // Even with the state's cookie put back, the state is spent.
    let again = client(&w.app)
        .get(&callback)
        .header("cookie", format!("backoffice_sso={}", state_of(&callback)))
        .send()
        .await?;
    assert_eq!(sso_error(&again), "sso_failed");
    assert_eq!(w.sessions(), sessions);

    // A state started on acme, brought to globex (whose provider is
    // another client of the same issuer).
    let globex = {
        let mut conn = w.app.pool.get()?;
        let tenant = backoffice::admin::find_tenant(&mut conn, "globex")?;
        let mut body: shared::sso::NewSsoProvider = serde_json::from_value(acme_provider(&w.idp))?;
        body.client_id = "globex-backoffice".to_owned();
        body.client_secret = Some(GLOBEX_SECRET.to_owned());
        body.group_mapping.clear();
        w.app
            .state
            .sso
            .providers
            .create(
                &mut conn,
                &tenant,
                body,
                &backoffice::flows::sso_providers::ChangedBy {
                    who: "test",
                    address: None,
                },
            )
            .map_err(|e| e.to_string())?
            .id
    };
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::SignIn("alice-0001"))
        .await;
    let foreign = callback.replace("acme.localhost", "globex.localhost");
    let before = (w.sessions(), w.accounts());
    let refused = browser.get(&foreign).send().await?;
    assert_eq!(sso_error(&refused), "sso_failed");
    assert_eq!((w.sessions(), w.accounts()), before);
    // Nor would the browser's cookie help there: the state belongs to acme.
    let started = browser
        .get(w.app.url(
            "globex",
            &format!("/api/v1/auth/sso/start?provider={globex}"),
        ))
        .send()
        .await?;
    assert_eq!(started.status(), 303);
    let refused = client(&w.app)
        .get(&foreign)
        .header("cookie", format!("backoffice_sso={}", state_of(&foreign)))
        .send()
        .await?;
    assert_eq!(sso_error(&refused), "sso_failed");
    assert_eq!((w.sessions(), w.accounts()), before);

    // A nonce that is not the one the start sent.
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::SignIn("alice-0001"))
        .await;
    w.app
        .execute("UPDATE sso_login_states SET nonce = 'not-the-nonce-that-was-sent'");
    let refused = browser.get(&callback).send().await?;
    assert_eq!(sso_error(&refused), "sso_failed");
    assert_eq!((w.sessions(), w.accounts()), before);

    // The person cancels at the provider.
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::Cancel)
        .await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    let refused = browser.get(&callback).send().await?;
    assert_eq!(sso_error(&refused), "sso_cancelled");

    // No role claim that maps, and no default role.
    let browser = client(&w.app);
    let refused = w.sign_in(&browser, "nora-0004").await;
    assert_eq!(sso_error(&refused), "sso_role_unmapped");
    assert_eq!((w.sessions(), w.accounts()), before);

    // Back to another site: never; only paths of this app.
    let browser = client(&w.app);
    let start = browser
        .get(w.app.url(
            "acme",
            &format!(
                "/api/v1/auth/sso/start?provider={}&return_to=//evil.example/x",
                w.acme
            ),
        ))
        .send()
        .await?;
    let to = location(&start);
    let callback = through_provider(
        &browser,
        &to,
        AtProvider::SignIn("alice-0001"),
        &w.app.url("acme", CALLBACK),
    )
    .await;
    let arrived = browser.get(&callback).send().await?;
    assert_eq!(location(&arrived), "/");

    let kinds = w.audit_kinds().await;
    let failures = kinds
        .iter()
        .filter(|k| k.starts_with("sso_login_failed"))
        .count();
    assert!(failures >= 6, "{kinds:?}");
    assert!(
        kinds
            .iter()
            .any(|k| k.contains("unknown, used or expired state")),
        "{kinds:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_provider_down_gives_a_clean_error_and_its_new_keys_are_followed() -> TestResult {
    let mut w = world().await;
    let (_, me) = w.signed_in("alice-0001").await;
    assert_eq!(me["role"], "ADMINISTRATOR");

    // Down between the sign-in at the provider and the callback.
    let browser = client(&w.app);
    let callback = w
        .to_callback(&browser, "acme", &w.acme, AtProvider::SignIn("alice-0001"))
        .await;
    w.idp.stop();
    let refused = browser.get(&callback).send().await?;
    assert_eq!(sso_error(&refused), "sso_unavailable");

    // Back, with a new signing key: the sign-in fetches the keys again.
    w.idp.resume();
    let (_, me) = w.signed_in("alice-0001").await;
    assert_eq!(me["username"], "alice");

    // A provider nobody answers for: refused at the start.
    let mut dead = acme_provider(&w.idp);
    dead["issuer"] = json!(format!("http://127.0.0.1:{}", crate::mailbox::free_port()));
    dead["display_name"] = json!("Nobody Home");
    let created: Value = create_provider(&w.app, "acme", &w.admin, &dead)
        .await
        .json()
        .await?;
    let start = client(&w.app)
        .get(w.app.url(
            "acme",
            &format!("/api/v1/auth/sso/start?provider={}", str_of(&created, "id")),
        ))
        .send()
        .await?;
    assert_eq!(sso_error(&start), "sso_unavailable");

    // A provider answering as another issuer than the one set up.
    let mut impostor = acme_provider(&w.idp);
    impostor["issuer"] = json!(format!("http://localhost:{}", w.idp.port));
    impostor["display_name"] = json!("Not Who It Says");
    let created: Value = create_provider(&w.app, "acme", &w.admin, &impostor)
        .await
        .json()
        .await?;
    let start = client(&w.app)
        .get(w.app.url(
            "acme",
            &format!("/api/v1/auth/sso/start?provider={}", str_of(&created, "id")),
        ))
        .send()
        .await?;
    assert_eq!(sso_error(&start), "sso_failed");
    Ok(())
}

#[tokio::test]
async fn a_password_account_with_the_same_email_is_never_taken_over() -> TestResult {
    let w = world().await;
    let id = w.app.user_with_email(
        "acme",
        "fred",
        "fred's own passphrase",
        "fred@idp.example",
        "en",
    );
    let before = w.app.me_of("acme", "fred", "fred's own passphrase").await;

    let (_, me) = w.signed_in("fred-0003").await;
    assert_ne!(me["id"], json!(id), "a new account");
    assert_eq!(me["username"], "fred-2");
    assert_eq!(me["sign_in_method"], "OIDC");

    let after = w.app.me_of("acme", "fred", "fred's own passphrase").await;
    assert_eq!(after["sign_in_method"], "PASSWORD");
    assert_eq!(after["role"], before["role"]);
    assert_eq!(after["email"], "fred@idp.example");
    Ok(())
}

#[tokio::test]
async fn an_sso_account_has_no_password_here_and_an_inactive_one_is_refused() -> TestResult {
    let w = world().await;
    let (browser, me) = w.signed_in("fred-0003").await;
    let refreshed: Value = browser
        .post(w.app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?
        .json()
        .await?;
    let token = str_of(&refreshed, "access_token");
    let change = client(&w.app)
        .post(w.app.url("acme", "/api/v1/me/password"))
        .bearer_auth(token)
        .json(&json!({"current_password": "anything at all", "new_password": "a brand new passphrase"}))
        .send()
        .await?;
    assert_eq!(change.status(), 403);
    assert_eq!(problem(change).await["code"], "password_managed_by_sso");
    let set = client(&w.app)
        .put(w.app.url(
            "acme",
            &format!("/api/v1/users/{}/password", str_of(&me, "id")),
        ))
        .bearer_auth(&w.admin)
        .json(&json!({"password": "a temporary passphrase"}))
        .send()
        .await?;
    assert_eq!(set.status(), 403);
    assert_eq!(problem(set).await["code"], "password_managed_by_sso");
    let login = w.app.login(&client(&w.app), "acme", "fred", "").await;
    assert_eq!(login.status(), 422);
    let login = w
        .app
        .login(&client(&w.app), "acme", "fred", "any password")
        .await;
    assert_eq!(login.status(), 401);

    // Deactivated: refused with the password sign-in's inactive code.
    {
        let mut conn = w.app.pool.get()?;
        backoffice::admin::set_active(&mut conn, "acme", "fred", false)?;
    }
    let before = w.sessions();
    let refused = w.sign_in(&client(&w.app), "fred-0003").await;
    assert_eq!(sso_error(&refused), "account_inactive");
    assert_eq!(w.sessions(), before);
    Ok(())
}

#[tokio::test]
async fn a_provider_that_only_vouches_for_identity_gives_new_accounts_its_default_role(
) -> TestResult {
    let w = world().await;
    let patched = w
        .change_provider(
            json!({"role_management": "IDP_IDENTITY_ONLY", "default_role": "FULFILLER"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    // The claims say administrator; here, a new account gets the default.
    let (_, me) = w.signed_in("alice-0001").await;
    assert_eq!(me["role"], "FULFILLER");
    assert_eq!(codes(&me), Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn providers_are_administered_by_administrators_of_their_tenant_only() -> TestResult {
    let w = world().await;
    let app = &w.app;
    let one = app.url("acme", &format!("/api/v1/sso-providers/{}", w.acme));
    let all = app.url("acme", "/api/v1/sso-providers");

    // The secret goes in and never comes out.
    let response = client(app).get(&all).bearer_auth(&w.admin).send().await?;
    assert_eq!(response.status(), 200);
    let text = response.text().await?;
    assert!(!text.contains(ACME_SECRET), "{text}");
    let list: Value = serde_json::from_str(&text)?;
    let view = &list[0];
    assert_eq!(view["client_secret_set"], true);
    assert!(view.get("client_secret").is_none());
    assert_eq!(view["redirect_uri"], json!(app.url("acme", CALLBACK)));
    assert_eq!(view["scopes"], json!(["openid", "profile", "email"]));
    assert_eq!(view["group_mapping"]["store-berlin"], json!(["BER-01"]));
    {
        let mut conn = app.pool.get()?;
        let sealed: Option<String> = backoffice::db::schema::sso_providers::table
            .select(backoffice::db::schema::sso_providers::sealed_client_secret)
            .first(&mut conn)?;
        assert!(
            !sealed.unwrap_or_default().contains("acme client secret"),
            "sealed at rest"
        );
    }

    // Others get 403, strangers 401, and another tenant's id reads as missing.
    app.user(
        "acme",
        "sue",
        "sue's long passphrase",
        shared::Role::Supervisor,
        &["BER-01"],
        true,
    );
    app.user(
        "acme",
        "finn",
        "finn's long passphrase",
        shared::Role::Fulfiller,
        &["BER-01"],
        true,
    );
    for (name, password) in [
        ("sue", "sue's long passphrase"),
        ("finn", "finn's long passphrase"),
    ] {
        let token = app.script_login("acme", name, password).await;
        let token = str_of(&token, "access_token");
        for response in [
            client(app).get(&all).bearer_auth(token).send().await?,
            client(app).get(&one).bearer_auth(token).send().await?,
            client(app).delete(&one).bearer_auth(token).send().await?,
            create_provider(app, "acme", token, &acme_provider(&w.idp)).await,
        ] {
            assert_eq!(response.status(), 403, "{name}");
        }
    }
    assert_eq!(client(app).get(&all).send().await?.status(), 401);
    app.user(
        "globex",
        "gina",
        "gina's long passphrase",
        shared::Role::Administrator,
        &[],
        true,
    );
    let gina = app
        .script_login("globex", "gina", "gina's long passphrase")
        .await;
    let gina = str_of(&gina, "access_token");
    let foreign = app.url("globex", &format!("/api/v1/sso-providers/{}", w.acme));
    assert_eq!(
        client(app)
            .get(&foreign)
            .bearer_auth(gina)
            .send()
            .await?
            .status(),
        404
    );
    assert_eq!(
        client(app)
            .delete(&foreign)
            .bearer_auth(gina)
            .send()
            .await?
            .status(),
        404
    );
    let listed: Value = client(app)
        .get(app.url("globex", "/api/v1/sso-providers"))
        .bearer_auth(gina)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listed, json!([]));

    // Bad settings: every fault at once, per field.
    let mut bad = acme_provider(&w.idp);
    bad["issuer"] = json!("http://idp.example.com");
    bad["group_mapping"] = json!({"store-berlin": ["NOPE-9"]});
    bad["extra_params"] = json!({"redirect_uri": "https://evil.example"});
    let refused = create_provider(app, "acme", &w.admin, &bad).await;
    assert_eq!(refused.status(), 422);
    let body = problem(refused).await;
    assert_eq!(body["code"], "validation_failed");
    for field in ["issuer", "group_mapping", "extra_params"] {
        assert!(body["errors"].get(field).is_some(), "{field}: {body}");
    }
    let malformed = client(app)
        .post(&all)
        .bearer_auth(&w.admin)
        .json(&json!({"display_name": 3}))
        .send()
        .await?;
    assert!(malformed.status().is_client_error());

    // A change with a stale version is refused; the secret can be replaced.
    let current = w.provider().await;
    let version = current["version"].as_i64().unwrap_or_default();
    let changed = client(app)
        .patch(&one)
        .bearer_auth(&w.admin)
        .json(&json!({"version": version, "display_name": "Acme SSO", "client_secret": "a new secret 77"}))
        .send()
        .await?;
    assert_eq!(changed.status(), 200);
    let text = changed.text().await?;
    assert!(!text.contains("a new secret 77"));
    let changed: Value = serde_json::from_str(&text)?;
    assert_eq!(changed["version"], json!(version + 1));
    assert_eq!(changed["display_name"], "Acme SSO");
    let stale = client(app)
        .patch(&one)
        .bearer_auth(&w.admin)
        .json(&json!({"version": version, "display_name": "Too Late"}))
        .send()
        .await?;
    assert_eq!(stale.status(), 409);
    assert_eq!(problem(stale).await["code"], "version_conflict");

    // Deleted: gone from the login screen too.
    assert_eq!(
        client(app)
            .delete(&one)
            .bearer_auth(&w.admin)
            .send()
            .await?
            .status(),
        204
    );
    assert_eq!(
        client(app)
            .get(&one)
            .bearer_auth(&w.admin)
            .send()
            .await?
            .status(),
        404
    );
    let info = w.tenant_info("acme").await;
    assert_eq!(info["sso_providers"], json!([]));
    Ok(())
}

#[tokio::test]
async fn the_operator_creates_and_lists_providers_from_the_command_line() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    app.facility("acme", "BER-01", "Berlin Store");
    let run = |args: &[&str], stdin: &str| {
        let mut command = backoffice(&app.data_dir, &app.database_url);
        command
            .env(
                "BACKOFFICE_PUBLIC_URL",
                "https://{tenant}.backoffice.example.com",
            )
            .args(args);
        run(command, stdin)
    };
    let (ok, help) = run(&["sso", "--help"], "");
    assert!(
        ok && help.contains("create") && help.contains("list"),
        "{help}"
    );
    let (ok, out) = run(
        &[
            "sso",
            "create",
            "--tenant",
            "acme",
            "--name",
            "Acme Entra ID",
            "--issuer",
            "https://login.microsoftonline.com/acme/v2.0",
            "--client-id",
            "4f1c-backoffice",
            "--param",
            "domain_hint=acme.example",
            "--role-claim",
            "roles",
            "--role-map",
            "Backoffice.Admin=ADMINISTRATOR",
            "--group-claim",
            "groups",
            "--group-map",
            "berlin=BER-01",
        ],
        "the client secret from entra\n",
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("redirect URI to register at the provider: https://acme.backoffice.example.com/api/v1/auth/sso/callback"),
        "{out}"
    );
    assert!(!out.contains("the client secret from entra"));
    let (ok, out) = run(&["sso", "list", "--tenant", "acme"], "");
    assert!(ok, "{out}");
    assert!(out.contains("ACTIVE\tAcme Entra ID\thttps://login.microsoftonline.com/acme/v2.0\t4f1c-backoffice\tsecret set"), "{out}");
    let id = out.split('\t').next().unwrap_or_default().to_owned();
    let (ok, out) = run(
        &[
            "sso", "update", "--tenant", "acme", &id, "--status", "inactive",
        ],
        "",
    );
    assert!(ok, "{out}");
    assert!(out.contains("INACTIVE"), "{out}");
    let (ok, out) = run(
        &[
            "sso",
            "create",
            "--tenant",
            "acme",
            "--name",
            "X",
            "--issuer",
            "ftp://x",
            "--client-id",
            "c",
            "--no-client-secret",
            "--group-claim",
            "g",
            "--group-map",
            "g=NOPE",
        ],
        "",
    );
    assert!(!ok);
    assert!(out.contains("issuer") && out.contains("NOPE"), "{out}");
    let (ok, out) = run(&["sso", "delete", "--tenant", "acme", &id], "");
    assert!(ok, "{out}");
    let (ok, out) = run(&["sso", "list", "--tenant", "acme"], "");
    assert!(ok && out.trim().is_empty(), "{out}");
    Ok(())
}
