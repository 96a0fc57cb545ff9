//! The `backoffice` binary: parse the command line and run it.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    backoffice::init_logging();
    match backoffice::cli::run(backoffice::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
