//! Generated banks and blueprints of any size, for benchmarks and property tests.

use crate::bank::{Answer, Bank, Kind, Language, Question, TextFormat};
use crate::blueprint::{Blueprint, DrawSpec, ExamSpec, Mode, Quota, ScoringSpec, SectionSpec};

/// A bank of `n` questions cycling through single, multiple and judge, tagged `t0`…`t9`.
pub fn bank(n: usize) -> Bank {
    let questions = (0..n)
        .map(|i| {
            let kind = [Kind::Single, Kind::Single, Kind::Multiple, Kind::Judge][i % 4];
            let (options, answer) = match kind {
                Kind::Single => (
                    (0..4).map(|o| format!("option {o} of {i}")).collect(),
                    Answer::Choice(vec![i % 4]),
                ),
                Kind::Multiple => (
                    (0..5).map(|o| format!("option {o} of {i}")).collect(),
                    Answer::Choice(
                        vec![i % 5, (i + 2) % 5]
                            .into_iter()
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .collect(),
                    ),
                ),
                _ => (Vec::new(), Answer::Judge(i % 2 == 0)),
            };
            Question {
                id: format!("g{i:05}"),
                kind,
                stem: format!("generated question {i}"),
                options,
                answer,
                tags: vec![format!("t{}", i % 10)],
                difficulty: (i % 5) as u8 + 1,
                points: 1.0,
                explanation: String::new(),
                source: "generated".into(),
                shuffle: true,
                format: TextFormat::Plain,
                scenario: None,
                parts: Vec::new(),
                location: crate::input::diagnostic::Location {
                    file: "generated".into(),
                    line: i,
                    col: 1,
                },
            }
        })
        .collect();
    Bank {
        id: "generated".into(),
        title: "generated".into(),
        language: Language::En,
        path: "generated.toml".into(),
        sha256: "0".repeat(64),
        questions,
    }
}

/// A blueprint of 100 items: 50 single (with a quota), 25 multiple, 25 judge.
pub fn blueprint(mode: Mode) -> Blueprint {
    let section = |kind, count, points, quotas: Vec<Quota>| SectionSpec {
        title: None,
        kind,
        count,
        points,
        rule: None,
        penalty: None,
        tags_any: Vec::new(),
        tags_all: Vec::new(),
        tags_none: Vec::new(),
        difficulty: None,
        ids: Vec::new(),
        exclude: Vec::new(),
        target: None,
        quotas,
    };
    Blueprint {
        exam: ExamSpec {
            title: "generated".into(),
            subtitle: String::new(),
            duration: None,
            instructions: Vec::new(),
            banks: vec!["generated.toml".into()],
            total: Some(150.0),
            confidential: false,
            language: None,
            date: None,
            outdated: None,
        },
        draw: DrawSpec {
            mode,
            ..DrawSpec::default()
        },
        scoring: ScoringSpec::default(),
        sections: vec![
            section(
                Kind::Single,
                50,
                1.0,
                vec![Quota {
                    tag: "t1".into(),
                    count: 5,
                }],
            ),
            section(Kind::Multiple, 25, 2.0, Vec::new()),
            section(Kind::Judge, 25, 2.0, Vec::new()),
        ],
    }
}
