//! The report's opening lines in plain words: who passed, which sections were weak, which
//! questions to look at and why. Made from the figures the report prints, never a second count.

use super::summary::{SectionStat, Summary};
use super::view::{fixed, passed_in_words, pct, ItemView};
use crate::bank::fmt_points;

/// Sections whose facility (as printed, a whole percent) is below this are named as weak.
pub const WEAK_SECTION: f64 = 0.6;
/// At most this many questions are named; the rest are counted.
const NAMED: usize = 5;

/// The flags from the most to the least serious, with a short reason in Chinese and English.
const SERIOUSNESS: [(&str, &str, &str); 6] = [
    ("key-suspect", "答案可能有误", "the key may be wrong"),
    (
        "negative-discrimination",
        "低分者反而得分更高",
        "weaker candidates score better",
    ),
    (
        "strong-distractor",
        "干扰项过强",
        "a distractor draws the best",
    ),
    ("too-hard", "过难", "too hard"),
    ("low-discrimination", "区分度低", "low discrimination"),
    ("too-easy", "过易", "too easy"),
];

fn seriousness(code: &str) -> usize {
    SERIOUSNESS
        .iter()
        .position(|(c, _, _)| *c == code)
        .unwrap_or(SERIOUSNESS.len())
}

/// How the overview names a question: by its printed number and its stem's first words.
fn question_name(i: &ItemView, zh: bool) -> String {
    // Fourteen characters of Chinese say about as much as forty of English.
    let stem = super::exam::excerpt(&i.stem, if zh { 14 } else { 40 });
    let number = &i.number_words;
    if stem.is_empty() {
        number.clone()
    } else if zh {
        format!("{number}「{stem}」")
    } else {
        format!("{number}, \"{stem}\"")
    }
}

/// The overview's sentences.
pub fn overview(s: &Summary, pass_line: Option<f64>, items: &[ItemView], zh: bool) -> Vec<String> {
    let mut out = Vec::new();
    let (mean, max, min) = (fixed(s.mean, 1), fmt_points(s.max), fmt_points(s.min));
    let scores = if zh {
        format!("平均分 {mean}，最高 {max}，最低 {min}")
    } else {
        format!("mean {mean}, highest {max}, lowest {min}")
    };
    out.push(
        match (passed_in_words(s.passed, s.failed, pass_line, zh), zh) {
            (Some(p), true) => {
                let list = if s.failed.unwrap_or(0) > 0 {
                    "（名单见「不合格名单」）"
                } else {
                    ""
                };
                format!("{} 人参加考试，{p}{list}；{scores}。", s.candidates)
            }
            (Some(p), false) => {
                let list = if s.failed.unwrap_or(0) > 0 {
                    " (listed under \"Candidates who failed\")"
                } else {
                    ""
                };
                format!(
                    "{} candidates sat the exam: {p}{list}; {scores}.",
                    s.candidates
                )
            }
            (None, true) => format!("{} 人参加考试；{scores}。", s.candidates),
            (None, false) => format!("{} candidates sat the exam; {scores}.", s.candidates),
        },
    );
    if let Some(line) = weak_sections(&s.sections, zh) {
        out.push(line);
    }
    out.push(to_review(items, zh));
    out
}

/// The sections scoring below [`WEAK_SECTION`], weakest first; or the weakest one when none is.
fn weak_sections(sections: &[SectionStat], zh: bool) -> Option<String> {
    let mut sorted: Vec<&SectionStat> = sections.iter().collect();
    sorted.sort_by(|a, b| a.facility.total_cmp(&b.facility));
    let weakest = sorted.first()?;
    let weak: Vec<String> = sorted
        .iter()
        .filter(|s| super::rounded(s.facility, 2) < WEAK_SECTION)
        .map(|s| {
            if zh {
                format!("{}（{}）", s.title, pct(s.facility))
            } else {
                format!("{} ({})", s.title, pct(s.facility))
            }
        })
        .collect();
    let bar = pct(WEAK_SECTION);
    Some(match (weak.is_empty(), zh) {
        (false, true) => format!("得分率低于 {bar} 的题型：{}。", weak.join("、")),
        (false, false) => format!("Sections scoring below {bar}: {}.", weak.join(", ")),
        (true, true) => format!(
            "各题型得分率均不低于 {bar}，最低的是{}（{}）。",
            weakest.title,
            pct(weakest.facility)
        ),
        (true, false) => format!(
            "Every section scores {bar} or more; the lowest is {} ({}).",
            weakest.title,
            pct(weakest.facility)
        ),
    })
}

/// Which questions to look at and why, the most serious first.
fn to_review(items: &[ItemView], zh: bool) -> String {
    let mut flagged: Vec<(usize, &ItemView)> = items
        .iter()
        .filter_map(|i| {
            let worst = i.codes.iter().map(|c| seriousness(c)).min()?;
            Some((worst, i))
        })
        .collect();
    if flagged.is_empty() {
        return if zh {
            "没有试题被标记为需要复核。".into()
        } else {
            "No question is flagged for review.".into()
        };
    }
    flagged.sort_by_key(|(w, _)| *w);
    let named: Vec<String> = flagged
        .iter()
        .take(NAMED)
        .map(|(w, i)| {
            let (_, zh_why, en_why) = SERIOUSNESS[(*w).min(SERIOUSNESS.len() - 1)];
            if zh {
                format!("{}：{zh_why}", question_name(i, zh))
            } else {
                format!("{}: {en_why}", question_name(i, zh))
            }
        })
        .collect();
    let more = flagged.len() - named.len();
    match zh {
        true => format!(
            "建议复核 {} 道题：{}{}。理由、选项和答案见「需复核的试题」。",
            flagged.len(),
            named.join("；"),
            if more > 0 {
                format!("；另有 {more} 道")
            } else {
                String::new()
            }
        ),
        false => format!(
            "{} question{} to look at: {}{}. Reasons, options and keys are under \"Questions to review\".",
            flagged.len(),
            if flagged.len() == 1 { "" } else { "s" },
            named.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::SectionStat;

    fn summary(passed: u64, failed: u64, sections: &[(&str, f64)]) -> Summary {
        Summary {
            candidates: passed + failed,
            mean: 64.34,
            median: 69.0,
            sd: 16.0,
            min: 25.0,
            max: 87.5,
            full: 100.0,
            passed: Some(passed),
            failed: Some(failed),
            pass_rate: Some(passed as f64 / (passed + failed) as f64),
            grades: Vec::new(),
            sections: sections
                .iter()
                .map(|(t, f)| SectionStat {
                    title: t.to_string(),
                    max: 10.0,
                    mean: f * 10.0,
                    facility: *f,
                })
                .collect(),
            histogram: Vec::new(),
        }
    }

    #[test]
    fn the_overview_says_who_passed_what_was_weak_and_what_to_review() {
        let s = summary(
            50,
            15,
            &[
                ("单项选择题", 0.72),
                ("案例分析题", 0.45),
                ("填空题", 0.596),
            ],
        );
        let lines = overview(&s, Some(60.0), &[], true);
        assert_eq!(
            lines[0],
            "65 人参加考试，50 人合格（60 分及以上），15 人不合格（名单见「不合格名单」）；平均分 64.3，最高 87.5，最低 25。"
        );
        // 59.6% prints as 60%: not below 60%.
        assert_eq!(lines[1], "得分率低于 60% 的题型：案例分析题（45%）。");
        assert_eq!(lines[2], "没有试题被标记为需要复核。");
        let en = overview(
            &summary(3, 0, &[("Single choice", 0.8)]),
            Some(60.0),
            &[],
            false,
        );
        assert_eq!(
            en[0],
            "3 candidates sat the exam: 3 passed (60 or more), 0 failed; mean 64.3, highest 87.5, lowest 25."
        );
        assert_eq!(
            en[1],
            "Every section scores 60% or more; the lowest is Single choice (80%)."
        );
    }
}
