//! The bank `bank import` writes, question by question: each batch of questions is written as
//! bank TOML, read back by the bank loader and compared with what was meant, and only then
//! handed to the output. Each question is checked once; a large import never holds the whole
//! bank, neither as questions nor as text.

use crate::bank::export::{header_toml, question_toml};
use crate::bank::{load_bank, BankSource, Language, Question};
use crate::input::diagnostic::Diagnostic;
use std::io::{self, Write};

/// How many questions are checked together: enough to make reading them back cheap, few enough
/// to keep memory flat.
const BATCH: usize = 1024;

/// Writes a bank file to `out` as questions arrive.
pub struct BankWriter<W: Write> {
    out: W,
    header: String,
    pending: Vec<(Question, String)>,
    written: usize,
    unsourced: usize,
    cjk: bool,
}

/// A finished bank: where its output went and what the header must say.
pub struct Written<W> {
    pub out: W,
    /// Questions written.
    pub written: usize,
    /// Of those, the questions without a source.
    pub unsourced: usize,
    /// The bank's language: Chinese when any stem holds a CJK character.
    pub language: Language,
    /// Where the two letters of the language stand in the file (written as `zh`).
    pub language_at: u64,
}

impl<W: Write> BankWriter<W> {
    /// Starts a bank `id` titled `title`; its `[bank]` table is written at once, with the
    /// language `zh` until [`BankWriter::finish`] knows better.
    pub fn new(mut out: W, id: &str, title: &str) -> io::Result<Self> {
        let header = header_toml(id, title, Language::Zh);
        out.write_all(header.as_bytes())?;
        Ok(BankWriter {
            out,
            header,
            pending: Vec::with_capacity(BATCH),
            written: 0,
            unsourced: 0,
            cjk: false,
        })
    }

    /// Adds a question. Returns an error for each question that could not be written as it is
    /// (located at the question's place in its source); those questions are left out.
    pub fn push(&mut self, q: Question) -> io::Result<Vec<Diagnostic>> {
        let text = question_toml(&q);
        self.pending.push((q, text));
        if self.pending.len() < BATCH {
            return Ok(Vec::new());
        }
        self.flush_batch()
    }

    /// Questions handed to the output so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Checks and writes what is pending, and says where the language must be patched.
    pub fn finish(mut self) -> io::Result<(Written<W>, Vec<Diagnostic>)> {
        let diags = self.flush_batch()?;
        self.out.flush()?;
        let language = if self.cjk { Language::Zh } else { Language::En };
        // The header ends with `language = "zh"` and a line end.
        let language_at = (self.header.len() - "zh\"\n".len()) as u64;
        Ok((
            Written {
                out: self.out,
                written: self.written,
                unsourced: self.unsourced,
                language,
                language_at,
            },
            diags,
        ))
    }

    fn flush_batch(&mut self) -> io::Result<Vec<Diagnostic>> {
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut diags = Vec::new();
        let good: Vec<(Question, String)> = if self.reads_back(&batch).is_ok() {
            batch
        } else {
            // Find the questions at fault, one by one.
            let mut good = Vec::with_capacity(batch.len());
            for one in batch {
                match self.reads_back(std::slice::from_ref(&one)) {
                    Ok(()) => good.push(one),
                    Err(why) => diags.push(
                        Diagnostic::error(
                            Some(one.0.location.clone()),
                            format!("`{}` cannot be written as a bank question: {why}", one.0.id),
                        )
                        .with_hint(
                            "correct the question in the source file, or pass --skip-bad to leave it out",
                        )
                        .zh(
                            format!("`{}` 不能写成题库里的题：{why}", one.0.id),
                            "在原文件里改正这道题，或加 --skip-bad 把它留在外面",
                        ),
                    ),
                }
            }
            good
        };
        for (q, text) in good {
            self.out.write_all(text.as_bytes())?;
            self.cjk = self.cjk
                || q.stem
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            self.written += 1;
            self.unsourced += usize::from(q.source.is_empty());
        }
        self.pending = Vec::with_capacity(BATCH);
        Ok(diags)
    }

    /// Whether `batch`, written out, reads back as the same questions.
    fn reads_back(&self, batch: &[(Question, String)]) -> Result<(), String> {
        // Sized at once, not grown by doubling (and copying) as questions are added.
        let mut text = String::with_capacity(
            self.header.len() + batch.iter().map(|(_, t)| t.len()).sum::<usize>(),
        );
        text.push_str(&self.header);
        for (_, t) in batch {
            text.push_str(t);
        }
        let (bank, diags) = load_bank(&BankSource {
            path: "",
            text: &text,
            sha256: String::new(),
        });
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(d.message.clone());
        }
        let back = bank.map(|b| b.questions).unwrap_or_default();
        if back.len() != batch.len() {
            return Err("it does not read back as one question".into());
        }
        for (b, (q, _)) in back.into_iter().zip(batch) {
            let b = Question {
                location: q.location.clone(),
                ..b
            };
            if b != *q {
                return Err("it reads back different from what was imported".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::import::{import, Format, Options};

    fn questions(text: &str) -> Vec<Question> {
        let opts = Options {
            prefix: "t".into(),
            sheet: None,
        };
        let got = import(Format::Csv, "t.csv", text.as_bytes(), &opts);
        assert!(
            got.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            got.diagnostics
        );
        got.questions
    }

    #[test]
    fn the_streamed_bank_is_the_bank_written_at_once() {
        let mut csv = "编号,题型,题干,选项A,选项B,正确答案,出处\n".to_string();
        for i in 0..2500 {
            csv.push_str(&format!(
                "q{i},单选题,\"第{i}题：排污单位应当\"\"如实\"\"申报吗？\",是,否,A,《中华人民共和国环境保护法》第四十五条\n"
            ));
        }
        let qs = questions(&csv);
        let mut w = BankWriter::new(Vec::new(), "b", "题库").unwrap();
        for q in qs.clone() {
            assert!(w.push(q).unwrap().is_empty());
        }
        let (done, diags) = w.finish().unwrap();
        assert!(diags.is_empty());
        assert_eq!(done.written, 2500);
        assert_eq!(done.language, Language::Zh);
        let text = String::from_utf8(done.out).unwrap();
        assert_eq!(
            text,
            crate::bank::export::to_toml("b", "题库", Language::Zh, &qs)
        );
        assert_eq!(&text[done.language_at as usize..][..2], "zh");
    }

    #[test]
    fn an_english_bank_says_where_its_language_goes() {
        let qs = questions("id,type,question,A,B,answer\nq1,single,Which?,x,y,A\n");
        let mut w = BankWriter::new(Vec::new(), "b", "Quiz").unwrap();
        for q in qs {
            w.push(q).unwrap();
        }
        let (done, _) = w.finish().unwrap();
        assert_eq!(done.language, Language::En);
        let mut text = done.out;
        let at = done.language_at as usize;
        text[at..at + 2].copy_from_slice(b"en");
        assert!(String::from_utf8(text)
            .unwrap()
            .contains("language = \"en\"\n"));
    }

    #[test]
    fn a_question_that_cannot_be_written_is_named_at_its_source_and_the_others_go_on() {
        let mut qs = questions(
            "编号,题型,题干,选项A,选项B,正确答案\nq1,单选题,甲？,是,否,A\nq2,单选题,乙？,是,否,B\n",
        );
        // An id no bank may hold (as a Moodle idnumber may be).
        qs[0].id = "T & F".into();
        let mut w = BankWriter::new(Vec::new(), "b", "题库").unwrap();
        for q in qs {
            w.push(q).unwrap();
        }
        let (done, diags) = w.finish().unwrap();
        assert_eq!(done.written, 1);
        assert_eq!(diags.len(), 1);
        let shown = diags[0].to_string();
        assert!(shown.starts_with("t.csv:2:"), "{shown}");
        assert!(shown.contains("`T & F` cannot be written"), "{shown}");
        let text = String::from_utf8(done.out).unwrap();
        assert!(
            text.contains("id = \"q2\"") && !text.contains("T & F"),
            "{text}"
        );
    }
}
