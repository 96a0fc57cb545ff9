//! Generates the `i18n` module (`src/i18n.rs` includes it) from the
//! translation catalogues `locales/en.json` and `locales/de.json` with
//! leptos_i18n_build, after checking that both have the same keys and
//! placeholders: a key in one language only stops the build, naming it
//! (leptos_i18n alone would only warn and show English).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;
use std::{env, fs};

#[path = "src/catalogue_keys.rs"]
mod catalogue_keys;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/catalogue_keys.rs");
    let english = fs::read_to_string("locales/en.json")?;
    let german = fs::read_to_string("locales/de.json")?;
    let problems = catalogue_keys::differences(("en", &english), ("de", &german))?;
    if !problems.is_empty() {
        return Err(format!(
            "locales/en.json and locales/de.json differ:\n  {}",
            problems.join("\n  ")
        )
        .into());
    }

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    // `interpolate_display`: `td_string!` with values gives a `String`, for
    // titles, attributes and messages kept in signals.
    let config = Config::new("en")?
        .add_locale("de")?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out_dir.join("i18n"))?;
    Ok(())
}
