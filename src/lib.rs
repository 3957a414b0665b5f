//! examforge: draw randomized exams from tagged question banks, print them through Typst,
//! and grade scanner CSVs with built-in or scripted rules.

pub mod bank;
pub mod blueprint;
pub mod cli;
pub mod command;
pub mod digest;
pub mod draw;
pub mod error;
pub mod event;
pub mod input;
pub mod io;
pub mod law;
pub mod rank;
pub mod render;
pub mod report;
pub mod scan;
pub mod score;
pub mod serve;
pub mod sheet;
pub mod store;

pub use error::Error;

/// Parses the command line, runs the command and turns the outcome into an exit status.
pub fn main_entry() -> std::process::ExitCode {
    let cli = cli::parse();
    match command::run(cli) {
        Ok(code) => code.into(),
        Err(e) => {
            error::print(&e);
            e.exit_code().into()
        }
    }
}
