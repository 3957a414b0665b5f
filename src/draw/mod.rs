//! Drawing papers from banks by a blueprint: pure and seeded.

pub mod manifest;
pub mod manifest_check;
pub mod rng;
pub mod synthetic;
#[cfg(test)]
mod tests;

use crate::bank::{fmt_points, Answer, Bank, Kind, Language, Question};
use crate::blueprint::{Blueprint, DifficultyTarget, Mode, OnShort, SectionSpec};
use manifest::{BankDigest, Candidate, Item, Manifest, Paper, Section, FORMAT_VERSION};
use rng::Rng;
use std::collections::HashSet;

/// Which papers to draw.
#[derive(Debug, Clone)]
pub enum Papers {
    /// Paper codes A, B, ….
    Variants(usize),
    /// One paper per candidate; the code is the candidate's id.
    Candidates(Vec<Candidate>),
}

/// Everything a draw needs; nothing is read from disk here.
pub struct DrawInput<'a> {
    pub blueprint: &'a Blueprint,
    pub banks: &'a [Bank],
    pub seed: u64,
    /// Question ids of earlier exams, not to be drawn again.
    pub avoid: &'a HashSet<String>,
    pub papers: Papers,
}

/// A drawn exam and what the user should be told about it.
#[derive(Debug)]
pub struct Drawn {
    pub manifest: Manifest,
    pub warnings: Vec<String>,
}

/// Why a blueprint cannot be drawn from the banks.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error("the banks cannot fill this blueprint:\n{}", shortfalls.iter().map(|s| format!("  - {}", s.message)).collect::<Vec<_>>().join("\n"))]
    Shortfall { shortfalls: Vec<Shortfall> },
}

/// One thing the banks cannot supply, and the blueprint key that asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    /// The key path in the blueprint, e.g. `section[1].quota[0].count`.
    pub key: String,
    pub message: String,
}

impl DrawError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        Some("lower the counts, widen the selectors, add questions to the banks, or set `on_short = \"reuse\"` in `[draw]` when `avoid` is the cause".into())
    }
}

/// The heading of a section of `kind`, in `lang`.
pub fn kind_title(kind: Kind, lang: Language) -> &'static str {
    match (lang, kind) {
        (Language::Zh, Kind::Single) => "单项选择题",
        (Language::Zh, Kind::Multiple) => "多项选择题",
        (Language::Zh, Kind::Judge) => "判断题",
        (Language::Zh, Kind::Fill) => "填空题",
        (Language::Zh, Kind::Short) => "简答题",
        (Language::Zh, Kind::Case) => "案例分析题",
        (Language::En, Kind::Single) => "Single choice",
        (Language::En, Kind::Multiple) => "Multiple choice",
        (Language::En, Kind::Judge) => "True or false",
        (Language::En, Kind::Fill) => "Fill in the blanks",
        (Language::En, Kind::Short) => "Short answer",
        (Language::En, Kind::Case) => "Case study",
    }
}

/// The code of variant `i`: A … Z, AA … ZZ.
pub fn variant_code(i: usize) -> String {
    if i < 26 {
        ((b'A' + i as u8) as char).to_string()
    } else {
        let i = i - 26;
        format!(
            "{}{}",
            (b'A' + (i / 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        )
    }
}

/// A section's candidate questions.
struct Pool {
    /// Indices into the flat question list, in bank order.
    fresh: Vec<usize>,
    avoided: Vec<usize>,
}

/// Whether section `s` may draw `q` (kind and selectors; exclusions aside).
pub fn matches(q: &Question, s: &SectionSpec) -> bool {
    q.kind == s.kind
        && (s.tags_any.is_empty() || s.tags_any.iter().any(|t| q.has_tag(t)))
        && s.tags_all.iter().all(|t| q.has_tag(t))
        && !s.tags_none.iter().any(|t| q.has_tag(t))
        && s.difficulty
            .is_none_or(|[lo, hi]| (lo..=hi).contains(&q.difficulty))
        && (s.ids.is_empty() || s.ids.contains(&q.id))
        && !s.exclude.contains(&q.id)
}

fn section_name(i: usize, s: &SectionSpec, lang: Language) -> String {
    format!(
        "section {} 「{}」",
        i + 1,
        s.title.as_deref().unwrap_or(kind_title(s.kind, lang))
    )
}

/// Questions a draw must leave out, and why (for the shortfall message).
pub struct Exclusions<'a> {
    /// Question ids left out.
    pub ids: &'a HashSet<String>,
    /// Says why, after "N more": e.g. "cite an instrument not in force on the exam date 2026-12-01".
    pub why: &'a str,
}

/// Draws the papers. Fails, before producing anything, when a section or quota cannot be filled.
pub fn draw(input: &DrawInput) -> Result<Drawn, DrawError> {
    draw_excluding(
        input,
        &Exclusions {
            ids: &HashSet::new(),
            why: "",
        },
    )
}

/// Draws the papers without the questions in `excluded` (e.g. those citing a law not in force
/// on the exam date); a shortfall says how many the exclusion took from each section and quota.
pub fn draw_excluding(input: &DrawInput, excluded: &Exclusions) -> Result<Drawn, DrawError> {
    let bp = input.blueprint;
    let lang = bp
        .exam
        .language
        .unwrap_or_else(|| input.banks.first().map_or(Language::Zh, |b| b.language));
    let qs: Vec<&Question> = input.banks.iter().flat_map(|b| &b.questions).collect();
    let reuse = bp.draw.on_short == OnShort::Reuse;
    let mut warnings = Vec::new();
    let mut shortfalls = Vec::new();

    let mut pools = Vec::new();
    for (si, s) in bp.sections.iter().enumerate() {
        let (kept, left_out): (Vec<usize>, Vec<usize>) = (0..qs.len())
            .filter(|&i| matches(qs[i], s))
            .partition(|&i| !excluded.ids.contains(&qs[i].id));
        let (fresh, avoided): (Vec<usize>, Vec<usize>) = kept
            .into_iter()
            .partition(|&i| !input.avoid.contains(&qs[i].id));
        let name = section_name(si, s, lang);
        let usable = fresh.len() + if reuse { avoided.len() } else { 0 };
        let excluded_note = |n: usize| {
            if n == 0 {
                String::new()
            } else {
                format!(" ({n} more {})", excluded.why)
            }
        };
        if usable < s.count {
            let avoided_note = if avoided.is_empty() {
                String::new()
            } else {
                format!(" ({} more are in `avoid`)", avoided.len())
            };
            shortfalls.push(Shortfall {
                key: format!("section[{si}].count"),
                message: format!(
                    "{name}: needs {} {} question(s), the banks hold {}{avoided_note}{}",
                    s.count,
                    s.kind,
                    usable,
                    excluded_note(left_out.len())
                ),
            });
        } else if fresh.len() < s.count {
            warnings.push(format!(
                "{name}: reusing {} question(s) from earlier exams (`on_short = \"reuse\"`)",
                s.count - fresh.len()
            ));
        }
        for (qi, quota) in s.quotas.iter().enumerate() {
            let have = fresh
                .iter()
                .chain(if reuse { avoided.iter() } else { [].iter() })
                .filter(|&&i| qs[i].has_tag(&quota.tag))
                .count();
            if have < quota.count {
                let out = left_out
                    .iter()
                    .filter(|&&i| qs[i].has_tag(&quota.tag))
                    .count();
                shortfalls.push(Shortfall {
                    key: format!("section[{si}].quota[{qi}].tag"),
                    message: format!(
                        "{name}: quota `{}` needs {}, the banks hold {have}{}",
                        quota.tag,
                        quota.count,
                        excluded_note(out)
                    ),
                });
            }
        }
        pools.push(Pool { fresh, avoided });
    }
    // Sections of one kind may compete for the same questions.
    for kind in Kind::ALL {
        let secs: Vec<usize> = (0..bp.sections.len())
            .filter(|&i| bp.sections[i].kind == kind)
            .collect();
        if secs.len() < 2 {
            continue;
        }
        let need: usize = secs.iter().map(|&i| bp.sections[i].count).sum();
        let union: HashSet<usize> = secs
            .iter()
            .flat_map(|&i| {
                pools[i].fresh.iter().chain(if reuse {
                    pools[i].avoided.iter()
                } else {
                    [].iter()
                })
            })
            .copied()
            .collect();
        if union.len() < need {
            shortfalls.push(Shortfall {
                key: format!("section[{}].count", secs[secs.len() - 1]),
                message: format!(
                    "the {} sections together need {need} {kind} question(s), the banks hold {}",
                    secs.len(),
                    union.len()
                ),
            });
        }
    }
    if !shortfalls.is_empty() {
        return Err(DrawError::Shortfall { shortfalls });
    }

    let mut sel_rng = Rng::new(input.seed, 0);
    let mut decks: Vec<Deck> = pools
        .iter()
        .map(|p| {
            let mut items = p.fresh.clone();
            sel_rng.shuffle(&mut items);
            let mut tail = if reuse { p.avoided.clone() } else { Vec::new() };
            sel_rng.shuffle(&mut tail);
            Deck::new(items, tail)
        })
        .collect();

    let codes: Vec<(String, Option<Candidate>)> = match &input.papers {
        Papers::Variants(k) => (0..*k).map(|i| (variant_code(i), None)).collect(),
        Papers::Candidates(list) => list
            .iter()
            .map(|c| (c.id.clone(), Some(c.clone())))
            .collect(),
    };
    let shared =
        (bp.draw.mode == Mode::Shuffle).then(|| select_paper(bp, &qs, &mut decks, &mut sel_rng));
    let mut papers = Vec::with_capacity(codes.len());
    for (pi, (code, candidate)) in codes.into_iter().enumerate() {
        let picked = match &shared {
            Some(p) => p.clone(),
            None => select_paper(bp, &qs, &mut decks, &mut sel_rng),
        };
        let mut rng = Rng::new(input.seed, 1 + pi as u64);
        papers.push(build_paper(
            bp, lang, &qs, picked, code, candidate, &mut rng,
        ));
    }

    let manifest = Manifest {
        format: FORMAT_VERSION,
        tool: format!("examforge {}", env!("CARGO_PKG_VERSION")),
        seed: input.seed,
        language: lang,
        blueprint: bp.clone(),
        banks: input
            .banks
            .iter()
            .map(|b| BankDigest {
                id: b.id.clone(),
                path: b.path.clone(),
                sha256: b.sha256.clone(),
                questions: b.questions.len(),
            })
            .collect(),
        rules: None,
        law: None,
        papers,
    };
    Ok(Drawn { manifest, warnings })
}

/// A shuffled cycle through a pool: each question comes round once before any comes twice,
/// so that redrawn papers overlap as little as the pool allows.
struct Deck {
    items: Vec<usize>,
    pos: usize,
}

impl Deck {
    fn new(mut fresh: Vec<usize>, tail: Vec<usize>) -> Self {
        fresh.extend(tail);
        Deck {
            items: fresh,
            pos: 0,
        }
    }

    /// Takes the best of the next few acceptable items by `score` (lower is better; the first wins ties).
    fn take(
        &mut self,
        rng: &mut Rng,
        accept: impl Fn(usize) -> bool,
        score: impl Fn(usize) -> f64,
    ) -> Option<usize> {
        const WINDOW: usize = 12;
        for _round in 0..2 {
            let mut best: Option<(usize, f64)> = None;
            let mut seen = 0;
            let mut i = self.pos;
            while i < self.items.len() && seen < WINDOW {
                let q = self.items[i];
                if accept(q) {
                    let s = score(q);
                    if best.is_none_or(|(_, b)| s < b) {
                        best = Some((i, s));
                    }
                    seen += 1;
                    if s == 0.0 {
                        break;
                    }
                }
                i += 1;
            }
            if let Some((at, _)) = best {
                self.items.swap(self.pos, at);
                let q = self.items[self.pos];
                self.pos += 1;
                return Some(q);
            }
            // Nothing left in this cycle fits: the unused items go first, then the used ones reshuffled.
            let mut used: Vec<usize> = self.items.drain(..self.pos).collect();
            rng.shuffle(&mut used);
            self.items.extend(used);
            self.pos = 0;
        }
        None
    }
}

/// Difficulty bucket: 0 easy (1–2), 1 medium (3), 2 hard (4–5).
fn bucket(d: u8) -> usize {
    match d {
        0..=2 => 0,
        3 => 1,
        _ => 2,
    }
}

/// Picks each section's questions for one paper (indices into `qs`, per section).
fn select_paper(
    bp: &Blueprint,
    qs: &[&Question],
    decks: &mut [Deck],
    rng: &mut Rng,
) -> Vec<Vec<usize>> {
    let mut used: HashSet<usize> = HashSet::new();
    let mut out = Vec::with_capacity(bp.sections.len());
    for (si, s) in bp.sections.iter().enumerate() {
        let deck = &mut decks[si];
        let mut picked: Vec<usize> = Vec::with_capacity(s.count);
        for quota in &s.quotas {
            for _ in 0..quota.count {
                let taken = deck.take(
                    rng,
                    |q| !used.contains(&q) && qs[q].has_tag(&quota.tag),
                    |_| 0.0,
                );
                if let Some(q) = taken {
                    used.insert(q);
                    picked.push(q);
                }
            }
        }
        let quota_picks = picked.len();
        let rest = s.count - quota_picks;
        let mut need_mix = match &s.target {
            Some(DifficultyTarget::Mix(mix)) => Some(apportion(mix, rest)),
            _ => None,
        };
        // Levels (1–5) or buckets found empty for this section on this paper.
        let mut empty = [false; 6];
        while picked.len() < s.count {
            let sum: f64 = picked.iter().map(|&q| f64::from(qs[q].difficulty)).sum();
            let k = picked.len() as f64;
            // Difficulty levels to try, best first; `None` means any.
            let mut wanted: Vec<Option<std::ops::RangeInclusive<u8>>> = match (&s.target, &need_mix)
            {
                (Some(DifficultyTarget::Mean(m)), _) => {
                    let mut levels: Vec<u8> = (1..=5).filter(|&d| !empty[usize::from(d)]).collect();
                    levels.sort_by(|a, b| {
                        ((sum + f64::from(*a)) / (k + 1.0) - m)
                            .abs()
                            .total_cmp(&((sum + f64::from(*b)) / (k + 1.0) - m).abs())
                            .then(a.cmp(b))
                    });
                    levels.into_iter().map(|d| Some(d..=d)).collect()
                }
                (Some(DifficultyTarget::Mix(_)), Some(n)) => {
                    let mut b: Vec<usize> = (0..3).filter(|&b| n[b] > 0 && !empty[b]).collect();
                    b.sort_by(|x, y| n[*y].cmp(&n[*x]).then(x.cmp(y)));
                    b.into_iter()
                        .map(|b| Some([1..=2, 3..=3, 4..=5][b].clone()))
                        .collect()
                }
                _ => Vec::new(),
            };
            wanted.push(None);
            // Leave questions that carry a quota tag to the quotas of later papers.
            let spare = |q: usize| {
                if s.quotas.iter().any(|qu| qs[q].has_tag(&qu.tag)) {
                    1.0
                } else {
                    0.0
                }
            };
            let mut taken = None;
            for range in wanted {
                taken = deck.take(
                    rng,
                    |q| {
                        !used.contains(&q)
                            && range.as_ref().is_none_or(|r| r.contains(&qs[q].difficulty))
                    },
                    spare,
                );
                match (&taken, range) {
                    (Some(_), _) => break,
                    (None, Some(r)) => match &s.target {
                        Some(DifficultyTarget::Mean(_)) => empty[usize::from(*r.start())] = true,
                        _ => empty[bucket(*r.start())] = true,
                    },
                    (None, None) => {}
                }
            }
            let Some(q) = taken else { break };
            if let Some(n) = need_mix.as_mut() {
                let b = bucket(qs[q].difficulty);
                n[b] = n[b].saturating_sub(1);
            }
            used.insert(q);
            picked.push(q);
        }
        out.push(picked);
    }
    out
}

/// Splits `n` by shares with the largest-remainder method.
fn apportion(shares: &[f64; 3], n: usize) -> [usize; 3] {
    let total: f64 = shares.iter().sum();
    let exact: Vec<f64> = shares.iter().map(|s| s / total * n as f64).collect();
    let mut out = [0usize; 3];
    for i in 0..3 {
        out[i] = exact[i].floor() as usize;
    }
    let mut left = n - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..3).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

fn build_paper(
    bp: &Blueprint,
    lang: Language,
    qs: &[&Question],
    picked: Vec<Vec<usize>>,
    code: String,
    candidate: Option<Candidate>,
    rng: &mut Rng,
) -> Paper {
    let mut number = 0u32;
    let mut sections = Vec::with_capacity(bp.sections.len());
    for (s, mut chosen) in bp.sections.iter().zip(picked) {
        chosen.sort_unstable();
        if bp.draw.shuffle_questions {
            rng.shuffle(&mut chosen);
        }
        let items = chosen
            .into_iter()
            .map(|qi| {
                let q = qs[qi];
                if q.kind == Kind::Case {
                    let scale = s.points / q.total_points();
                    let parts = q
                        .parts
                        .iter()
                        .map(|p| {
                            number += 1;
                            printed(p, bp, Some(number), p.points * scale, rng)
                        })
                        .collect();
                    let mut case = printed(q, bp, None, s.points, rng);
                    case.parts = parts;
                    case
                } else {
                    number += 1;
                    printed(q, bp, Some(number), s.points, rng)
                }
            })
            .collect();
        sections.push(Section {
            title: s
                .title
                .clone()
                .unwrap_or_else(|| kind_title(s.kind, lang).to_string()),
            kind: s.kind,
            rule: s.rule(),
            penalty: s.penalty,
            points: s.points,
            items,
        });
    }
    Paper {
        code,
        candidate,
        sections,
    }
}

fn printed(q: &Question, bp: &Blueprint, number: Option<u32>, points: f64, rng: &mut Rng) -> Item {
    let order: Vec<usize> = if q.options.is_empty() {
        Vec::new()
    } else if bp.draw.shuffle_options && q.shuffle {
        rng.permutation(q.options.len())
    } else {
        (0..q.options.len()).collect()
    };
    let answer = match &q.answer {
        Answer::Choice(bank_ix) => {
            let mut p: Vec<usize> = bank_ix
                .iter()
                .map(|b| order.iter().position(|o| o == b).expect("permutation"))
                .collect();
            p.sort_unstable();
            Answer::Choice(p)
        }
        other => other.clone(),
    };
    Item {
        number,
        question: q.id.clone(),
        kind: q.kind,
        stem: q.stem.clone(),
        options: order.iter().map(|&o| q.options[o].clone()).collect(),
        order,
        answer,
        points,
        explanation: q.explanation.clone(),
        source: q.source.clone(),
        tags: q.tags.clone(),
        difficulty: q.difficulty,
        format: q.format,
        scenario: q.scenario.clone(),
        parts: Vec::new(),
    }
}

/// `key.csv`: paper, number, answer as printed, points.
pub fn key_csv(m: &Manifest) -> String {
    let mut w = crate::input::table::Writer::new(Vec::new());
    w.write_record(["paper", "number", "question", "answer", "points"])
        .expect("in-memory write");
    for p in &m.papers {
        for (_, it) in p.leaves() {
            let n = it.number.map(|n| n.to_string()).unwrap_or_default();
            w.write_record([
                p.code.as_str(),
                &n,
                &it.question,
                &it.key_text(),
                &fmt_points(it.points),
            ])
            .expect("in-memory write");
        }
    }
    String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8")
}
