//! A real SMTP server for the tests: Debian's `python3-aiosmtpd`, started
//! per test on a free loopback port, writing each message it accepts to a
//! maildir. Tests read what a user's mailbox would hold.

use mail_parser::MessageParser;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One message as the recipient sees it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl ReceivedMail {
    /// The first link in the text part that leads to `path`.
    pub fn link_to(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http") && word.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in:\n{}", self.text))
            .to_owned()
    }

    /// The token in a reset link's fragment.
    pub fn reset_token(&self) -> String {
        let link = self.link_to("/reset-password#token=");
        link.rsplit_once("#token=")
            .map(|(_, token)| token.to_owned())
            .unwrap_or_default()
    }
}

pub struct SmtpCatcher {
    child: Option<Child>,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

/// A loopback port nobody listens on (for now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn python() -> String {
    std::env::var("BACKOFFICE_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned())
}

impl SmtpCatcher {
    pub fn start() -> SmtpCatcher {
        SmtpCatcher::start_on(free_port())
    }

    /// A catcher on `port`, accepting connections when this returns.
    pub fn start_on(port: u16) -> SmtpCatcher {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        // aiosmtpd's Mailbox handler makes the maildir itself.
        let maildir = dir.path().join("maildir");
        let mut catcher = SmtpCatcher {
            child: None,
            port,
            maildir,
            _dir: dir,
        };
        catcher.resume();
        catcher
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops answering: the port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts answering again on the same port and maildir.
    pub fn resume(&mut self) {
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the SMTP catcher (python3-aiosmtpd; scripts/test.sh installs it): {e}"
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the SMTP catcher did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort_by_key(|path| {
            std::fs::metadata(path)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
        });
        files
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .map(|bytes| parse(&bytes))
            .collect()
    }

    /// The messages to `to`, once there are at least `count` of them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails: Vec<ReceivedMail> = self
                .messages()
                .into_iter()
                .filter(|mail| mail.to == to)
                .collect();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{count} mails to {to} did not arrive in 30 s; {} did",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpCatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A message file as the recipient's mail program reads it.
pub fn parse(bytes: &[u8]) -> ReceivedMail {
    let message = MessageParser::default()
        .parse(bytes)
        .unwrap_or_else(|| panic!("not a mail message"));
    ReceivedMail {
        to: message
            .to()
            .and_then(|to| to.first())
            .and_then(|address| address.address())
            .unwrap_or_default()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
    }
}
