//! Output sets: the files one run of a verb writes, staged beside their final place and moved
//! there together once every one is complete.
//!
//! A verb declares what it writes ([`OutputSet::check_free`]) before anything is written: without
//! `--force` an existing output stops the run, and so does any file that the verb's previous run
//! left in the folder (a mix of two runs would be worse than either). With `--force` the verb's
//! whole previous set is replaced: the files it wrote last time and does not write now (an old
//! `paper-C.pdf` when the new exam has only papers A and B, old review crops) are removed.
//! Each folder keeps the list of what each verb wrote there in [`RECORD`].
//!
//! Files are created with mode 0666 less the umask, like any file the user writes.

use crate::Error;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The list of the files each verb wrote into a folder: one `verb<TAB>path` a line.
pub const RECORD: &str = ".examforge-outputs";

/// How the names of staging folders and of files being written in place begin.
pub const STAGING: &str = ".examforge-";

/// The outputs of one run of a verb in one folder.
pub struct OutputSet {
    dir: PathBuf,
    force: bool,
    verb: &'static str,
    stage: OnceLock<tempfile::TempDir>,
    /// Every staged output: its path under the folder (`/`-separated) and the verb it belongs to.
    staged: Mutex<BTreeMap<String, &'static str>>,
    /// The staging folder's subfolders made so far (a scan's hundreds of review crops share one).
    folders: Mutex<std::collections::HashSet<PathBuf>>,
    /// Set by the first commit: a set is put in place once.
    committed: std::sync::atomic::AtomicBool,
}

impl OutputSet {
    /// The outputs of `verb` in `dir`; `force` allows replacing them.
    pub fn new(dir: &Path, force: bool, verb: &'static str) -> Self {
        OutputSet {
            dir: dir.to_path_buf(),
            force,
            verb,
            stage: OnceLock::new(),
            staged: Mutex::new(BTreeMap::new()),
            folders: Default::default(),
            committed: Default::default(),
        }
    }

    /// The folder the outputs go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where output `name` ends up.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Without `--force`, fails when any of `names` exists, or any file this verb wrote into the
    /// folder before.
    pub fn check_free<S: AsRef<str>>(&self, names: &[S]) -> Result<(), Error> {
        if self.force {
            return Ok(());
        }
        for n in names {
            let p = self.path(n.as_ref());
            if p.symlink_metadata().is_ok() {
                return Err(Error::Exists { path: p });
            }
        }
        for (verb, name) in read_record(&self.dir) {
            let p = self.path(&name);
            if verb == self.verb && p.symlink_metadata().is_ok() {
                return Err(Error::Exists { path: p });
            }
        }
        Ok(())
    }

    /// The staging folder, made on first use inside the output folder (so that moving a file
    /// into place is a rename on one file system).
    fn stage(&self) -> Result<&Path, Error> {
        if let Some(t) = self.stage.get() {
            return Ok(t.path());
        }
        let wrap = |source| Error::Write {
            path: self.dir.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(wrap)?;
        let t = tempfile::Builder::new()
            .prefix(STAGING)
            .tempdir_in(&self.dir)
            .map_err(wrap)?;
        let t = self.stage.get_or_init(|| t);
        show_as(t.path(), &self.dir);
        Ok(t.path())
    }

    /// Output `name` as messages name it: where the user will find it (see [`shown`]).
    pub fn shown(&self, name: &str) -> PathBuf {
        shown(&self.path(name))
    }

    /// The folder as messages name it (see [`shown`]).
    pub fn shown_dir(&self) -> PathBuf {
        shown(&self.dir)
    }

    /// The staging folder: typst runs with it as its root, so the sources it compiles find each
    /// other there.
    pub fn stage_dir(&self) -> Result<PathBuf, Error> {
        self.stage().map(Path::to_path_buf)
    }

    /// Declares output `name` (of `verb`) and returns where to put it while staged; its parent
    /// folders are made.
    fn claim_as(&self, verb: &'static str, name: &str) -> Result<PathBuf, Error> {
        let staged = self.stage()?.join(name);
        if let Some(parent) = staged.parent() {
            let mut made = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if !made.contains(parent) {
                std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                    path: self.path(name),
                    source,
                })?;
                made.insert(parent.to_path_buf());
            }
        }
        self.staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), verb);
        Ok(staged)
    }

    /// Declares output `name`, which another program (typst) writes at the returned path.
    pub fn claim(&self, name: &str) -> Result<PathBuf, Error> {
        self.claim_as(self.verb, name)
    }

    /// Stages output `name` with `bytes`.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.write_as(self.verb, name, bytes)
    }

    /// Stages output `name` of another verb's set (`make` writes `draw`'s exam.json).
    pub fn write_as(&self, verb: &'static str, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let staged = self.claim_as(verb, name)?;
        std::fs::write(&staged, bytes).map_err(|source| Error::Write {
            path: self.path(name),
            source,
        })
    }

    /// Stages output `name` as a file to stream into.
    pub fn create(&self, name: &str) -> Result<std::fs::File, Error> {
        let staged = self.claim(name)?;
        std::fs::File::create(&staged).map_err(|source| Error::Write {
            path: self.path(name),
            source,
        })
    }

    /// Stages a file that is not an output (a batch source, an intermediate PDF): it is never
    /// moved into place. `rel` is its path under the staging folder.
    pub fn write_scratch(&self, rel: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let path = self.stage()?.join(rel);
        write_scratch_file(&path, bytes)?;
        Ok(path)
    }

    /// Moves every staged output into place and records the set. With `--force` the files this
    /// set's verbs wrote before and did not write now are removed. Returns the outputs' paths.
    pub fn commit(&self) -> Result<Vec<PathBuf>, Error> {
        if self
            .committed
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(Vec::new());
        }
        let staged = std::mem::take(&mut *self.staged.lock().unwrap_or_else(|e| e.into_inner()));
        let Some(stage) = self.stage.get() else {
            return Ok(Vec::new());
        };
        let mut verbs: BTreeSet<&str> = staged.values().copied().collect();
        verbs.insert(self.verb);
        let mut done = Vec::with_capacity(staged.len());
        let mut made: std::collections::HashSet<PathBuf> = Default::default();
        for name in staged.keys() {
            let from = stage.path().join(name);
            let to = self.path(name);
            let wrap = |source| Error::Write {
                path: to.clone(),
                source,
            };
            if let Some(parent) = to.parent() {
                if !made.contains(parent) {
                    std::fs::create_dir_all(parent).map_err(wrap)?;
                    made.insert(parent.to_path_buf());
                }
            }
            if self.force {
                std::fs::rename(&from, &to).map_err(wrap)?;
            } else {
                tempfile::TempPath::try_from_path(&from)
                    .map_err(wrap)?
                    .persist_noclobber(&to)
                    .map_err(|e| {
                        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                            Error::Exists { path: to.clone() }
                        } else {
                            wrap(e.error)
                        }
                    })?;
            }
            done.push(to);
        }
        let mut record: Vec<(String, String)> = Vec::new();
        for (verb, name) in read_record(&self.dir) {
            if staged.contains_key(&name) {
                continue;
            }
            if verbs.contains(verb.as_str()) {
                // Part of the set replaced: a stale file of the previous run.
                if self.force {
                    remove_stale(&self.dir, &name)?;
                }
                continue;
            }
            if self.path(&name).symlink_metadata().is_ok() {
                record.push((verb, name));
            }
        }
        record.extend(staged.iter().map(|(n, v)| (v.to_string(), n.clone())));
        record.sort_by(|a, b| a.1.cmp(&b.1));
        let mut text = String::new();
        for (verb, name) in &record {
            text.push_str(&format!("{verb}\t{name}\n"));
        }
        let list = stage.path().join(RECORD);
        let to = self.path(RECORD);
        let wrap = |source| Error::Write {
            path: to.clone(),
            source,
        };
        std::fs::write(&list, text).map_err(wrap)?;
        std::fs::rename(&list, &to).map_err(wrap)?;
        Ok(done)
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        if let Some(t) = self.stage.get() {
            forget_shown(t.path());
        }
    }
}

/// Paths that messages name otherwise: the staging folder of each set being made, as the
/// folder it is put in place as. A verb run into another set's staging folder (`event run`
/// runs `grade`, `judge`, `standings`… so) then names its files where the user will find them.
static SHOWN_AS: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

/// From now on, messages name `path` and what is under it as `as_` (see [`shown`]) — until
/// [`forget_shown`].
pub fn show_as(path: &Path, as_: &Path) {
    let mut map = SHOWN_AS.lock().unwrap_or_else(|e| e.into_inner());
    map.retain(|(p, _)| p != path);
    map.push((path.to_path_buf(), as_.to_path_buf()));
}

/// Messages name `path` as it is again.
pub fn forget_shown(path: &Path) {
    SHOWN_AS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|(p, _)| p != path);
}

/// `path` as a message names it: under a staging folder of a set still being made, the same
/// file under the folder the set is put in place as (through every set it is staged in).
pub fn shown(path: &Path) -> PathBuf {
    let map = SHOWN_AS.lock().unwrap_or_else(|e| e.into_inner());
    let mut path = path.to_path_buf();
    // Each step moves out of one staging folder; there are no more steps than folders.
    for _ in 0..=map.len() {
        let Some((from, to)) = map
            .iter()
            .filter(|(from, _)| path.starts_with(from))
            .max_by_key(|(from, _)| from.components().count())
        else {
            break;
        };
        path = match path.strip_prefix(from) {
            Ok(rest) if rest.as_os_str().is_empty() => to.clone(),
            Ok(rest) => to.join(rest),
            Err(_) => break,
        };
    }
    path
}

/// `text` (another program's message) with every staging folder it names written as [`shown`]
/// names it, whether the program printed the folder as given or relative to the working folder.
pub fn shown_in(text: &str) -> String {
    let mut froms: Vec<PathBuf> = SHOWN_AS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(from, _)| from.clone())
        .collect();
    // The deepest first, so a folder staged inside another is named through both.
    froms.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    let here = std::env::current_dir().ok();
    let mut text = text.to_string();
    for from in froms {
        let to = shown(&from);
        // typst names a file by its path from the working folder, climbing out with `..`.
        let relative = here.as_deref().and_then(|h| {
            let from = std::path::absolute(&from).ok()?;
            let common = h
                .components()
                .zip(from.components())
                .take_while(|(a, b)| a == b)
                .count();
            let up = h.components().count() - common;
            let mut rel: PathBuf = std::iter::repeat_n("..", up).collect();
            rel.extend(from.components().skip(common));
            Some(rel)
        });
        // The longer spelling first: the other may be a part of it.
        let mut spellings: Vec<String> = std::iter::once(from.clone())
            .chain(relative)
            .map(|p| p.display().to_string())
            .collect();
        spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for spelt in spellings {
            if !spelt.is_empty() && text.contains(&spelt) {
                text = text.replace(&spelt, &to.display().to_string());
            }
        }
    }
    text
}

/// The record of `dir`: (verb, path) pairs; none when there is no record or it cannot be read.
fn read_record(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join(RECORD)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, name)| is_inside(name))
        .map(|(v, n)| (v.to_string(), n.to_string()))
        .collect()
}

/// A path that stays inside the folder: relative, without `..`. A record edited by hand can
/// never make `--force` remove a file elsewhere.
fn is_inside(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Removes a stale output, and the folders it leaves empty (up to the output folder).
fn remove_stale(dir: &Path, name: &str) -> Result<(), Error> {
    let path = dir.join(name);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::Write { path, source }),
    }
    let mut parent = path.parent();
    while let Some(p) = parent {
        if p == dir || std::fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
    Ok(())
}

/// Rows as CSV the way Excel's "CSV UTF-8" writes it (a BOM, CRLF line ends), so that Excel on
/// a Chinese Windows opens Chinese text right: every CSV meant to be opened in Excel is made here.
pub fn excel_csv<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R]) -> Vec<u8> {
    rows_csv(
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF),
        b"\xEF\xBB\xBF".to_vec(),
        rows,
    )
}

/// Rows as plain CSV (UTF-8, `\n` line ends, rows of any length): the tables other programs
/// read back (results, standings, item analysis).
pub fn csv<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R]) -> Vec<u8> {
    rows_csv(csv::WriterBuilder::new().flexible(true), Vec::new(), rows)
}

fn rows_csv<R: AsRef<[S]>, S: AsRef<str>>(
    builder: &csv::WriterBuilder,
    start: Vec<u8>,
    rows: &[R],
) -> Vec<u8> {
    // Cells Excel would run as formulas are guarded; the table reader takes the guard off again.
    let mut w = crate::input::table::Writer::from_builder(builder, start);
    for r in rows {
        w.write_record(r.as_ref().iter().map(|s| s.as_ref()))
            .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// Writes `bytes` to standard output. A reader that went away (`examforge man | head`) is not
/// an error: the rest is not wanted.
pub fn to_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Writes a file that is not an output (a step's work file under a staging folder), making
/// its folders.
pub fn write_scratch_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let wrap = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(wrap)?;
    }
    std::fs::write(path, bytes).map_err(wrap)
}

/// Writes the one file `path` (a verb whose output is a single file: `bank export`, `bank
/// import`) through a temporary file beside it and a rename, so that no reader sees half a file;
/// an existing file is replaced only with `force`.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let mut f = StagedFile::new(path, force)?;
    f.write_all(bytes).map_err(|e| f.error(e))?;
    f.commit()
}

/// One output file written as it is produced (`bank import` streams its bank): into a temporary
/// file beside `path`, renamed onto `path` by [`StagedFile::commit`]. Dropped without its
/// commit, it leaves nothing behind. Without `force`, an existing `path` is refused when the
/// file is created, before any work, and again at the rename.
pub struct StagedFile {
    path: PathBuf,
    force: bool,
    tmp: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl StagedFile {
    /// Starts the file that will become `path`.
    pub fn new(path: &Path, force: bool) -> Result<Self, Error> {
        let wrap = |source| Error::Write {
            path: path.to_path_buf(),
            source,
        };
        if !force && path.exists() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(wrap)?;
        let mut b = tempfile::Builder::new();
        b.prefix(STAGING);
        #[cfg(unix)]
        {
            // 0666 less the umask, like any file the user writes; not tempfile's private 0600.
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = b.tempfile_in(dir).map_err(wrap)?;
        Ok(StagedFile {
            path: path.to_path_buf(),
            force,
            tmp: std::io::BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// A failed write to this file as the tool's error.
    pub fn error(&self, source: std::io::Error) -> Error {
        Error::Write {
            path: self.path.clone(),
            source,
        }
    }

    /// Overwrites bytes already written at `offset` (a value known only at the end).
    pub fn patch(&mut self, offset: u64, bytes: &[u8]) -> Result<(), Error> {
        use std::io::{Seek, SeekFrom};
        let r = self.tmp.flush().and_then(|()| {
            let f = self.tmp.get_mut().as_file_mut();
            let end = f.stream_position()?;
            f.seek(SeekFrom::Start(offset))?;
            f.write_all(bytes)?;
            f.seek(SeekFrom::Start(end)).map(|_| ())
        });
        r.map_err(|e| self.error(e))
    }

    /// Puts the file in place.
    pub fn commit(self) -> Result<(), Error> {
        let path = self.path;
        let wrap = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let tmp = self.tmp.into_inner().map_err(|e| wrap(e.into_error()))?;
        tmp.as_file().sync_all().map_err(wrap)?;
        if self.force {
            tmp.persist(&path).map_err(|e| wrap(e.error))?;
        } else {
            tmp.persist_noclobber(&path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Exists { path: path.clone() }
                } else {
                    wrap(e.error)
                }
            })?;
        }
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// typst names a staged file from the working folder, climbing out with `..` when the
    /// output folder is elsewhere; the message names it where the user finds it.
    #[test]
    fn another_programs_message_names_staged_files_where_they_will_be() {
        let out = tempfile::tempdir().unwrap();
        let stage = out.path().join(".examforge-test1");
        show_as(&stage, out.path());
        // As typst spells it: up from the working folder to the folders both share, then down.
        let here = std::env::current_dir().unwrap();
        let shared = here.ancestors().find(|a| stage.starts_with(a)).unwrap();
        let ups = here.components().count() - shared.components().count();
        let climbed = format!(
            "{}{}",
            "../".repeat(ups),
            stage
                .join("paper-A.typ")
                .strip_prefix(shared)
                .unwrap()
                .display()
        );
        let said = format!("error\n  ┌─ {climbed}:43:1\n  at {}", stage.display());
        let shown = shown_in(&said);
        forget_shown(&stage);
        let want = out.path().join("paper-A.typ");
        assert!(
            shown.contains(&format!("┌─ {}:43:1", want.display())),
            "{shown}"
        );
        assert!(!shown.contains(".examforge-"), "{shown}");
    }

    #[test]
    fn a_set_staged_inside_another_names_its_files_where_they_end_up() {
        let d = tempfile::tempdir().unwrap();
        let event = OutputSet::new(&d.path().join("out"), true, "event");
        let stage = event.stage_dir().unwrap();
        let grade = OutputSet::new(&stage.join("exam"), true, "grade");
        let inner = grade.stage_dir().unwrap();
        let final_path = d.path().join("out/exam/results.csv");
        assert_eq!(grade.shown("results.csv"), final_path);
        assert_eq!(shown(&inner.join("results.csv")), final_path);
        assert_eq!(event.shown_dir(), d.path().join("out"));
        drop(grade);
        drop(event);
        // Once the sets are gone, paths are shown as they are.
        assert_eq!(shown(&stage.join("x")), stage.join("x"));
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walk(dir, dir);
        v.sort();
        v
    }

    fn walk(root: &Path, dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(root, &p));
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
        out
    }

    fn run(dir: &Path, force: bool, files: &[&str]) -> Result<(), Error> {
        let out = OutputSet::new(dir, force, "scan");
        out.check_free(files)?;
        for f in files {
            out.write(f, f.as_bytes())?;
        }
        out.commit().map(|_| ())
    }

    #[test]
    fn nothing_is_in_place_before_the_commit_and_no_staging_is_left() {
        let d = tempfile::tempdir().unwrap();
        let out = OutputSet::new(d.path(), false, "scan");
        out.write("a.csv", b"1").unwrap();
        out.write("review/x.png", b"2").unwrap();
        assert!(!d.path().join("a.csv").exists());
        out.commit().unwrap();
        assert_eq!(names(d.path()), [RECORD, "a.csv", "review/x.png"]);
        // A set dropped without its commit leaves nothing.
        let out = OutputSet::new(&d.path().join("other"), false, "scan");
        out.write("b.csv", b"1").unwrap();
        drop(out);
        assert_eq!(names(&d.path().join("other")), Vec::<String>::new());
    }

    #[test]
    fn force_replaces_the_whole_previous_set_and_keeps_other_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("mine.txt"), "the user's").unwrap();
        run(
            d.path(),
            false,
            &["scans.csv", "review/a-1.png", "review/a-2.png"],
        )
        .unwrap();
        // Without --force: refused, even though the new set's names differ.
        let err = run(d.path(), false, &["scans.csv2"]).unwrap_err();
        assert!(matches!(err, Error::Exists { .. }), "{err}");
        run(d.path(), true, &["scans.csv", "review/b-1.png"]).unwrap();
        assert_eq!(
            names(d.path()),
            [RECORD, "mine.txt", "review/b-1.png", "scans.csv"]
        );
        run(d.path(), true, &["scans.csv"]).unwrap();
        assert_eq!(names(d.path()), [RECORD, "mine.txt", "scans.csv"]);
        assert!(!d.path().join("review").exists(), "the emptied folder goes");
    }

    #[test]
    fn another_verbs_set_is_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let make = OutputSet::new(d.path(), false, "render");
        make.write_as("draw", "exam.json", b"{}").unwrap();
        make.write("paper-A.pdf", b"A").unwrap();
        make.write("paper-C.pdf", b"C").unwrap();
        make.commit().unwrap();
        let render = OutputSet::new(d.path(), true, "render");
        render.write("paper-A.pdf", b"A").unwrap();
        render.commit().unwrap();
        assert_eq!(names(d.path()), [RECORD, "exam.json", "paper-A.pdf"]);
    }

    #[test]
    fn a_record_never_reaches_outside_its_folder() {
        assert!(is_inside("review/a-1.png"));
        for bad in ["../victim", "/etc/passwd", "a/../../b", ""] {
            assert!(!is_inside(bad), "{bad}");
        }
    }
}
