//! Writes the common-password lists to OUT_DIR, each entry once, sorted for
//! binary search (so neither the server nor the browser sorts at run time):
//! `common_passwords.txt`, every entry of `src/common_passwords.txt`, for
//! the server, and `common_passwords_long.txt`, only the entries of at least
//! `MIN_LENGTH_FLOOR` characters, for the browser. Every shorter password is
//! refused for its length before the list is consulted, so those entries can
//! never change a verdict, and leaving them out keeps the WebAssembly bundle
//! small (see `src/password_policy.rs`).

use std::error::Error;
use std::path::Path;
use std::{env, fs};

/// Must equal `password_policy::MIN_LENGTH_FLOOR`; a test there checks that
/// the browser's list is the full list filtered by that constant.
const MIN_LENGTH_FLOOR: usize = 12;

const LIST: &str = "src/common_passwords.txt";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={LIST}");
    println!("cargo:rerun-if-changed=build.rs");
    let list = fs::read_to_string(LIST)?;
    let mut entries: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    entries.sort_unstable();
    entries.dedup();
    let out_dir = env::var("OUT_DIR")?;
    let write = |name: &str, keep: fn(&str) -> bool| {
        let mut text = String::new();
        for entry in entries.iter().filter(|entry| keep(entry)) {
            text.push_str(entry);
            text.push('\n');
        }
        fs::write(Path::new(&out_dir).join(name), text)
    };
    write("common_passwords.txt", |_| true)?;
    write("common_passwords_long.txt", |entry| {
        entry.chars().count() >= MIN_LENGTH_FLOOR
    })?;
    Ok(())
}
