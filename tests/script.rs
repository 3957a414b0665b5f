//! Rule scripts as a grader uses them: hostile scripts must fail fast with an error naming the
//! script, the hook and the cause.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use examforge::score::script::{
    CandidateInfo, Hook, ItemInfo, Limit, ResponseInfo, RuleScript, ScriptError, TotalOutcome,
};

fn source(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn fixture_path(name: &str) -> String {
    format!("tests/fixtures/scripts/{name}.rhai")
}

fn fixture(name: &str) -> Result<RuleScript, ScriptError> {
    let path = fixture_path(name);
    RuleScript::compile(&path, &source(&path))
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// An item with its key and points; everything else plain.
struct Item {
    id: String,
    kind: &'static str,
    points: f64,
    key: Vec<String>,
    tags: Vec<String>,
}

impl Item {
    fn new(kind: &'static str, points: f64, key: &[&str]) -> Self {
        Item {
            id: format!("q-{kind}"),
            kind,
            points,
            key: strings(key),
            tags: strings(&["安全"]),
        }
    }

    fn info(&self) -> ItemInfo<'_> {
        ItemInfo {
            id: &self.id,
            number: 7,
            kind: self.kind,
            points: self.points,
            key: &self.key,
            options: 4,
            tags: &self.tags,
            section: "二、多项选择题",
        }
    }
}

fn respond(
    script: &RuleScript,
    item: &Item,
    marks: &[String],
    status: &str,
    text: &str,
) -> Result<f64, ScriptError> {
    let response = ResponseInfo {
        marks,
        status,
        text,
    };
    script.score(&item.info(), &response)
}

fn candidate(id: &str, score: f64, max: f64) -> CandidateInfo {
    CandidateInfo {
        id: id.into(),
        name: format!("考生{id}"),
        team: "一队".into(),
        score,
        max,
        sections: vec![("一、单项选择题".into(), score, max)],
        items: Vec::new(),
    }
}

// ---- the sandbox ----

fn score_error(name: &str) -> ScriptError {
    let script = fixture(name).unwrap_or_else(|e| panic!("{name} should compile: {e}"));
    let item = Item::new("single", 1.0, &["A"]);
    respond(&script, &item, &strings(&["A"]), "ok", "").expect_err("the hook should fail")
}

#[test]
fn an_endless_loop_stops_within_a_second_naming_the_limit() {
    let started = Instant::now();
    let err = score_error("endless-loop");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let path = fixture_path("endless-loop");
    match &err {
        ScriptError::Limit {
            script,
            function: Hook::Score,
            limit: Limit::Operations | Limit::Time,
        } => assert_eq!(script, &path),
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.starts_with(&format!("rule script `{path}`: `score` exceeded the ")));
    assert!(
        message.ends_with("limit of 1000000 operations") || message.ends_with("time limit of 1 s"),
        "{message}"
    );
    assert!(err.hint().unwrap().contains("loop"));
}

#[test]
fn a_slow_hook_is_stopped_by_the_clock() {
    let script = fixture("time-hog").unwrap();
    let started = Instant::now();
    let err = script.total(&candidate("001", 1.0, 1.0)).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `total` exceeded the time limit of 1 s",
            fixture_path("time-hog")
        )
    );
}

#[test]
fn deep_recursion_hits_the_call_limit() {
    let err = score_error("deep-recursion");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` exceeded the limit of 32 nested function calls",
            fixture_path("deep-recursion")
        )
    );
    assert!(err.hint().unwrap().contains("recursion"));
}

#[test]
fn a_string_doubled_in_a_loop_hits_the_size_limit() {
    let err = score_error("string-doubling");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` exceeded the limit of 65536 bytes for a string",
            fixture_path("string-doubling")
        )
    );
}

#[test]
fn import_is_refused_at_compile_time() {
    let err = fixture("import").unwrap_err();
    let path = fixture_path("import");
    assert_eq!(
        err.to_string(),
        format!("rule script `{path}`: `import` is not allowed in rule scripts (at {path}:1:1)")
    );
    assert!(err.hint().unwrap().contains("self-contained"));
}

#[test]
fn eval_is_refused_at_compile_time() {
    let err = fixture("eval").unwrap_err();
    let path = fixture_path("eval");
    assert_eq!(
        err.to_string(),
        format!("rule script `{path}`: `eval` is not allowed in rule scripts (at {path}:2:5)")
    );
    assert!(err.hint().is_some());
}

#[test]
fn eval_through_a_function_pointer_is_refused_too() {
    let err = score_error("eval-pointer");
    assert!(matches!(err, ScriptError::Eval { .. }), "{err:?}");
}

#[test]
fn a_nan_score_names_the_item() {
    let err = score_error("nan");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` returned NaN for item `q-single` (no. 7); \
             expected a number from -1 to 1",
            fixture_path("nan")
        )
    );
}

#[test]
fn a_score_beyond_the_points_names_the_item() {
    let err = score_error("out-of-range");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` returned 2 for item `q-single` (no. 7); \
             expected a number from -1 to 1",
            fixture_path("out-of-range")
        )
    );
    assert_eq!(
        err.hint().unwrap(),
        "make the function return a number from -1 to 1"
    );
}

#[test]
fn a_syntax_error_gives_line_and_column() {
    let err = fixture("syntax-error").unwrap_err();
    let path = fixture_path("syntax-error");
    match &err {
        ScriptError::Syntax { at, .. } => assert_eq!(at, &format!("{path}:2:26")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with(&format!(
        "rule script `{path}`: syntax error at {path}:2:26: "
    )));
}

#[test]
fn an_undefined_variable_is_caught_at_compile_time() {
    let err = fixture("undefined-variable").unwrap_err();
    let path = fixture_path("undefined-variable");
    assert_eq!(
        err.to_string(),
        format!("rule script `{path}`: undefined variable `bonus` at {path}:2:5")
    );
    assert!(err.hint().unwrap().contains("let"));
}

#[test]
fn identical_responses_run_the_hook_once() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = Rc::clone(&log);
    let path = fixture_path("counting");
    let script = RuleScript::compile_with_log(&path, &source(&path), move |line| {
        sink.borrow_mut().push(line.to_string())
    })
    .unwrap();
    let item = Item::new("single", 1.0, &["A"]);
    let right = strings(&["A"]);
    let wrong = strings(&["B"]);
    for _ in 0..1000 {
        assert_eq!(respond(&script, &item, &right, "ok", "").unwrap(), 1.0);
        assert_eq!(respond(&script, &item, &wrong, "ok", "").unwrap(), 0.0);
    }
    // Same marks, different status: a distinct response.
    assert_eq!(respond(&script, &item, &right, "multi", "").unwrap(), 1.0);
    let other = Item {
        id: "q-other".into(),
        ..Item::new("single", 1.0, &["A"])
    };
    assert_eq!(respond(&script, &other, &right, "ok", "").unwrap(), 1.0);

    let lines = log.borrow();
    assert_eq!(
        *lines,
        vec![
            format!("{path}: scoring q-single"),
            format!("{path}: scoring q-single"),
            format!("{path}: scoring q-single"),
            format!("{path}: scoring q-other"),
        ]
    );
}

#[test]
fn a_script_without_hooks_is_refused() {
    let err = RuleScript::compile("x.rhai", "fn scor(item, response) { 1.0 }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `x.rhai` defines none of the functions `score`, `total`, `team`, `combine`"
    );
    assert!(err.hint().unwrap().contains("fn score(item, response)"));
}

#[test]
fn a_hook_with_the_wrong_parameters_is_refused() {
    let err = RuleScript::compile("x.rhai", "fn score(item) { 1.0 }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `x.rhai`: `score` takes the wrong parameters; \
         expected `fn score(item, response)`"
    );
}

#[test]
fn calling_a_hook_the_script_lacks_is_an_error() {
    let s = RuleScript::compile("rules/grades.rhai", "fn total(c) { c.score }").unwrap();
    let item = Item::new("single", 1.0, &["A"]);
    let err = respond(&s, &item, &[], "blank", "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `rules/grades.rhai` has no `score` function"
    );
}

#[test]
fn a_total_with_an_unknown_field_is_refused() {
    let s =
        RuleScript::compile("x.rhai", "fn total(c) { #{ score: c.score, grde: \"A\" } }").unwrap();
    let err = s.total(&candidate("001", 50.0, 60.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `x.rhai`: `total` returned a map with the unknown field `grde` \
         for candidate `001`; expected only the fields score, pass and grade"
    );
}

#[test]
fn a_total_may_set_only_a_grade() {
    let s = RuleScript::compile("x.rhai", "fn total(c) { #{ grade: \"A\" } }").unwrap();
    let out = s.total(&candidate("001", 50.0, 60.0)).unwrap();
    assert_eq!(
        out,
        TotalOutcome {
            score: 50.0,
            pass: None,
            grade: Some("A".into())
        }
    );
}

#[test]
fn a_hook_returning_nothing_says_so() {
    let s = RuleScript::compile("x.rhai", "fn team(members) { let x = 1; }").unwrap();
    let err = s.team(&[candidate("001", 50.0, 60.0)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `x.rhai`: `team` returned nothing (`()`) for team `一队`; expected a number"
    );
}

#[test]
fn a_misspelt_field_fails_with_its_position() {
    let s = RuleScript::compile(
        "x.rhai",
        "fn points_of(item) {\n    item.piont\n}\nfn score(item, response) {\n    points_of(item)\n}",
    )
    .unwrap();
    let item = Item::new("single", 1.0, &["A"]);
    let err = respond(&s, &item, &[], "blank", "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule script `x.rhai`: `score` failed in `points_of` at x.rhai:2:10: Property not found: piont"
    );
    assert!(err.hint().unwrap().contains("points"));
}

#[test]
fn print_and_debug_go_to_the_log_with_the_script_name() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = Rc::clone(&log);
    let s = RuleScript::compile_with_log(
        "rules/x.rhai",
        "print(\"loaded\");\nfn team(members) {\n    debug(members.len());\n    0.0\n}",
        move |line| sink.borrow_mut().push(line.to_string()),
    )
    .unwrap();
    s.team(&[]).unwrap();
    assert_eq!(
        *log.borrow(),
        vec!["rules/x.rhai: loaded", "rules/x.rhai:3:5: 0"]
    );
}

#[test]
fn the_clock_is_not_available() {
    let err = RuleScript::compile("x.rhai", "fn team(m) { timestamp(); 0.0 }")
        .unwrap()
        .team(&[])
        .unwrap_err();
    assert!(
        err.to_string().contains("Function not found: timestamp"),
        "{err}"
    );
}

#[test]
fn runaway_top_level_code_fails_at_load() {
    let err = RuleScript::compile("x.rhai", "loop {}\nfn score(i, r) { 0.0 }").unwrap_err();
    assert!(
        matches!(
            err,
            ScriptError::Limit {
                function: Hook::TopLevel,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_growing_map_or_array_hits_the_size_limit() {
    let err = score_error("map-growth");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` exceeded the limit of 10000 entries for a map",
            fixture_path("map-growth")
        )
    );
    let err = score_error("array-growth");
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `score` exceeded the limit of 10000 elements for an array",
            fixture_path("array-growth")
        )
    );
}

#[test]
fn a_deeply_nested_expression_is_refused_at_compile_time() {
    let nested = format!(
        "fn score(i, r) {{ {}1{} }}",
        "(".repeat(200),
        ")".repeat(200)
    );
    let err = RuleScript::compile("x.rhai", &nested).unwrap_err();
    assert!(
        err.to_string().contains("expression nested too deeply"),
        "{err}"
    );
}
