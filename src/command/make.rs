//! `examforge make`: draw and render in one go.

use super::draw::{draw_manifest, write_manifest};
use super::render;
use crate::cli::MakeArgs;
use crate::error::ExitCode;
use crate::io::output::OutputSet;
use crate::Error;
use std::path::PathBuf;

/// The bundled closed-book blueprint, used when `make` is given none.
pub const DEFAULT_BLUEPRINT: &str = "question-banks/closed-book.toml";

/// Runs `make`.
pub fn run(a: &MakeArgs) -> Result<ExitCode, Error> {
    let blueprint = match &a.blueprint {
        Some(b) => b.clone(),
        None => {
            let p = PathBuf::from(DEFAULT_BLUEPRINT);
            if !p.is_file() {
                return Err(Error::input(format!("no blueprint given and `{DEFAULT_BLUEPRINT}` is not here"), "run `examforge make BLUEPRINT.toml`, or run it from the examforge folder, or `examforge init DIR` to start a workspace"));
            }
            p
        }
    };
    let out = OutputSet::new(&a.out.output, a.out.force, render::VERB);
    // typst and its fonts are looked for while the exam is drawn.
    let (manifest, found) = std::thread::scope(|s| {
        let found = s.spawn(|| render::find_typst(&a.render));
        let manifest = draw_manifest(&blueprint, &a.draw);
        (
            manifest,
            found
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    let manifest = manifest?;
    let plan = render::plan_with(&manifest, &a.render, found)?;
    let mut names = plan.names();
    names.extend(["exam.json".to_string(), "key.csv".to_string()]);
    out.check_free(&names)?;
    write_manifest(&out, &manifest)?;
    let done = render::write(plan, &manifest, &a.render, &out)?;
    out.commit()?;
    eprintln!("{done}");
    Ok(ExitCode::Success)
}
