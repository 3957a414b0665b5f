//! Scoring: built-in rules, rhai rule scripts, and the grading of a response set.

pub mod grade;
pub mod rules;
pub mod script;
