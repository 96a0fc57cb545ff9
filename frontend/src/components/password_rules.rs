//! What a set-a-new-password form shows beside the input as the person
//! types: the shared password policy as a checklist (the verdict the server
//! will give) and a rough strength meter, with words and not only colour.

use crate::i18n::{td_string, use_locale, Locale};
use leptos::prelude::*;
use shared::password_policy::{strength, PasswordPolicy, PasswordProblem, MAX_LENGTH};

/// Where one rule stands for the password typed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    Met,
    Unmet,
    /// Not judged yet: nothing typed, or the policy only checks the list of
    /// common passwords once the length is right.
    Pending,
}

impl RuleState {
    fn class(self) -> &'static str {
        match self {
            RuleState::Met => "password-rule rule-met",
            RuleState::Unmet => "password-rule rule-unmet",
            RuleState::Pending => "password-rule rule-pending",
        }
    }

    fn spoken(self, locale: Locale) -> &'static str {
        match self {
            RuleState::Met => td_string!(locale, password_rules.met),
            RuleState::Unmet => td_string!(locale, password_rules.unmet),
            RuleState::Pending => td_string!(locale, password_rules.pending),
        }
    }
}

/// Each rule of the policy with its state, in the order the policy checks
/// them. The maximum length is listed only when the password breaks it.
pub fn rule_states(
    locale: Locale,
    policy: PasswordPolicy,
    password: &str,
    username: &str,
) -> Vec<(RuleState, String)> {
    let problems = policy.check(password, username);
    let breaks = |wanted: fn(&PasswordProblem) -> bool| problems.iter().any(wanted);
    let typed = !password.is_empty();
    let too_short = breaks(|p| matches!(p, PasswordProblem::TooShort { .. }));
    let judged = |broken: bool, ready: bool| match (typed, broken, ready) {
        (false, _, _) => RuleState::Pending,
        (true, true, _) => RuleState::Unmet,
        (true, false, true) => RuleState::Met,
        (true, false, false) => RuleState::Pending,
    };

    let min_length = td_string!(locale, password_rules.min_length, min = policy.min_length);
    let mut rules = vec![(judged(too_short, typed), min_length)];
    if breaks(|p| matches!(p, PasswordProblem::TooLong { .. })) {
        let max_length = td_string!(locale, password_rules.max_length, max = MAX_LENGTH);
        rules.push((RuleState::Unmet, max_length));
    }
    // The policy looks the password up only once it is long enough.
    rules.push((
        judged(
            breaks(|p| *p == PasswordProblem::Common),
            typed && !too_short,
        ),
        td_string!(locale, password_rules.not_common).to_owned(),
    ));
    rules.push((
        judged(breaks(|p| *p == PasswordProblem::SameAsUsername), typed),
        td_string!(locale, password_rules.not_username).to_owned(),
    ));
    rules
}

/// The strength word for `shared::password_policy::strength`'s 0 to 4, and
/// how many of the meter's four segments it fills.
pub fn strength_rating(locale: Locale, password: &str) -> Option<(&'static str, u8)> {
    if password.is_empty() {
        return None;
    }
    Some(match strength(password) {
        0 | 1 => (td_string!(locale, password_rules.strength_weak), 1),
        2 => (td_string!(locale, password_rules.strength_fair), 2),
        3 => (td_string!(locale, password_rules.strength_good), 3),
        _ => (td_string!(locale, password_rules.strength_strong), 4),
    })
}

/// The strength meter (four segments and the word for them), then the
/// policy's rules, each marked met, not met or not checked yet: a mark that
/// differs in shape (and colour) per state, and the state in words for
/// screen readers. Both follow the typing.
#[component]
pub fn NewPasswordHelp(
    /// The ids the password input's `aria-describedby` names: the meter's
    /// and the checklist's.
    ids: (&'static str, &'static str),
    policy: PasswordPolicy,
    #[prop(into)] username: String,
    #[prop(into)] password: Signal<String>,
) -> impl IntoView {
    let locale = use_locale();
    move || {
        let locale = locale.get();
        let (rating, rules) = password.with(|p| {
            (
                strength_rating(locale, p),
                rule_states(locale, policy, p, &username),
            )
        });
        let none = td_string!(locale, password_rules.strength_none);
        let (word, level) = rating.unwrap_or((none, 0));
        view! {
            <div class="strength" id=ids.0>
                <div class=METER_CLASSES[usize::from(level)] aria-hidden="true">
                    <span></span>
                    <span></span>
                    <span></span>
                    <span></span>
                </div>
                <p class="strength-text">
                    {td_string!(locale, password_rules.strength)} " " <strong>{word}</strong>
                </p>
            </div>
            <div class="password-rules" id=ids.1>
                <p class="password-rules-title">{td_string!(locale, password_rules.title)}</p>
                <ul>
                    {rules
                        .into_iter()
                        .map(|(state, text)| {
                            view! {
                                <li class=state.class()>
                                    {text}
                                    <span class="visually-hidden">" " {state.spoken(locale)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    }
}

const METER_CLASSES: [&str; 5] = [
    "strength-bar",
    "strength-bar strength-level-1",
    "strength-bar strength-level-2",
    "strength-bar strength-level-3",
    "strength-bar strength-level-4",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn states(password: &str) -> Vec<RuleState> {
        rule_states(
            Locale::en,
            PasswordPolicy::with_min_length(12),
            password,
            "rita",
        )
        .into_iter()
        .map(|(state, _)| state)
        .collect()
    }

    #[test]
    fn nothing_is_judged_before_typing() {
        use RuleState::Pending;
        assert_eq!(states(""), vec![Pending, Pending, Pending]);
    }

    #[test]
    fn the_list_waits_for_the_length() {
        use RuleState::*;
        assert_eq!(states("short"), vec![Unmet, Pending, Met]);
        assert_eq!(states("password1234"), vec![Met, Unmet, Met]);
        assert_eq!(states("lantern orchard velvet"), vec![Met, Met, Met]);
        assert_eq!(states("RITA"), vec![Unmet, Pending, Unmet]);
    }

    #[test]
    fn the_maximum_shows_only_when_broken() {
        let long = "x".repeat(MAX_LENGTH + 1);
        let rules = rule_states(Locale::en, PasswordPolicy::default(), &long, "rita");
        assert_eq!(rules.len(), 4);
        assert_eq!(
            rules[1],
            (RuleState::Unmet, "At most 128 characters".to_owned())
        );
        let rules = rule_states(Locale::de, PasswordPolicy::default(), &long, "rita");
        assert_eq!(
            rules[1],
            (RuleState::Unmet, "Höchstens 128 Zeichen".to_owned())
        );
    }

    #[test]
    fn strength_has_four_words() {
        assert_eq!(strength_rating(Locale::en, ""), None);
        assert_eq!(
            strength_rating(Locale::en, "password1234"),
            Some(("Weak", 1))
        );
        assert_eq!(
            strength_rating(Locale::de, "lantern orchard velvet 42"),
            Some(("Stark", 4))
        );
    }
}
