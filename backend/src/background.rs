//! Work that follows a request without making it wait: turning password
//! reset requests into tokens and mail, and delivering the outbox. Every
//! replica runs it; the database decides which replica handles each row.

use crate::db::Database;
use crate::flows::password_reset::PasswordResets;
use crate::mail::outbox::Outbox;
use crate::mail::transport::Transport;
use std::sync::Arc;
use std::time::Duration;

/// How often the worker looks for work that it was not woken for: rows
/// other replicas queued, and retries that have come due.
const POLL: Duration = Duration::from_secs(2);

pub async fn run(db: Database, outbox: Outbox, transport: Transport, resets: Arc<PasswordResets>) {
    loop {
        if let Err(error) = resets.process_requests().await {
            tracing::warn!(%error, "password reset requests could not be handled; will retry");
        }
        if let Err(error) = outbox.deliver_due(&db, &transport).await {
            tracing::warn!(%error, "the outbox could not be read; will retry");
        }
        outbox.sleep(POLL).await;
    }
}
