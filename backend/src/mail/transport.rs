//! How mail leaves: over SMTP (lettre; TLS, STARTTLS and credentials come
//! from the URL), or, with no SMTP server configured, as `.eml` files in
//! the data folder with each mail's link printed to the console, so a
//! local user can finish a reset without a mail server.

use super::Mail;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// The longest one SMTP conversation may take. Shorter than the outbox
/// claim, so a slow server cannot make a second replica send it too.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Transport {
    from: Mailbox,
    way: Way,
}

enum Way {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Why a mail did not leave.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Trying again later may work (the server is down, busy, or said 4xx).
    #[error("{0}")]
    Temporary(String),
    /// Trying again will not help (an address the server refuses, a
    /// message that cannot be built).
    #[error("{0}")]
    Permanent(String),
}

impl Transport {
    /// SMTP when `smtp_url` is set, else files in `mail_dir`.
    pub fn new(smtp_url: Option<&str>, from: &str, mail_dir: PathBuf) -> anyhow::Result<Self> {
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!(
                "BACKOFFICE_MAIL_FROM (--mail-from) `{from}` is not a mail address: {e}"
            )
        })?;
        let way = match smtp_url {
            Some(url) => Way::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "BACKOFFICE_SMTP_URL (--smtp-url) is not usable: {e} (expected e.g. smtps://user:pass@mail.example.com or smtp://host:587?tls=required)"
                        )
                    })?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Way::Files(mail_dir),
        };
        Ok(Transport { from, way })
    }

    /// Whether mail goes to files (and links to the console).
    pub fn is_files(&self) -> bool {
        matches!(self.way, Way::Files(_))
    }

    fn message(&self, mail: &Mail) -> Result<Message, SendError> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()).filter(|name| !name.is_empty()),
            mail.to_address
                .parse()
                .map_err(|e| SendError::Permanent(format!("recipient address: {e}")))?,
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("building the message: {e}")))
    }

    /// Sends one mail; `id` names it in the file name and the logs.
    pub async fn send(&self, id: &str, mail: &Mail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match &self.way {
            Way::Smtp(mailer) => match mailer.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Temporary(e.to_string())),
            },
            Way::Files(dir) => {
                let path = dir.join(format!(
                    "{}-{id}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S")
                ));
                let bytes = message.formatted();
                let dir = dir.clone();
                let written = path.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&written, bytes)
                })
                .await
                .map_err(|e| SendError::Temporary(e.to_string()))?
                .map_err(|e| SendError::Temporary(format!("{}: {e}", path.display())))?;
                match &mail.link {
                    Some(link) => tracing::info!(
                        to = %mail.to_address,
                        file = %path.display(),
                        "mail written (no SMTP server configured); its link: {link}"
                    ),
                    None => tracing::info!(
                        to = %mail.to_address,
                        file = %path.display(),
                        "mail written (no SMTP server configured)"
                    ),
                }
                Ok(())
            }
        }
    }
}
