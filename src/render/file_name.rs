//! Paper codes (A, B, … or candidates' ids) as file names: distinct codes give distinct names.

/// A paper code as a file-name part, injectively: letters, digits and `-` stay; `_` becomes
/// `__`; any other character becomes `_<hex>_` (`x.1` → `x_2e_1`, `x_1` → `x__1`). Reading the
/// name back is unambiguous, so two codes never share a file.
pub fn paper_stem(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for c in code.chars() {
        if c == '_' {
            out.push_str("__");
        } else if c.is_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", u32::from(c)));
        }
    }
    out
}

/// Two paper codes whose file names differ only in letter case: one file on Windows and macOS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("papers `{first}` and `{second}` would be written to one file on Windows and macOS (`{name}`): their ids differ only in letter case")]
pub struct NameClash {
    pub first: String,
    pub second: String,
    pub name: String,
}

/// The file-name stem of each code, in order; refused when two would name one file on a
/// case-insensitive file system.
pub fn paper_stems<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, NameClash> {
    let codes: Vec<&str> = codes.into_iter().collect();
    let stems: Vec<String> = codes.iter().map(|c| paper_stem(c)).collect();
    let mut folded: Vec<(String, usize)> = stems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.to_lowercase(), i))
        .collect();
    folded.sort();
    for pair in folded.windows(2) {
        if pair[0].0 == pair[1].0 {
            let (a, b) = (pair[0].1.min(pair[1].1), pair[0].1.max(pair[1].1));
            return Err(NameClash {
                first: codes[a].to_string(),
                second: codes[b].to_string(),
                name: stems[b].clone(),
            });
        }
    }
    Ok(stems)
}

/// Reads a stem back into its code (the inverse of [`paper_stem`]); `None` for a name no code
/// maps to.
pub fn code_of_stem(stem: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = stem.chars();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        loop {
            match chars.next()? {
                '_' if hex.is_empty() => {
                    out.push('_');
                    break;
                }
                '_' => {
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    break;
                }
                h if h.is_ascii_hexdigit() => hex.push(h),
                _ => return None,
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_that_looked_alike_get_their_own_files() {
        assert_eq!(paper_stem("x.1"), "x_2e_1");
        assert_eq!(paper_stem("x_1"), "x__1");
        assert_eq!(paper_stem("x/1"), "x_2f_1");
        assert_eq!(paper_stem("A"), "A");
        assert_eq!(paper_stem("26010001"), "26010001");
        assert_eq!(paper_stem("张三-1"), "张三-1");
    }

    #[test]
    fn ids_differing_in_case_are_refused_with_both_named() {
        let e = paper_stems(["a1", "b", "A1"]).unwrap_err();
        assert_eq!((e.first.as_str(), e.second.as_str()), ("a1", "A1"));
        assert!(e.to_string().contains("papers `a1` and `A1`"));
    }

    /// A small drawn exam whose papers get `ids` as their codes, as a roster would give them.
    fn roster_exam(ids: &[String]) -> crate::draw::manifest::Manifest {
        use crate::draw::{draw, synthetic, DrawInput, Papers};
        let banks = vec![synthetic::bank(120)];
        let mut bp = synthetic::blueprint(crate::blueprint::Mode::Shuffle);
        for s in &mut bp.sections {
            s.count = 2;
            s.quotas.clear();
        }
        bp.exam.total = None;
        let mut m = draw(&DrawInput {
            blueprint: &bp,
            banks: &banks,
            seed: 1,
            avoid: &std::collections::HashSet::new(),
            papers: Papers::Variants(1),
        })
        .unwrap()
        .manifest;
        let paper = m.papers.remove(0);
        m.papers = ids
            .iter()
            .map(|id| crate::draw::manifest::Paper {
                code: id.clone(),
                ..paper.clone()
            })
            .collect();
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// For random rosters, the files a render writes have distinct names (or the roster is
        /// refused, naming the two ids).
        #[test]
        fn every_paper_of_a_random_roster_gets_its_own_file(
            ids in proptest::collection::hash_set("[a-zA-Z0-9._/ -]{1,4}", 1..12)
        ) {
            let ids: Vec<String> = ids.into_iter().collect();
            let m = roster_exam(&ids);
            let templates = crate::render::Templates::new(Vec::new()).unwrap();
            let look = crate::render::Look::default();
            for sources in [
                crate::render::typst_sources(&templates, &m, &look),
                crate::render::html_sources(&templates, &m, &look),
            ] {
                match sources {
                    Ok(sources) => {
                        let names: std::collections::HashSet<String> =
                            sources.iter().map(|s| s.name.to_lowercase()).collect();
                        prop_assert_eq!(names.len(), sources.len());
                        prop_assert!(sources.len() >= ids.len());
                    }
                    Err(crate::render::RenderError::NameClash(c)) => {
                        prop_assert_eq!(c.first.to_lowercase(), c.second.to_lowercase());
                        prop_assert!(ids.contains(&c.first) && ids.contains(&c.second));
                    }
                    Err(e) => prop_assert!(false, "{e}"),
                }
            }
        }
    }

    proptest! {
        /// For random ids, stems are distinct and read back to their id (or the clash is refused).
        #[test]
        fn distinct_ids_give_distinct_names(
            ids in proptest::collection::hash_set("[a-zA-Z0-9._/ :_-]{1,5}|[甲乙_.]{1,3}", 1..40)
        ) {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            match paper_stems(ids.iter().copied()) {
                Ok(stems) => {
                    let unique: std::collections::HashSet<String> =
                        stems.iter().map(|s| s.to_lowercase()).collect();
                    prop_assert_eq!(unique.len(), ids.len());
                    for (id, stem) in ids.iter().zip(&stems) {
                        prop_assert!(stem.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_'));
                        prop_assert_eq!(code_of_stem(stem), Some(id.to_string()));
                    }
                }
                Err(clash) => {
                    prop_assert_ne!(&clash.first, &clash.second);
                    prop_assert_eq!(clash.first.to_lowercase(), clash.second.to_lowercase());
                }
            }
        }
    }
}
