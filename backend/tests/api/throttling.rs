//! Brute-force protection as an attacker and a user would meet it.

use crate::helpers::*;
use shared::Role;
use std::time::Duration;

#[tokio::test]
async fn the_wait_grows_with_each_failure_and_knocking_during_it_does_not_stretch_it() -> TestResult
{
    // Threshold 3, first wait 1 s, doubling with each further failure. An
    // attempt during a wait is refused unchecked and counts nowhere, so a
    // stranger knocking cannot keep the wait growing.
    let app = spawn_app().await;
    app.acme_admin();
    let attacker = client(&app);

    for _ in 0..3 {
        assert_eq!(
            app.login(&attacker, "acme", "anna", "guess").await.status(),
            401
        );
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The first wait (1 s) is over; the fourth failure starts a 2 s wait.
    assert_eq!(
        app.login(&attacker, "acme", "anna", "guess").await.status(),
        401
    );
    for _ in 0..5 {
        assert_eq!(
            app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
                .await
                .status(),
            401,
            "during the wait even the right password is refused"
        );
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "the knocks did not stretch the 2 s wait: the right password works"
    );
    // Success clears the count: two new slips do not bring the wait back.
    for _ in 0..2 {
        assert_eq!(
            app.login(&attacker, "acme", "anna", "typo").await.status(),
            401
        );
    }
    assert_eq!(
        app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn a_strangers_150_failures_do_not_stop_the_owner_on_a_browser_she_used_before() -> TestResult
{
    let app = spawn_app().await;
    app.acme_admin();
    // Anna signed in on her browser once: it holds a device cookie.
    let annas_browser = client_from(&app, "127.0.7.1");
    assert_eq!(
        app.login(&annas_browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );

    // A stranger guesses 150 times from 50 addresses, 3 from each.
    let mut refused = 0;
    for host in 0..50 {
        let stranger = client_from(&app, &format!("127.0.8.{host}"));
        for _ in 0..3 {
            if app.login(&stranger, "acme", "anna", "guess").await.status() == 401 {
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 150);

    // Strangers are held back now: even the right password from a browser
    // the account never used is refused (the account-wide wait).
    let new_browser = client_from(&app, "127.0.9.1");
    assert_eq!(
        app.login(&new_browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401
    );
    // Anna's browser is counted on its own: a slip, then her password.
    assert_eq!(
        app.login(&annas_browser, "acme", "anna", "a slip")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login(&annas_browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "the owner's known browser keeps a way in"
    );
    Ok(())
}

#[tokio::test]
async fn a_device_cookie_of_another_account_or_a_forged_one_counts_for_nothing() -> TestResult {
    let app = spawn_app_with(TestConfig {
        account_ceiling: 3,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    app.user(
        "acme",
        "bob",
        "bob's long passphrase",
        Role::Administrator,
        &[],
        true,
    );
    // The stranger signs in as bob (his own account) and so holds a valid
    // device cookie, but for bob, not anna.
    let stranger = client_from(&app, "127.0.10.1");
    assert_eq!(
        app.login(&stranger, "acme", "bob", "bob's long passphrase")
            .await
            .status(),
        200
    );
    for host in 2..5 {
        let guesser = client_from(&app, &format!("127.0.10.{host}"));
        app.login(&guesser, "acme", "anna", "guess").await;
    }
    assert_eq!(
        app.login(&stranger, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "bob's device cookie does not lift anna's account-wide wait"
    );
    let forged = app
        .fresh_post("acme", "/api/v1/auth/login")
        .header("cookie", "backoffice_device=AAAAbm90IGEgcmVhbCBub3Rl")
        .json(&serde_json::json!({ "username": "anna", "password": ADMIN_PASSWORD }))
        .send()
        .await?;
    assert_eq!(
        forged.status(),
        401,
        "a forged device cookie counts for nothing"
    );
    Ok(())
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() -> TestResult {
    let app = spawn_app_with(TestConfig {
        trusted_proxy: Some("127.0.0.1"),
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let via_proxy = |ip: &str| {
        app.fresh_post("acme", "/api/v1/auth/login")
            .header("x-forwarded-for", ip)
    };
    // Three failures from three addresses of one /64 make that /64 wait.
    for host in 1..=3 {
        let response = via_proxy(&format!("2001:db8:1:2::{host}"))
            .json(&serde_json::json!({ "username": "anna", "password": "guess" }))
            .send()
            .await?;
        assert_eq!(response.status(), 401);
    }
    let same_64 = via_proxy("2001:db8:1:2:ffff::9")
        .json(&serde_json::json!({ "username": "anna", "password": ADMIN_PASSWORD }))
        .send()
        .await?;
    assert_eq!(
        same_64.status(),
        401,
        "another address of the same /64 waits"
    );
    let other_64 = via_proxy("2001:db8:1:3::1")
        .json(&serde_json::json!({ "username": "anna", "password": ADMIN_PASSWORD }))
        .send()
        .await?;
    assert_eq!(other_64.status(), 200, "the next /64 does not");
    Ok(())
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_at_once() -> TestResult {
    // Room for one sign-in waiting for the hashing threads (one per core).
    // Long jobs take every thread and the one place in the queue.
    let app = spawn_app_with(TestConfig {
        hash_queue: 1,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let hold = Duration::from_millis(2_000);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut blockers = Vec::new();
    for _ in 0..threads + 1 {
        let hasher = app.state.sign_in.hasher.clone();
        blockers.push(tokio::spawn(async move {
            hasher.run(move |_| std::thread::sleep(hold)).await
        }));
        // One at a time, so each finds its thread or its place.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let answers = futures_util::future::join_all((0..8).map(|i| {
        let client = client_from(&app, &format!("127.0.11.{i}"));
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let response = app.login(&client, "acme", "anna", "guess").await;
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            (status, retry_after, body, started.elapsed())
        }
    }))
    .await;
    for (status, retry_after, body, took) in &answers {
        assert_eq!(*status, 503, "{body}");
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert_eq!(body["code"], "service_busy");
        // Answered without waiting for a thread: well before the jobs
        // ahead of it end.
        assert!(*took < hold / 2, "a 503 took {took:?}");
    }
    for blocker in blockers {
        assert!(
            blocker.await.is_ok_and(|ran| ran.is_ok()),
            "a blocker was refused"
        );
    }
    // The queue drained: sign-ins are checked again.
    assert_eq!(
        app.login(&client(&app), "acme", "anna", "guess")
            .await
            .status(),
        401
    );
    Ok(())
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_account_out_elsewhere() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let attacker = client_from(&app, "127.0.0.66");
    for _ in 0..6 {
        app.login(&attacker, "acme", "anna", "guess").await;
    }
    assert_eq!(
        app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401
    );

    let anna = client_from(&app, "127.0.0.7");
    assert_eq!(
        app.login(&anna, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "the real user signs in from her own address"
    );
    Ok(())
}

#[tokio::test]
async fn slow_guessing_from_many_addresses_hits_the_account_ceiling() -> TestResult {
    let app = spawn_app_with(TestConfig {
        account_ceiling: 6,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    // Two failures from each of three addresses: no pair reaches its threshold.
    for host in 1..=3 {
        let guesser = client_from(&app, &format!("127.0.1.{host}"));
        for _ in 0..2 {
            assert_eq!(
                app.login(&guesser, "acme", "anna", "guess").await.status(),
                401
            );
        }
    }
    let fresh = client_from(&app, "127.0.2.1");
    assert_eq!(
        app.login(&fresh, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "past the ceiling the account waits for every browser it never used"
    );
    Ok(())
}

#[tokio::test]
async fn spraying_many_accounts_from_one_address_makes_that_address_wait() -> TestResult {
    let app = spawn_app_with(TestConfig {
        address_threshold: 4,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let sprayer = client_from(&app, "127.0.4.1");
    for name in ["bob", "carl", "dora", "emil"] {
        app.login(&sprayer, "acme", name, "Summer2026!").await;
    }
    assert_eq!(
        app.login(&sprayer, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "the spraying address waits, whatever the account"
    );
    let elsewhere = client_from(&app, "127.0.4.2");
    assert_eq!(
        app.login(&elsewhere, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn when_the_counters_cannot_be_read_the_attempt_fails_closed() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    // The counters become unreachable (a broken database, say).
    let mut conn = app.pool.get()?;
    diesel::connection::SimpleConnection::batch_execute(
        &mut *conn,
        "ALTER TABLE login_throttles RENAME TO login_throttles_gone",
    )?;
    let response = app
        .login(&client(&app), "acme", "anna", ADMIN_PASSWORD)
        .await;
    assert_eq!(
        response.status(),
        500,
        "no counters, no sign-in, even with the right password"
    );
    assert_eq!(problem(response).await["code"], "internal_error");
    Ok(())
}

/// One refused sign-in's time.
async fn refused_login_time(app: &TestApp, caller: &reqwest::Client) -> Duration {
    let started = std::time::Instant::now();
    let status = app.login(caller, "acme", "anna", "a guess").await.status();
    let elapsed = started.elapsed();
    assert_eq!(status, 401);
    elapsed
}

#[tokio::test]
async fn an_attempt_during_a_wait_is_answered_without_a_hash() -> TestResult {
    // Waits of ten minutes, so the pair waits through the whole test.
    let (app, waiting) = acme_with_a_waiting_pair("127.0.14.1").await;
    // Alternating, so the load of the tests beside this one weighs on both.
    let (mut during_wait, mut checked) = (Vec::new(), Vec::new());
    for round in 0..9 {
        during_wait.push(refused_login_time(&app, &waiting).await);
        let fresh = client_from(&app, &format!("127.0.15.{round}"));
        checked.push(refused_login_time(&app, &fresh).await);
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (during_wait, checked) = (median(during_wait), median(checked));
    assert!(
        during_wait.as_secs_f64() < checked.as_secs_f64() / 2.0,
        "refused during the wait in {during_wait:?}, checked with a hash in {checked:?}"
    );
    Ok(())
}

#[tokio::test]
async fn failures_that_arrive_together_are_each_counted_once() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    // Twelve wrong guesses at once from twelve addresses: every one goes
    // into the account's counter, none is lost to a race.
    let statuses = futures_util::future::join_all((0..12).map(|i| {
        let client = client_from(&app, &format!("127.0.16.{i}"));
        let app = &app;
        async move {
            app.login(&client, "acme", "anna", "a guess")
                .await
                .status()
                .as_u16()
        }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    let mut conn = app.pool.get()?;
    let tenant =
        backoffice::model::tenant::Tenant::find_by_slug(&mut conn, "acme")?.ok_or("no tenant")?;
    let long_ago = chrono::DateTime::from_timestamp(0, 0)
        .map(|t| t.naive_utc())
        .unwrap_or_default();
    let counts = backoffice::model::login_throttle::LoginThrottle::counts(
        &mut conn,
        &tenant.id,
        &["acct:anna"],
        long_ago,
    )?;
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].1.failures, 12);
    Ok(())
}
