//! Events beyond the written exam: judged contests (rubrics, judges' sheets, trimmed means),
//! outside score lists (quiz rounds), standings across events, and the data of honour
//! certificates. Pure: callers read and write the files.

pub mod appeals;
pub mod certificates;
pub mod judging;
pub mod project;
pub mod publish;
pub mod rubric;
pub mod scores;
pub mod standings;

pub use rubric::{Entrant, Rubric};

pub use crate::rank::TIE;

/// Does `name` (a CSV header cell) name one of `aliases`? ASCII case and spaces are ignored.
pub(crate) fn header_is(name: &str, aliases: &[&str]) -> bool {
    let n = name.trim().trim_start_matches('\u{feff}');
    aliases.iter().any(|a| n.eq_ignore_ascii_case(a))
}
