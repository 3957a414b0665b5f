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

/// The Chinese workspace: the closed-book exam on the bundled banks, the roster, and the
/// training as one event (`event/event.toml`).
const ZH_FILES: &[(&str, &str)] = &[
    (
        "question-banks/closed-book.toml",
        include_str!("../../question-banks/closed-book.toml"),
    ),
    (
        "question-banks/xzcf.toml",
        include_str!("../../question-banks/xzcf.toml"),
    ),
    (
        "question-banks/hjbh-dq.toml",
        include_str!("../../question-banks/hjbh-dq.toml"),
    ),
    (
        "question-banks/gf-jsxm.toml",
        include_str!("../../question-banks/gf-jsxm.toml"),
    ),
    (
        "question-banks/sts-ys.toml",
        include_str!("../../question-banks/sts-ys.toml"),
    ),
    (
        "question-banks/xcjc-zj.toml",
        include_str!("../../question-banks/xcjc-zj.toml"),
    ),
    (
        "question-banks/laws.toml",
        include_str!("../../question-banks/laws.toml"),
    ),
    (
        "roster.csv",
        include_str!("../../question-banks/roster.csv"),
    ),
    (
        "event/event.toml",
        include_str!("../../examples/training/event.toml"),
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
        "event/video.toml",
        include_str!("../../examples/training/video.toml"),
    ),
    (
        "event/video-scores.csv",
        include_str!("../../examples/training/video-scores.csv"),
    ),
    (
        "event/quiz.csv",
        include_str!("../../examples/event/quiz.csv"),
    ),
    (
        "event/teams.csv",
        include_str!("../../examples/event/teams.csv"),
    ),
];

/// The seed `event/event.toml` draws the closed-book exam with.
const ZH_SEED: u64 = 2026;

/// Roster rows (0-based) with no answer sheet in the example: absent from the exam.
const ZH_ABSENT: [usize; 2] = [17, 48];

/// Runs `init --zh`: the Chinese workspace, where `examforge make` prints the closed-book exam
/// and `examforge event run event/event.toml` runs the whole training.
pub fn run_zh(dir: &Path, force: bool) -> Result<ExitCode, Error> {
    refuse_non_empty(dir, force)?;
    let mut files: Vec<(String, String)> = ZH_FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    files.extend(
        DEFAULT_TEMPLATES
            .iter()
            .map(|(n, t)| (format!("templates/{n}"), t.to_string())),
    );
    for (name, text) in &files {
        write_file(&dir.join(name), text.as_bytes(), true)?;
    }
    // The answer sheets are those of the papers the event draws, so that they grade sensibly.
    let manifest = super::draw::draw_manifest(
        &dir.join("question-banks/closed-book.toml"),
        &crate::cli::DrawOptions {
            seed: Some(ZH_SEED),
            variants: None,
            roster: None,
        },
    )?;
    let roster = super::draw::read_roster(&dir.join("roster.csv"))?;
    let (answers, manual) = example_answers(&manifest, &roster);
    write_file(&dir.join("event/answers.csv"), &answers, true)?;
    write_file(&dir.join("event/manual.csv"), &manual, true)?;
    eprintln!(
        "wrote {} files to {}\n\
         next: cd {} && examforge make --seed {ZH_SEED}\n\
         the training as one event (closed-book exam, on-site and video contests, quiz rounds,\n\
         team standings, certificates, the results to publish):\n  \
         examforge event run event/event.toml\n  \
         examforge event status event/event.toml",
        files.len() + 2,
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::Success)
}

/// Example answer sheets (examforge's own layout) and manual marks for the written parts: each
/// candidate answers right with a chance of their own, from a fixed sequence (no randomness:
/// the same workspace every time); two candidates are absent.
fn example_answers(
    m: &crate::draw::manifest::Manifest,
    roster: &[crate::draw::manifest::Candidate],
) -> (Vec<u8>, Vec<u8>) {
    use crate::bank::Answer;
    let leaves = m.papers.first().map_or(0, |p| p.leaves().count());
    let mut sheet: Vec<Vec<String>> = Vec::new();
    let mut head: Vec<String> = ["candidate", "name", "team", "paper"]
        .map(String::from)
        .to_vec();
    head.extend((1..=leaves).map(|n| n.to_string()));
    sheet.push(head);
    let mut manual: Vec<Vec<String>> =
        vec![["准考证号", "题号", "得分"].map(String::from).to_vec()];
    for (i, c) in roster.iter().enumerate() {
        if ZH_ABSENT.contains(&i) {
            continue;
        }
        let paper = &m.papers[i % m.papers.len()];
        let skill = 55 + (i * 37) % 41; // 55–95 in 100
        let mut row = vec![
            c.id.clone(),
            c.name.clone(),
            c.team.clone(),
            paper.code.clone(),
        ];
        for (j, (_, it)) in paper.leaves().enumerate() {
            let roll = (i * 7919 + j * 104_729 + 17) % 100;
            let right = roll < skill;
            let cell = match &it.answer {
                Answer::Choice(ix) if right => Answer::letters(ix),
                Answer::Choice(ix) => {
                    let n = it.options.len().max(2);
                    let wrong = (ix.first().copied().unwrap_or(0) + 1 + roll % (n - 1)) % n;
                    Answer::letters(&[wrong])
                }
                Answer::Judge(b) => if *b == right { "T" } else { "F" }.into(),
                Answer::Fill(blanks) if right => blanks
                    .iter()
                    .map(|alts| alts.first().cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("|"),
                Answer::Fill(_) => String::new(),
                Answer::Text { .. } | Answer::Parts => {
                    // Marked by hand: points in steps of a half, after the candidate's skill.
                    let got = (it.points * skill as f64 / 100.0 * 2.0).round() / 2.0;
                    manual.push(vec![
                        c.id.clone(),
                        (j + 1).to_string(),
                        crate::bank::fmt_points(got),
                    ]);
                    String::new()
                }
            };
            row.push(cell);
        }
        sheet.push(row);
    }
    (
        crate::io::output::excel_csv(&sheet),
        crate::io::output::excel_csv(&manual),
    )
}

fn refuse_non_empty(dir: &Path, force: bool) -> Result<(), Error> {
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
    Ok(())
}

/// Runs `init`.
pub fn run(dir: &Path, force: bool) -> Result<ExitCode, Error> {
    refuse_non_empty(dir, force)?;
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
