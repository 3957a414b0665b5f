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

/// The cut of each entrant kind: a kind without one gets no certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cuts {
    pub team: Option<Cut>,
    pub individual: Option<Cut>,
}

/// One certificate to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certificate {
    /// `team` or `individual`.
    pub kind: &'static str,
    /// The certificate number (empty without a number pattern).
    pub number: String,
    pub recipient: String,
    /// The recipient's team (individuals only).
    pub team: String,
    pub rank: usize,
    pub score: f64,
    pub award: String,
    pub title: String,
    pub organiser: String,
    /// As printed: in Chinese numerals for a Chinese event (二〇二六年十二月一日).
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

/// The certificates: teams first, then individuals, each in rank order, numbered in that order.
/// Each kind is awarded by its own cut only: individual cut-offs never award teams. Tied
/// entrants share their award.
pub fn award(s: &Standings, cuts: &Cuts) -> Vec<Certificate> {
    let date = if has_cjk(&s.title) {
        chinese_date(&s.date).unwrap_or_else(|| s.date.clone())
    } else {
        s.date.clone()
    };
    let make = |cut: &Cut, kind, recipient: &str, team: &str, rank, score| {
        label(cut, rank).map(|award| Certificate {
            kind,
            number: String::new(),
            recipient: recipient.to_string(),
            team: team.to_string(),
            rank,
            score,
            award,
            title: s.title.clone(),
            organiser: s.organiser.clone(),
            date: date.clone(),
        })
    };
    let mut out = Vec::new();
    if let Some(cut) = &cuts.team {
        if s.entrant == super::Entrant::Team {
            out.extend(
                s.standings
                    .iter()
                    .filter_map(|r| make(cut, "team", &r.entrant, "", r.rank, r.score)),
            );
        } else {
            out.extend(
                s.teams
                    .iter()
                    .filter_map(|t| make(cut, "team", &t.team, "", t.rank, t.score)),
            );
        }
    }
    if let (Some(cut), super::Entrant::Candidate) = (&cuts.individual, s.entrant) {
        out.extend(s.standings.iter().filter_map(|r| {
            let who = if r.name.is_empty() {
                &r.entrant
            } else {
                &r.name
            };
            make(cut, "individual", who, &r.team, r.rank, r.score)
        }));
    }
    if let Some(pattern) = &s.certificates.number {
        for (i, c) in out.iter_mut().enumerate() {
            c.number = certificate_number(pattern, i + 1);
        }
    }
    out
}

/// Checks a certificate number pattern: one `{}` or `{:0N}` (N up to 9), no other braces.
pub fn check_number(pattern: &str) -> Result<(), String> {
    let holes = pattern.matches('{').count();
    if holes != 1 || pattern.matches('}').count() != 1 {
        return Err("needs exactly one `{}` or `{:03}` for the running number".into());
    }
    let start = pattern.find('{').expect("counted");
    let end = pattern.find('}').expect("counted");
    let spec = pattern.get(start + 1..end).ok_or("`}` comes before `{`")?;
    match spec {
        "" => Ok(()),
        _ => match spec.strip_prefix(":0").map(str::parse::<usize>) {
            Some(Ok(1..=9)) => Ok(()),
            _ => Err(format!(
                "`{{{spec}}}` is not `{{}}` or `{{:0N}}` (N digits, zero-padded)"
            )),
        },
    }
}

/// The `n`th certificate number of a pattern [`check_number`] accepts: `HB-2026-{:03}`, 7 →
/// `HB-2026-007`.
pub fn certificate_number(pattern: &str, n: usize) -> String {
    let (Some(start), Some(end)) = (pattern.find('{'), pattern.find('}')) else {
        return pattern.to_string();
    };
    let width = pattern[start + 1..end]
        .strip_prefix(":0")
        .and_then(|w| w.parse::<usize>().ok())
        .unwrap_or(0);
    format!(
        "{}{n:0width$}{}",
        &pattern[..start],
        &pattern[end + 1..],
        width = width
    )
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// A date in Chinese numerals, as certificates print it: `2026-12-01`, `2026/12/1`,
/// `2026.12.1` or `2026年12月1日` → 二〇二六年十二月一日. The year digit by digit (〇 for 0),
/// month and day as numbers (十, 二十, 三十一). `None` for anything else.
pub fn chinese_date(text: &str) -> Option<String> {
    let t = text.trim();
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    y.trim()
        .parse::<usize>()
        .ok()
        .filter(|_| y.trim().len() == 4)?;
    let month: usize = m.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let day: usize = d.trim().parse().ok().filter(|d| (1..=31).contains(d))?;
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let year: String = y
        .trim()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).expect("parsed") as usize])
        .collect();
    Some(format!(
        "{year}年{}月{}日",
        chinese_number(month),
        chinese_number(day)
    ))
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
            awards: Default::default(),
            certificates: Default::default(),
            scale: None,
            warnings: Vec::new(),
            warnings_zh: Vec::new(),
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
        let team = |cut| Cuts {
            team: Some(cut),
            individual: None,
        };
        let top: Vec<String> = award(&s, &team(Cut::Top(3)))
            .into_iter()
            .map(|c| c.award)
            .collect();
        assert_eq!(top, vec!["第一名", "第二名", "第二名"]);
        let prizes = award(
            &s,
            &team(Cut::Prizes(Awards {
                first: 1,
                second: 2,
                third: 4,
            })),
        );
        let got: Vec<&str> = prizes.iter().map(|c| c.award.as_str()).collect();
        assert_eq!(got, vec!["一等奖", "二等奖", "二等奖", "三等奖"]);
    }

    #[test]
    fn individual_cut_offs_never_award_teams() {
        let mut s = standings(&[("张三", 90.0, 1), ("李四", 80.0, 2)]);
        s.entrant = super::super::Entrant::Candidate;
        s.teams = vec![crate::event::standings::TeamStanding {
            team: "一支队".into(),
            score: 170.0,
            rank: 1,
            members: 2,
            left_out: Vec::new(),
        }];
        let only_individuals = Cuts {
            team: None,
            individual: Some(Cut::Top(3)),
        };
        let got: Vec<(&str, String)> = award(&s, &only_individuals)
            .into_iter()
            .map(|c| (c.kind, c.recipient))
            .collect();
        assert_eq!(
            got,
            [("individual", "张三".into()), ("individual", "李四".into())]
        );
        let both = Cuts {
            team: Some(Cut::Top(1)),
            ..only_individuals
        };
        assert_eq!(award(&s, &both)[0].recipient, "一支队");
    }

    #[test]
    fn certificates_are_numbered_in_award_order() {
        let mut s = standings(&[("甲", 90.0, 1), ("乙", 80.0, 2)]);
        s.certificates.number = Some("HB-2026-{:03}".into());
        let c = award(
            &s,
            &Cuts {
                team: Some(Cut::Top(2)),
                individual: None,
            },
        );
        let numbers: Vec<&str> = c.iter().map(|c| c.number.as_str()).collect();
        assert_eq!(numbers, ["HB-2026-001", "HB-2026-002"]);
        assert_eq!(certificate_number("第{}号", 12), "第12号");
        assert!(check_number("HB-{:03}").is_ok());
        assert!(check_number("HB-2026").is_err());
        assert!(check_number("{}-{}").is_err());
        assert!(check_number("{:3}").is_err());
    }

    #[test]
    fn dates_in_chinese_numerals() {
        assert_eq!(chinese_date("2026-12-01").unwrap(), "二〇二六年十二月一日");
        assert_eq!(
            chinese_date("2026年12月1日").unwrap(),
            "二〇二六年十二月一日"
        );
        assert_eq!(chinese_date("2030/1/10").unwrap(), "二〇三〇年一月十日");
        assert_eq!(chinese_date("2026.10.20").unwrap(), "二〇二六年十月二十日");
        assert_eq!(
            chinese_date("2026-03-31").unwrap(),
            "二〇二六年三月三十一日"
        );
        assert_eq!(
            chinese_date("2026-11-15").unwrap(),
            "二〇二六年十一月十五日"
        );
        assert_eq!(chinese_date("2026-13-01"), None);
        assert_eq!(chinese_date("十二月"), None);
        assert_eq!(chinese_date(""), None);
        // A Chinese event prints it so; another prints the date as written.
        let mut s = standings(&[("甲", 90.0, 1)]);
        s.title = "执法大练兵".into();
        s.date = "2026-12-01".into();
        let cut = Cuts {
            team: Some(Cut::Top(1)),
            individual: None,
        };
        assert_eq!(award(&s, &cut)[0].date, "二〇二六年十二月一日");
        s.title = "Field exercise".into();
        assert_eq!(award(&s, &cut)[0].date, "2026-12-01");
    }
}
