//! The words of every mail, in each supported language, from the Fluent
//! catalogues in `backend/i18n/<lang>/mail.ftl`. Both the plain text and
//! the HTML part are built from the same messages, so they cannot say
//! different things.

use super::Mail;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./i18n",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they would end up
        // inside links and usernames in plain-text mail.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Who a mail goes to, and in which words.
pub struct Recipient<'a> {
    pub address: &'a str,
    pub name: &'a str,
    pub username: &'a str,
    /// The account's language (`en`, `de`); anything else reads English.
    pub locale: &'a str,
}

fn language(locale: &str) -> LanguageIdentifier {
    locale
        .parse()
        .unwrap_or_else(|_| fluent_templates::langid!("en"))
}

type Args = HashMap<Cow<'static, str>, FluentValue<'static>>;

fn args(pairs: &[(&'static str, &str)]) -> Args {
    pairs
        .iter()
        .map(|(key, value)| (Cow::Borrowed(*key), FluentValue::from(value.to_string())))
        .collect()
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A mail of paragraphs, with an optional call to action (a link), in
/// plain text and in HTML.
struct Body {
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
    after: Vec<String>,
    signature: String,
}

impl Body {
    fn text(&self) -> String {
        let mut parts = self.paragraphs.clone();
        if let Some((label, link)) = &self.action {
            parts.push(format!("{label}:\n{link}"));
        }
        parts.extend(self.after.iter().cloned());
        parts.push(format!("-- \n{}", self.signature));
        parts.join("\n\n") + "\n"
    }

    fn html(&self, subject: &str) -> String {
        let paragraph = |text: &String| format!("<p>{}</p>\n", escape(text));
        let mut html = format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
             <body style=\"font-family: system-ui, sans-serif; font-size: 16px; line-height: 1.5; color: #1f2933; max-width: 36em;\">\n",
            escape(subject)
        );
        self.paragraphs
            .iter()
            .for_each(|p| html.push_str(&paragraph(p)));
        if let Some((label, link)) = &self.action {
            html.push_str(&format!(
                "<p><a href=\"{link}\" style=\"display: inline-block; padding: 0.6em 1.2em; background: #1d4ed8; color: #ffffff; text-decoration: none; border-radius: 6px;\">{label}</a></p>\n\
                 <p style=\"font-size: 14px; color: #52606d;\">{link_text}</p>\n",
                link = escape(link),
                label = escape(label),
                link_text = escape(link),
            ));
        }
        self.after.iter().for_each(|p| html.push_str(&paragraph(p)));
        html.push_str(&format!(
            "<p style=\"font-size: 14px; color: #52606d;\">{}</p>\n</body></html>\n",
            escape(&self.signature)
        ));
        html
    }
}

fn mail(recipient: &Recipient<'_>, subject: String, body: Body, link: Option<String>) -> Mail {
    Mail {
        to_address: recipient.address.to_owned(),
        to_name: recipient.name.to_owned(),
        text: body.text(),
        html: body.html(&subject),
        subject,
        link,
    }
}

/// The mail with a reset link, valid for `minutes`.
pub fn password_reset(recipient: &Recipient<'_>, tenant: &str, link: &str, minutes: u64) -> Mail {
    let lang = language(recipient.locale);
    let minutes = minutes.to_string();
    let args = args(&[
        ("tenant", tenant),
        ("name", recipient.name),
        ("username", recipient.username),
        ("minutes", &minutes),
    ]);
    let say = |id: &str| LOCALES.lookup_with_args(&lang, id, &args);
    let body = Body {
        paragraphs: vec![say("reset-greeting"), say("reset-intro")],
        action: Some((say("reset-action"), link.to_owned())),
        after: vec![say("reset-expiry"), say("reset-ignore")],
        signature: say("signature"),
    };
    mail(recipient, say("reset-subject"), body, Some(link.to_owned()))
}

/// The invitation to a new account: where the Backoffice is, the username,
/// and a link to choose the first password, valid for `hours`. No password.
pub fn invitation(
    recipient: &Recipient<'_>,
    tenant: &str,
    address: &str,
    link: &str,
    hours: u64,
) -> Mail {
    let lang = language(recipient.locale);
    let hours = hours.to_string();
    let args = args(&[
        ("tenant", tenant),
        ("name", recipient.name),
        ("username", recipient.username),
        ("address", address),
        ("hours", &hours),
    ]);
    let say = |id: &str| LOCALES.lookup_with_args(&lang, id, &args);
    let body = Body {
        paragraphs: vec![
            say("invite-greeting"),
            say("invite-intro"),
            say("invite-address"),
        ],
        action: Some((say("invite-action"), link.to_owned())),
        after: vec![say("invite-expiry"), say("invite-ignore")],
        signature: say("signature"),
    };
    mail(
        recipient,
        say("invite-subject"),
        body,
        Some(link.to_owned()),
    )
}

/// How a password came to change, for the notice's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// By a reset link: every session ended.
    Reset,
    /// By its owner in Account settings: every other session ended.
    ByOwner,
}

/// The notice that the account's password changed, at `when` (UTC).
pub fn password_changed(
    recipient: &Recipient<'_>,
    tenant: &str,
    when: &str,
    change: Change,
) -> Mail {
    let lang = language(recipient.locale);
    let args = args(&[
        ("tenant", tenant),
        ("name", recipient.name),
        ("username", recipient.username),
        ("when", when),
    ]);
    let say = |id: &str| LOCALES.lookup_with_args(&lang, id, &args);
    let body = Body {
        paragraphs: vec![
            say("changed-greeting"),
            say(match change {
                Change::Reset => "changed-body",
                Change::ByOwner => "changed-body-own",
            }),
        ],
        action: None,
        after: vec![say("changed-warning")],
        signature: say("signature"),
    };
    mail(recipient, say("changed-subject"), body, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(ftl: &str) -> BTreeSet<&str> {
        ftl.lines()
            .filter(|line| !line.starts_with('#') && !line.starts_with(' '))
            .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim()))
            .filter(|id| !id.is_empty())
            .collect()
    }

    #[test]
    fn every_language_has_every_message() {
        let en = ids(include_str!("../../i18n/en/mail.ftl"));
        let de = ids(include_str!("../../i18n/de/mail.ftl"));
        assert!(en.len() >= 10, "{en:?}");
        assert_eq!(en, de, "a message exists in one language and not the other");
    }

    fn anna(locale: &str) -> Recipient<'_> {
        Recipient {
            address: "anna@acme.example",
            name: "Anna <Berg>",
            username: "anna",
            locale,
        }
    }

    #[test]
    fn reset_mail_carries_the_link_in_both_parts_and_escapes_names() {
        let link = "https://acme.example.com/reset-password#token=abc";
        let mail = password_reset(&anna("en"), "Acme & Co", link, 30);
        assert_eq!(mail.subject, "Reset your password for Acme & Co");
        assert!(mail
            .text
            .contains(&format!("Set a new password:\n{link}\n")));
        assert!(mail.text.contains("for 30 minutes"));
        assert!(mail
            .html
            .contains("href=\"https://acme.example.com/reset-password#token=abc\""));
        assert!(mail.html.contains("Hello Anna &lt;Berg&gt;,"));
        assert!(mail.html.contains("Acme &amp; Co"));
        assert!(!mail.text.contains('\u{2068}'), "no isolation marks");
        assert_eq!(mail.link.as_deref(), Some(link));
    }

    #[test]
    fn mail_follows_the_account_language() {
        let mail = password_reset(&anna("de"), "Acme", "http://x/reset-password#token=t", 30);
        assert_eq!(mail.subject, "Passwort für Acme zurücksetzen");
        assert!(mail.text.contains("30 Minuten"));
        let changed = password_changed(
            &anna("xx-unknown"),
            "Acme",
            "2026-11-30 07:00 UTC",
            Change::Reset,
        );
        assert_eq!(changed.subject, "Your password for Acme was changed");
        assert!(changed.text.contains("on 2026-11-30 07:00 UTC"));
        assert_eq!(changed.link, None);
    }
}
