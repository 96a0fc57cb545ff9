//! Compares the translation catalogues (`locales/<lang>.json`): every
//! language must have the same keys, and each entry the same
//! `{{ placeholders }}`. leptos_i18n itself only warns about a key missing
//! in one language and shows the default language's words instead, so
//! `build.rs` runs this and stops the build, and a unit test runs it too.
//! Shared by both through `#[path]`; it needs only `serde_json`.

use serde_json::Value;
use std::collections::BTreeMap;

/// Each entry of a catalogue: its dotted key and its placeholders, sorted.
pub fn entries(json: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let root: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut found = BTreeMap::new();
    collect(&root, "", &mut found)?;
    Ok(found)
}

fn collect(
    value: &Value,
    prefix: &str,
    found: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                collect(child, &path, found)?;
            }
            Ok(())
        }
        Value::String(text) => {
            found.insert(prefix.to_owned(), placeholders(text));
            Ok(())
        }
        _ => Err(format!("`{prefix}` is neither text nor a group of keys")),
    }
}

/// The names inside `{{ … }}`, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    names.sort();
    names
}

/// What differs between two catalogues, one line per problem; empty when
/// they match.
pub fn differences(first: (&str, &str), second: (&str, &str)) -> Result<Vec<String>, String> {
    let (first_name, first_json) = first;
    let (second_name, second_json) = second;
    let first_entries = entries(first_json).map_err(|e| format!("{first_name}: {e}"))?;
    let second_entries = entries(second_json).map_err(|e| format!("{second_name}: {e}"))?;
    let mut problems = Vec::new();
    for (key, names) in &first_entries {
        match second_entries.get(key) {
            None => problems.push(format!("`{key}` is in {first_name} but not in {second_name}")),
            Some(other) if other != names => problems.push(format!(
                "`{key}` has the placeholders {names:?} in {first_name} but {other:?} in {second_name}"
            )),
            Some(_) => {}
        }
    }
    for key in second_entries.keys() {
        if !first_entries.contains_key(key) {
            problems.push(format!(
                "`{key}` is in {second_name} but not in {first_name}"
            ));
        }
    }
    Ok(problems)
}
