//! rhai rule scripts: `score`, `total`, `team`, `combine` and `judge` hooks in a sandboxed engine.
//!
//! Each script gets its own engine, configured once in [`RuleScript::compile`] and never changed
//! afterwards: no `import`, no `eval`, no clock, strict variables, `print`/`debug` kept in the
//! script's log for the caller to show ([`RuleScript::take_log`]), and hard limits on operations,
//! nesting and data size, so a hostile or buggy script ends with an error that names the script,
//! the hook and the limit. The limits count work, not time: the same script on any machine
//! either finishes or stops at the same limit. A wall-clock guard far above what the operation
//! limit allows is only a safety net.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, BitFieldPackage, CorePackage,
    LogicPackage, MoreStringPackage, Package,
};
use rhai::{
    Array, CallFnOptions, Dynamic, Engine, EvalAltResult, LexError, Map, ParseError,
    ParseErrorType, Position, Scope, AST, FLOAT, INT,
};

/// Most operations a single hook call may run.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Deepest nesting of function calls inside a hook.
pub const MAX_CALL_LEVELS: usize = 32;
/// Deepest expression nesting at the top level of a script.
pub const MAX_EXPR_DEPTH: usize = 64;
/// Deepest expression nesting inside a function body.
pub const MAX_FN_EXPR_DEPTH: usize = 32;
/// Longest string a script may build, in bytes.
pub const MAX_STRING_SIZE: usize = 64 * 1024;
/// Most elements in an array a script builds.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Most entries in a map a script builds.
pub const MAX_MAP_SIZE: usize = 10_000;
/// The safety net: a hook call still running after this long is stopped. The operation limit
/// ends any script long before (a million operations take well under a second, and even
/// operations on the largest strings and arrays allowed end within a few), so a result never
/// depends on how fast the machine is.
pub const WALL_CLOCK_GUARD: Duration = Duration::from_secs(30);

/// Distinct responses remembered per script; beyond this, hooks are simply called again, which
/// keeps memory bounded when free-text answers are all different.
const MEMO_CAPACITY: usize = 200_000;
/// The clock of the guard is read every this many operations: rarely enough to cost nothing
/// measurable.
const CLOCK_EVERY: u64 = 256;
/// Slack for float arithmetic when checking a score against the item's points.
const RANGE_SLACK: f64 = 1e-9;

/// Data passed to the hooks (plain Rust; you convert them to rhai maps/arrays).
#[derive(Debug, Clone, Copy)]
pub struct ItemInfo<'a> {
    /// Canonical question id.
    pub id: &'a str,
    /// Printed item number.
    pub number: u32,
    /// `single`, `multiple`, `judge`, `fill` or `short`.
    pub kind: &'a str,
    /// Points the item is worth.
    pub points: f64,
    /// Right answer: option letters (`["A","C"]`), `["T"]`/`["F"]`, or one string per blank
    /// with alternatives joined by `|`.
    pub key: &'a [String],
    /// Number of options for choice items.
    pub options: usize,
    /// The question's tags.
    pub tags: &'a [String],
    /// Title of the section the item is in.
    pub section: &'a str,
}

/// A candidate's response to one item.
#[derive(Debug, Clone, Copy)]
pub struct ResponseInfo<'a> {
    /// Canonical letters, or `["T"]`/`["F"]`.
    pub marks: &'a [String],
    /// `ok`, `blank`, `multi` or `unreadable`.
    pub status: &'a str,
    /// Written text for fill and short items.
    pub text: &'a str,
}

/// How one item went for a candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemOutcome {
    /// Canonical question id.
    pub id: String,
    /// Printed item number.
    pub number: u32,
    /// Points earned.
    pub points: f64,
    /// Points available.
    pub max: f64,
    /// Response status (`ok`, `blank`, `multi`, `unreadable`, or `invalid` for a mark the item
    /// cannot have, which earns 0 without calling `score`).
    pub status: String,
}

/// One candidate's graded result, as the `total` and `team` hooks see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateInfo {
    /// Candidate number.
    pub id: String,
    /// Candidate name.
    pub name: String,
    /// Team or unit.
    pub team: String,
    /// Sum of item points.
    pub score: f64,
    /// Points available.
    pub max: f64,
    /// Per section: title, score, max.
    pub sections: Vec<(String, f64, f64)>,
    /// Per item outcome.
    pub items: Vec<ItemOutcome>,
}

/// What a `total` hook decided.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalOutcome {
    /// Final score.
    pub score: f64,
    /// Pass or fail, when the script says.
    pub pass: Option<bool>,
    /// Grade label, when the script says.
    pub grade: Option<String>,
}

/// One event as the `combine` hook sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CombineEvent {
    /// The event's name in the standings file.
    pub name: String,
    /// The entrant's score; `None` when the entrant is missing from the event.
    pub score: Option<f64>,
    /// The event's weight.
    pub weight: f64,
    /// Points available, when known.
    pub max: Option<f64>,
}

/// A hook a rule script can define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// `fn score(item, response)`.
    Score,
    /// `fn total(candidate)`.
    Total,
    /// `fn team(members)`.
    Team,
    /// `fn combine(events)`.
    Combine,
    /// `fn judge(sheets)`.
    Judge,
    /// Statements outside any function, run once when the script is loaded.
    TopLevel,
}

impl Hook {
    const ALL: [Hook; 5] = [
        Hook::Score,
        Hook::Total,
        Hook::Team,
        Hook::Combine,
        Hook::Judge,
    ];

    /// The function name in the script.
    pub fn name(self) -> &'static str {
        match self {
            Hook::Score => "score",
            Hook::Total => "total",
            Hook::Team => "team",
            Hook::Combine => "combine",
            Hook::Judge => "judge",
            Hook::TopLevel => "top-level code",
        }
    }

    fn params(self) -> &'static [&'static str] {
        match self {
            Hook::Score => &["item", "response"],
            Hook::Total => &["candidate"],
            Hook::Team => &["members"],
            Hook::Combine => &["events"],
            Hook::Judge => &["sheets"],
            Hook::TopLevel => &[],
        }
    }

    fn signature(self) -> String {
        format!("fn {}({})", self.name(), self.params().join(", "))
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A limit a running script hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_OPERATIONS`].
    Operations,
    /// [`WALL_CLOCK_GUARD`].
    Time,
    /// [`MAX_CALL_LEVELS`].
    CallLevels,
    /// [`MAX_STRING_SIZE`].
    StringSize,
    /// [`MAX_ARRAY_SIZE`].
    ArraySize,
    /// [`MAX_MAP_SIZE`].
    MapSize,
}

impl Limit {
    /// The limit in Chinese.
    fn zh(self) -> String {
        match self {
            Limit::Operations => format!(" {MAX_OPERATIONS} 步运算的上限"),
            Limit::Time => format!(" {} 秒的安全时限", WALL_CLOCK_GUARD.as_secs()),
            Limit::CallLevels => format!(" {MAX_CALL_LEVELS} 层函数嵌套调用的上限"),
            Limit::StringSize => format!("字符串 {MAX_STRING_SIZE} 字节的上限"),
            Limit::ArraySize => format!("数组 {MAX_ARRAY_SIZE} 个元素的上限"),
            Limit::MapSize => format!("映射 {MAX_MAP_SIZE} 项的上限"),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Operations => write!(f, "the limit of {MAX_OPERATIONS} operations"),
            Limit::Time => write!(
                f,
                "the safety time limit of {} s",
                WALL_CLOCK_GUARD.as_secs()
            ),
            Limit::CallLevels => write!(f, "the limit of {MAX_CALL_LEVELS} nested function calls"),
            Limit::StringSize => write!(f, "the limit of {MAX_STRING_SIZE} bytes for a string"),
            Limit::ArraySize => write!(f, "the limit of {MAX_ARRAY_SIZE} elements for an array"),
            Limit::MapSize => write!(f, "the limit of {MAX_MAP_SIZE} entries for a map"),
        }
    }
}

/// A phrase of an error, in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words {
    pub en: String,
    pub zh: String,
}

impl Words {
    fn new(en: impl Into<String>, zh: impl Into<String>) -> Words {
        Words {
            en: en.into(),
            zh: zh.into(),
        }
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A rule script that does not compile, breaks a sandbox rule, or returns something unusable.
///
/// `at` fields read `script:line:col` (or just the script when rhai gives no position).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScriptError {
    /// The script does not parse.
    #[error("rule script `{script}`: syntax error at {at}: {message}")]
    Syntax {
        script: String,
        at: String,
        message: String,
    },
    /// The script uses `import`.
    #[error("rule script `{script}`: `import` is not allowed in rule scripts (at {at})")]
    Import { script: String, at: String },
    /// The script uses `eval`.
    #[error("rule script `{script}`: `eval` is not allowed in rule scripts (at {at})")]
    Eval { script: String, at: String },
    /// The script reads a variable it never declared.
    #[error("rule script `{script}`: undefined variable `{variable}` at {at}")]
    UndefinedVariable {
        script: String,
        at: String,
        variable: String,
    },
    /// The script defines none of the hooks.
    #[error(
        "rule script `{script}` defines none of the functions `score`, `total`, `team`, `combine`, `judge`"
    )]
    NoHook { script: String },
    /// A hook has the wrong number of parameters.
    #[error(
        "rule script `{script}`: `{function}` takes the wrong parameters; expected `{expected}`"
    )]
    Signature {
        script: String,
        function: Hook,
        expected: String,
    },
    /// The caller asked for a hook the script does not define.
    #[error("rule script `{script}` has no `{function}` function")]
    MissingHook { script: String, function: Hook },
    /// A hook ran into a sandbox limit.
    #[error("rule script `{script}`: `{function}` exceeded {limit}")]
    Limit {
        script: String,
        function: Hook,
        limit: Limit,
    },
    /// A hook read a field that the value does not have (`item.piont`).
    #[error("rule script `{script}`: `{function}` failed{within} at {at}: Property not found: {property}")]
    UnknownProperty {
        script: String,
        function: Hook,
        /// As in [`ScriptError::Runtime`].
        within: String,
        at: String,
        property: String,
    },
    /// A hook failed while running.
    #[error("rule script `{script}`: `{function}` failed{within} at {at}: {message}")]
    Runtime {
        script: String,
        function: Hook,
        /// `` in `f` `` when the error happened in a helper function; empty in the hook itself.
        within: String,
        at: String,
        message: String,
    },
    /// A hook returned a value that cannot be used.
    #[error("rule script `{script}`: `{function}` returned {got}{context}; expected {expected}")]
    BadResult {
        script: String,
        function: Hook,
        /// ` for item `q1` (no. 3)` and the like; may be empty.
        context: Box<Words>,
        got: Box<Words>,
        expected: Box<Words>,
    },
}

impl ScriptError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            ScriptError::Syntax { .. } => None,
            ScriptError::Import { .. } => Some(
                "a rule script must be self-contained: copy the functions it needs into the file"
                    .into(),
            ),
            ScriptError::Eval { .. } => Some(
                "write the code directly in the script instead of building it as a string".into(),
            ),
            ScriptError::UndefinedVariable { .. } => Some(
                "declare it with `let` inside the function; a function sees only its parameters \
                 and its own variables, not variables from the top of the script"
                    .into(),
            ),
            ScriptError::NoHook { .. } => Some(format!(
                "define at least one of `{}`",
                Hook::ALL.map(Hook::signature).join("`, `")
            )),
            ScriptError::Signature { expected, .. } => {
                Some(format!("declare it as `{expected} {{ … }}`"))
            }
            ScriptError::MissingHook { function, .. } => Some(format!(
                "add `{} {{ … }}` to the script, or attach a script that has it",
                function.signature()
            )),
            ScriptError::Limit { limit, .. } => Some(match limit {
                Limit::Operations | Limit::Time => {
                    "look for a loop that never ends; a rule should take a few steps per item"
                        .into()
                }
                Limit::CallLevels => "look for a recursion that never stops".into(),
                Limit::StringSize | Limit::ArraySize | Limit::MapSize => {
                    "look for a value that grows in a loop".into()
                }
            }),
            ScriptError::UnknownProperty { .. } => Some(
                "item has id, number, kind, points, key, options, tags, section; response has \
                 marks, status, text; a candidate has id, name, team, score, max, sections, items"
                    .into(),
            ),
            ScriptError::Runtime { .. } => None,
            ScriptError::BadResult { expected, .. } => {
                Some(format!("make the function return {expected}"))
            }
        }
    }

    /// The message in Chinese, for a script attached to a Chinese file; what rhai itself says
    /// (a syntax or runtime error) stays in its words.
    pub fn zh(&self) -> String {
        let within_zh = |w: &str| match w.strip_prefix(" in ") {
            Some(f) => format!("（在 {f} 中）"),
            None => String::new(),
        };
        match self {
            ScriptError::Syntax {
                script,
                at,
                message,
            } => format!("规则脚本 `{script}`：{at} 处语法错误：{message}"),
            ScriptError::Import { script, at } => {
                format!("规则脚本 `{script}`：规则脚本中不能用 `import`（{at}）")
            }
            ScriptError::Eval { script, at } => {
                format!("规则脚本 `{script}`：规则脚本中不能用 `eval`（{at}）")
            }
            ScriptError::UndefinedVariable {
                script,
                at,
                variable,
            } => format!("规则脚本 `{script}`：{at} 处的变量 `{variable}` 没有定义"),
            ScriptError::NoHook { script } => format!(
                "规则脚本 `{script}` 没有定义 `score`、`total`、`team`、`combine`、`judge` 中的任何一个函数"
            ),
            ScriptError::Signature {
                script,
                function,
                expected,
            } => format!("规则脚本 `{script}`：`{function}` 的参数不对；应为 `{expected}`"),
            ScriptError::MissingHook { script, function } => {
                format!("规则脚本 `{script}` 没有 `{function}` 函数")
            }
            ScriptError::Limit {
                script,
                function,
                limit,
            } => format!("规则脚本 `{script}`：`{function}` 超出了{}", limit.zh()),
            ScriptError::UnknownProperty {
                script,
                function,
                within,
                at,
                property,
            } => format!(
                "规则脚本 `{script}`：`{function}`{} 在 {at} 出错：没有属性 {property}",
                within_zh(within)
            ),
            ScriptError::Runtime {
                script,
                function,
                within,
                at,
                message,
            } => format!(
                "规则脚本 `{script}`：`{function}`{} 在 {at} 出错：{message}",
                within_zh(within)
            ),
            ScriptError::BadResult {
                script,
                function,
                context,
                got,
                expected,
            } => format!(
                "规则脚本 `{script}`：`{function}`{} 返回了{}；应返回{}",
                context.zh, got.zh, expected.zh
            ),
        }
    }

    /// What the user can do about it, in Chinese.
    pub fn hint_zh(&self) -> Option<String> {
        match self {
            ScriptError::Syntax { .. } | ScriptError::Runtime { .. } => None,
            ScriptError::Import { .. } => {
                Some("规则脚本必须自成一体：把要用的函数抄进这个文件".into())
            }
            ScriptError::Eval { .. } => Some("直接把代码写在脚本里，不要拼成字符串再执行".into()),
            ScriptError::UndefinedVariable { .. } => Some(
                "在函数里用 `let` 声明它；函数只看得到自己的参数和自己的变量，看不到脚本顶层的变量"
                    .into(),
            ),
            ScriptError::NoHook { .. } => Some(format!(
                "至少定义 `{}` 中的一个",
                Hook::ALL.map(Hook::signature).join("`、`")
            )),
            ScriptError::Signature { expected, .. } => {
                Some(format!("把它声明为 `{expected} {{ … }}`"))
            }
            ScriptError::MissingHook { function, .. } => Some(format!(
                "在脚本中加上 `{} {{ … }}`，或换一个有这个函数的脚本",
                function.signature()
            )),
            ScriptError::Limit { limit, .. } => Some(
                match limit {
                    Limit::Operations | Limit::Time => {
                        "找一找永不结束的循环；一条规则每道题只应走几步"
                    }
                    Limit::CallLevels => "找一找停不下来的递归",
                    Limit::StringSize | Limit::ArraySize | Limit::MapSize => {
                        "找一找在循环里不断变大的值"
                    }
                }
                .into(),
            ),
            ScriptError::UnknownProperty { .. } => Some(
                "item 有 id、number、kind、points、key、options、tags、section；response 有 \
                 marks、status、text；考生有 id、name、team、score、max、sections、items"
                    .into(),
            ),
            ScriptError::BadResult { expected, .. } => {
                Some(format!("让这个函数返回{}", expected.zh))
            }
        }
    }
}

/// What a script printed (`print`, `debug`): finished lines, each prefixed with the script name
/// or position, until the caller takes them.
type Log = Rc<RefCell<Vec<String>>>;

/// A compiled rule script with its own sandboxed engine.
pub struct RuleScript {
    name: String,
    engine: Engine,
    ast: AST,
    deadline: Rc<Cell<Option<Instant>>>,
    /// How long a hook call may run before the guard stops it: [`WALL_CLOCK_GUARD`].
    guard: Duration,
    log: Log,
    hooks: [bool; 5],
    memo: RefCell<HashMap<String, Option<f64>>>,
    memo_key: RefCell<String>,
}

impl fmt::Debug for RuleScript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleScript")
            .field("name", &self.name)
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

impl RuleScript {
    /// Compiles once; `name` is how errors name the script (its path). Syntax errors → ScriptError with name:line:col.
    /// What the top-level code prints is in [`RuleScript::take_log`].
    pub fn compile(name: &str, source: &str) -> Result<Self, ScriptError> {
        let deadline = Rc::new(Cell::new(None));
        let log = Log::default();
        let engine = sandbox(name, Rc::clone(&log), Rc::clone(&deadline));

        let mut ast = engine.compile(source).map_err(|e| parse_error(name, &e))?;
        ast.set_source(name);

        let mut hooks = [false; 5];
        for (slot, hook) in hooks.iter_mut().zip(Hook::ALL) {
            let arities: Vec<usize> = ast
                .iter_functions()
                .filter(|f| f.name == hook.name())
                .map(|f| f.params.len())
                .collect();
            if arities.is_empty() {
                continue;
            }
            if !arities.contains(&hook.params().len()) {
                return Err(ScriptError::Signature {
                    script: name.into(),
                    function: hook,
                    expected: hook.signature(),
                });
            }
            *slot = true;
        }
        if !hooks.contains(&true) {
            return Err(ScriptError::NoHook {
                script: name.into(),
            });
        }

        let script = RuleScript {
            name: name.into(),
            engine,
            ast,
            deadline,
            guard: WALL_CLOCK_GUARD,
            log,
            hooks,
            memo: RefCell::new(HashMap::new()),
            memo_key: RefCell::new(String::new()),
        };
        // Top-level statements run once, here, so their errors surface when the script is loaded;
        // hooks are then called on the evaluated AST without running them again.
        script.guarded(Hook::TopLevel, || script.engine.run_ast(&script.ast))?;
        Ok(script)
    }

    /// The lines the script printed (`print`, `debug`) since the last call, for the caller to
    /// show; hooks print nothing themselves.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.borrow_mut())
    }

    /// How errors name the script (its path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the script defines `fn score(item, response)`.
    pub fn has_score(&self) -> bool {
        self.hooks[0]
    }

    /// Whether the script defines `fn total(candidate)`.
    pub fn has_total(&self) -> bool {
        self.hooks[1]
    }

    /// Whether the script defines `fn team(members)`.
    pub fn has_team(&self) -> bool {
        self.hooks[2]
    }

    /// Whether the script defines `fn combine(events)`.
    pub fn has_combine(&self) -> bool {
        self.hooks[3]
    }

    /// Whether the script defines `fn judge(sheets)`.
    pub fn has_judge(&self) -> bool {
        self.hooks[4]
    }

    /// `fn score(item, response)` → points, or `()` to leave the item to the built-in rule of its section. A result that is NaN, not a number, or outside [-points, points] is an error naming the item.
    ///
    /// Memoised by every field the hook sees (of `item`: id, number, kind, points, key, options,
    /// tags, section; of `response`: marks, status, text): hooks cannot keep state between calls,
    /// so an identical call always earns the same points and the hook runs once.
    pub fn score(
        &self,
        item: &ItemInfo,
        response: &ResponseInfo,
    ) -> Result<Option<f64>, ScriptError> {
        self.require(Hook::Score, self.has_score())?;
        let mut key = self.memo_key.borrow_mut();
        memo_key(&mut key, item, response);
        if let Some(&points) = self.memo.borrow().get(key.as_str()) {
            return Ok(points);
        }

        let args = (
            Dynamic::from_map(item_map(item)),
            Dynamic::from_map(response_map(response)),
        );
        let value = self.call(Hook::Score, args)?;
        let points = if value.is_unit() {
            None
        } else {
            let context = Words::new(
                format!(" for item `{}` (no. {})", item.id, item.number),
                format!("（题 `{}`，第 {} 题）", item.id, item.number),
            );
            let bound = item.points.abs();
            let expected = Words::new(
                format!("a number from {} to {}, or `()`", -bound, bound),
                format!(" {} 到 {} 之间的数，或 `()`", -bound, bound),
            );
            let points = self.number(Hook::Score, &value, &context, &expected)?;
            let slack = RANGE_SLACK * bound.max(1.0);
            if points < -bound - slack || points > bound + slack {
                return Err(self.bad_result(Hook::Score, &context, number(points), expected));
            }
            Some(points.clamp(-bound, bound))
        };

        let mut memo = self.memo.borrow_mut();
        if memo.len() < MEMO_CAPACITY {
            memo.insert(key.clone(), points);
        }
        Ok(points)
    }

    /// `fn total(candidate)` → a number, or a map #{score, pass, grade}.
    ///
    /// A map may leave out any field: a missing `score` keeps the candidate's score, a missing
    /// (or `()`) `pass` or `grade` stays unset. Other fields are errors, so a typo is not ignored.
    pub fn total(&self, c: &CandidateInfo) -> Result<TotalOutcome, ScriptError> {
        self.require(Hook::Total, self.has_total())?;
        let value = self.call(Hook::Total, (Dynamic::from_map(candidate_map(c)),))?;
        let context = Words::new(
            format!(" for candidate `{}`", c.id),
            format!("（考生 `{}`）", c.id),
        );
        let expected = Words::new(
            "a number or #{score, pass, grade}",
            "一个数或 #{score, pass, grade}",
        );
        if !value.is_map() {
            let score = self.number(Hook::Total, &value, &context, &expected)?;
            return Ok(TotalOutcome {
                score,
                pass: None,
                grade: None,
            });
        }

        let map = value.cast::<Map>();
        let mut outcome = TotalOutcome {
            score: c.score,
            pass: None,
            grade: None,
        };
        for (field, v) in map {
            let field_context = Words::new(
                format!("{} in field `{field}`", context.en),
                format!("（考生 `{}` 的字段 `{field}`）", c.id),
            );
            match field.as_str() {
                "score" => {
                    outcome.score = self.number(Hook::Total, &v, &field_context, &a_number())?;
                }
                "pass" if v.is_unit() => {}
                "pass" => {
                    outcome.pass = Some(v.as_bool().map_err(|_| {
                        self.bad_result(
                            Hook::Total,
                            &field_context,
                            describe(&v),
                            Words::new("true or false", " true 或 false"),
                        )
                    })?);
                }
                "grade" if v.is_unit() => {}
                "grade" => {
                    let grade = v.into_immutable_string().map_err(|t| {
                        self.bad_result(
                            Hook::Total,
                            &field_context,
                            Words::new(format!("a {t}"), format!(" {t} 类型的值")),
                            Words::new("a string", "一个字符串"),
                        )
                    })?;
                    outcome.grade = Some(grade.to_string());
                }
                _ => {
                    return Err(self.bad_result(
                        Hook::Total,
                        &context,
                        Words::new(
                            format!("a map with the unknown field `{field}`"),
                            format!("含未知字段 `{field}` 的映射"),
                        ),
                        Words::new(
                            "only the fields score, pass and grade",
                            "只含 score、pass、grade 这几个字段",
                        ),
                    ));
                }
            }
        }
        Ok(outcome)
    }

    /// `fn team(members)` → the team's score from its members (array of candidate maps).
    pub fn team(&self, members: &[CandidateInfo]) -> Result<f64, ScriptError> {
        self.require(Hook::Team, self.has_team())?;
        let array: Array = members
            .iter()
            .map(|m| Dynamic::from_map(candidate_map(m)))
            .collect();
        let value = self.call(Hook::Team, (Dynamic::from_array(array),))?;
        let context = match members.first() {
            Some(m) if !m.team.is_empty() => Words::new(
                format!(" for team `{}`", m.team),
                format!("（队伍 `{}`）", m.team),
            ),
            _ => Words::default(),
        };
        self.number(Hook::Team, &value, &context, &a_number())
    }

    /// `fn judge(sheets)` → an entrant's score in a judged event, from its judges' rows
    /// (`#{judge, scores: #{criterion: points}}` each). A result outside `[0, max]` is an error.
    pub fn judge(
        &self,
        sheets: &[(String, Vec<(String, f64)>)],
        entrant: &str,
        max: f64,
    ) -> Result<f64, ScriptError> {
        self.require(Hook::Judge, self.has_judge())?;
        let array: Array = sheets
            .iter()
            .map(|(judge, scores)| {
                let mut s = Map::new();
                for (id, points) in scores {
                    s.insert(id.as_str().into(), (*points as FLOAT).into());
                }
                let mut m = Map::new();
                m.insert("judge".into(), judge.clone().into());
                m.insert("scores".into(), Dynamic::from_map(s));
                Dynamic::from_map(m)
            })
            .collect();
        let value = self.call(Hook::Judge, (Dynamic::from_array(array),))?;
        let context = for_entrant(entrant);
        let expected = Words::new(
            format!("a number from 0 to {max}"),
            format!(" 0 到 {max} 之间的数"),
        );
        let score = self.number(Hook::Judge, &value, &context, &expected)?;
        if score < -RANGE_SLACK || score > max + RANGE_SLACK * max.max(1.0) {
            return Err(self.bad_result(Hook::Judge, &context, number(score), expected));
        }
        Ok(score.clamp(0.0, max))
    }

    /// `fn combine(events)` → an entrant's overall score from its events
    /// (`#{entrant, name, score, weight, max, missing}` each; `score` is `()` when missing).
    pub fn combine(&self, entrant: &str, events: &[CombineEvent]) -> Result<f64, ScriptError> {
        self.require(Hook::Combine, self.has_combine())?;
        let array: Array = events
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("entrant".into(), entrant.into());
                m.insert("name".into(), e.name.clone().into());
                m.insert(
                    "score".into(),
                    e.score.map_or(Dynamic::UNIT, |s| (s as FLOAT).into()),
                );
                m.insert("weight".into(), (e.weight as FLOAT).into());
                m.insert(
                    "max".into(),
                    e.max.map_or(Dynamic::UNIT, |s| (s as FLOAT).into()),
                );
                m.insert("missing".into(), e.score.is_none().into());
                Dynamic::from_map(m)
            })
            .collect();
        let value = self.call(Hook::Combine, (Dynamic::from_array(array),))?;
        self.number(Hook::Combine, &value, &for_entrant(entrant), &a_number())
    }

    fn require(&self, hook: Hook, present: bool) -> Result<(), ScriptError> {
        if present {
            Ok(())
        } else {
            Err(ScriptError::MissingHook {
                script: self.name.clone(),
                function: hook,
            })
        }
    }

    fn call(&self, hook: Hook, args: impl rhai::FuncArgs) -> Result<Dynamic, ScriptError> {
        self.guarded(hook, || {
            let options = CallFnOptions::new().eval_ast(false);
            self.engine.call_fn_with_options::<Dynamic>(
                options,
                &mut Scope::new(),
                &self.ast,
                hook.name(),
                args,
            )
        })
    }

    /// Runs `f` with the wall-clock deadline armed, and names any failure after `hook`.
    fn guarded<T>(
        &self,
        hook: Hook,
        f: impl FnOnce() -> Result<T, Box<EvalAltResult>>,
    ) -> Result<T, ScriptError> {
        self.deadline.set(Some(Instant::now() + self.guard));
        let result = f();
        self.deadline.set(None);
        result.map_err(|e| self.runtime_error(hook, *e))
    }

    fn runtime_error(&self, hook: Hook, mut err: EvalAltResult) -> ScriptError {
        let script = self.name.clone();
        let mut helpers = Vec::new();
        while let EvalAltResult::ErrorInFunctionCall(name, _, inner, _) = err {
            helpers.push(name);
            err = *inner;
        }
        let limit = match &err {
            EvalAltResult::ErrorTooManyOperations(_) => Some(Limit::Operations),
            EvalAltResult::ErrorTerminated(..) => Some(Limit::Time),
            EvalAltResult::ErrorStackOverflow(_) => Some(Limit::CallLevels),
            EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("string") => {
                Some(Limit::StringSize)
            }
            EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("array") => {
                Some(Limit::ArraySize)
            }
            EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("map") => {
                Some(Limit::MapSize)
            }
            _ => None,
        };
        if let Some(limit) = limit {
            return ScriptError::Limit {
                script,
                function: hook,
                limit,
            };
        }
        let pos = err.take_position();
        let at = location(&self.name, pos);
        match err {
            // `Fn("eval")` slips past the parser and is refused only when called.
            EvalAltResult::ErrorParsing(ParseErrorType::Reserved(word), _) if word == "eval" => {
                ScriptError::Eval { script, at }
            }
            EvalAltResult::ErrorVariableNotFound(variable, _) => ScriptError::UndefinedVariable {
                script,
                at,
                variable,
            },
            EvalAltResult::ErrorPropertyNotFound(property, _) => ScriptError::UnknownProperty {
                script,
                function: hook,
                within: within(&helpers),
                at,
                property,
            },
            other => ScriptError::Runtime {
                script,
                function: hook,
                within: within(&helpers),
                at,
                message: other.to_string(),
            },
        }
    }

    fn number(
        &self,
        hook: Hook,
        value: &Dynamic,
        context: &Words,
        expected: &Words,
    ) -> Result<f64, ScriptError> {
        let n = if let Ok(f) = value.as_float() {
            f
        } else if let Ok(i) = value.as_int() {
            i as f64
        } else {
            return Err(self.bad_result(hook, context, describe(value), expected.clone()));
        };
        if n.is_finite() {
            Ok(n)
        } else {
            Err(self.bad_result(hook, context, number(n), expected.clone()))
        }
    }

    fn bad_result(&self, hook: Hook, context: &Words, got: Words, expected: Words) -> ScriptError {
        ScriptError::BadResult {
            script: self.name.clone(),
            function: hook,
            context: Box::new(context.clone()),
            got: Box::new(got),
            expected: Box::new(expected),
        }
    }
}

/// Builds the one engine a script runs on; nothing changes it afterwards.
fn sandbox(name: &str, log: Log, deadline: Rc<Cell<Option<Instant>>>) -> Engine {
    // `Engine::new` would add a file module resolver and stdout printing; start bare instead and
    // add the standard library minus the clock, so a score depends only on its inputs.
    let mut engine = Engine::new_raw();
    engine.register_global_module(CorePackage::new().as_shared_module());
    engine.register_global_module(LogicPackage::new().as_shared_module());
    engine.register_global_module(BitFieldPackage::new().as_shared_module());
    engine.register_global_module(BasicMathPackage::new().as_shared_module());
    engine.register_global_module(BasicArrayPackage::new().as_shared_module());
    engine.register_global_module(BasicMapPackage::new().as_shared_module());
    engine.register_global_module(MoreStringPackage::new().as_shared_module());

    engine.disable_symbol("eval");
    engine.set_strict_variables(true);
    engine.set_fail_on_invalid_map_property(true);
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH);
    engine.set_max_string_size(MAX_STRING_SIZE);
    engine.set_max_array_size(MAX_ARRAY_SIZE);
    engine.set_max_map_size(MAX_MAP_SIZE);

    engine.on_progress(move |ops| {
        if ops % CLOCK_EVERY == 0 {
            if let Some(deadline) = deadline.get() {
                if Instant::now() >= deadline {
                    return Some(Dynamic::from("time limit"));
                }
            }
        }
        None
    });

    let print_log = Rc::clone(&log);
    let print_name = name.to_string();
    engine.on_print(move |s| print_log.borrow_mut().push(format!("{print_name}: {s}")));
    let debug_name = name.to_string();
    engine.on_debug(move |s, _, pos| {
        log.borrow_mut()
            .push(format!("{}: {s}", location(&debug_name, pos)))
    });
    engine
}

fn parse_error(name: &str, err: &ParseError) -> ScriptError {
    let script = name.to_string();
    let at = location(name, err.1);
    match &*err.0 {
        ParseErrorType::Reserved(word) if word == "import" || word == "export" => {
            ScriptError::Import { script, at }
        }
        ParseErrorType::Reserved(word) if word == "eval" => ScriptError::Eval { script, at },
        ParseErrorType::BadInput(LexError::ImproperSymbol(word, _)) if word == "eval" => {
            ScriptError::Eval { script, at }
        }
        ParseErrorType::VariableUndefined(variable) => ScriptError::UndefinedVariable {
            script,
            at,
            variable: variable.clone(),
        },
        ParseErrorType::ExprTooDeep => ScriptError::Syntax {
            script,
            at,
            message: format!(
                "expression nested too deeply (more than {MAX_EXPR_DEPTH} levels, \
                 {MAX_FN_EXPR_DEPTH} inside a function)"
            ),
        },
        other => ScriptError::Syntax {
            script,
            at,
            message: other.to_string(),
        },
    }
}

/// `` in `f` called from `g` `` for errors inside helper functions, innermost first.
fn within(helpers: &[String]) -> String {
    if helpers.is_empty() {
        return String::new();
    }
    let chain: Vec<String> = helpers.iter().rev().map(|h| format!("`{h}`")).collect();
    format!(" in {}", chain.join(" called from "))
}

/// `script:line:col`, or just the script when rhai gives no position.
fn location(name: &str, pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(line), Some(col)) => format!("{name}:{line}:{col}"),
        (Some(line), None) => format!("{name}:{line}"),
        _ => name.to_string(),
    }
}

/// A value as an error message shows it.
fn describe(value: &Dynamic) -> Words {
    if value.is_unit() {
        Words::new("nothing (`()`)", "空值（`()`）")
    } else if value.is_string() {
        Words::new(format!("the string {value:?}"), format!("字符串 {value:?}"))
    } else {
        Words::new(
            format!("the {} `{value}`", value.type_name()),
            format!(" {} 类型的 `{value}`", value.type_name()),
        )
    }
}

/// A number a script returned, as said in an error.
fn number(n: f64) -> Words {
    Words::new(n.to_string(), format!(" {n}"))
}

fn a_number() -> Words {
    Words::new("a number", "一个数")
}

fn for_entrant(entrant: &str) -> Words {
    Words::new(
        format!(" for entrant `{entrant}`"),
        format!("（参赛者 `{entrant}`）"),
    )
}

/// Length-prefixed fields, so no two different responses share a key; written into a reused
/// buffer so a repeated response costs no allocation.
fn memo_key(key: &mut String, item: &ItemInfo, response: &ResponseInfo) {
    key.clear();
    // Hex digits never contain the `;` that ends them, so the points need no length prefix.
    let _ = write!(key, "{:x};", item.points.to_bits());
    let mut field = |s: &str| {
        let _ = write!(key, "{}:{s}", s.len());
    };
    field(item.id);
    field(item.kind);
    field(item.section);
    field(response.status);
    field(response.text);
    let _ = write!(key, "{};{};", item.number, item.options);
    let mut list = |name: char, items: &[String]| {
        let _ = write!(key, "{name}{};", items.len());
        for s in items {
            let _ = write!(key, "{}:{s}", s.len());
        }
    };
    list('k', item.key);
    list('t', item.tags);
    list('m', response.marks);
}

fn strings(list: &[String]) -> Dynamic {
    Dynamic::from_array(list.iter().map(|s| Dynamic::from(s.clone())).collect())
}

fn item_map(item: &ItemInfo) -> Map {
    let mut m = Map::new();
    m.insert("id".into(), item.id.into());
    m.insert("number".into(), (item.number as INT).into());
    m.insert("kind".into(), item.kind.into());
    m.insert("points".into(), (item.points as FLOAT).into());
    m.insert("key".into(), strings(item.key));
    m.insert("options".into(), (item.options as INT).into());
    m.insert("tags".into(), strings(item.tags));
    m.insert("section".into(), item.section.into());
    m
}

fn response_map(response: &ResponseInfo) -> Map {
    let mut m = Map::new();
    m.insert("marks".into(), strings(response.marks));
    m.insert("status".into(), response.status.into());
    m.insert("text".into(), response.text.into());
    m
}

fn candidate_map(c: &CandidateInfo) -> Map {
    let sections: Array = c
        .sections
        .iter()
        .map(|(title, score, max)| {
            let mut m = Map::new();
            m.insert("title".into(), title.clone().into());
            m.insert("score".into(), (*score as FLOAT).into());
            m.insert("max".into(), (*max as FLOAT).into());
            Dynamic::from_map(m)
        })
        .collect();
    let items: Array = c
        .items
        .iter()
        .map(|it| {
            let mut m = Map::new();
            m.insert("id".into(), it.id.clone().into());
            m.insert("number".into(), (it.number as INT).into());
            m.insert("points".into(), (it.points as FLOAT).into());
            m.insert("max".into(), (it.max as FLOAT).into());
            m.insert("status".into(), it.status.clone().into());
            Dynamic::from_map(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("id".into(), c.id.clone().into());
    m.insert("name".into(), c.name.clone().into());
    m.insert("team".into(), c.team.clone().into());
    m.insert("score".into(), (c.score as FLOAT).into());
    m.insert("max".into(), (c.max as FLOAT).into());
    m.insert("sections".into(), Dynamic::from_array(sections));
    m.insert("items".into(), Dynamic::from_array(items));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(id: &str, marks: &[&str], status: &str, text: &str) -> String {
        let key: Vec<String> = Vec::new();
        let marks: Vec<String> = marks.iter().map(|s| s.to_string()).collect();
        let item = ItemInfo {
            id,
            number: 1,
            kind: "multiple",
            points: 2.0,
            key: &key,
            options: 4,
            tags: &[],
            section: "",
        };
        let response = ResponseInfo {
            marks: &marks,
            status,
            text,
        };
        let mut out = String::new();
        memo_key(&mut out, &item, &response);
        out
    }

    #[test]
    /// The memo never answers for another item: whatever the hook reads, it sees.
    fn the_memo_is_keyed_by_every_field_a_hook_sees() {
        let script = RuleScript::compile(
            "t.rhai",
            "fn score(item, response) { \
               let p = item.number.to_float() / 100.0; \
               if item.section == \"二\" { p += 0.25 } \
               if item.tags.contains(\"x\") { p += 0.125 } \
               if item.key == [\"B\"] { p += 0.0625 } \
               if item.kind == \"single\" { p += 0.5 } \
               if item.options == 5 { p += 0.03125 } \
               p * item.points / 2.0 }",
        )
        .unwrap();
        let (a, b, x) = (
            vec!["A".to_string()],
            vec!["B".to_string()],
            vec!["x".to_string()],
        );
        let base = ItemInfo {
            id: "q1",
            number: 1,
            kind: "multiple",
            points: 2.0,
            key: &a,
            options: 4,
            tags: &[],
            section: "一",
        };
        let response = ResponseInfo {
            marks: &a,
            status: "ok",
            text: "A",
        };
        let mut seen = Vec::new();
        for item in [
            base,
            ItemInfo { number: 2, ..base },
            ItemInfo {
                section: "二",
                ..base
            },
            ItemInfo { tags: &x, ..base },
            ItemInfo { key: &b, ..base },
            ItemInfo {
                kind: "single",
                ..base
            },
            ItemInfo { options: 5, ..base },
            ItemInfo {
                points: 1.0,
                ..base
            },
        ] {
            let p = script.score(&item, &response).unwrap().unwrap();
            assert!(
                !seen.contains(&p),
                "{item:?} scored {p}, as an earlier item did"
            );
            seen.push(p);
        }
        assert_eq!(script.score(&base, &response).unwrap().unwrap(), seen[0]);
    }

    #[test]
    fn memo_keys_keep_responses_apart() {
        assert_ne!(
            key_of("q1", &["AB"], "ok", ""),
            key_of("q1", &["A", "B"], "ok", "")
        );
        assert_ne!(
            key_of("q1", &["A"], "ok", ""),
            key_of("q1", &["A"], "multi", "")
        );
        assert_ne!(key_of("q1", &[], "ok", "A"), key_of("q1", &["A"], "ok", ""));
        assert_ne!(
            key_of("q1", &["A"], "ok", ""),
            key_of("q2", &["A"], "ok", "")
        );
        assert_eq!(
            key_of("q1", &["A"], "ok", ""),
            key_of("q1", &["A"], "ok", "")
        );
    }

    #[test]
    fn the_wall_clock_guard_stops_a_hook_that_outlives_it() {
        let mut script = RuleScript::compile("x.rhai", "fn team(m) { loop {} }").unwrap();
        // The operation limit ends this loop; with a guard already expired, the guard does.
        assert!(matches!(
            script.team(&[]).unwrap_err(),
            ScriptError::Limit {
                limit: Limit::Operations,
                ..
            }
        ));
        script.guard = Duration::ZERO;
        let err = script.team(&[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rule script `x.rhai`: `team` exceeded the safety time limit of 30 s"
        );
    }

    #[test]
    fn locations_read_script_line_col() {
        assert_eq!(location("a.rhai", Position::new(3, 9)), "a.rhai:3:9");
        assert_eq!(location("a.rhai", Position::NONE), "a.rhai");
    }

    #[test]
    fn helper_chains_read_innermost_first() {
        assert_eq!(within(&[]), "");
        assert_eq!(within(&["g".into(), "h".into()]), " in `h` called from `g`");
    }
}
