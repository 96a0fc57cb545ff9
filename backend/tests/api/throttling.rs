//! Brute-force protection as an attacker and a user would meet it.

use crate::helpers::*;
use std::time::Duration;

#[tokio::test]
async fn the_wait_grows_with_each_failure_and_then_ends() -> TestResult {
    // Threshold 3, first wait 1 s, doubling with each further failure. Any
    // attempt during a wait counts as a failure too (it must cost and look
    // the same as one, or its timing would confirm a right guess).
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
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "1.1 s into the second, longer wait even the right password is refused"
    );
    // That attempt was the fifth failure: a 4 s wait.
    tokio::time::sleep(Duration::from_millis(4200)).await;
    assert_eq!(
        app.login(&attacker, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "once the wait is over the right password works"
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
        "past the ceiling the account is locked from every address"
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
