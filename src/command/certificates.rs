//! `examforge certificates`: honour certificates (荣誉证书) from a standings folder, one PDF
//! each plus one combined print file.

use super::print;
use super::say::Say;
use crate::bank::fmt_points;
use crate::cli::CertificatesArgs;
use crate::error::ExitCode;
use crate::event::certificates::{award, Certificate, Cut, Cuts};
use crate::event::standings::{Awards, Standings};
use crate::event::Entrant;
use crate::input::diagnostic::Lang;
use crate::io::output::OutputSet;
use crate::render::file_name::paper_stem;
use crate::render::{Source, Templates};
use crate::Error;

/// Runs `certificates`.
pub fn run(a: &CertificatesArgs) -> Result<ExitCode, Error> {
    let path = if a.standings.is_dir() {
        a.standings.join("standings.json")
    } else {
        a.standings.clone()
    };
    let bytes = crate::io::read::bytes(&path)?;
    let s: Standings = serde_json::from_slice(&bytes).map_err(|e| {
        Error::json(
            &path,
            "a standings.json",
            "pass the folder `examforge standings` wrote with -o",
            e,
        )
    })?;
    // --top and --awards give the cut of the standings' own entrant kind; each kind keeps the
    // standings file's cut-offs otherwise, and a kind without any gets no certificate (individual
    // cut-offs never award teams). Without any, the best three of the standings' kind.
    let own = match (a.top, &a.awards) {
        (Some(0), _) => {
            return Err(Error::usage(
                "`--top 0` gives no certificates",
                "use --top 3 for the best three",
            ))
        }
        (Some(n), _) => Some(Cut::Top(n)),
        (None, Some(awards)) => Some(Cut::Prizes(parse_awards(awards)?)),
        (None, None) => None,
    };
    let certs = award(&s, &cuts(&s, own));
    if certs.is_empty() {
        return Err(Error::input(
            "no entrant reaches an award",
            "check the standings, or widen --top / --awards",
        ));
    }
    let templates = print::templates(&a.print)?;
    // The certificates are Chinese (certificate.typ.j2 sets `lang: "zh"`).
    let printer = print::Printer::of(&a.print, true);
    let fonts = printer.fonts();
    let mut sources = Vec::new();
    let mut counts = std::collections::HashMap::new();
    for c in &certs {
        let n = counts.entry(c.kind).or_insert(0usize);
        *n += 1;
        sources.push(Source {
            name: format!("{}-{:02}-{}.typ", c.kind, n, paper_stem(&c.recipient)),
            text: render(
                &templates,
                std::slice::from_ref(c),
                s.certificates.seal,
                &fonts,
            )?,
        });
    }
    sources.push(Source {
        name: "certificates.typ".into(),
        text: render(&templates, &certs, s.certificates.seal, &fonts)?,
    });
    let out = OutputSet::new(&a.out.output, a.out.force, "certificates");
    let mut names = print::names(&sources, &a.print);
    names.push(AWARD_LIST.to_string());
    out.check_free(&names)?;
    out.write(AWARD_LIST, &award_list(&certs)?)?;
    printer.write(&sources, &out)?;
    let say = Say::new(Lang::of_text(&s.title));
    for c in &certs {
        let number = if c.number.is_empty() {
            String::new()
        } else {
            format!("{} ", c.number)
        };
        let (rank, score) = (c.rank, fmt_points(c.score));
        let line = if say.zh() {
            format!("{}：{}（第 {rank} 名，{score} 分）", c.recipient, c.award)
        } else {
            format!("{}: {} (rank {rank}, {score})", c.recipient, c.award)
        };
        eprintln!("  {number}{} {line}", c.kind);
    }
    let print_file = if a.print.sources_only() {
        "certificates.typ"
    } else {
        "certificates.pdf"
    };
    let dir = out.shown_dir().display().to_string();
    if say.zh() {
        eprintln!(
            "已写出 {} 张证书和打印文件 {print_file}，在 {dir}",
            certs.len()
        );
    } else {
        eprintln!(
            "wrote {} certificate(s) and the print file {print_file} to {dir}",
            certs.len()
        );
    }
    Ok(ExitCode::Success)
}

/// The cut of each entrant kind: `own` (`--top`, `--awards`) for the standings' own kind, else
/// the standings file's cut-offs, else the best three of the standings' kind; the other kind
/// keeps its own cut-offs or gets nothing.
pub(super) fn cuts(s: &Standings, own: Option<Cut>) -> Cuts {
    let own = own.unwrap_or_else(|| s.awards.of(s.entrant).map_or(Cut::Top(3), Cut::Prizes));
    let mut cuts = Cuts {
        team: s.awards.team.map(Cut::Prizes),
        individual: s.awards.individual.map(Cut::Prizes),
    };
    match s.entrant {
        Entrant::Team => cuts.team = Some(own),
        Entrant::Candidate => cuts.individual = Some(own),
    }
    cuts
}

/// The award list (获奖名单): one row per certificate, in award order.
const AWARD_LIST: &str = "awards.csv";

/// awards.csv, as Excel opens it (BOM, guarded cells).
fn award_list(certs: &[Certificate]) -> Result<Vec<u8>, Error> {
    let mut rows =
        vec![["证书编号", "类别", "获奖者", "单位", "名次", "成绩", "奖项"].map(String::from)];
    for c in certs {
        let kind = if c.kind == "team" { "团体" } else { "个人" };
        rows.push([
            c.number.clone(),
            kind.to_string(),
            c.recipient.clone(),
            c.team.clone(),
            c.rank.to_string(),
            fmt_points(c.score),
            c.award.clone(),
        ]);
    }
    Ok(crate::io::output::excel_csv(&rows))
}

fn render(t: &Templates, certs: &[Certificate], seal: bool, fonts: &str) -> Result<String, Error> {
    let ctx = minijinja::context! { certificates => certs, seal => seal, fonts => fonts };
    t.render("certificate.typ.j2", ctx).map_err(Error::from)
}

/// `FIRST,SECOND,THIRD` rank cut-offs.
fn parse_awards(rule: &str) -> Result<Awards, Error> {
    let bad = || {
        Error::usage(
            format!("`--awards {rule}` is not three growing ranks"),
            "write FIRST,SECOND,THIRD, e.g. --awards 1,3,6: 一等奖 for rank 1, 二等奖 for ranks 2–3, 三等奖 for ranks 4–6",
        )
    };
    let n: Vec<usize> = rule
        .split([',', '，'])
        .map(|p| p.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match n[..] {
        [first, second, third] if first >= 1 && first <= second && second <= third => Ok(Awards {
            first,
            second,
            third,
        }),
        _ => Err(bad()),
    }
}
