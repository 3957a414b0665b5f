//! The pages: minijinja templates embedded in the binary, HTML auto-escaped, in the
//! competition's language; and the static files (no asset from another host).

use crate::bank::Language;
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("pages/base.html")),
    ("signin.html", include_str!("pages/signin.html")),
    ("home.html", include_str!("pages/home.html")),
    ("attempt.html", include_str!("pages/attempt.html")),
    ("question.html", include_str!("pages/question.html")),
    ("item.html", include_str!("pages/item.html")),
    ("result.html", include_str!("pages/result.html")),
    ("me.html", include_str!("pages/me.html")),
    ("board.html", include_str!("pages/board.html")),
    ("admin.html", include_str!("pages/admin.html")),
    ("message.html", include_str!("pages/message.html")),
];

pub const APP_CSS: &str = include_str!("pages/app.css");
pub const APP_JS: &str = include_str!("pages/app.js");

/// The template set; `.html` templates escape every value.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .expect("the embedded templates parse");
    }
    env
}

/// Labels in the competition's language.
pub fn labels(lang: Language) -> BTreeMap<&'static str, &'static str> {
    let pairs: &[(&str, &str, &str)] = &[
        ("lang", "zh-CN", "en"),
        ("me", "我的成绩", "My results"),
        ("board", "排行榜", "Rankings"),
        ("signin", "登录", "Sign in"),
        ("signout", "退出", "Sign out"),
        ("code", "个人答题码", "Your access code"),
        ("signin_heading", "答题登录", "Sign in to answer"),
        ("admin_token", "管理口令", "Admin token"),
        ("total", "累计积分", "Total points"),
        ("rank", "名次", "Rank"),
        ("time_limit", "限时", "Time limit"),
        ("minutes", "分钟", "minutes"),
        ("questions", "题", "questions"),
        ("score", "得分", "Score"),
        ("continue", "继续答题", "Continue"),
        ("start", "开始答题", "Start"),
        ("again", "再答一次", "Try again"),
        ("review", "查看答案", "Review"),
        ("time_left", "剩余时间", "Time left"),
        ("until", "截止", "until"),
        (
            "autosave",
            "答案随选随存",
            "Answers are saved as you give them",
        ),
        ("points", "分", "pt"),
        ("points_h", "积分", "Points"),
        ("true", "正确", "True"),
        ("false", "错误", "False"),
        ("blank", "空", "Blank"),
        ("save", "保存", "Save"),
        ("submit", "交卷", "Submit"),
        ("prev", "上一题", "Previous"),
        ("next", "下一题", "Next"),
        ("view_one", "逐题作答", "One at a time"),
        ("view_all", "整卷作答", "Whole round"),
        (
            "strip",
            "题号（蓝底为已答）",
            "Questions (shaded: answered)",
        ),
        ("n_of_m", "第 {n} 题 / 共 {m} 题", "Question {n} of {m}"),
        ("k_answered", "已答 {k} 题", "{k} answered"),
        (
            "u_unanswered",
            "其他题中还有 {u} 题未答；交卷后不能再改",
            "Other questions not answered yet: {u}. Answers cannot be changed after submitting",
        ),
        ("voided", "本次作答已作废", "This attempt was voided"),
        (
            "no_key",
            "本轮交卷后不公布答案",
            "This round does not show the key",
        ),
        ("your_answer", "你的答案", "Your answer"),
        ("key", "正确答案", "Key"),
        ("explanation", "解析", "Explanation"),
        ("source", "依据", "Source"),
        ("round", "轮次", "Round"),
        ("wrong_book", "错题本", "Questions I got wrong"),
        ("none_wrong", "暂无错题", "None yet"),
        ("teams", "团体排名", "Teams"),
        ("people", "个人排名", "Individuals"),
        ("team", "单位", "Team"),
        ("name", "姓名", "Name"),
        ("participation", "参与率", "Participation"),
        ("cumulative", "累计", "Cumulative"),
        ("admin", "竞赛管理", "Organiser"),
        ("window", "开放时间", "Open"),
        ("started", "已开始", "Started"),
        ("submitted", "已交卷", "Submitted"),
        ("open_now", "立即开放", "Open now"),
        ("close_now", "立即关闭", "Close now"),
        ("extend", "延长时间（分钟）", "Extend time (minutes)"),
        ("void", "作废一次作答", "Void an attempt"),
        ("candidate", "准考证号", "Candidate id"),
        ("reason", "理由", "Reason"),
        ("audit", "操作日志", "Audit log"),
        ("back", "返回", "Back"),
        ("not_open", "未开放", "Not open yet"),
        ("open", "进行中", "Open"),
        ("closed", "已结束", "Closed"),
        ("in_progress", "作答中", "In progress"),
        ("done", "已交卷", "Submitted"),
        ("not_started", "未作答", "Not started"),
        ("saved", "已保存", "Saved"),
        ("late", "作答时间已到，未保存", "Time is up: not saved"),
        ("bad_code", "答题码不正确", "That code is not recognised"),
        (
            "too_many",
            "尝试次数过多，请稍后再试",
            "Too many attempts: try again later",
        ),
        (
            "forbidden",
            "请求无效，请返回重试",
            "The request was refused: go back and try again",
        ),
        (
            "time_up",
            "作答时间已到，已按已保存的答案评分",
            "Time is up: your saved answers were graded",
        ),
    ];
    pairs
        .iter()
        .map(|(k, zh, en)| (*k, if lang == Language::Zh { *zh } else { *en }))
        .collect()
}

/// A rendered page: the template's context is `ctx` plus the common values.
pub fn render<S: Serialize>(env: &Environment<'static>, name: &str, ctx: S) -> String {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| format!("template error: {e}"))
}
