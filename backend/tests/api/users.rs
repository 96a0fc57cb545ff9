//! Account administration as administrators, supervisors and fulfillers
//! meet it: who reaches which account, across facilities and tenants, and
//! what setting a password, unlocking and signing out everywhere do.

use crate::helpers::*;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use shared::Role;

const PASSWORD: &str = "a long enough passphrase";

/// acme: facilities BER, HAM, MUC; anna and otto (administrators), sue
/// (supervisor of BER and HAM), max (supervisor of BER and MUC), fred
/// (fulfiller at BER), mia (fulfiller at MUC), hugo (fulfiller at BER and
/// HAM). globex: gina (administrator), gus (fulfiller).
async fn network() -> TestApp {
    let app = spawn_app().await;
    app.tenant("acme");
    for (code, name) in [("BER", "Berlin"), ("HAM", "Hamburg"), ("MUC", "Munich")] {
        app.facility("acme", code, name);
    }
    for (name, role, facilities) in [
        ("anna", Role::Administrator, &[][..]),
        ("otto", Role::Administrator, &[][..]),
        ("sue", Role::Supervisor, &["BER", "HAM"][..]),
        ("max", Role::Supervisor, &["BER", "MUC"][..]),
        ("fred", Role::Fulfiller, &["BER"][..]),
        ("mia", Role::Fulfiller, &["MUC"][..]),
        ("hugo", Role::Fulfiller, &["BER", "HAM"][..]),
    ] {
        app.user("acme", name, PASSWORD, role, facilities, true);
    }
    app.tenant("globex");
    app.facility("globex", "NYC", "New York");
    app.user("globex", "gina", PASSWORD, Role::Administrator, &[], true);
    app.user("globex", "gus", PASSWORD, Role::Fulfiller, &["NYC"], true);
    app
}

impl TestApp {
    async fn token_of(&self, tenant: &str, username: &str) -> String {
        str_of(
            &self.script_login(tenant, username, PASSWORD).await,
            "access_token",
        )
        .to_owned()
    }

    async fn admin_call(
        &self,
        tenant: &str,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = client(self)
            .request(method, self.url(tenant, path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    async fn usernames(&self, tenant: &str, token: &str, query: &str) -> Vec<String> {
        let response = self
            .admin_call(
                tenant,
                token,
                Method::GET,
                &format!("/api/v1/users{query}"),
                None,
            )
            .await;
        assert_eq!(response.status(), 200, "{query}");
        let page: Value = response.json().await.unwrap_or_default();
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|u| str_of(u, "username").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn id_of(&self, tenant: &str, admin_token: &str, username: &str) -> String {
        let response = self
            .admin_call(
                tenant,
                admin_token,
                Method::GET,
                &format!("/api/v1/users?q={username}"),
                None,
            )
            .await;
        let page: Value = response.json().await.unwrap_or_default();
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|u| u["username"] == username))
            .map(|u| str_of(u, "id").to_owned())
            .unwrap_or_else(|| panic!("no {username}"))
    }
}

#[tokio::test]
async fn each_role_sees_the_accounts_within_its_reach_and_no_other_tenants() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    let sue = app.token_of("acme", "sue").await;
    let max = app.token_of("acme", "max").await;
    let fred = app.token_of("acme", "fred").await;

    assert_eq!(
        app.usernames("acme", &anna, "").await,
        ["anna", "fred", "hugo", "max", "mia", "otto", "sue"]
    );
    // Only accounts wholly within BER and HAM: not max (MUC too), not mia,
    // never an administrator.
    assert_eq!(
        app.usernames("acme", &sue, "").await,
        ["fred", "hugo", "sue"]
    );
    assert_eq!(
        app.usernames("acme", &max, "").await,
        ["fred", "max", "mia"]
    );
    for path in [
        "/api/v1/users",
        "/api/v1/facilities",
        "/api/v1/audit-events",
    ] {
        let refused = app.admin_call("acme", &fred, Method::GET, path, None).await;
        assert_eq!(refused.status(), 403, "{path}");
        assert_eq!(problem(refused).await["code"], "forbidden");
    }

    // One account by id: within reach, else missing (its existence untold).
    let mia = app.id_of("acme", &anna, "mia").await;
    let fred_id = app.id_of("acme", &anna, "fred").await;
    let anna_id = app.id_of("acme", &anna, "anna").await;
    let one = |token: String, id: String| {
        let app = &app;
        async move {
            app.admin_call(
                "acme",
                &token,
                Method::GET,
                &format!("/api/v1/users/{id}"),
                None,
            )
            .await
            .status()
        }
    };
    assert_eq!(one(sue.clone(), fred_id.clone()).await, 200);
    assert_eq!(one(sue.clone(), mia.clone()).await, 404);
    assert_eq!(one(sue.clone(), anna_id.clone()).await, 404);
    assert_eq!(one(fred.clone(), fred_id.clone()).await, 403);
    let fred_view: Value = app
        .admin_call(
            "acme",
            &sue,
            Method::GET,
            &format!("/api/v1/users/{fred_id}"),
            None,
        )
        .await
        .json()
        .await?;
    for field in [
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "facilities",
        "locale",
        "sign_in_method",
        "last_login_at",
        "status",
        "version",
        "created_at",
        "modified_at",
    ] {
        assert!(fred_view.get(field).is_some(), "{field}");
    }
    assert_eq!(fred_view["facilities"][0]["code"], "BER");
    assert_eq!(fred_view["status"], "ACTIVE");

    // Another tenant's administrator reaches nothing here, with its own
    // token or by id.
    let gina = app.token_of("globex", "gina").await;
    assert_eq!(app.usernames("globex", &gina, "").await, ["gina", "gus"]);
    let across = app
        .admin_call(
            "globex",
            &gina,
            Method::GET,
            &format!("/api/v1/users/{fred_id}"),
            None,
        )
        .await;
    assert_eq!(across.status(), 404);
    let wrong_host = app
        .admin_call("acme", &gina, Method::GET, "/api/v1/users", None)
        .await;
    assert_eq!(
        wrong_host.status(),
        401,
        "a globex token means nothing at acme"
    );
    Ok(())
}

#[tokio::test]
async fn lists_search_filter_and_page() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    assert_eq!(
        app.usernames("acme", &anna, "?role=FULFILLER").await,
        ["fred", "hugo", "mia"]
    );
    assert_eq!(app.usernames("acme", &anna, "?q=HU").await, ["hugo"]);
    let berlin = app
        .admin_call("acme", &anna, Method::GET, "/api/v1/facilities", None)
        .await
        .json::<Value>()
        .await?
        .as_array()
        .and_then(|all| all.iter().find(|f| f["code"] == "BER").cloned())
        .ok_or("no BER")?;
    let query = format!("?facility={}", str_of(&berlin, "id"));
    assert_eq!(
        app.usernames("acme", &anna, &query).await,
        ["fred", "hugo", "max", "sue"]
    );
    app.execute("UPDATE users SET status = 'INACTIVE' WHERE username = 'mia'");
    assert_eq!(
        app.usernames("acme", &anna, "?status=INACTIVE").await,
        ["mia"]
    );

    let page: Value = app
        .admin_call(
            "acme",
            &anna,
            Method::GET,
            "/api/v1/users?per_page=3&page=2",
            None,
        )
        .await
        .json()
        .await?;
    assert_eq!(page["total"], 7);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 3);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["items"][0]["username"], "max");

    for bad in [
        "?page=abc",
        "?role=KING",
        "?status=asleep",
        "?colour=red",
        "?per_page=-1",
    ] {
        let refused = app
            .admin_call(
                "acme",
                &anna,
                Method::GET,
                &format!("/api/v1/users{bad}"),
                None,
            )
            .await;
        assert_eq!(refused.status(), 400, "{bad}");
        assert_eq!(problem(refused).await["code"], "bad_request");
    }
    let facilities: Value = app
        .admin_call(
            "acme",
            &app.token_of("acme", "sue").await,
            Method::GET,
            "/api/v1/facilities",
            None,
        )
        .await
        .json()
        .await?;
    let codes: Vec<&str> = facilities
        .as_array()
        .map(|all| all.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        codes,
        ["BER", "HAM"],
        "a supervisor administers its own facilities"
    );
    Ok(())
}

#[tokio::test]
async fn a_set_password_is_temporary_and_ends_every_session_of_the_account() -> TestResult {
    let app = network().await;
    let sue = app.token_of("acme", "sue").await;
    let anna = app.token_of("acme", "anna").await;
    let fred_before = app.token_of("acme", "fred").await;
    let fred = app.id_of("acme", &anna, "fred").await;
    let path = format!("/api/v1/users/{fred}/password");

    let weak = app
        .admin_call(
            "acme",
            &sue,
            Method::PUT,
            &path,
            Some(json!({ "password": "short" })),
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(
        problem(weak).await["error_codes"]["password"][0],
        "password_too_short"
    );

    let set = app
        .admin_call(
            "acme",
            &sue,
            Method::PUT,
            &path,
            Some(json!({ "password": "set by sue for fred" })),
        )
        .await;
    assert_eq!(set.status(), 204);
    assert_eq!(
        app.me("acme", &fred_before).await.status(),
        401,
        "fred's session ended"
    );
    let browser = client(&app);
    assert_eq!(
        app.login(&browser, "acme", "fred", PASSWORD).await.status(),
        401
    );
    let tokens = app
        .script_login("acme", "fred", "set by sue for fred")
        .await;
    assert_eq!(
        tokens["must_change_password"], true,
        "fred must choose his own"
    );

    // Out of reach, one's own account, or no role for it: refused.
    let anna_id = app.id_of("acme", &anna, "anna").await;
    let mia = app.id_of("acme", &anna, "mia").await;
    let body = json!({ "password": "another long passphrase" });
    for (token, id, status) in [
        (&sue, &mia, 404),
        (&sue, &anna_id, 404),
        (&anna, &anna_id, 403),
    ] {
        let refused = app
            .admin_call(
                "acme",
                token,
                Method::PUT,
                &format!("/api/v1/users/{id}/password"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(refused.status(), status);
        problem(refused).await;
    }
    let hugo_token = app.token_of("acme", "hugo").await;
    let refused = app
        .admin_call("acme", &hugo_token, Method::PUT, &path, Some(body.clone()))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.login(&browser, "acme", "mia", PASSWORD).await.status(),
        200,
        "mia untouched"
    );
    Ok(())
}

#[tokio::test]
async fn unlocking_and_signing_out_everywhere_take_effect_at_once() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    let fred_token = app.token_of("acme", "fred").await;
    let fred = app.id_of("acme", &anna, "fred").await;
    let browser = client_from(&app, "127.0.0.5");
    for _ in 0..3 {
        app.login(&browser, "acme", "fred", "wrong guess").await;
    }
    let waiting = app.login(&browser, "acme", "fred", PASSWORD).await;
    assert_eq!(waiting.status(), 401, "the pair waits");

    let unlocked = app
        .admin_call(
            "acme",
            &anna,
            Method::POST,
            &format!("/api/v1/users/{fred}/unlock"),
            None,
        )
        .await;
    assert_eq!(unlocked.status(), 200);
    assert!(unlocked.json::<Value>().await?["count"].as_u64() >= Some(1));
    assert_eq!(
        app.login(&browser, "acme", "fred", PASSWORD).await.status(),
        200
    );

    let ended = app
        .admin_call(
            "acme",
            &anna,
            Method::DELETE,
            &format!("/api/v1/users/{fred}/sessions"),
            None,
        )
        .await;
    assert_eq!(ended.status(), 200);
    assert!(ended.json::<Value>().await?["count"].as_u64() >= Some(2));
    assert_eq!(app.me("acme", &fred_token).await.status(), 401);
    Ok(())
}

#[tokio::test]
async fn the_audit_trail_is_scoped_like_the_accounts_and_holds_no_secret() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    let sue = app.token_of("acme", "sue").await;
    app.login(&client(&app), "acme", "mia", "mia's wrong guess")
        .await;
    let fred = app.id_of("acme", &anna, "fred").await;
    app.admin_call(
        "acme",
        &sue,
        Method::PUT,
        &format!("/api/v1/users/{fred}/password"),
        Some(json!({ "password": "the secret sue typed" })),
    )
    .await;

    let all: Value = app
        .admin_call(
            "acme",
            &anna,
            Method::GET,
            "/api/v1/audit-events?per_page=200",
            None,
        )
        .await
        .json()
        .await?;
    let text = all.to_string();
    assert!(
        !text.contains("the secret sue typed")
            && !text.contains("wrong guess")
            && !text.contains(PASSWORD)
    );
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"login_failed"));
    assert!(kinds.contains(&"password_set_by_administrator"));
    assert_eq!(
        all["items"][0]["kind"], "password_set_by_administrator",
        "newest first"
    );

    let sues: Value = app
        .admin_call(
            "acme",
            &sue,
            Method::GET,
            "/api/v1/audit-events?per_page=200",
            None,
        )
        .await
        .json()
        .await?;
    let mut seen: Vec<&str> = sues["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|e| e["username"].as_str())
                .collect()
        })
        .unwrap_or_default();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen,
        ["fred", "sue"],
        "only events about accounts sue reaches"
    );

    let failed: Value = app
        .admin_call(
            "acme",
            &anna,
            Method::GET,
            "/api/v1/audit-events?kind=login_failed",
            None,
        )
        .await
        .json()
        .await?;
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["username"], "mia");
    Ok(())
}

mod changes {
    //! Creating, changing and deleting accounts, invitations, facilities.

    use super::*;
    use crate::mailbox::SmtpCatcher;

    async fn network_with_mail(catcher: &SmtpCatcher) -> TestApp {
        let app = spawn_app_with(TestConfig {
            smtp_url: Some(catcher.url()),
            ..TestConfig::default()
        })
        .await;
        app.tenant("acme");
        for (code, name) in [("BER", "Berlin"), ("HAM", "Hamburg"), ("MUC", "Munich")] {
            app.facility("acme", code, name);
        }
        app.user("acme", "anna", PASSWORD, Role::Administrator, &[], true);
        app.user(
            "acme",
            "sue",
            PASSWORD,
            Role::Supervisor,
            &["BER", "HAM"],
            true,
        );
        app.user("acme", "fred", PASSWORD, Role::Fulfiller, &["BER"], true);
        app
    }

    async fn facility_id(app: &TestApp, token: &str, code: &str) -> String {
        let all: Value = app
            .admin_call("acme", token, Method::GET, "/api/v1/facilities", None)
            .await
            .json()
            .await
            .unwrap_or_default();
        all.as_array()
            .and_then(|all| all.iter().find(|f| f["code"] == code))
            .map(|f| str_of(f, "id").to_owned())
            .unwrap_or_else(|| panic!("no facility {code}"))
    }

    #[tokio::test]
    async fn an_invited_account_chooses_its_password_from_the_mail_and_signs_in() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let anna = app.token_of("acme", "anna").await;
        let ber = facility_id(&app, &anna, "BER").await;
        let created = app
            .admin_call(
                "acme",
                &anna,
                Method::POST,
                "/api/v1/users",
                Some(json!({
                    "username": "  Nina ", "first_name": "Nina", "last_name": "Neu",
                    "email": "nina@acme.example", "role": "FULFILLER",
                    "facility_ids": [ber], "locale": "de"
                })),
            )
            .await;
        assert_eq!(created.status(), 201);
        let location = created
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let nina: Value = created.json().await?;
        assert_eq!(nina["username"], "nina");
        assert_eq!(location, format!("/api/v1/users/{}", str_of(&nina, "id")));
        assert_eq!(nina["version"], 1);
        assert_eq!(nina["facilities"][0]["code"], "BER");

        let mail = catcher.wait_for("nina@acme.example", 1).await.remove(0);
        assert_eq!(
            mail.subject, "Ihr Backoffice-Konto bei acme Corp",
            "in nina's language"
        );
        assert!(mail.text.contains("Ihr Benutzername ist nina"));
        assert!(mail
            .text
            .contains(&format!("http://acme.localhost:{}", app.port)));
        assert!(
            !mail.text.to_lowercase().contains("passwort:"),
            "no password in the mail"
        );
        let token = mail.reset_token();
        let link: Value = app.verify_reset("acme", &token).await.json().await?;
        assert_eq!(link["purpose"], "invitation");
        let browser = client(&app);
        assert_eq!(
            app.confirm_reset(&browser, "acme", &token, "nina's own passphrase")
                .await
                .status(),
            204
        );
        let tokens = app
            .script_login("acme", "nina", "nina's own passphrase")
            .await;
        assert_eq!(tokens["must_change_password"], false);

        // Sent again: a new link, and the old one is dead.
        let again = app
            .admin_call(
                "acme",
                &anna,
                Method::POST,
                &format!("{location}/invitation"),
                None,
            )
            .await;
        assert_eq!(again.status(), 202);
        let second = catcher.wait_for("nina@acme.example", 3).await;
        let newest = second
            .iter()
            .rfind(|m| m.subject.contains("Konto"))
            .ok_or("no second invitation")?;
        assert_ne!(newest.reset_token(), token);
        let fred = app.id_of("acme", &anna, "fred").await;
        let refused = app
            .admin_call(
                "acme",
                &anna,
                Method::POST,
                &format!("/api/v1/users/{fred}/invitation"),
                None,
            )
            .await;
        assert_eq!(refused.status(), 409, "fred has no email address");
        assert_eq!(problem(refused).await["code"], "cannot_invite");
        Ok(())
    }

    #[tokio::test]
    async fn without_email_the_password_given_is_temporary() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let sue = app.token_of("acme", "sue").await;
        let created = app
            .admin_call(
                "acme",
                &sue,
                Method::POST,
                "/api/v1/users",
                Some(json!({
                    "username": "paul", "first_name": "Paul", "role": "FULFILLER",
                    "password": "a temporary passphrase"
                })),
            )
            .await;
        assert_eq!(created.status(), 201);
        let paul: Value = created.json().await?;
        let codes: Vec<&str> = paul["facilities"]
            .as_array()
            .map(|all| all.iter().filter_map(|f| f["code"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            codes,
            ["BER", "HAM"],
            "a supervisor's new account gets its facilities"
        );
        assert_eq!(paul["must_change_password"], true);
        let tokens = app
            .script_login("acme", "paul", "a temporary passphrase")
            .await;
        assert_eq!(tokens["must_change_password"], true);
        assert!(catcher.messages().is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn bad_or_taken_values_and_roles_beyond_reach_are_refused() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let anna = app.token_of("acme", "anna").await;
        let sue = app.token_of("acme", "sue").await;
        let fred = app.token_of("acme", "fred").await;
        let ber = facility_id(&app, &anna, "BER").await;
        let muc = facility_id(&app, &anna, "MUC").await;
        let create = |token: String, body: Value| {
            let app = &app;
            async move {
                app.admin_call("acme", &token, Method::POST, "/api/v1/users", Some(body))
                    .await
            }
        };
        for (body, field, code) in [
            (
                json!({ "username": "x y", "first_name": "X", "role": "FULFILLER", "facility_ids": [ber], "password": "a long enough one here" }),
                "username",
                "username_invalid",
            ),
            (
                json!({ "username": "xy", "first_name": " ", "role": "FULFILLER", "facility_ids": [ber], "password": "a long enough one here" }),
                "first_name",
                "required",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": [ber], "email": "not-mail" }),
                "email",
                "email_invalid",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": [ber], "locale": "fr", "email": "x@acme.example" }),
                "locale",
                "locale_unsupported",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": ["nope"], "email": "x@acme.example" }),
                "facility_ids",
                "facility_unknown",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "ADMINISTRATOR", "facility_ids": [ber], "email": "x@acme.example" }),
                "facility_ids",
                "administrator_without_facilities",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": [], "email": "x@acme.example" }),
                "facility_ids",
                "facilities_required",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": [ber] }),
                "password",
                "password_or_email_required",
            ),
            (
                json!({ "username": "xy", "first_name": "X", "role": "FULFILLER", "facility_ids": [ber], "password": "short" }),
                "password",
                "password_too_short",
            ),
        ] {
            let refused = create(anna.clone(), body).await;
            assert_eq!(refused.status(), 422, "{field}");
            assert_eq!(problem(refused).await["error_codes"][field][0], code);
        }
        let taken = create(
            anna.clone(),
            json!({ "username": "FRED", "first_name": "F", "role": "FULFILLER", "facility_ids": [ber], "password": "a long enough one here" }),
        )
        .await;
        assert_eq!(taken.status(), 409);
        assert_eq!(problem(taken).await["code"], "username_taken");
        // Full-width letters are the same name once normalised (NFKC).
        let look_alike = create(
            anna.clone(),
            json!({ "username": " ｆｒｅｄ ", "first_name": "F", "role": "FULFILLER", "facility_ids": [ber], "password": "a long enough one here" }),
        )
        .await;
        assert_eq!(look_alike.status(), 409);
        assert_eq!(problem(look_alike).await["code"], "username_taken");
        let full_width = app.script_login("acme", "ＦＲＥＤ", PASSWORD).await;
        assert!(full_width["access_token"].is_string(), "{full_width}");
        for body in [
            json!({ "username": "boss", "first_name": "B", "role": "ADMINISTRATOR", "email": "b@acme.example" }),
            json!({ "username": "far", "first_name": "F", "role": "FULFILLER", "facility_ids": [muc], "email": "f@acme.example" }),
        ] {
            let refused = create(sue.clone(), body).await;
            assert_eq!(refused.status(), 403);
        }
        let refused = create(
            fred,
            json!({ "username": "z", "first_name": "Z", "role": "FULFILLER", "facility_ids": [ber], "email": "z@acme.example" }),
        )
        .await;
        assert_eq!(refused.status(), 403);
        assert_eq!(
            app.usernames("acme", &anna, "").await,
            ["anna", "fred", "sue"],
            "nothing written"
        );
        assert!(catcher.messages().is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn changes_need_the_current_version_and_end_sessions_when_access_shrinks() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let anna = app.token_of("acme", "anna").await;
        let sue = app.token_of("acme", "sue").await;
        let fred_id = app.id_of("acme", &anna, "fred").await;
        let path = format!("/api/v1/users/{fred_id}");
        let ber = facility_id(&app, &anna, "BER").await;
        let ham = facility_id(&app, &anna, "HAM").await;
        let muc = facility_id(&app, &anna, "MUC").await;
        let patch = |token: String, body: Value| {
            let (app, path) = (&app, path.clone());
            async move {
                app.admin_call("acme", &token, Method::PATCH, &path, Some(body))
                    .await
            }
        };

        // A rename keeps fred signed in.
        let fred_token = app.token_of("acme", "fred").await;
        let renamed = patch(
            anna.clone(),
            json!({ "version": 1, "first_name": "Frederik", "facility_ids": [ber, ham] }),
        )
        .await;
        assert_eq!(renamed.status(), 200);
        let renamed: Value = renamed.json().await?;
        assert_eq!(renamed["version"], 2);
        assert_eq!(renamed["first_name"], "Frederik");
        assert_eq!(
            app.me("acme", &fred_token).await.status(),
            200,
            "gaining a facility keeps the session"
        );

        let stale = patch(sue.clone(), json!({ "version": 1, "last_name": "Stale" })).await;
        assert_eq!(stale.status(), 409);
        assert_eq!(problem(stale).await["code"], "version_conflict");

        // Beyond sue's reach: MUC, or an administrator's role.
        for body in [
            json!({ "version": 2, "facility_ids": [muc] }),
            json!({ "version": 2, "role": "ADMINISTRATOR", "facility_ids": [] }),
        ] {
            assert_eq!(patch(sue.clone(), body).await.status(), 403);
        }
        // Losing a facility ends fred's sessions at once.
        let shrunk = patch(sue.clone(), json!({ "version": 2, "facility_ids": [ber] })).await;
        assert_eq!(shrunk.status(), 200);
        assert_eq!(app.me("acme", &fred_token).await.status(), 401);

        // Deactivated: sessions end, and the right password is told so.
        let fred_token = app.token_of("acme", "fred").await;
        let off = patch(anna.clone(), json!({ "version": 3, "status": "INACTIVE" })).await;
        assert_eq!(off.status(), 200);
        assert_eq!(app.me("acme", &fred_token).await.status(), 401);
        assert_eq!(
            app.login(&client(&app), "acme", "fred", PASSWORD)
                .await
                .status(),
            403
        );

        // Nobody changes their own role or status here (Account settings
        // is for one's own account), so an active administrator remains.
        let anna_id = app.id_of("acme", &anna, "anna").await;
        let own = app
            .admin_call(
                "acme",
                &anna,
                Method::PATCH,
                &format!("/api/v1/users/{anna_id}"),
                Some(json!({ "version": 1, "status": "INACTIVE" })),
            )
            .await;
        assert_eq!(own.status(), 403);
        let demoted = app
            .admin_call(
                "acme",
                &anna,
                Method::PATCH,
                &format!("/api/v1/users/{anna_id}"),
                Some(json!({ "version": 1, "role": "SUPERVISOR", "facility_ids": [ber] })),
            )
            .await;
        assert_eq!(demoted.status(), 403);
        let me: Value = app.me("acme", &anna).await.json().await?;
        assert_eq!(me["role"], "ADMINISTRATOR");
        Ok(())
    }

    #[tokio::test]
    async fn deleting_an_account_ends_it_at_once_and_nobody_deletes_their_own() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let anna = app.token_of("acme", "anna").await;
        let sue = app.token_of("acme", "sue").await;
        let fred_token = app.token_of("acme", "fred").await;
        let fred = app.id_of("acme", &anna, "fred").await;
        let gone = app
            .admin_call(
                "acme",
                &sue,
                Method::DELETE,
                &format!("/api/v1/users/{fred}"),
                None,
            )
            .await;
        assert_eq!(gone.status(), 204);
        assert_eq!(app.me("acme", &fred_token).await.status(), 401);
        assert_eq!(
            app.login(&client(&app), "acme", "fred", PASSWORD)
                .await
                .status(),
            401
        );
        let missing = app
            .admin_call(
                "acme",
                &anna,
                Method::GET,
                &format!("/api/v1/users/{fred}"),
                None,
            )
            .await;
        assert_eq!(missing.status(), 404);

        let anna_id = app.id_of("acme", &anna, "anna").await;
        let own = app
            .admin_call(
                "acme",
                &anna,
                Method::DELETE,
                &format!("/api/v1/users/{anna_id}"),
                None,
            )
            .await;
        assert_eq!(own.status(), 403, "not one's own account");
        assert_eq!(app.me("acme", &anna).await.status(), 200);
        Ok(())
    }

    #[tokio::test]
    async fn administrators_create_facilities_others_cannot() -> TestResult {
        let catcher = SmtpCatcher::start();
        let app = network_with_mail(&catcher).await;
        let anna = app.token_of("acme", "anna").await;
        let sue = app.token_of("acme", "sue").await;
        let post = |token: String, body: Value| {
            let app = &app;
            async move {
                app.admin_call(
                    "acme",
                    &token,
                    Method::POST,
                    "/api/v1/facilities",
                    Some(body),
                )
                .await
            }
        };
        let made = post(
            anna.clone(),
            json!({ "code": "KOE-01", "name": "Köln Store" }),
        )
        .await;
        assert_eq!(made.status(), 201);
        assert_eq!(made.json::<Value>().await?["name"], "Köln Store");
        let taken = post(anna.clone(), json!({ "code": "KOE-01", "name": "Again" })).await;
        assert_eq!(taken.status(), 409);
        assert_eq!(problem(taken).await["code"], "facility_exists");
        let bad = post(anna.clone(), json!({ "code": "no spaces", "name": "" })).await;
        assert_eq!(bad.status(), 422);
        let bad = problem(bad).await;
        assert_eq!(bad["error_codes"]["code"][0], "facility_code_invalid");
        assert_eq!(bad["error_codes"]["name"][0], "required");
        assert_eq!(
            post(sue, json!({ "code": "X", "name": "X" }))
                .await
                .status(),
            403
        );
        Ok(())
    }
}

/// Two administrators demoting each other at the same moment: the writes
/// are checked one after the other, so the second finds its actor no longer
/// an administrator and the tenant keeps one.
#[tokio::test]
async fn administrators_demoting_each_other_at_once_leave_one_administrator() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    let otto = app.token_of("acme", "otto").await;
    let anna_id = app.id_of("acme", &anna, "anna").await;
    let otto_id = app.id_of("acme", &anna, "otto").await;
    let ber = str_of(
        &app.admin_call("acme", &anna, Method::GET, "/api/v1/facilities", None)
            .await
            .json::<Value>()
            .await?[0],
        "id",
    )
    .to_owned();
    let body = json!({ "version": 1, "role": "FULFILLER", "facility_ids": [ber] });
    let (otto_path, anna_path) = (
        format!("/api/v1/users/{otto_id}"),
        format!("/api/v1/users/{anna_id}"),
    );
    let (by_anna, by_otto) = tokio::join!(
        app.admin_call("acme", &anna, Method::PATCH, &otto_path, Some(body.clone())),
        app.admin_call("acme", &otto, Method::PATCH, &anna_path, Some(body.clone())),
    );
    let mut statuses = [by_anna.status().as_u16(), by_otto.status().as_u16()];
    statuses.sort_unstable();
    // The loser's token may already be revoked (401), or its actor found
    // demoted (403); never both demoted.
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(matches!(statuses[1], 401 | 403), "{statuses:?}");
    let roles: Vec<String> = app
        .pool
        .get()
        .map(|mut conn| {
            use backoffice::db::schema::users::dsl::*;
            use diesel::prelude::*;
            users
                .filter(username.eq_any(["anna", "otto"]))
                .select(role)
                .load::<String>(&mut conn)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    assert_eq!(
        roles.iter().filter(|r| *r == "ADMINISTRATOR").count(),
        1,
        "{roles:?}"
    );
    Ok(())
}

/// A sign-in whose password check is under way when an administrator
/// deactivates the account opens no session that outlives the
/// deactivation: the sign-in's write checks the account again. The
/// deactivation lands at several moments of the check; whichever way each
/// race goes, no token from it works once the account is active again.
#[tokio::test]
async fn a_sign_in_under_way_when_the_account_is_deactivated_keeps_no_session() -> TestResult {
    let app = network().await;
    let anna = app.token_of("acme", "anna").await;
    let fred = app.id_of("acme", &anna, "fred").await;
    let path = format!("/api/v1/users/{fred}");
    let version = |user: Value| user["version"].as_i64().unwrap_or_default();
    let mut current = version(
        app.admin_call("acme", &anna, Method::GET, &path, None)
            .await
            .json()
            .await?,
    );
    for delay_ms in [0_u64, 3, 6, 10, 15, 25, 40, 60, 90, 130] {
        let sign_in = client(&app)
            .post(app.url("acme", "/api/v1/auth/login"))
            .json(&json!({ "username": "fred", "password": PASSWORD, "token_delivery": "body" }))
            .send();
        let deactivate = async {
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            app.admin_call(
                "acme",
                &anna,
                Method::PATCH,
                &path,
                Some(json!({ "version": current, "status": "INACTIVE" })),
            )
            .await
        };
        let (signed_in, deactivated) = tokio::join!(sign_in, deactivate);
        assert_eq!(deactivated.status(), 200, "at {delay_ms} ms");
        let signed_in = signed_in?;
        let token = if signed_in.status() == 200 {
            Some(str_of(&signed_in.json::<Value>().await?, "access_token").to_owned())
        } else {
            None
        };
        let reactivated = app
            .admin_call(
                "acme",
                &anna,
                Method::PATCH,
                &path,
                Some(json!({ "version": version(deactivated.json().await?), "status": "ACTIVE" })),
            )
            .await;
        current = version(reactivated.json().await?);
        // Active again: a session from before the deactivation, or opened
        // around it, must stay ended.
        if let Some(token) = token {
            assert_eq!(
                app.me("acme", &token).await.status(),
                401,
                "a session opened around the deactivation at {delay_ms} ms came back"
            );
        }
    }
    Ok(())
}
