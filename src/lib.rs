//! examforge: draw randomized exams from tagged question banks, print them through Typst,
//! and grade scanner CSVs with built-in or scripted rules.

pub mod bank;
pub mod blueprint;
pub mod cli;
pub mod command;
pub mod diagnostic;
pub mod draw;
pub mod error;
pub mod event;
pub mod law;
pub mod rank;
pub mod render;
pub mod report;
pub mod scan;
pub mod score;
pub mod serve;
pub mod sheet;
pub mod store;
pub mod toml_input;

pub use error::Error;

use std::process::ExitCode;

/// Parses the command line, runs the command and turns the outcome into an exit status.
pub fn main_entry() -> ExitCode {
    let cli = cli::parse();
    match command::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            error::print(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
