//! Writes the browser's copy of the common-password list to OUT_DIR: only the
//! entries of at least `MIN_LENGTH_FLOOR` characters. Every shorter password
//! is refused for its length before the list is consulted, so those entries
//! can never change a verdict, and leaving them out keeps the WebAssembly
//! bundle small (see `src/password_policy.rs`).

use std::error::Error;
use std::path::Path;
use std::{env, fs};

/// Must equal `password_policy::MIN_LENGTH_FLOOR`; a test there checks that
/// this file's output is the full list filtered by that constant.
const MIN_LENGTH_FLOOR: usize = 12;

const LIST: &str = "src/common_passwords.txt";
const OUT_FILE: &str = "common_passwords_long.txt";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={LIST}");
    println!("cargo:rerun-if-changed=build.rs");
    let list = fs::read_to_string(LIST)?;
    let mut long = String::new();
    for entry in list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|entry| entry.chars().count() >= MIN_LENGTH_FLOOR)
    {
        long.push_str(entry);
        long.push('\n');
    }
    let out_dir = env::var("OUT_DIR")?;
    fs::write(Path::new(&out_dir).join(OUT_FILE), long)?;
    Ok(())
}
