//! Who gets an honour certificate (荣誉证书), and with which award.

use super::standings::{Awards, Standings};
use crate::render::chinese_number;
use serde::Serialize;

/// How awards follow from ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Ranks 1..=N, each named by its place (第一名, 第二名, …).
    Top(usize),
    /// Prize classes by rank cut-offs (一等奖, 二等奖, 三等奖).
    Prizes(Awards),
}

/// One certificate to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certificate {
    /// `team` or `individual`.
    pub kind: &'static str,
    pub recipient: String,
    /// The recipient's team (individuals only).
    pub team: String,
    pub rank: usize,
    pub score: f64,
    pub award: String,
    pub title: String,
    pub organiser: String,
    pub date: String,
}

fn label(cut: &Cut, rank: usize) -> Option<String> {
    match cut {
        Cut::Top(n) => (rank <= *n).then(|| format!("第{}名", chinese_number(rank))),
        Cut::Prizes(a) => {
            if rank <= a.first {
                Some("一等奖".into())
            } else if rank <= a.second {
                Some("二等奖".into())
            } else if rank <= a.third {
                Some("三等奖".into())
            } else {
                None
            }
        }
    }
}

/// The certificates: teams first, then individuals, each in rank order. Tied entrants share
/// their award.
pub fn award(s: &Standings, cut: &Cut) -> Vec<Certificate> {
    let make = |kind, recipient: &str, team: &str, rank, score| {
        label(cut, rank).map(|award| Certificate {
            kind,
            recipient: recipient.to_string(),
            team: team.to_string(),
            rank,
            score,
            award,
            title: s.title.clone(),
            organiser: s.organiser.clone(),
            date: s.date.clone(),
        })
    };
    let mut out = Vec::new();
    if s.entrant == super::Entrant::Team {
        out.extend(
            s.standings
                .iter()
                .filter_map(|r| make("team", &r.entrant, "", r.rank, r.score)),
        );
    } else {
        out.extend(
            s.teams
                .iter()
                .filter_map(|t| make("team", &t.team, "", t.rank, t.score)),
        );
        out.extend(s.standings.iter().filter_map(|r| {
            let who = if r.name.is_empty() {
                &r.entrant
            } else {
                &r.name
            };
            make("individual", who, &r.team, r.rank, r.score)
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::standings::Standing;

    fn standings(scores: &[(&str, f64, usize)]) -> Standings {
        Standings {
            title: "t".into(),
            entrant: super::super::Entrant::Team,
            organiser: String::new(),
            date: String::new(),
            awards: None,
            events: Vec::new(),
            standings: scores
                .iter()
                .map(|(e, s, r)| Standing {
                    entrant: e.to_string(),
                    name: e.to_string(),
                    team: e.to_string(),
                    score: *s,
                    rank: *r,
                    events: Vec::new(),
                })
                .collect(),
            teams: Vec::new(),
            missing: Vec::new(),
        }
    }

    #[test]
    fn ties_share_the_award() {
        let s = standings(&[
            ("甲", 90.0, 1),
            ("乙", 80.0, 2),
            ("丙", 80.0, 2),
            ("丁", 70.0, 4),
        ]);
        let top: Vec<String> = award(&s, &Cut::Top(3))
            .into_iter()
            .map(|c| c.award)
            .collect();
        assert_eq!(top, vec!["第一名", "第二名", "第二名"]);
        let prizes = award(
            &s,
            &Cut::Prizes(Awards {
                first: 1,
                second: 2,
                third: 4,
            }),
        );
        let got: Vec<&str> = prizes.iter().map(|c| c.award.as_str()).collect();
        assert_eq!(got, vec!["一等奖", "二等奖", "二等奖", "三等奖"]);
    }
}
