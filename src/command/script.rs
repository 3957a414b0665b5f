//! Rule scripts and diagnostics as the commands report them (`grade`, `judge`, `standings`).

use crate::input::diagnostic::{Diagnostic, Lang};
use crate::score::script::{Hook, RuleScript, ScriptError};
use crate::Error;
use std::path::{Path, PathBuf};

/// Prints diagnostics and turns them into the error that ends the command, in the language
/// the diagnostics were told in (Chinese when their reader found the file Chinese).
pub fn reported(diags: &[Diagnostic], what: &str) -> Error {
    for d in diags {
        eprintln!("{d}");
    }
    let chinese = Lang::of_diagnostics(diags) == Lang::Zh;
    Error::Reported {
        count: diags.len(),
        what: format!("`{what}`"),
        zh: chinese.then(|| format!("`{what}` 中有 {} 处错误", diags.len())),
    }
}

/// Compiles the script `rel` (relative to `beside`'s folder) and checks it defines `hook`; a
/// problem is told in `lang`, the language of `beside`.
pub fn load_script(beside: &Path, rel: &str, hook: Hook, lang: Lang) -> Result<RuleScript, Error> {
    let path: PathBuf = beside.parent().unwrap_or(Path::new("")).join(rel);
    let name = path.display().to_string();
    let script = RuleScript::compile(&name, &crate::io::read::text(&path)?)
        .map_err(|e| Error::from(e).in_language(lang))?;
    super::show_script_log(Some(&script));
    let has = match hook {
        Hook::Judge => script.has_judge(),
        Hook::Combine => script.has_combine(),
        Hook::Team => script.has_team(),
        _ => true,
    };
    if !has {
        return Err(Error::from(ScriptError::MissingHook {
            script: name,
            function: hook,
        })
        .in_language(lang));
    }
    Ok(script)
}
