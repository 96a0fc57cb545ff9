//! The password policy, shared so the browser can show the same verdict the
//! server will give: a length range, not a common password, not the
//! username. No composition rules (NIST SP 800-63B).

use std::fmt;
use std::sync::OnceLock;

/// No tenant may ask for fewer characters than this.
pub const MIN_LENGTH_FLOOR: usize = 12;
pub const DEFAULT_MIN_LENGTH: usize = 12;
/// Every tenant allows at least this many characters; the policy allows 128.
pub const MAX_LENGTH: usize = 128;

const _: () = assert!(MIN_LENGTH_FLOOR <= DEFAULT_MIN_LENGTH && DEFAULT_MIN_LENGTH <= MAX_LENGTH);

/// The common-password list: `src/common_passwords.txt`, lower-cased, one
/// entry per line, `#` lines are comments: the 30,000 most common passwords
/// from the `passwords` frequency list of the npm package zxcvbn 4.4.2 (MIT,
/// Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; the file's header
/// carries the license), plus a few entries kept from this project's earlier
/// built-in list. `build.rs` writes its entries sorted and without
/// duplicates, so neither side sorts at run time.
#[cfg(not(target_arch = "wasm32"))]
const COMMON_PASSWORDS: &str = include_str!(concat!(env!("OUT_DIR"), "/common_passwords.txt"));

/// The browser's copy: only the entries of at least [`MIN_LENGTH_FLOOR`]
/// characters, written by `build.rs`. A shorter password is refused for its
/// length before the list is consulted, so [`PasswordPolicy::check`] gives
/// the same verdict as on the server, for about 2 KB gzipped instead of about
/// 130 KB. Only [`strength`] can differ: a common password of 8 to 11
/// characters scores 1 in the browser and 0 on the server (both "weak", and
/// both refused by length).
#[cfg(target_arch = "wasm32")]
const COMMON_PASSWORDS: &str = include_str!(concat!(env!("OUT_DIR"), "/common_passwords_long.txt"));

/// The entries of a list `build.rs` wrote: one per line, already sorted for
/// binary search and without duplicates (sorting in the browser cost 2 KB of
/// the bundle, decision 0034).
fn parse_list(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The common-password list, parsed once on first use.
fn common_passwords() -> &'static [&'static str] {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    SORTED.get_or_init(|| parse_list(COMMON_PASSWORDS))
}

/// Whether `folded` (already lower-cased) is in the sorted `list`.
fn is_listed(list: &[&str], folded: &str) -> bool {
    list.binary_search(&folded).is_ok()
}

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

impl PasswordProblem {
    /// The stable code the API answers with, in a problem's `error_codes`.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort { .. } => "password_too_short",
            PasswordProblem::TooLong { .. } => "password_too_long",
            PasswordProblem::Common => "password_common",
            PasswordProblem::SameAsUsername => "password_same_as_username",
        }
    }
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
        self.check_against(common_passwords(), password, username)
    }

    fn check_against(
        &self,
        common: &[&str],
        password: &str,
        username: &str,
    ) -> Vec<PasswordProblem> {
        // A policy built as a struct literal still gets the floor, so no
        // tenant gets less and the browser's shorter list stays exact.
        let min_length = self.min_length.clamp(MIN_LENGTH_FLOOR, MAX_LENGTH);
        let mut problems = Vec::new();
        let length = password.chars().count();
        let too_short = length < min_length;
        if too_short {
            problems.push(PasswordProblem::TooShort { min: min_length });
        }
        if length > MAX_LENGTH {
            problems.push(PasswordProblem::TooLong { max: MAX_LENGTH });
        }
        let folded = password.to_lowercase();
        if !username.trim().is_empty() && folded.trim() == username.trim().to_lowercase() {
            problems.push(PasswordProblem::SameAsUsername);
        } else if !too_short && is_listed(common, &folded) {
            // Length comes first: a password that is too short gets only that
            // advice, since lengthening it is the fix and may well also make
            // it uncommon. This is also why the browser needs only the list's
            // entries of at least MIN_LENGTH_FLOOR characters.
            problems.push(PasswordProblem::Common);
        }
        problems
    }
}

/// A rough strength estimate from 0 (weak) to 4 (strong) for the meter in
/// the UI; it never replaces the policy check. Character classes are ASCII
/// ones: a letter or digit outside ASCII (`ä`, `ß`, `٣`) counts as a symbol,
/// so a few passwords rate a step apart from a Unicode-aware count (Unicode
/// classes cost 3 KB of the browser's bundle, decision 0032).
pub fn strength(password: &str) -> u8 {
    let length = password.chars().count();
    if length == 0 || is_listed(common_passwords(), &password.to_lowercase()) {
        return 0;
    }
    let classes = [
        password.bytes().any(|b| b.is_ascii_lowercase()),
        password.bytes().any(|b| b.is_ascii_uppercase()),
        password.bytes().any(|b| b.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
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
    fn refuses_common_passwords_of_twelve_or_more_in_any_case() {
        let policy = PasswordPolicy::default();
        for password in [
            "password1234",
            "Password1234",
            "PASSWORD1234",
            "qwertyuiop12",
            "QwertyUiop123",
            "1qaz2wsx3edc",
            "1q2w3e4r5t6y",
            "qwerty123456",
            "leavemealone",
            "sonyericsson",
            "111111111111",
            "correcthorsebatterystaple",
        ] {
            assert_eq!(
                policy.check(password, "anna"),
                vec![PasswordProblem::Common],
                "{password}"
            );
        }
    }

    #[test]
    fn short_famous_passwords_are_refused_for_length_first() {
        let policy = PasswordPolicy::default();
        for password in [
            "password",
            "Password123",
            "123456789",
            "qwertyuiop",
            "iloveyou",
        ] {
            assert!(is_listed(common_passwords(), &password.to_lowercase()));
            assert_eq!(
                policy.check(password, "anna"),
                vec![PasswordProblem::TooShort { min: 12 }],
                "{password}"
            );
        }
    }

    #[test]
    fn accepts_a_passphrase_not_in_the_list() {
        let passphrase = "lantern orchard velvet 42";
        assert!(!is_listed(common_passwords(), passphrase));
        assert!(PasswordPolicy::default()
            .check(passphrase, "anna")
            .is_empty());
    }

    #[test]
    fn refuses_the_username() {
        assert_eq!(
            PasswordPolicy::default().check("Anna.Berg.2024", "anna.berg.2024"),
            vec![PasswordProblem::SameAsUsername]
        );
    }

    #[test]
    fn list_has_at_least_ten_thousand_lower_case_entries() {
        let list = common_passwords();
        assert!(list.len() >= 10_000, "{}", list.len());
        assert!(list.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(list.iter().all(|entry| *entry == entry.to_lowercase()));
    }

    #[test]
    fn browser_list_is_the_entries_of_at_least_the_floor() {
        let browser = parse_list(include_str!(concat!(
            env!("OUT_DIR"),
            "/common_passwords_long.txt"
        )));
        let expected: Vec<&str> = common_passwords()
            .iter()
            .copied()
            .filter(|entry| entry.chars().count() >= MIN_LENGTH_FLOOR)
            .collect();
        assert_eq!(browser, expected);
        // The browser's list gives the server's verdict for every entry.
        let policy = PasswordPolicy::default();
        for entry in common_passwords() {
            // Upper case, and the Kelvin sign, which lower-cases to `k`.
            for password in [
                entry.to_string(),
                entry.to_uppercase(),
                entry.replace('k', "\u{212A}"),
            ] {
                assert_eq!(
                    policy.check_against(&browser, &password, "anna"),
                    policy.check(&password, "anna"),
                    "{password}"
                );
            }
        }
    }

    #[test]
    fn tenant_minimum_never_below_twelve_and_max_is_128() {
        assert_eq!(PasswordPolicy::with_min_length(8).min_length, 12);
        assert_eq!(
            PasswordPolicy::with_min_length(4).min_length,
            MIN_LENGTH_FLOOR
        );
        assert_eq!(PasswordPolicy::with_min_length(16).min_length, 16);
        assert_eq!(PasswordPolicy::with_min_length(1000).min_length, MAX_LENGTH);
        // A policy written as a literal gets the floor too.
        assert_eq!(
            PasswordPolicy { min_length: 8 }.check("password1", "anna"),
            vec![PasswordProblem::TooShort { min: 12 }]
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
        assert_eq!(strength("Password1234"), 0);
        assert!(strength("correct horse battery staple") > strength("abcdefgh12"));
    }

    #[test]
    fn strength_counts_ascii_classes_and_the_rest_as_symbols() {
        // Lower, upper, digit: three classes at twelve characters.
        assert_eq!(strength("Lantern12345"), 3);
        // Only lower-case ASCII: length alone.
        assert_eq!(strength("lanternorchard"), 2);
        // `ä` and `ß` count as symbols: lower and symbol, two classes.
        assert_eq!(strength("straßenbähnle"), 2);
        // Upper, lower and a non-ASCII letter as the third class.
        assert_eq!(strength("Straßenbahnen"), 3);
    }

    #[test]
    fn lists_are_written_sorted_and_without_duplicates() {
        for list in [
            parse_list(COMMON_PASSWORDS),
            parse_list(include_str!(concat!(
                env!("OUT_DIR"),
                "/common_passwords_long.txt"
            ))),
        ] {
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]));
            assert!(list.iter().all(|entry| !entry.is_empty()
                && !entry.starts_with('#')
                && *entry == entry.trim()));
        }
    }
}
