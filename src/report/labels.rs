//! The report's words, in Chinese and in English.

use serde::Serialize;

/// Words of the report, in the exam's language.
#[derive(Serialize)]
pub struct Labels {
    pub report: &'static str,
    pub summary: &'static str,
    pub candidates: &'static str,
    pub rejected: &'static str,
    pub mean: &'static str,
    pub median: &'static str,
    pub sd: &'static str,
    pub range: &'static str,
    pub full: &'static str,
    pub pass_rate: &'static str,
    pub alpha: &'static str,
    pub sem: &'static str,
    pub grades: &'static str,
    pub count: &'static str,
    pub sections: &'static str,
    pub section: &'static str,
    pub max: &'static str,
    pub facility: &'static str,
    pub distribution: &'static str,
    pub score_axis: &'static str,
    pub pass_line: &'static str,
    pub flagged: &'static str,
    pub none_flagged: &'static str,
    pub items: &'static str,
    pub question: &'static str,
    pub location: &'static str,
    pub kind: &'static str,
    pub discrimination: &'static str,
    pub efficiency: &'static str,
    pub blank: &'static str,
    pub multi: &'static str,
    pub options: &'static str,
    pub flags: &'static str,
    pub ranking: &'static str,
    pub rank: &'static str,
    pub candidate: &'static str,
    pub name: &'static str,
    pub team: &'static str,
    pub score: &'static str,
    pub result: &'static str,
    pub teams: &'static str,
    pub members: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub shown_of: &'static str,
    pub notes: &'static str,
    pub definitions: &'static str,
}

pub const ZH: Labels = Labels {
    report: "考试分析报告",
    summary: "成绩概况",
    candidates: "参考人数",
    rejected: "无效答卷",
    mean: "平均分",
    median: "中位数",
    sd: "标准差",
    range: "最低分 – 最高分",
    full: "满分",
    pass_rate: "合格率",
    alpha: "信度（Cronbach α）",
    sem: "测量标准误",
    grades: "等级",
    count: "人数",
    sections: "各题型得分",
    section: "题型",
    max: "满分",
    facility: "难度系数",
    distribution: "成绩分布",
    score_axis: "总分",
    pass_line: "合格线",
    flagged: "需复核的试题",
    none_flagged: "没有试题被标记。",
    items: "试题分析",
    question: "题号",
    location: "题库位置",
    kind: "题型",
    discrimination: "区分度",
    efficiency: "区分效率",
    blank: "空答",
    multi: "多涂",
    options: "选项分布（*为答案）",
    flags: "问题",
    ranking: "个人排名",
    rank: "名次",
    candidate: "准考证号",
    name: "姓名",
    team: "单位",
    score: "成绩",
    result: "结果",
    teams: "单位排名",
    members: "人数",
    passed: "合格",
    failed: "不合格",
    shown_of: "共 {n} 人，列出前 {top} 名；全部名次见 ranking.csv。",
    notes: "说明",
    definitions: "难度系数＝平均得分÷满分；区分度＝该题得分与其余各题总分的相关系数；区分效率＝区分度相对其最大可能值的比例；高分组、低分组各为总分前、后三分之一。",
};

pub const EN: Labels = Labels {
    report: "Exam report",
    summary: "Summary",
    candidates: "Candidates graded",
    rejected: "Rows rejected",
    mean: "Mean",
    median: "Median",
    sd: "Standard deviation",
    range: "Lowest – highest",
    full: "Full marks",
    pass_rate: "Pass rate",
    alpha: "Reliability (Cronbach's α)",
    sem: "Standard error of measurement",
    grades: "Grade",
    count: "Candidates",
    sections: "Sections",
    section: "Section",
    max: "Max",
    facility: "Facility",
    distribution: "Score distribution",
    score_axis: "Total score",
    pass_line: "pass",
    flagged: "Questions to review",
    none_flagged: "No question is flagged.",
    items: "Item analysis",
    question: "Question",
    location: "Bank",
    kind: "Kind",
    discrimination: "Discrim.",
    efficiency: "Effic.",
    blank: "Blank",
    multi: "Multi",
    options: "Options (* = key)",
    flags: "Flags",
    ranking: "Ranking",
    rank: "Rank",
    candidate: "Candidate",
    name: "Name",
    team: "Team",
    score: "Score",
    result: "Result",
    teams: "Teams",
    members: "Members",
    passed: "pass",
    failed: "fail",
    shown_of: "{n} candidates; the first {top} are listed, ranking.csv lists everyone.",
    notes: "Notes",
    definitions: "Facility = mean points ÷ max; discrimination = correlation of the item with the rest of the test; efficiency = discrimination relative to the highest the two score distributions allow; top and bottom groups are the best and weakest thirds by total.",
};

/// The labels of a report in Chinese (`zh`) or English.
pub fn of(zh: bool) -> &'static Labels {
    if zh {
        &ZH
    } else {
        &EN
    }
}

#[cfg(test)]
mod tests {
    use super::{EN, ZH};

    #[test]
    fn both_label_sets_fill_the_ranking_note() {
        for l in [&ZH, &EN] {
            assert!(l.shown_of.contains("{n}") && l.shown_of.contains("{top}"));
        }
    }
}
