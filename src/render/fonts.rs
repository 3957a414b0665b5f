//! The font chain the templates ask for. Which of these fonts a machine has is the shell's
//! question (`io::typst`); the chain itself is data.

/// Fonts tried in order for Chinese text.
pub const CJK_FONTS: &[&str] = &[
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "Noto Serif SC",
    "Noto Sans SC",
    "SimSun",
    "Songti SC",
    "FandolSong",
    "AR PL UMing CN",
    "WenQuanYi Zen Hei",
];

/// The Latin face of the papers, shipped inside typst.
pub const LATIN_FONT: &str = "Libertinus Serif";

/// The families the templates ask for, in order: for Chinese papers the CJK chain first.
pub fn font_chain(chinese: bool) -> Vec<&'static str> {
    let mut fams = CJK_FONTS.to_vec();
    if chinese {
        fams.push(LATIN_FONT);
    } else {
        fams.insert(0, LATIN_FONT);
    }
    fams
}

/// The chain with only the families that typst has (`families`, as `typst fonts` lists them;
/// typst matches family names without regard to case), so no compile warns of an unknown family.
pub fn resolve_chain(chinese: bool, families: &[String]) -> Vec<String> {
    font_chain(chinese)
        .into_iter()
        .filter(|f| families.iter().any(|x| x.eq_ignore_ascii_case(f)))
        .map(str::to_string)
        .collect()
}

/// Whether a resolved chain holds a CJK font.
pub fn has_cjk(chain: &[String]) -> bool {
    chain.iter().any(|f| CJK_FONTS.contains(&f.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_keeps_only_families_typst_has_in_order() {
        let has: Vec<String> = [
            "DejaVu Sans",
            "libertinus serif",
            "Noto Sans CJK SC",
            "Noto Serif CJK SC",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            resolve_chain(true, &has),
            ["Noto Serif CJK SC", "Noto Sans CJK SC", "Libertinus Serif"]
        );
        assert_eq!(resolve_chain(false, &has)[0], "Libertinus Serif");
        assert!(has_cjk(&resolve_chain(true, &has)));
        assert!(!has_cjk(&resolve_chain(true, &has[..2])));
    }
}
