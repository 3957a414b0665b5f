//! Reading a question's `source` for the instruments and articles it cites:
//! 《…》 titles followed by 第…条 / 第…款 / 第…项, numbers in Chinese numerals or digits.

/// One 《…》 title in a source and the articles cited after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The title between 《 and 》, as written.
    pub title: String,
    /// The articles cited after the title, before the next title.
    pub articles: Vec<Article>,
}

/// 第N条, optionally 第M款 and 第K项 within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Article {
    pub article: u32,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
}

impl Citation {
    /// The citation as written in a warning: 《title》第五十九条.
    pub fn display(&self) -> String {
        let arts: Vec<String> = self.articles.iter().map(Article::display).collect();
        format!("《{}》{}", self.title, arts.join("、"))
    }
}

impl Article {
    /// 第五十九条第一款第二项.
    pub fn display(&self) -> String {
        let mut s = format!("第{}条", chinese(self.article));
        if let Some(p) = self.paragraph {
            s.push_str(&format!("第{}款", chinese(p)));
        }
        if let Some(i) = self.item {
            s.push_str(&format!("第{}项", chinese(i)));
        }
        s
    }
}

/// Every 《…》 title in `source`, in order, each with the articles that follow it.
pub fn parse(source: &str) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('《') {
        let after = &rest[open + '《'.len_utf8()..];
        let Some(close) = after.find('》') else {
            break;
        };
        let title = after[..close].trim().to_string();
        let tail = &after[close + '》'.len_utf8()..];
        let next = tail.find('《').unwrap_or(tail.len());
        out.push(Citation {
            title,
            articles: articles(&tail[..next]),
        });
        rest = tail;
    }
    out
}

/// The 第…条 / 款 / 项 references in `text`; 款 and 项 attach to the 条 before them.
fn articles(text: &str) -> Vec<Article> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Article> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '第' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < chars.len() && numeral_char(chars[j]) {
            j += 1;
        }
        let (Some(unit), Some(n)) = (chars.get(j), number(&chars[start..j])) else {
            i += 1;
            continue;
        };
        match unit {
            '条' => out.push(Article {
                article: n,
                paragraph: None,
                item: None,
            }),
            '款' => {
                if let Some(a) = out.last_mut() {
                    if a.paragraph.is_some() {
                        let copy = Article {
                            paragraph: Some(n),
                            item: None,
                            ..*a
                        };
                        out.push(copy);
                    } else {
                        a.paragraph = Some(n);
                    }
                }
            }
            '项' => {
                if let Some(a) = out.last_mut() {
                    if a.item.is_some() {
                        let copy = Article {
                            item: Some(n),
                            ..*a
                        };
                        out.push(copy);
                    } else {
                        a.item = Some(n);
                    }
                }
            }
            _ => {}
        }
        i = j;
    }
    out
}

fn numeral_char(c: char) -> bool {
    c.is_ascii_digit() || "零〇一二两三四五六七八九十百千".contains(c)
}

/// A number written in digits or Chinese numerals (一千二百四十二, 二十, 十五, 一百零五).
pub fn number(chars: &[char]) -> Option<u32> {
    if chars.is_empty() {
        return None;
    }
    if chars.iter().all(char::is_ascii_digit) {
        return chars.iter().collect::<String>().parse().ok();
    }
    if chars.iter().any(char::is_ascii_digit) {
        return None;
    }
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for &c in chars {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                digit = Some(match c {
                    '零' | '〇' => 0,
                    '一' => 1,
                    '二' | '两' => 2,
                    '三' => 3,
                    '四' => 4,
                    '五' => 5,
                    '六' => 6,
                    '七' => 7,
                    '八' => 8,
                    '九' => 9,
                    _ => return None,
                });
                continue;
            }
        };
        total += digit.take().unwrap_or(1) * unit;
    }
    Some(total + digit.unwrap_or(0))
}

/// `n` in Chinese numerals, as statutes number their articles (1–9999).
pub fn chinese(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "零".into();
    }
    let parts = [
        (n / 1000, "千"),
        ((n / 100) % 10, "百"),
        ((n / 10) % 10, "十"),
    ];
    let mut s = String::new();
    let mut zero = false;
    for (d, unit) in parts {
        if d == 0 {
            zero = !s.is_empty();
            continue;
        }
        if zero {
            s.push('零');
            zero = false;
        }
        if !(d == 1 && unit == "十" && s.is_empty()) {
            s.push_str(D[d as usize]);
        }
        s.push_str(unit);
    }
    let last = n % 10;
    if last != 0 {
        if zero {
            s.push('零');
        }
        s.push_str(D[last as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(article: u32, paragraph: Option<u32>, item: Option<u32>) -> Article {
        Article {
            article,
            paragraph,
            item,
        }
    }

    #[test]
    fn chinese_numerals_both_ways() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("五十九", 59),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("二百三十四", 234),
            ("一千二百四十二", 1242),
            ("一千零一", 1001),
        ] {
            let chars: Vec<char> = s.chars().collect();
            assert_eq!(number(&chars), Some(n), "{s}");
            assert_eq!(chinese(n), s, "{n}");
        }
        assert_eq!(number(&['3', '6']), Some(36));
        assert_eq!(number(&['三', '6']), None);
    }

    #[test]
    fn article_paragraph_and_item() {
        let c = parse("《中华人民共和国行政处罚法》第五十一条第一款第二项");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].title, "中华人民共和国行政处罚法");
        assert_eq!(c[0].articles, vec![art(51, Some(1), Some(2))]);
        assert_eq!(
            c[0].display(),
            "《中华人民共和国行政处罚法》第五十一条第一款第二项"
        );
    }

    #[test]
    fn several_articles_and_paragraphs_after_one_title() {
        let c = parse("《环境保护法》第五十九条、第六十条；第六十三条第一款、第二款");
        assert_eq!(
            c[0].articles,
            vec![
                art(59, None, None),
                art(60, None, None),
                art(63, Some(1), None),
                art(63, Some(2), None)
            ]
        );
        let digits = parse("《行政处罚法》第36条");
        assert_eq!(digits[0].articles, vec![art(36, None, None)]);
    }

    #[test]
    fn two_titles_in_one_source_keep_their_own_articles() {
        let c = parse("《中华人民共和国行政处罚法》第二十八条；《环境保护法》第五十九条第一款");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].title, "中华人民共和国行政处罚法");
        assert_eq!(c[0].articles, vec![art(28, None, None)]);
        assert_eq!(c[1].title, "环境保护法");
        assert_eq!(c[1].articles, vec![art(59, Some(1), None)]);
    }

    #[test]
    fn a_title_alone_or_unclosed_and_stray_numbers() {
        let c = parse("《建设项目竣工环境保护验收暂行办法》");
        assert_eq!(c[0].articles, vec![]);
        assert!(parse("《没有结尾").is_empty());
        assert!(parse("第三条，没有书名").is_empty());
        let c = parse("《国务院关于修改〈建设项目环境保护管理条例〉的决定》第一次会议");
        assert_eq!(
            c[0].title,
            "国务院关于修改〈建设项目环境保护管理条例〉的决定"
        );
        assert!(c[0].articles.is_empty());
    }
}
