//! One file per verb; the only place that reads files, writes files, prints and runs processes.

mod bank;
mod bank_export;
mod bank_import;
mod banks;
mod certificates;
mod draw;
mod fsio;
mod grade;
mod init;
mod judge;
mod laws;
mod make;
mod print;
mod render;
mod report;
mod scan;
mod serve;
mod standings;
mod table;

use crate::cli::{BankCommand, Cli, Command};
use crate::Error;
use clap::CommandFactory;

/// Runs the parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Bank {
            command:
                BankCommand::Check {
                    paths,
                    format,
                    as_of,
                    strict,
                    laws,
                },
        } => bank::check(
            &paths,
            format,
            &bank::LawOptions {
                as_of,
                strict,
                laws,
            },
        ),
        Command::Bank {
            command: BankCommand::Import(a),
        } => bank_import::run(&a),
        Command::Bank {
            command: BankCommand::Export(a),
        } => bank_export::run(&a),
        Command::Completions { shell } => {
            // Generated in memory: clap_complete panics when stdout is closed early (`| head`).
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "examforge", &mut text);
            fsio::to_stdout(&text)?;
            Ok(0)
        }
        Command::Man => {
            let mut text = Vec::new();
            let man = clap_mangen::Man::new(Cli::command());
            man.render(&mut text).map_err(|source| Error::Write {
                path: "standard output".into(),
                source,
            })?;
            fsio::to_stdout(&text)?;
            Ok(0)
        }
        Command::Draw(a) => draw::run(&a.blueprint, &a.draw, &a.output, a.force),
        Command::Render(a) => render::run(&a.exam, &a.render, &a.output, a.force),
        Command::Make(a) => make::run(&a),
        Command::Grade(a) => grade::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Scan(a) => scan::run(&a),
        Command::Init { dir, force } => init::run(&dir, force),
        Command::Judge(a) => judge::run(&a),
        Command::Standings(a) => standings::run(&a),
        Command::Certificates(a) => certificates::run(&a),
        Command::Serve(a) => serve::run(&a),
    }
}
