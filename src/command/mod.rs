//! One file per verb; the only place that reads files, writes files, prints and runs processes.

mod bank;
mod banks;
mod draw;
mod fsio;
mod grade;
mod init;
mod make;
mod render;
mod scan;

use crate::cli::{BankCommand, Cli, Command};
use crate::Error;
use clap::CommandFactory;

/// Runs the parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Bank {
            command: BankCommand::Check { paths, format },
        } => bank::check(&paths, format),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "examforge",
                &mut std::io::stdout(),
            );
            Ok(0)
        }
        Command::Man => {
            let man = clap_mangen::Man::new(Cli::command());
            man.render(&mut std::io::stdout())
                .map_err(|source| Error::Write {
                    path: "stdout".into(),
                    source,
                })?;
            Ok(0)
        }
        Command::Draw(a) => draw::run(&a.blueprint, &a.draw, &a.output, a.force),
        Command::Render(a) => render::run(&a.exam, &a.render, &a.output, a.force),
        Command::Make(a) => make::run(&a),
        Command::Grade(a) => grade::run(&a),
        Command::Scan(a) => scan::run(&a),
        Command::Init { dir, force } => init::run(&dir, force),
    }
}
