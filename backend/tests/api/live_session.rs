//! The session lookup every authenticated request makes. On PostgreSQL it
//! travels on a connection of each worker's own (`db::live_session`), not
//! through diesel: it must answer exactly as the pool's query does, come
//! back when the database drops that connection, and fall back to the pool
//! when it cannot connect at all.

use crate::helpers::*;
use backoffice::db::live_session::{SessionLookup, APPLICATION_NAME};
use backoffice::db::DatabaseLocation;
use backoffice::model::session::Session;
use backoffice::model::tenant::Tenant;
use diesel::connection::SimpleConnection;

fn tenant_id(app: &TestApp, slug: &str) -> String {
    let mut conn = app.pool.get().unwrap();
    Tenant::find_by_slug(&mut conn, slug).unwrap().unwrap().id
}

/// What the pool's query says of a session, to hold the lookup against.
fn through_pool(
    app: &TestApp,
    tenant: &str,
    session: &str,
    user: &str,
) -> Option<(Session, backoffice::model::user::User)> {
    let mut conn = app.pool.get().unwrap();
    Session::find_live_with_user(&mut conn, tenant, session, user, backoffice::model::now())
        .unwrap()
}

// actix's test runtime: the lookup runs on a worker's local task set.
#[actix_web::test]
async fn the_lookup_answers_as_the_pool_does_for_live_revoked_and_foreign_sessions() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    app.tenant("globex");
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = str_of(&tokens, "access_token").to_owned();
    let me: serde_json::Value = app.me("acme", &token).await.json().await?;
    let (session, user) = (str_of(&me, "session_id"), str_of(&me, "id"));
    let tenant = tenant_id(&app, "acme");
    let globex = tenant_id(&app, "globex");
    let lookup = SessionLookup::for_worker(&app.state.db, &app.state.settings.database);
    let now = backoffice::model::now();

    let found = lookup.find(&tenant, session, user, now).await?;
    assert!(found.is_some(), "a live session is found");
    assert_eq!(found, through_pool(&app, &tenant, session, user));
    let (stored_session, stored_user) = found.unwrap();
    assert_eq!(stored_user.username, "anna");
    assert_eq!(stored_session.id, session);

    assert_eq!(lookup.find(&globex, session, user, now).await?, None);
    assert_eq!(
        lookup.find(&tenant, session, "someone-else", now).await?,
        None
    );
    let later = now + chrono::TimeDelta::days(2);
    assert_eq!(lookup.find(&tenant, session, user, later).await?, None);

    // Asked together, as one batch on PostgreSQL: each gets its own answer.
    app.user(
        "acme",
        "bert",
        ADMIN_PASSWORD,
        shared::Role::Administrator,
        &[],
        true,
    );
    let bert = app.me_of("acme", "bert", ADMIN_PASSWORD).await;
    let (bert_session, bert_id) = (str_of(&bert, "session_id"), str_of(&bert, "id"));
    let (anna_here, anna_at_globex, bert_here, bert_as_anna, anna_later) = tokio::join!(
        lookup.find(&tenant, session, user, now),
        lookup.find(&globex, session, user, now),
        lookup.find(&tenant, bert_session, bert_id, now),
        lookup.find(&tenant, bert_session, user, now),
        lookup.find(&tenant, session, user, later),
    );
    assert_eq!(anna_here?.map(|(s, _)| s.id), Some(session.to_owned()));
    assert_eq!(anna_at_globex?, None);
    let bert_here = bert_here?;
    assert_eq!(
        bert_here.as_ref().map(|(_, u)| u.username.as_str()),
        Some("bert")
    );
    assert_eq!(
        bert_here,
        through_pool(&app, &tenant, bert_session, bert_id)
    );
    assert_eq!(bert_as_anna?, None);
    assert_eq!(anna_later?, None);

    let logout = client(&app)
        .post(app.url("acme", "/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert!(logout.status().is_success(), "{}", logout.status());
    assert_eq!(lookup.find(&tenant, session, user, now).await?, None);
    assert_eq!(through_pool(&app, &tenant, session, user), None);
    Ok(())
}

#[actix_web::test]
async fn a_database_the_lookup_cannot_reach_on_its_own_is_asked_through_the_pool() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let me = app.me_of("acme", "anna", ADMIN_PASSWORD).await;
    let (session, user) = (str_of(&me, "session_id"), str_of(&me, "id"));
    let tenant = tenant_id(&app, "acme");
    // Nothing listens on port 1.
    let nowhere = DatabaseLocation::Postgres("postgres://nobody@127.0.0.1:1/none".to_owned());
    let lookup = SessionLookup::for_worker(&app.state.db, &nowhere);
    let found = lookup
        .find(&tenant, session, user, backoffice::model::now())
        .await?;
    assert_eq!(found.map(|(s, _)| s.id), Some(session.to_owned()));
    Ok(())
}

#[tokio::test]
async fn requests_are_answered_after_the_database_drops_the_lookup_connections() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = str_of(&tokens, "access_token");
    assert_eq!(app.me("acme", token).await.status(), 200);
    let dropped = if app.database_url.is_empty() {
        // SQLite: the lookup has no connection of its own to lose.
        0
    } else {
        let mut conn = app.pool.get()?;
        let terminated: Vec<TerminatedRow> = diesel::RunQueryDsl::load(
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity \
                 WHERE application_name = '{APPLICATION_NAME}' AND datname = current_database()"
            )),
            &mut conn,
        )?;
        conn.batch_execute("SELECT 1")?;
        terminated.iter().filter(|row| row.terminated).count()
    };
    if !app.database_url.is_empty() {
        assert!(dropped >= 1, "the server's lookup connection was open");
    }
    for _ in 0..5 {
        assert_eq!(app.me("acme", token).await.status(), 200);
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct TerminatedRow {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    terminated: bool,
}
