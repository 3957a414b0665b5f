//! The registered candidates of a sitting (`grade --roster`): names and teams for the results,
//! a check that every sheet belongs to someone registered, and who never handed one in (缺考).

use crate::draw::manifest::Candidate;
use crate::input::diagnostic::did_you_mean;
use std::collections::HashMap;

/// The roster of a grading run and which of its candidates have been seen on a sheet.
#[derive(Debug, Clone)]
pub struct Roster {
    list: Vec<Candidate>,
    index: HashMap<String, usize>,
    seen: Vec<bool>,
}

impl Roster {
    /// A roster of `list` (ids are unique: the roster reader refuses a repeat).
    pub fn new(list: Vec<Candidate>) -> Self {
        let index = list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let seen = vec![false; list.len()];
        Roster { list, index, seen }
    }

    /// The registered candidate `id`, marked as seen.
    pub fn find(&mut self, id: &str) -> Option<&Candidate> {
        let &i = self.index.get(id)?;
        self.seen[i] = true;
        Some(&self.list[i])
    }

    /// The registered candidate `id`, without marking it seen.
    pub fn get(&self, id: &str) -> Option<&Candidate> {
        self.index.get(id).map(|&i| &self.list[i])
    }

    /// Marks `id` as having handed in a sheet (a rejected row is no absence).
    pub fn saw(&mut self, id: &str) {
        if let Some(&i) = self.index.get(id) {
            self.seen[i] = true;
        }
    }

    /// The registered id closest to `id`, for "did you mean".
    pub fn suggestion(&self, id: &str) -> Option<String> {
        let ids: Vec<&str> = self.list.iter().map(|c| c.id.as_str()).collect();
        did_you_mean(id, &ids).map(str::to_string)
    }

    /// Registered candidates without a sheet, in roster order.
    pub fn absent(&self) -> impl Iterator<Item = &Candidate> + '_ {
        self.list
            .iter()
            .zip(&self.seen)
            .filter(|(_, seen)| !**seen)
            .map(|(c, _)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_was_not_seen_is_absent() {
        let c = |id: &str| Candidate {
            id: id.into(),
            name: format!("考生{id}"),
            team: "一队".into(),
        };
        let mut r = Roster::new(vec![c("2026001"), c("2026002"), c("2026003")]);
        assert_eq!(r.find("2026002").unwrap().name, "考生2026002");
        assert!(r.find("2026O01").is_none());
        assert_eq!(r.suggestion("2026O01").as_deref(), Some("2026001"));
        r.saw("2026003");
        let absent: Vec<&str> = r.absent().map(|c| c.id.as_str()).collect();
        assert_eq!(absent, ["2026001"]);
    }
}
