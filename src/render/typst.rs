//! Running typst-cli: locating it, checking fonts, compiling many files in parallel.

use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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

/// What a typst run makes of its source.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// A PDF; `tagged: false` leaves out the accessibility tags (structure tree) where the pages
    /// are joined or cut afterwards, which would drop them anyway: untagged, typst writes about a
    /// seventh of the bytes and the pages are read back a hundred times faster.
    Pdf { tagged: bool },
    /// The first page as a grey PNG at `ppi`.
    Png { ppi: f64 },
    /// The JSON value of `expr` evaluated in the document (`typst eval --in`), written to the output.
    Eval { expr: String },
}

/// One typst run: a source, what it makes and where, and how much of the progress bar it fills.
pub struct Job {
    pub input: PathBuf,
    pub output: PathBuf,
    pub weight: u64,
    pub task: Task,
    /// A small run (a key batch, the sheet): besides the workers of the heavy runs, one more worker
    /// takes these from the start, so they fill the cores while the papers compile instead of
    /// trailing after them, without adding a heavy run's memory.
    pub light: bool,
}

impl Job {
    /// A tagged PDF of `input`, as typst writes it by default.
    pub fn pdf(input: PathBuf, output: PathBuf) -> Self {
        Job {
            input,
            output,
            weight: 1,
            task: Task::Pdf { tagged: true },
            light: false,
        }
    }
}

/// The fixed PDF creation time, so the same exam gives the same bytes.
pub const CREATION_TIMESTAMP: u64 = 0;

/// What went wrong running typst.
#[derive(Debug, thiserror::Error)]
pub enum TypstError {
    #[error("typst was not found (looked for `{}`)", tried.display())]
    Missing { tried: PathBuf },
    #[error("cannot run `{}`", exe.display())]
    Spawn {
        exe: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("typst failed on `{}`:\n{}", file.display(), indent(stderr))]
    Failed { file: PathBuf, stderr: String },
    #[error("the papers hold Chinese text but no CJK font is available to typst")]
    NoCjkFont,
}

impl TypstError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            TypstError::Missing { .. } | TypstError::Spawn { .. } => Some("install it with `cargo install --locked typst-cli` (or give its path with --typst); the .typ sources were written and can be compiled later".into()),
            TypstError::NoCjkFont => Some(format!("install one, e.g. `apt-get install fonts-noto-cjk` on Debian/Ubuntu, or pass --font-path DIR with a folder holding one of: {}", CJK_FONTS.join(", "))),
            TypstError::Failed { .. } => Some("the message above points into the .typ file; if it comes from a template override, fix the template".into()),
        }
    }
}

fn indent(s: &str) -> String {
    s.trim_end()
        .lines()
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
        let version = Command::new(&exe)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| parse_version(&String::from_utf8_lossy(&o.stdout)));
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

    /// Runs a prepared typst command about `input`: a failure to start or a failed run becomes a
    /// typed error carrying typst's own diagnostics.
    fn run(&self, mut c: Command, input: &Path) -> Result<std::process::Output, TypstError> {
        let out = c.output().map_err(|source| TypstError::Spawn {
            exe: self.exe.clone(),
            source,
        })?;
        if !out.status.success() {
            return Err(TypstError::Failed {
                file: input.to_path_buf(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(out)
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
        let out = c.output().map_err(|source| TypstError::Spawn {
            exe: self.exe.clone(),
            source,
        })?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .collect())
    }

    /// The first CJK font of the chain that typst has, if any.
    pub fn cjk_font(&self) -> Result<Option<String>, TypstError> {
        let chain = resolve_chain(true, &self.families()?);
        Ok(chain.into_iter().find(|f| CJK_FONTS.contains(&f.as_str())))
    }

    /// Compiles one file to a tagged PDF; returns what typst printed on success (its warnings).
    pub fn compile(
        &self,
        input: &Path,
        output: &Path,
        root: &Path,
    ) -> Result<Option<String>, TypstError> {
        self.perform(&Job::pdf(input.into(), output.into()), root)
    }

    /// Runs one job; returns what typst printed on success (its warnings), if anything.
    pub fn perform(&self, job: &Job, root: &Path) -> Result<Option<String>, TypstError> {
        let mut c = self.command();
        match &job.task {
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
        match &job.task {
            Task::Eval { expr } => c.arg(expr).arg("--in").arg(&job.input),
            _ => c.arg(&job.input).arg(&job.output),
        };
        let out = self.run(c, &job.input)?;
        if matches!(job.task, Task::Eval { .. }) {
            std::fs::write(&job.output, &out.stdout).map_err(|source| TypstError::Spawn {
                exe: job.output.clone(),
                source,
            })?;
        }
        let said = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
        Ok((!said.is_empty()).then_some(said))
    }

    /// Runs the jobs with a progress bar (shown on a terminal only): the heavy ones in order on
    /// `threads` workers, which then help with the light ones, and the light ones in order on one
    /// worker of their own; returns the warnings of each job that had any, in job order.
    pub fn compile_all(
        &self,
        files: &[Job],
        root: &Path,
        threads: usize,
    ) -> Result<Vec<(PathBuf, String)>, TypstError> {
        let bar = ProgressBar::new(files.iter().map(|j| j.weight).sum());
        bar.set_style(
            ProgressStyle::with_template("{spinner} typst {pos}/{len} {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let heavy: Vec<usize> = (0..files.len()).filter(|&i| !files[i].light).collect();
        let light: Vec<usize> = (0..files.len()).filter(|&i| files[i].light).collect();
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
                    let job = &files[i];
                    match self.perform(job, root) {
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
                    bar.inc(job.weight);
                });
            }
        });
        bar.finish_and_clear();
        if let Some(e) = first_error.into_inner().ok().flatten() {
            return Err(e);
        }
        let mut said = warnings.into_inner().unwrap_or_default();
        said.sort_by_key(|(i, _)| *i);
        Ok(said
            .into_iter()
            .map(|(i, w)| (files[i].input.clone(), w))
            .collect())
    }
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
}
