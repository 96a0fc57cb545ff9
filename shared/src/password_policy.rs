//! The password policy, shared so the browser can show the same verdict the
//! server will give: a length range, not a common password, not the
//! username. No composition rules (NIST SP 800-63B).

use std::fmt;

/// No tenant may ask for fewer characters than this.
pub const MIN_LENGTH_FLOOR: usize = 8;
pub const DEFAULT_MIN_LENGTH: usize = 12;
/// Every tenant allows at least this many characters; the policy allows 128.
pub const MAX_LENGTH: usize = 128;

/// A handful of the most common passwords of at least eight characters; a
/// longer list can be loaded by the server later without changing callers.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "123456789012",
    "qwertyuiop",
    "qwerty123",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "admin123",
    "administrator",
    "letmein123",
    "changeme",
    "changeme123",
    "trustno1",
    "superman",
    "11111111",
    "111111111111",
    "00000000",
    "abc12345",
    "abcdefgh",
    "abcd1234",
    "aa123456",
    "monkey123",
    "dragon123",
    "starwars",
    "whatever",
    "correcthorsebatterystaple",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: DEFAULT_MIN_LENGTH,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    Common,
    SameAsUsername,
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordProblem::TooShort { min } => {
                write!(f, "Use at least {min} characters.")
            }
            PasswordProblem::TooLong { max } => write!(f, "Use at most {max} characters."),
            PasswordProblem::Common => {
                f.write_str("This password is too common. Choose a less predictable one.")
            }
            PasswordProblem::SameAsUsername => {
                f.write_str("The password must not be the username.")
            }
        }
    }
}

impl PasswordPolicy {
    /// A tenant's policy; a minimum below the floor is raised to it.
    pub fn with_min_length(min_length: usize) -> Self {
        PasswordPolicy {
            min_length: min_length.clamp(MIN_LENGTH_FLOOR, MAX_LENGTH),
        }
    }

    /// Every rule the password breaks, in the order a person should fix them.
    pub fn check(&self, password: &str, username: &str) -> Vec<PasswordProblem> {
        let mut problems = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            problems.push(PasswordProblem::TooShort {
                min: self.min_length,
            });
        }
        if length > MAX_LENGTH {
            problems.push(PasswordProblem::TooLong { max: MAX_LENGTH });
        }
        let folded = password.to_lowercase();
        if !username.trim().is_empty() && folded.trim() == username.trim().to_lowercase() {
            problems.push(PasswordProblem::SameAsUsername);
        } else if COMMON_PASSWORDS.contains(&folded.as_str()) {
            problems.push(PasswordProblem::Common);
        }
        problems
    }
}

/// A rough strength estimate from 0 (weak) to 4 (strong) for the meter in
/// the UI; it never replaces the policy check.
pub fn strength(password: &str) -> u8 {
    let length = password.chars().count();
    if length == 0 || COMMON_PASSWORDS.contains(&password.to_lowercase().as_str()) {
        return 0;
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_numeric()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    let score = match length {
        0..=7 => 0,
        8..=11 => 1,
        12..=15 => 2,
        16..=19 => 3,
        _ => 4,
    } + usize::from(classes >= 3 && length >= 12);
    score.min(4) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_wants_twelve_characters() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.check("short-one", "anna"),
            vec![PasswordProblem::TooShort { min: 12 }]
        );
        assert!(policy.check("a long enough passphrase", "anna").is_empty());
    }

    #[test]
    fn counts_characters_not_bytes() {
        let policy = PasswordPolicy::default();
        assert!(policy.check("ääääääääääää", "anna").is_empty());
        assert_eq!(
            policy.check("äääääääääää", "anna"),
            vec![PasswordProblem::TooShort { min: 12 }]
        );
    }

    #[test]
    fn refuses_common_passwords_and_the_username() {
        let policy = PasswordPolicy::with_min_length(8);
        assert_eq!(
            policy.check("Password123", "anna"),
            vec![PasswordProblem::Common]
        );
        assert_eq!(
            policy.check("Anna.Berg.2024", "anna.berg.2024"),
            vec![PasswordProblem::SameAsUsername]
        );
    }

    #[test]
    fn tenant_minimum_never_below_eight_and_max_is_128() {
        assert_eq!(
            PasswordPolicy::with_min_length(4).min_length,
            MIN_LENGTH_FLOOR
        );
        let too_long = "x".repeat(MAX_LENGTH + 1);
        assert_eq!(
            PasswordPolicy::default().check(&too_long, "anna"),
            vec![PasswordProblem::TooLong { max: MAX_LENGTH }]
        );
    }

    #[test]
    fn strength_grows_with_length() {
        assert_eq!(strength(""), 0);
        assert_eq!(strength("password"), 0);
        assert!(strength("correct horse battery staple") > strength("abcdefgh12"));
    }
}
