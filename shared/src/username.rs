//! Usernames: unique in a tenant, compared after Unicode normalisation
//! (NFKC), trimming and case folding, so that look-alike spellings
//! (`ＡＮＮＡ`, `Anna`, `anna`) name one account.
//!
//! Character set: Unicode letters and digits, and `.` `_` `-` `@`; at most
//! 64 characters after normalisation.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const MAX_USERNAME_CHARS: usize = 64;

/// A username as it is stored and compared: NFKC, trimmed, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsernameError {
    Empty,
    TooLong,
    InvalidCharacter(char),
}

impl fmt::Display for UsernameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsernameError::Empty => f.write_str("Enter a username."),
            UsernameError::TooLong => {
                write!(f, "A username has at most {MAX_USERNAME_CHARS} characters.")
            }
            UsernameError::InvalidCharacter(c) => write!(
                f,
                "A username may contain letters, digits and . _ - @ only, not `{c}`."
            ),
        }
    }
}

impl std::error::Error for UsernameError {}

impl Username {
    /// Parses what a person typed: compatibility characters are normalised
    /// (NFKC: full-width `ａ` is `a`), surrounding white space is dropped and
    /// the result is lower-cased, so `  Anna.Berg `, `ａｎｎａ.berg` and
    /// `anna.berg` are one.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let normalized: String = raw.nfkc().collect();
        let trimmed = normalized.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if trimmed.chars().count() > MAX_USERNAME_CHARS {
            return Err(UsernameError::TooLong);
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
        {
            return Err(UsernameError::InvalidCharacter(c));
        }
        // Lower-casing can undo the normal form (rarely): normalise again.
        Ok(Username(trimmed.to_lowercase().nfkc().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_compatibility_characters() {
        let parse = |raw: &str| Username::parse(raw).map(|u| u.as_str().to_owned());
        assert_eq!(parse("ＡＮＮＡ.Berg"), Ok("anna.berg".to_owned()));
        // The ligature ﬁ and the superscript ² are their plain letters.
        assert_eq!(parse("ﬁona²"), Ok("fiona2".to_owned()));
        // Composed and decomposed umlauts are one name.
        assert_eq!(parse("Jo\u{0308}rg"), parse("Jörg"));
        // An ideographic space around the name is white space like any other.
        assert_eq!(parse("\u{3000}anna\u{3000}"), Ok("anna".to_owned()));
    }

    #[test]
    fn trims_and_folds_case() {
        assert_eq!(
            Username::parse("  Anna.Berg ").map(|u| u.as_str().to_owned()),
            Ok("anna.berg".to_owned())
        );
    }

    #[test]
    fn refuses_empty_long_and_odd_names() {
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err(UsernameError::TooLong)
        );
        assert_eq!(
            Username::parse("anna berg"),
            Err(UsernameError::InvalidCharacter(' '))
        );
        assert!(Username::parse("jürgen.müller@lager-3").is_ok());
    }
}
