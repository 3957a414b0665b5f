//! The bank `bank import` writes, question by question: each batch of questions is written as
//! bank TOML, read back by the bank loader and compared with what was meant, and only then
//! handed to the output. Each question is checked once; a large import never holds the whole
//! bank, neither as questions nor as text. A batch is written out and read back on a thread of
//! its own while the next one is read from the source, and what its check finds is told where
//! it would have been told had the check been done at once.

use crate::bank::export::{header_toml, question_toml};
use crate::bank::{load_bank, BankSource, Language, Question};
use crate::input::diagnostic::{Diagnostic, Location};
use std::io::{self, Write};
use std::sync::Arc;
use std::thread::JoinHandle;

/// How many questions are checked together: enough to make reading them back cheap, few enough
/// to keep memory flat.
const BATCH: usize = 1024;

/// Writes a bank file to `out` as questions arrive.
pub struct BankWriter<W: Write> {
    out: W,
    header: Arc<str>,
    pending: Vec<Question>,
    /// The batch being checked, and how many diagnostics were told before it was full: what
    /// its check finds goes there.
    checking: Option<(JoinHandle<Vec<Checked>>, usize)>,
    /// What was told since [`BankWriter::told`] was last asked, in order.
    told: Vec<Diagnostic>,
    /// Where the questions at fault among them start.
    rejected: Vec<Location>,
    written: usize,
    unsourced: usize,
    cjk: bool,
}

/// A question of a checked batch: its text to write, or why it cannot be written.
enum Checked {
    Good {
        text: String,
        cjk: bool,
        unsourced: bool,
    },
    Bad(Diagnostic),
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
            header: header.into(),
            pending: Vec::with_capacity(BATCH),
            checking: None,
            told: Vec::new(),
            rejected: Vec::new(),
            written: 0,
            unsourced: 0,
            cjk: false,
        })
    }

    /// Adds a question. A question that cannot be written as it is gets an error (located at
    /// its place in its source), told by [`BankWriter::told`] or [`BankWriter::finish`] after
    /// what was [noted](BankWriter::note) before it was added; it is left out.
    pub fn push(&mut self, q: Question) -> io::Result<()> {
        self.pending.push(q);
        if self.pending.len() < BATCH {
            return Ok(());
        }
        self.send()
    }

    /// Tells `d` in order with the errors about questions that cannot be written.
    pub fn note(&mut self, d: Diagnostic) {
        self.told.push(d);
    }

    /// What was noted or found since last asked, in order, and where the questions that cannot
    /// be written start; the batch being checked is waited for.
    pub fn told(&mut self) -> io::Result<(Vec<Diagnostic>, Vec<Location>)> {
        self.settle()?;
        Ok((
            std::mem::take(&mut self.told),
            std::mem::take(&mut self.rejected),
        ))
    }

    /// Questions handed to the output so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Checks and writes what is pending, and says where the language must be patched; the
    /// diagnostics are those not yet [told](BankWriter::told).
    pub fn finish(mut self) -> io::Result<(Written<W>, Vec<Diagnostic>)> {
        self.send()?;
        self.settle()?;
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
            self.told,
        ))
    }

    /// Waits for the batch being checked (writing what passed), then has the pending batch
    /// checked on a thread of its own.
    fn send(&mut self) -> io::Result<()> {
        self.settle()?;
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        if batch.is_empty() {
            return Ok(());
        }
        let header = Arc::clone(&self.header);
        let checking = std::thread::spawn(move || check(&header, batch));
        self.checking = Some((checking, self.told.len()));
        Ok(())
    }

    /// Writes what the batch being checked, if any, passed, and tells what it did not.
    fn settle(&mut self) -> io::Result<()> {
        let Some((checking, at)) = self.checking.take() else {
            return Ok(());
        };
        let checked = checking.join().expect("the bank check of a batch panicked");
        let mut bad = Vec::new();
        for c in checked {
            match c {
                Checked::Good {
                    text,
                    cjk,
                    unsourced,
                } => {
                    self.out.write_all(text.as_bytes())?;
                    self.cjk |= cjk;
                    self.written += 1;
                    self.unsourced += usize::from(unsourced);
                }
                Checked::Bad(d) => {
                    self.rejected.extend(d.location.clone());
                    bad.push(d);
                }
            }
        }
        let after = self.told.split_off(at);
        self.told.extend(bad);
        self.told.extend(after);
        Ok(())
    }
}

/// Writes `batch` as bank TOML after `header` and reads it back: each question that reads back
/// as itself with its text, each other with why not.
fn check(header: &str, batch: Vec<Question>) -> Vec<Checked> {
    let batch: Vec<(Question, String)> = batch
        .into_iter()
        .map(|q| {
            let text = question_toml(&q);
            (q, text)
        })
        .collect();
    let good = |(q, text): (Question, String)| Checked::Good {
        text,
        cjk: q
            .stem
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        unsourced: q.source.is_empty(),
    };
    if reads_back(header, &batch).is_ok() {
        return batch.into_iter().map(good).collect();
    }
    // Find the questions at fault, one by one.
    batch
        .into_iter()
        .map(|one| match reads_back(header, std::slice::from_ref(&one)) {
            Ok(()) => good(one),
            Err(why) => Checked::Bad(
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
        })
        .collect()
}

/// Whether `batch`, written out after `header`, reads back as the same questions.
fn reads_back(header: &str, batch: &[(Question, String)]) -> Result<(), String> {
    // Sized at once, not grown by doubling (and copying) as questions are added.
    let mut text =
        String::with_capacity(header.len() + batch.iter().map(|(_, t)| t.len()).sum::<usize>());
    text.push_str(header);
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
            w.push(q).unwrap();
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

    /// What the check of a batch finds is told where it was found: after what was noted before
    /// the batch was full, before what was noted while it was being checked.
    #[test]
    fn a_batchs_errors_are_told_in_order_with_the_notes_around_them() {
        let mut csv = "编号,题型,题干,选项A,选项B,正确答案\n".to_string();
        for i in 0..BATCH + 100 {
            csv.push_str(&format!("q{i},单选题,第{i}题？,是,否,A\n"));
        }
        let mut qs = questions(&csv);
        qs[10].id = "T & F".into();
        let note = |s: &str| Diagnostic::error(None, s.to_string());
        let mut w = BankWriter::new(Vec::new(), "b", "题库").unwrap();
        for (i, q) in qs.into_iter().enumerate() {
            if i == BATCH - 1 {
                w.note(note("before the batch is full"));
            }
            w.push(q).unwrap();
            if i == BATCH + 50 {
                w.note(note("while it is checked"));
            }
        }
        let (told, rejected) = w.told().unwrap();
        let said: Vec<&str> = told.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(said.len(), 3, "{said:?}");
        assert_eq!(said[0], "before the batch is full");
        assert!(said[1].contains("`T & F` cannot be written"), "{said:?}");
        assert_eq!(said[2], "while it is checked");
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 12);
        let (done, rest) = w.finish().unwrap();
        assert!(rest.is_empty());
        assert_eq!(done.written, BATCH + 99);
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
