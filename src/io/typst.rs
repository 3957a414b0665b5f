//! Running typst-cli: locating it, probing its fonts, executing print jobs on every core with a
//! progress bar.

use crate::render::fonts::{font_chain, has_cjk, resolve_chain, CJK_FONTS};
use crate::render::job::{Run, Task, CREATION_TIMESTAMP};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What went wrong running typst.
#[derive(Debug, thiserror::Error)]
pub enum TypstError {
    #[error("typst was not found (looked for `{}`)", tried.display())]
    Missing { tried: PathBuf },
    /// typst is there but could not be started: the OS says why.
    #[error("cannot run `{}`", exe.display())]
    Spawn {
        exe: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `typst fonts` failed.
    #[error("`{} fonts` failed{}", exe.display(), if stderr.trim().is_empty() { String::new() } else { format!(":\n{}", indent(stderr)) })]
    Fonts { exe: PathBuf, stderr: String },
    #[error("typst failed on `{file}`:\n{}", indent(stderr))]
    Failed { file: String, stderr: String },
    /// What typst computed could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the papers hold Chinese text but no CJK font is available to typst")]
    NoCjkFont,
}

impl TypstError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            TypstError::Missing { .. } => Some("install it with `cargo install --locked typst-cli` (or give its path with --typst); the .typ sources were written and can be compiled later".into()),
            TypstError::Spawn { exe, .. } | TypstError::Fonts { exe, .. } => Some(format!("check that `{}` is typst-cli and runs on this machine (`{} --version`), or give another with --typst; the .typ sources were written and can be compiled later", exe.display(), exe.display())),
            TypstError::NoCjkFont => Some(format!("install one, e.g. `apt-get install fonts-noto-cjk` on Debian/Ubuntu, or pass --font-path DIR with a folder holding one of: {}", CJK_FONTS.join(", "))),
            TypstError::Failed { .. } => Some("the message above points into the .typ file; if it comes from a template override, fix the template".into()),
            TypstError::Write { .. } => None,
        }
    }

    /// Whether the machine lacks something (typst, a font), rather than an input or an output
    /// being at fault.
    pub fn is_environment(&self) -> bool {
        matches!(self, TypstError::Missing { .. } | TypstError::NoCjkFont)
    }
}

fn indent(s: &str) -> String {
    frame(s.trim_end())
}

/// `s` with a frame on the left of each line, as typst's own words are shown.
pub fn frame(s: &str) -> String {
    s.lines()
        .map(|l| format!("  │ {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A located typst executable with the font folders to pass it.
pub struct Typst {
    exe: PathBuf,
    font_paths: Vec<PathBuf>,
    /// Only `font_paths` and typst's own fonts, not every system font (see [`Typst::narrow_fonts`]).
    no_system_fonts: bool,
    /// The version typst reports, `(major, minor)`, when it could be read.
    version: Option<(u32, u32)>,
}

impl Typst {
    /// Finds typst: `explicit`, else `typst` on PATH.
    pub fn locate(explicit: Option<&Path>, font_paths: &[PathBuf]) -> Result<Self, TypstError> {
        let exe = match explicit {
            Some(p) => {
                if !p.is_file() {
                    return Err(TypstError::Missing {
                        tried: p.to_path_buf(),
                    });
                }
                p.to_path_buf()
            }
            None => find_on_path("typst").ok_or(TypstError::Missing {
                tried: "typst".into(),
            })?,
        };
        // A program that cannot be started fails here, with the OS's reason.
        let said = Command::new(&exe)
            .arg("--version")
            .output()
            .map_err(|source| spawn_error(&exe, source))?;
        let version = said
            .status
            .success()
            .then(|| parse_version(&String::from_utf8_lossy(&said.stdout)))
            .flatten();
        Ok(Typst {
            exe,
            font_paths: font_paths.to_vec(),
            no_system_fonts: false,
            version,
        })
    }

    /// Whether this typst can leave the tags out of a PDF (`--no-pdf-tags`, typst 0.14 on).
    fn can_untag(&self) -> bool {
        self.version.is_some_and(|v| v >= (0, 14))
    }

    /// The font chain for the papers (see [`resolve_chain`]), found quickly where it can be: when
    /// fontconfig (`fc-list`) knows the folders of the chain's families, typst is given only those
    /// folders from then on, instead of looking through every system font on each run (a fifth of
    /// a second per run with a CJK collection installed). Without fontconfig, or when it knows no
    /// CJK family of the chain, every system font is searched as before.
    pub fn resolve_fonts(&mut self, chinese: bool) -> Result<Vec<String>, TypstError> {
        Ok(resolve_chain(chinese, &self.usable_families()?))
    }

    /// The families the papers may use, narrowing the font folders as [`Typst::resolve_fonts`]
    /// says; which language the papers are in only orders the chain.
    pub fn usable_families(&mut self) -> Result<Vec<String>, TypstError> {
        if let Some(dirs) = chain_dirs() {
            let mut paths = self.font_paths.clone();
            paths.extend(dirs);
            let families = self.list_families(true, &paths)?;
            if has_cjk(&resolve_chain(true, &families)) {
                self.font_paths = paths;
                self.no_system_fonts = true;
                return Ok(families);
            }
        }
        self.families()
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.exe);
        c.env_remove("TYPST_FONT_PATHS");
        c
    }

    fn font_args(&self, c: &mut Command) {
        if self.no_system_fonts {
            c.arg("--ignore-system-fonts");
        }
        for f in &self.font_paths {
            c.arg("--font-path").arg(f);
        }
    }

    /// The font families typst can use.
    pub fn families(&self) -> Result<Vec<String>, TypstError> {
        self.list_families(self.no_system_fonts, &self.font_paths)
    }

    fn list_families(&self, no_system: bool, paths: &[PathBuf]) -> Result<Vec<String>, TypstError> {
        let mut c = self.command();
        c.arg("fonts");
        if no_system {
            c.arg("--ignore-system-fonts");
        }
        for f in paths {
            c.arg("--font-path").arg(f);
        }
        let out = c
            .output()
            .map_err(|source| spawn_error(&self.exe, source))?;
        if !out.status.success() {
            return Err(TypstError::Fonts {
                exe: self.exe.clone(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .collect())
    }

    /// Executes one run in `root` (the folder its paths are relative to, and typst's root);
    /// returns what typst printed on success (its warnings), if anything.
    pub fn perform(&self, run: &Run, root: &Path) -> Result<Option<String>, TypstError> {
        let (input, output) = (root.join(&run.input), root.join(&run.output));
        let mut c = self.command();
        match &run.task {
            Task::Pdf { tagged } => {
                c.arg("compile")
                    .arg("--root")
                    .arg(root)
                    .arg("--creation-timestamp")
                    .arg(CREATION_TIMESTAMP.to_string());
                if !tagged && self.can_untag() {
                    c.arg("--no-pdf-tags");
                }
            }
            Task::Png { ppi } => {
                c.arg("compile")
                    .arg("--root")
                    .arg(root)
                    .arg("--format")
                    .arg("png")
                    .arg("--pages")
                    .arg("1")
                    .arg("--ppi")
                    .arg(ppi.to_string());
            }
            Task::Eval { .. } => {
                c.arg("eval").arg("--root").arg(root);
            }
        }
        c.arg("--diagnostic-format").arg("human");
        self.font_args(&mut c);
        match &run.task {
            Task::Eval { expr } => c.arg(expr).arg("--in").arg(&input),
            _ => c.arg(&input).arg(&output),
        };
        let out = c
            .output()
            .map_err(|source| spawn_error(&self.exe, source))?;
        if !out.status.success() {
            return Err(TypstError::Failed {
                file: run.shown.clone(),
                stderr: crate::io::output::shown_in(&String::from_utf8_lossy(&out.stderr)),
            });
        }
        if matches!(run.task, Task::Eval { .. }) {
            std::fs::write(&output, &out.stdout).map_err(|source| TypstError::Write {
                path: output.clone(),
                source,
            })?;
        }
        let said = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
        Ok((!said.is_empty()).then_some(said))
    }

    /// Executes `runs` in `root` with a progress bar (shown on a terminal only): the heavy ones
    /// in order on `threads` workers, which then help with the light ones, and the light ones in
    /// order on one worker of their own. Returns the warnings of each run that had any, by the
    /// run's index, in order; the first failure stops the rest.
    pub fn run_all(
        &self,
        runs: &[Run],
        root: &Path,
        threads: usize,
    ) -> Result<Vec<(usize, String)>, TypstError> {
        let bar = ProgressBar::new(runs.iter().map(|j| j.weight).sum());
        bar.set_style(
            ProgressStyle::with_template("{spinner} typst {pos}/{len} {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let heavy: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].light).collect();
        let light: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].light).collect();
        let (next_heavy, next_light) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let take = |helps_heavy: bool| {
            if helps_heavy {
                if let Some(&i) = heavy.get(next_heavy.fetch_add(1, Ordering::SeqCst)) {
                    return Some(i);
                }
            }
            light
                .get(next_light.fetch_add(1, Ordering::SeqCst))
                .copied()
        };
        let first_error: Mutex<Option<TypstError>> = Mutex::new(None);
        let warnings: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
        let workers = threads.max(1).min(heavy.len().max(1));
        std::thread::scope(|s| {
            for w in 0..workers + usize::from(!light.is_empty()) {
                let (take, first_error, warnings, bar) = (&take, &first_error, &warnings, &bar);
                s.spawn(move || loop {
                    if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                        return;
                    }
                    let Some(i) = take(w < workers) else {
                        return;
                    };
                    let run = &runs[i];
                    match self.perform(run, root) {
                        Ok(said) => {
                            if let (Some(said), Ok(mut w)) = (said, warnings.lock()) {
                                w.push((i, said));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut slot) = first_error.lock() {
                                slot.get_or_insert(e);
                            }
                            return;
                        }
                    }
                    bar.inc(run.weight);
                });
            }
        });
        bar.finish_and_clear();
        if let Some(e) = first_error.into_inner().ok().flatten() {
            return Err(e);
        }
        let mut said = warnings.into_inner().unwrap_or_default();
        said.sort_by_key(|(i, _)| *i);
        Ok(said)
    }
}

/// Failing to start typst: a program that is not there is missing typst; any other reason
/// (not executable, not a program for this machine) is reported with the OS's words.
fn spawn_error(exe: &Path, source: std::io::Error) -> TypstError {
    if source.kind() == std::io::ErrorKind::NotFound {
        TypstError::Missing {
            tried: exe.to_path_buf(),
        }
    } else {
        TypstError::Spawn {
            exe: exe.to_path_buf(),
            source,
        }
    }
}

/// Warnings typst printed, each shown once with the file it is about, framed.
pub fn show_warnings(runs: &[Run], warnings: &[(usize, String)]) -> Vec<String> {
    let mut shown: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, said) in warnings {
        if shown.contains(&said.as_str()) {
            continue;
        }
        shown.push(said);
        out.push(format!(
            "typst said on `{}`:\n{}",
            runs[*i].shown,
            frame(said)
        ));
    }
    out
}

/// `(major, minor)` from `typst 0.15.1 (…)`.
fn parse_version(said: &str) -> Option<(u32, u32)> {
    let v = said.split_whitespace().nth(1)?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// The folders fontconfig lists for the families of the chain, if it is there and lists any.
fn chain_dirs() -> Option<Vec<PathBuf>> {
    let out = Command::new("fc-list")
        .args([":", "family", "file"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let listing = String::from_utf8_lossy(&out.stdout);
    let mut dirs: Vec<PathBuf> = Vec::new();
    for family in font_chain(true) {
        for d in font_dirs(&listing, family) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    (!dirs.is_empty()).then_some(dirs)
}

/// The folders of the font files that fontconfig lists under `family` (`fc-list : family file`
/// prints `FILE: FAMILY[,FAMILY…]` per face).
fn font_dirs(listing: &str, family: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for line in listing.lines() {
        let Some((file, families)) = line.split_once(": ") else {
            continue;
        };
        if families
            .split(',')
            .any(|f| f.trim().eq_ignore_ascii_case(family))
        {
            if let Some(d) = Path::new(file).parent() {
                if !dirs.iter().any(|x: &PathBuf| x == d) {
                    dirs.push(d.to_path_buf());
                }
            }
        }
    }
    dirs
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    find_in(&std::env::var_os("PATH")?, name, cfg!(windows))
}

/// The first executable `name` in the folders of `path` (PATH's syntax), as a shell finds it;
/// on Windows, `name.exe` first.
fn find_in(path: &std::ffi::OsStr, name: &str, windows: bool) -> Option<PathBuf> {
    let names = file_names(name, windows);
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| is_executable(p))
}

/// The file names a command `name` may have: `typst.exe` then `typst` on Windows.
fn file_names(name: &str, windows: bool) -> Vec<String> {
    if windows && std::path::Path::new(name).extension().is_none() {
        vec![format!("{name}.exe"), name.to_string()]
    } else {
        vec![name.to_string()]
    }
}

/// A file that may be run: on Unix one with an execute bit set.
fn is_executable(p: &std::path::Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn windows_looks_for_the_exe_first() {
        assert_eq!(file_names("typst", true), ["typst.exe", "typst"]);
        assert_eq!(file_names("typst.exe", true), ["typst.exe"]);
        assert_eq!(file_names("typst", false), ["typst"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_without_the_execute_bit_is_passed_over() {
        use std::os::unix::fs::PermissionsExt;
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let plain = a.path().join("typst");
        std::fs::write(&plain, "not a program").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = std::env::join_paths([a.path(), b.path()]).unwrap();
        assert_eq!(find_in(&path, "typst", false), None, "neither is runnable");
        let exe = b.path().join("typst");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_in(&path, "typst", false), Some(exe.clone()));
        // A folder named like the command is not a program either.
        std::fs::create_dir(a.path().join("typst.exe")).unwrap();
        let win = b.path().join("typst.exe");
        std::fs::write(&win, "MZ").unwrap();
        std::fs::set_permissions(&win, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_in(&path, "typst", true), Some(win));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_font_folders_are_read_from_what_the_tools_print() {
        assert_eq!(
            parse_version("typst 0.15.1 (unknown commit)\n"),
            Some((0, 15))
        );
        assert_eq!(parse_version("typst 0.13.0"), Some((0, 13)));
        assert_eq!(parse_version("error: unexpected argument"), None);
        let listing = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc: Noto Serif CJK SC,Noto Serif CJK SC Bold\n\
            /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc: Noto Serif CJK JP\n\
            /home/u/.fonts/x/NotoSerifCJK-Regular.ttc: noto serif cjk sc\n\
            /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf: DejaVu Sans\n";
        assert_eq!(
            font_dirs(listing, "Noto Serif CJK SC"),
            [
                PathBuf::from("/usr/share/fonts/opentype/noto"),
                PathBuf::from("/home/u/.fonts/x")
            ]
        );
        assert!(font_dirs(listing, "SimSun").is_empty());
    }

    /// A stand-in for typst: `fonts` prints one family or fails, `eval` prints a JSON value.
    #[cfg(unix)]
    fn fake_typst(dir: &Path, fonts_fail: bool) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("typst");
        let fonts = if fonts_fail {
            "echo 'error: cannot read font folder' >&2; exit 1"
        } else {
            "echo 'Noto Serif CJK SC'; exit 0"
        };
        std::fs::write(
            &p,
            format!("#!/bin/sh\ncase \"$1\" in\n  --version) echo 'typst 0.14.0';;\n  fonts) {fonts};;\n  eval) echo '[]';;\n  *) exit 1;;\nesac\n"),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_of_what_typst_computed_names_the_file_and_its_cause() {
        let d = tempfile::tempdir().unwrap();
        let typst = Typst::locate(Some(&fake_typst(d.path(), false)), &[]).unwrap();
        std::fs::write(d.path().join("sheet.typ"), "").unwrap();
        std::fs::write(d.path().join("a-file"), "").unwrap();
        let run = Run {
            task: Task::Eval { expr: "1".into() },
            ..Run::pdf("sheet.typ", "a-file/sheet.layout.json")
        };
        let err = typst.perform(&run, d.path()).unwrap_err();
        assert!(
            matches!(&err, TypstError::Write { path, .. } if path.ends_with("a-file/sheet.layout.json")),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("cannot write `"), "{err}");
        assert!(
            std::error::Error::source(&err).is_some(),
            "the OS error is kept"
        );
        assert!(!err.is_environment());
        assert_eq!(err.hint(), None, "no hint to install typst");
        // The same run where it can write works.
        let ok = Run {
            output: "sheet.layout.json".into(),
            ..run
        };
        typst.perform(&ok, d.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("sheet.layout.json")).unwrap(),
            "[]\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_typst_fonts_is_an_error_not_an_empty_list() {
        let d = tempfile::tempdir().unwrap();
        let typst = Typst::locate(Some(&fake_typst(d.path(), true)), &[]).unwrap();
        let err = typst.families().unwrap_err();
        assert!(matches!(err, TypstError::Fonts { .. }), "{err:?}");
        assert!(err.to_string().contains("cannot read font folder"), "{err}");
        let typst = Typst::locate(Some(&fake_typst(d.path(), false)), &[]).unwrap();
        assert_eq!(typst.families().unwrap(), ["Noto Serif CJK SC"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_typst_that_cannot_start_reports_the_os_error() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        // Executable, but not a program: the OS refuses to run it.
        let p = d.path().join("typst");
        std::fs::write(&p, [0u8, 1, 2, 3]).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = Typst::locate(Some(&p), &[]).err().expect("cannot run");
        assert!(matches!(err, TypstError::Spawn { .. }), "{err:?}");
        assert!(std::error::Error::source(&err).is_some());
        assert!(!err.is_environment());
        let missing = Typst::locate(Some(&d.path().join("nope")), &[])
            .err()
            .unwrap();
        assert!(missing.is_environment());
    }
}
