//! Rule scripts as a grader uses them: the shipped scripts on hand-computed cases, and hostile
//! scripts that must fail fast with an error naming the script, the hook and the cause.

use std::path::Path;

use examforge::score::script::{
    CandidateInfo, Hook, ItemInfo, ItemOutcome, Limit, ResponseInfo, RuleScript, ScriptError,
    TotalOutcome,
};

fn source(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn shipped(name: &str) -> RuleScript {
    let path = format!("scripts/{name}.rhai");
    RuleScript::compile(&path, &source(&path)).unwrap_or_else(|e| panic!("{e}"))
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

fn marks(script: &RuleScript, item: &Item, given: &[&str]) -> Option<f64> {
    let given = strings(given);
    let status = if given.is_empty() { "blank" } else { "ok" };
    respond(script, item, &given, status, "").unwrap_or_else(|e| panic!("{e}"))
}

fn status(script: &RuleScript, item: &Item, status: &str) -> Option<f64> {
    respond(script, item, &[], status, "").unwrap_or_else(|e| panic!("{e}"))
}

fn text(script: &RuleScript, item: &Item, text: &str) -> Option<f64> {
    respond(script, item, &[], "ok", text).unwrap_or_else(|e| panic!("{e}"))
}

fn respond(
    script: &RuleScript,
    item: &Item,
    marks: &[String],
    status: &str,
    text: &str,
) -> Result<Option<f64>, ScriptError> {
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

fn judged(points: &[f64]) -> CandidateInfo {
    let items = points
        .iter()
        .enumerate()
        .map(|(i, &p)| ItemOutcome {
            id: format!("judge-{}", i + 1),
            number: i as u32 + 1,
            points: p,
            max: 10.0,
            status: "ok".into(),
        })
        .collect::<Vec<_>>();
    CandidateInfo {
        id: "S01".into(),
        name: "选手一".into(),
        team: String::new(),
        score: points.iter().sum(),
        max: 10.0 * points.len() as f64,
        sections: Vec::new(),
        items,
    }
}

fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
}

// ---- multi-half.rhai ----

#[test]
fn multi_half_gives_half_for_a_right_subset_and_nothing_for_a_wrong_mark() {
    let s = shipped("multi-half");
    assert!(s.has_score() && !s.has_total() && !s.has_team() && !s.has_combine());
    let ac = Item::new("multiple", 2.0, &["A", "C"]);
    assert_eq!(marks(&s, &ac, &["A", "C"]), Some(2.0));
    assert_eq!(marks(&s, &ac, &["A"]), Some(1.0));
    assert_eq!(marks(&s, &ac, &["C"]), Some(1.0));
    assert_eq!(marks(&s, &ac, &["A", "B"]), Some(0.0));
    assert_eq!(marks(&s, &ac, &["A", "B", "C"]), Some(0.0));
    assert_eq!(marks(&s, &ac, &["D"]), Some(0.0));
    assert_eq!(marks(&s, &ac, &[]), Some(0.0));
    assert_eq!(status(&s, &ac, "unreadable"), Some(0.0));

    let three = Item::new("multiple", 3.0, &["A", "B", "D"]);
    assert_eq!(marks(&s, &three, &["B", "D"]), Some(1.5));
}

#[test]
fn multi_half_leaves_every_other_kind_to_the_blueprint() {
    let s = shipped("multi-half");
    for (kind, key) in [
        ("single", "B"),
        ("judge", "T"),
        ("fill", "北京"),
        ("short", "要点"),
    ] {
        let item = Item::new(kind, 2.0, &[key]);
        assert_eq!(marks(&s, &item, &[key]), None, "{kind}");
        assert_eq!(text(&s, &item, key), None, "{kind}");
        assert_eq!(status(&s, &item, "blank"), None, "{kind}");
    }
}

// ---- negative.rhai ----

#[test]
fn negative_takes_a_quarter_for_a_wrong_answer() {
    let s = shipped("negative");
    let single = Item::new("single", 1.0, &["B"]);
    assert_eq!(marks(&s, &single, &["B"]), Some(1.0));
    assert_eq!(marks(&s, &single, &["A"]), Some(-0.25));
    assert_eq!(marks(&s, &single, &[]), Some(0.0));
    assert_eq!(status(&s, &single, "multi"), Some(-0.25));
    assert_eq!(status(&s, &single, "unreadable"), Some(0.0));

    let judge = Item::new("judge", 2.0, &["T"]);
    assert_eq!(marks(&s, &judge, &["T"]), Some(2.0));
    assert_eq!(marks(&s, &judge, &["F"]), Some(-0.5));

    let multiple = Item::new("multiple", 2.0, &["A", "C"]);
    assert_eq!(marks(&s, &multiple, &["A", "C"]), Some(2.0));
    assert_eq!(marks(&s, &multiple, &["A"]), Some(-0.5));
    assert_eq!(marks(&s, &multiple, &["A", "B", "C"]), Some(-0.5));
    assert_eq!(marks(&s, &multiple, &[]), Some(0.0));

    // Written answers are left to the blueprint's rule: never penalised.
    let fill = Item::new("fill", 2.0, &["氧气|O2"]);
    assert_eq!(text(&s, &fill, "氮气"), None);
    assert_eq!(status(&s, &fill, "multi"), None);
}

// ---- pass-grades.rhai ----

#[test]
fn pass_grades_grades_by_percentage() {
    let s = shipped("pass-grades");
    assert!(s.has_total() && !s.has_score());
    let grade = |score: f64| s.total(&candidate("001", score, 60.0)).unwrap();
    let outcome = |score: f64, pass: bool, grade: &str| TotalOutcome {
        score,
        pass: Some(pass),
        grade: Some(grade.into()),
    };
    assert_eq!(grade(60.0), outcome(60.0, true, "优秀"));
    assert_eq!(grade(54.0), outcome(54.0, true, "优秀"));
    assert_eq!(grade(53.5), outcome(53.5, true, "良好"));
    assert_eq!(grade(48.0), outcome(48.0, true, "良好"));
    assert_eq!(grade(36.0), outcome(36.0, true, "合格"));
    assert_eq!(grade(35.5), outcome(35.5, false, "不合格"));
    assert_eq!(grade(0.0), outcome(0.0, false, "不合格"));
}

// ---- team-best-five.rhai ----

#[test]
fn team_best_five_averages_the_top_five() {
    let s = shipped("team-best-five");
    assert!(s.has_team());
    let seven: Vec<_> = [90.0, 85.0, 70.0, 95.0, 60.0, 88.0, 75.0]
        .iter()
        .enumerate()
        .map(|(i, &p)| candidate(&i.to_string(), p, 100.0))
        .collect();
    // 95 + 90 + 88 + 85 + 75 = 433
    assert_close(s.team(&seven).unwrap(), 433.0 / 5.0);

    let three: Vec<_> = [80.0, 70.0, 90.0]
        .iter()
        .map(|&p| candidate("x", p, 100.0))
        .collect();
    assert_close(s.team(&three).unwrap(), 80.0);
    assert_eq!(s.team(&[]).unwrap(), 0.0);
}

// ---- judges-trimmed-mean.rhai ----

#[test]
fn judges_trimmed_mean_drops_the_highest_and_lowest() {
    let s = shipped("judges-trimmed-mean");
    let out = s.total(&judged(&[9.0, 9.5, 8.0, 9.2, 7.5])).unwrap();
    assert_close(out.score, (9.0 + 8.0 + 9.2) / 3.0);
    assert_eq!(out.pass, None);
    assert_eq!(out.grade, None);

    // Ties: only one of the equal highest scores is dropped.
    assert_close(s.total(&judged(&[9.0, 9.0, 8.0])).unwrap().score, 9.0);
    // Fewer than three judges: the plain mean.
    assert_close(s.total(&judged(&[9.0, 8.0])).unwrap().score, 8.5);
}

// ---- the sandbox ----

fn score_error(name: &str) -> ScriptError {
    let script = fixture(name).unwrap_or_else(|e| panic!("{name} should compile: {e}"));
    let item = Item::new("single", 1.0, &["A"]);
    respond(&script, &item, &strings(&["A"]), "ok", "").expect_err("the hook should fail")
}

#[test]
fn an_endless_loop_stops_at_the_operation_limit_naming_it() {
    let err = score_error("endless-loop");
    let path = fixture_path("endless-loop");
    assert_eq!(
        err,
        ScriptError::Limit {
            script: path.clone(),
            function: Hook::Score,
            limit: Limit::Operations,
        }
    );
    assert_eq!(
        err.to_string(),
        format!("rule script `{path}`: `score` exceeded the limit of 1000000 operations")
    );
    assert!(err.hint().unwrap().contains("loop"));
}

#[test]
fn a_hook_of_slow_steps_stops_at_the_same_operation_limit() {
    let script = fixture("slow-steps").unwrap();
    let err = script.total(&candidate("001", 1.0, 1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "rule script `{}`: `total` exceeded the limit of 1000000 operations",
            fixture_path("slow-steps")
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
             expected a number from -1 to 1, or `()`",
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
             expected a number from -1 to 1, or `()`",
            fixture_path("out-of-range")
        )
    );
    assert_eq!(
        err.hint().unwrap(),
        "make the function return a number from -1 to 1, or `()`"
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
    let path = fixture_path("counting");
    let script = RuleScript::compile(&path, &source(&path)).unwrap();
    let item = Item::new("single", 1.0, &["A"]);
    let right = strings(&["A"]);
    let wrong = strings(&["B"]);
    for _ in 0..1000 {
        assert_eq!(
            respond(&script, &item, &right, "ok", "").unwrap(),
            Some(1.0)
        );
        assert_eq!(
            respond(&script, &item, &wrong, "ok", "").unwrap(),
            Some(0.0)
        );
    }
    // Same marks, different status: a distinct response.
    assert_eq!(
        respond(&script, &item, &right, "multi", "").unwrap(),
        Some(1.0)
    );
    let other = Item {
        id: "q-other".into(),
        ..Item::new("single", 1.0, &["A"])
    };
    assert_eq!(
        respond(&script, &other, &right, "ok", "").unwrap(),
        Some(1.0)
    );

    assert_eq!(
        script.take_log(),
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
        "rule script `x.rhai` defines none of the functions `score`, `total`, `team`, `combine`, `judge`"
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
    let s = RuleScript::compile(
        "rules/x.rhai",
        "print(\"loaded\");\nfn team(members) {\n    debug(members.len());\n    0.0\n}",
    )
    .unwrap();
    assert_eq!(s.take_log(), vec!["rules/x.rhai: loaded"]);
    s.team(&[]).unwrap();
    assert_eq!(s.take_log(), vec!["rules/x.rhai:3:5: 0"]);
    assert!(s.take_log().is_empty(), "each line is handed over once");
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
fn every_shipped_script_compiles_and_says_how_to_attach_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rhai") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            RuleScript::compile(&name, &text).unwrap_or_else(|e| panic!("{e}"));
            assert!(text.contains(&format!("--rules scripts/{name}")), "{name}");
            assert!(text.contains("[scoring] script ="), "{name}");
            count += 1;
        }
    }
    assert_eq!(count, 5);
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
