//! Work that follows a request without making it wait: turning password
//! reset requests into tokens and mail, and delivering the outbox. Every
//! replica runs both loops; the database decides which replica handles
//! each row. They are separate loops so that a mail server that hangs
//! delays only mail, never the tokens and mail waiting to be written.

use crate::db::Database;
use crate::flows::password_reset::PasswordResets;
use crate::mail::outbox::Outbox;
use crate::mail::transport::Transport;
use std::sync::Arc;
use std::time::Duration;

/// How often each loop looks for work it was not woken for: rows other
/// replicas queued, and retries that have come due.
const POLL: Duration = Duration::from_secs(2);

/// Turns reset requests into tokens and mail, as long as there are any.
pub async fn reset_requests(resets: Arc<PasswordResets>) {
    loop {
        match resets.process_requests().await {
            // A full batch: there may be more waiting.
            Ok(progress) if progress.full => continue,
            Ok(progress) => {
                if progress.mailed > 0 {
                    resets.outbox.wake();
                }
            }
            Err(error) => {
                tracing::warn!(%error, "password reset requests could not be handled; will retry");
            }
        }
        resets.sleep(POLL).await;
    }
}

/// Sends due mail, as long as there is any.
pub async fn outbox(db: Database, outbox: Outbox, transport: Transport) {
    loop {
        match outbox.deliver_due(&db, &transport).await {
            Ok(progress) if progress.full => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the outbox could not be read; will retry"),
        }
        outbox.sleep(POLL).await;
    }
}
