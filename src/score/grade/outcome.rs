//! What grading a row can end in: graded, rejected with a reason, or a stop of the whole run.

use super::Graded;
use crate::input::diagnostic::Lang;
use crate::score::script::ScriptError;

/// The outcome of one row that did not stop the run.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The row is scored; its rank and duplicate flag are filled in at the end.
    Graded(Graded),
    /// The row itself cannot be used; nothing of it is counted.
    Rejected(Rejection),
}

impl Outcome {
    /// The graded candidate, if the row was graded.
    pub fn graded(self) -> Option<Graded> {
        match self {
            Outcome::Graded(g) => Some(g),
            Outcome::Rejected(_) => None,
        }
    }
}

/// Why a row is sent to rejected.csv. Only a row that cannot be used as a whole is rejected:
/// a bad mark on one item makes that item `invalid`, not the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The row has no paper code and the exam has several papers.
    #[error("no paper code, and the exam has {papers} papers")]
    NoPaperCode { papers: usize },
    /// The paper code names no paper of the exam.
    #[error("unknown paper code `{code}` (the exam has {known})")]
    UnknownPaper {
        code: String,
        /// The first few paper codes, for the message.
        known: String,
    },
    /// The sheet reader could not make a row of it (ragged, no candidate id, broken CSV).
    #[error("{reason}")]
    Unreadable { reason: String, reason_zh: String },
    /// The candidate id is not on the roster given to `grade --roster`.
    #[error("candidate `{id}` is not on the roster{}", crate::input::diagnostic::guess_suffix(suggestion.as_deref(), Lang::En))]
    NotOnRoster {
        id: String,
        suggestion: Option<String>,
    },
}

/// What stops a grading run: a score that could not be defended for any candidate.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// A hook of the rule script failed on a row.
    #[error("line {line}: {source}")]
    Script {
        line: u64,
        #[source]
        source: ScriptError,
    },
    /// The `team` hook failed.
    #[error("{source}")]
    Team {
        #[source]
        source: ScriptError,
    },
    /// A correction that cannot be applied (points outside the item's range, an item not on
    /// the candidate's paper, more marks than two markers and an arbitrator give).
    #[error("{at}: {message}")]
    Correction {
        /// `file:line` of the `--manual` row, or the appeal's `file:line:col`.
        at: String,
        message: String,
        hint: String,
        /// The message and hint in Chinese.
        zh: Box<(String, String)>,
        /// The language of the file `at` is in: the words shown.
        lang: Lang,
    },
}

impl GradeError {
    /// What the user can do about it: the script's own hint, and why the run stopped.
    pub fn hint(&self) -> String {
        let source = match self {
            GradeError::Script { source, .. } | GradeError::Team { source } => source,
            GradeError::Correction { hint, .. } => return hint.clone(),
        };
        let stop = "fix the script; the run stops so that no candidate is scored by a broken rule";
        match source.hint() {
            Some(h) => format!("{h}\n{stop}"),
            None => stop.to_string(),
        }
    }

    /// The message and hint in Chinese.
    pub fn zh(&self) -> (String, String) {
        let source = match self {
            GradeError::Script { source, .. } | GradeError::Team { source } => source,
            GradeError::Correction { zh, .. } => return (**zh).clone(),
        };
        let stop = "改好脚本；为了不让任何考生按出错的规则计分，这次运行已停止";
        let hint = match source.hint_zh() {
            Some(h) => format!("{h}\n{stop}"),
            None => stop.to_string(),
        };
        (source.zh(), hint)
    }

    /// The script error underneath, if a script failed.
    pub fn script_error(&self) -> Option<&ScriptError> {
        match self {
            GradeError::Script { source, .. } | GradeError::Team { source } => Some(source),
            GradeError::Correction { .. } => None,
        }
    }
}
