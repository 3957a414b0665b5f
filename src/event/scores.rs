//! Score lists from outside the tool (an online quiz platform's export, hand-kept round
//! points): `entrant,team,points[,round]` (参赛者,单位,得分,轮次), one row per entrant and round.

use super::header_is;
use super::judging::Row;
use std::collections::HashMap;

const ENTRANT: &[&str] = &["entrant", "参赛者", "candidate", "id"];
use crate::input::table::columns::TEAM;
const POINTS: &[&str] = &["points", "得分", "score"];
const ROUND: &[&str] = &["round", "轮次"];
const NAME: &[&str] = &["name", "姓名"];

/// Where the fields of a score list are.
#[derive(Debug, Clone)]
pub struct ScoreColumns {
    entrant: usize,
    points: usize,
    team: Option<usize>,
    round: Option<usize>,
    name: Option<usize>,
}

/// The columns of a score list, when `header` is one (it needs an entrant and a points column).
pub fn score_columns(header: &[String]) -> Option<ScoreColumns> {
    let find = |aliases: &[&str]| header.iter().position(|h| header_is(h, aliases));
    Some(ScoreColumns {
        entrant: find(ENTRANT)?,
        points: find(POINTS)?,
        team: find(TEAM),
        round: find(ROUND),
        name: find(NAME),
    })
}

/// One entrant's total over the list's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub entrant: String,
    pub name: String,
    pub team: String,
    pub score: f64,
    pub line: usize,
}

/// A row that cannot be counted: its line and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// Sums each entrant's points over its rounds. A row without entrant, with a points cell that is
/// not a number, or repeating an entrant's round (or an entrant, when there are no rounds) is bad.
pub fn tally(cols: &ScoreColumns, rows: &[Row]) -> (Vec<Entry>, Vec<BadRow>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rounds: HashMap<(String, String), usize> = HashMap::new();
    let mut bad = Vec::new();
    for (line, fields) in rows {
        let get = |i: usize| fields.get(i).map_or("", |s| s.trim());
        let entrant = get(cols.entrant);
        let team = cols.team.map_or("", get);
        let round = cols.round.map_or("", get);
        let mut fail = |reason: String| {
            bad.push(BadRow {
                line: *line,
                reason,
            })
        };
        if entrant.is_empty() {
            fail("no entrant".into());
            continue;
        }
        let text = get(cols.points);
        let points = match text.parse::<f64>() {
            Ok(p) if p.is_finite() => p,
            _ => {
                fail(format!("points `{text}` is not a number"));
                continue;
            }
        };
        if let Some(first) = rounds.insert((entrant.to_string(), round.to_string()), *line) {
            fail(if cols.round.is_some() {
                format!("`{entrant}` has round `{round}` twice (also line {first})")
            } else {
                format!("`{entrant}` appears twice (also line {first}); add a round column when rows are rounds")
            });
            continue;
        }
        match index.get(entrant) {
            Some(&i) => {
                let e = &mut entries[i];
                if e.team != team {
                    fail(format!(
                        "team `{team}` differs from `{}` on line {}",
                        e.team, e.line
                    ));
                    continue;
                }
                e.score += points;
            }
            None => {
                index.insert(entrant.to_string(), entries.len());
                entries.push(Entry {
                    entrant: entrant.to_string(),
                    name: cols.name.map_or("", get).to_string(),
                    team: team.to_string(),
                    score: points,
                    line: *line,
                });
            }
        }
    }
    (entries, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<Row> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 2, l.split(',').map(str::to_string).collect()))
            .collect()
    }

    #[test]
    fn rounds_add_up_and_repeats_are_bad() {
        let h: Vec<String> = ["参赛者", "单位", "得分", "轮次"]
            .map(String::from)
            .to_vec();
        let cols = score_columns(&h).unwrap();
        let (e, bad) = tally(
            &cols,
            &rows(&[
                "张三,一队,10,1",
                "张三,一队,7.5,2",
                "李四,二队,x,1",
                "张三,一队,1,2",
            ]),
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].score, 17.5);
        assert_eq!(bad[0].line, 4);
        assert_eq!(bad[1].reason, "`张三` has round `2` twice (also line 3)");
    }
}
