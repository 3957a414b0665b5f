//! Events beyond the written exam: judged contests (rubrics, judges' sheets, trimmed means),
//! outside score lists (quiz rounds), standings across events, and the data of honour
//! certificates. Pure: callers read and write the files.

pub mod certificates;
pub mod judging;
pub mod rubric;
pub mod scores;
pub mod standings;
mod toml_input;

pub use rubric::{Entrant, Rubric};

/// Scores closer than this are equal: a trimmed mean of the same marks computed in another
/// order must not split a tie.
pub const TIE: f64 = 1e-9;

/// Competition ranks (1, 2, 2, 4) for `scores`, highest first; equal scores share a rank.
pub fn competition_ranks(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut ranks = vec![0; scores.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = if pos > 0 && (scores[order[pos - 1]] - scores[i]).abs() <= TIE {
            ranks[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    ranks
}

/// Does `name` (a CSV header cell) name one of `aliases`? ASCII case and spaces are ignored.
pub(crate) fn header_is(name: &str, aliases: &[&str]) -> bool {
    let n = name.trim().trim_start_matches('\u{feff}');
    aliases.iter().any(|a| n.eq_ignore_ascii_case(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        assert_eq!(
            competition_ranks(&[80.0, 90.0, 80.0, 70.0]),
            vec![2, 1, 2, 4]
        );
        // 86.333… reached two ways is one tie.
        let a = (85.0 + 86.0 + 88.0) / 3.0;
        let b = 259.0 / 3.0;
        assert_eq!(competition_ranks(&[a, b]), vec![1, 1]);
        assert!(competition_ranks(&[]).is_empty());
    }
}
