//! Team standings: the rule script's `team` hook, else the mean of the members.

use super::GradeError;
use crate::score::script::{CandidateInfo, RuleScript};
use serde::Serialize;
use std::collections::BTreeMap;

/// One team's standing, as results.json lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamStanding {
    pub team: String,
    pub score: f64,
    pub members: usize,
}

/// Member scores (and maxima) per team.
#[derive(Default)]
pub(super) struct Teams {
    members: BTreeMap<String, Vec<(f64, f64)>>,
}

impl Teams {
    pub(super) fn add(&mut self, team: &str, score: f64, max: f64) {
        match self.members.get_mut(team) {
            Some(m) => m.push((score, max)),
            None => {
                self.members.insert(team.to_string(), vec![(score, max)]);
            }
        }
    }

    /// Standings, best first (ties by team name). A `team` hook sees each member's team, score and max.
    pub(super) fn standings(
        &self,
        script: Option<&RuleScript>,
    ) -> Result<Vec<TeamStanding>, GradeError> {
        let mut out = Vec::new();
        for (team, members) in &self.members {
            let score = match script.filter(|s| s.has_team()) {
                Some(s) => {
                    let infos: Vec<CandidateInfo> = members
                        .iter()
                        .map(|&(score, max)| CandidateInfo {
                            id: String::new(),
                            name: String::new(),
                            team: team.clone(),
                            score,
                            max,
                            sections: Vec::new(),
                            items: Vec::new(),
                        })
                        .collect();
                    s.team(&infos)
                        .map_err(|source| GradeError::Team { source })?
                }
                None => members.iter().map(|m| m.0).sum::<f64>() / members.len() as f64,
            };
            out.push(TeamStanding {
                team: team.clone(),
                score,
                members: members.len(),
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.team.cmp(&b.team)));
        Ok(out)
    }
}
