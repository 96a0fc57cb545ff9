//! The languages the product speaks, for the screens and the mail alike.

/// Every supported language tag; the first is the fallback.
pub const SUPPORTED: [&str; 2] = ["en", "de"];
pub const DEFAULT: &str = SUPPORTED[0];

/// The supported tag for `tag` (`de-AT` → `de`), if there is one.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    SUPPORTED.iter().copied().find(|known| *known == primary)
}

/// The first supported language of a browser's preference list, else the
/// default.
pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> &'static str {
    preferred.into_iter().find_map(supported).unwrap_or(DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_preferences_pick_the_first_supported_language() {
        assert_eq!(negotiate(["de-AT", "en"]), "de");
        assert_eq!(negotiate(["fr", "DE_de"]), "de");
        assert_eq!(negotiate(["fr", "it"]), "en");
        assert_eq!(negotiate([]), "en");
        assert_eq!(supported("en-GB"), Some("en"));
        assert_eq!(supported("english"), None);
    }
}
