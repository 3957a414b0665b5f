//! One file per verb: read inputs, call the core, hand outputs to `io`.
//!
//! The verbs share services, each in a file of its own and never borrowed from another verb:
//! `banks` and `laws` (reading banks and the statute registry), `manifest` (exam.json),
//! `results` (the folder `grade` writes), `print` (templates and typst), `script` (rule scripts
//! and diagnostics); files are read and written through `crate::io`.

mod bank;
mod bank_export;
mod bank_import;
mod banks;
mod certificates;
mod draw;
mod event;
mod grade;
mod init;
mod judge;
mod laws;
mod make;
mod manifest;
mod print;
mod render;
mod report;
mod results;
mod say;
mod scan;
mod script;
mod serve;
mod standings;

use crate::cli::{BankCommand, Cli, Command, EventCommand};
use crate::error::ExitCode;
use crate::io::output::OutputSet;
use crate::score::script::RuleScript;
use crate::Error;
use clap::CommandFactory;
use std::path::Path;

/// Runs the parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Bank {
            command:
                BankCommand::Check {
                    paths,
                    format,
                    as_of,
                    strict,
                    list_replaced,
                    laws,
                },
        } => bank::check(
            &paths,
            format,
            &bank::LawOptions {
                as_of,
                strict,
                list_replaced,
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
            crate::io::output::to_stdout(&text)?;
            Ok(ExitCode::Success)
        }
        Command::Man => {
            let mut text = Vec::new();
            let man = clap_mangen::Man::new(Cli::command());
            man.render(&mut text).map_err(|source| Error::Write {
                path: "standard output".into(),
                source,
            })?;
            crate::io::output::to_stdout(&text)?;
            Ok(ExitCode::Success)
        }
        Command::Draw(a) => draw::run(&a.blueprint, &a.draw, &a.out.output, a.out.force),
        Command::Render(a) => render::run(&a.exam, &a.render, &a.out.output, a.out.force),
        Command::Make(a) => make::run(&a),
        Command::Grade(a) => grade::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Scan(a) => scan::run(&a),
        Command::Init {
            dir,
            force,
            lang,
            zh,
        } => {
            if zh || lang == crate::cli::InitLanguage::Zh {
                init::run_zh(&dir, force)
            } else {
                init::run(&dir, force)
            }
        }
        Command::Judge(a) => judge::run(&a),
        Command::Standings(a) => standings::run(&a),
        Command::Certificates(a) => certificates::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Event {
            command: EventCommand::Run(a),
        } => event::run(&a),
        Command::Event {
            command: EventCommand::Status(a),
        } => event::status(&a),
    }
}

/// Refuses an output set that would replace one of its own inputs (`report results/ -o
/// results/` once wrote over the items.csv it had just read): the input would be lost, and with
/// it the means to check the outputs.
fn refuse_overwriting_inputs(
    out: &OutputSet,
    names: &[&str],
    inputs: &[&Path],
) -> Result<(), Error> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    for name in names {
        let path = out.path(name);
        if let Some(input) = inputs.iter().find(|i| same(&path, i)) {
            return Err(Error::input(
                format!(
                    "`{}` is an input of this command and would be overwritten by its output",
                    input.display()
                ),
                "write the outputs to another folder (-o)",
            ));
        }
    }
    Ok(())
}

/// Shows what a rule script printed (`print`, `debug`) since it was last asked.
fn show_script_log(script: Option<&RuleScript>) {
    for line in script.map(RuleScript::take_log).unwrap_or_default() {
        eprintln!("{line}");
    }
}
