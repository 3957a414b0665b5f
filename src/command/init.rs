//! `examforge init`: a starter workspace on which `make` works at once.

use crate::error::ExitCode;
use crate::io::output::write_file;
use crate::render::DEFAULT_TEMPLATES;
use crate::Error;
use std::path::Path;

const FILES: &[(&str, &str)] = &[
    (
        "sample-en.toml",
        include_str!("../../question-banks/sample-en.toml"),
    ),
    (
        "roster.csv",
        include_str!("../../question-banks/roster.csv"),
    ),
    (
        "scripts/multi-half.rhai",
        include_str!("../../scripts/multi-half.rhai"),
    ),
    (
        "scripts/negative.rhai",
        include_str!("../../scripts/negative.rhai"),
    ),
    (
        "scripts/pass-grades.rhai",
        include_str!("../../scripts/pass-grades.rhai"),
    ),
    (
        "scripts/team-best-five.rhai",
        include_str!("../../scripts/team-best-five.rhai"),
    ),
    (
        "scripts/judges-trimmed-mean.rhai",
        include_str!("../../scripts/judges-trimmed-mean.rhai"),
    ),
    (
        "event/onsite.toml",
        include_str!("../../examples/event/onsite.toml"),
    ),
    (
        "event/onsite-scores.csv",
        include_str!("../../examples/event/onsite-scores.csv"),
    ),
    (
        "event/teams.csv",
        include_str!("../../examples/event/teams.csv"),
    ),
    (
        "event/quiz.csv",
        include_str!("../../examples/event/quiz.csv"),
    ),
    (
        "event/standings.toml",
        include_str!("../../examples/event/standings.toml"),
    ),
];

const BLUEPRINT: &str = include_str!("../../question-banks/sample-en-exam.toml");

/// A worked competition on the bundled bank and roster: one round open from `now` (Unix ms,
/// Beijing time) for seven days.
fn competition_file(now: i64) -> String {
    let day = (now / 1000 + 8 * 3600).div_euclid(86_400);
    let opens = crate::law::Date::from_unix_days(day);
    let closes = crate::law::Date::from_unix_days(day + 7);
    include_str!("../../examples/competition.toml")
        .replace(
            "2026-12-01T00:00:00+08:00",
            &format!("{opens}T00:00:00+08:00"),
        )
        .replace(
            "2026-12-08T00:00:00+08:00",
            &format!("{closes}T00:00:00+08:00"),
        )
}

/// Runs `init`.
pub fn run(dir: &Path, force: bool) -> Result<ExitCode, Error> {
    if dir.is_dir()
        && !force
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return Err(Error::input(
            format!("`{}` is not empty", dir.display()),
            "choose a new folder, or pass --force to write into it",
        ));
    }
    let mut files: Vec<(String, &str)> = FILES.iter().map(|(n, t)| (n.to_string(), *t)).collect();
    files.push(("blueprint.toml".into(), BLUEPRINT));
    let competition = competition_file(crate::serve::now_ms());
    files.push(("competition.toml".into(), &competition));
    files.extend(
        DEFAULT_TEMPLATES
            .iter()
            .map(|(n, t)| (format!("templates/{n}"), *t)),
    );
    for (name, text) in &files {
        write_file(&dir.join(name), text.as_bytes(), true)?;
    }
    eprintln!(
        "wrote {} files to {}\nnext: cd {} && examforge make blueprint.toml\n\
         the training event in event/ (a judged contest, quiz rounds, standings, certificates):\n  \
         examforge judge event/onsite.toml --forms --entrants event/teams.csv --judges 5 -o event/forms\n  \
         examforge judge event/onsite.toml event/onsite-scores.csv -o event/onsite\n  \
         examforge standings event/standings.toml -o event/standings\n  \
         examforge certificates event/standings -o event/certificates\n\
         the online competition (competition.toml):\n  \
         examforge serve codes competition.toml -o codes\n  \
         examforge serve competition.toml",
        files.len(),
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::Success)
}
