//! `examforge certificates`: honour certificates (荣誉证书) from a standings folder, one PDF
//! each plus one combined print file.

use super::print;
use crate::bank::fmt_points;
use crate::cli::CertificatesArgs;
use crate::error::ExitCode;
use crate::event::certificates::{award, Certificate, Cut};
use crate::event::standings::{Awards, Standings};
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
    let cut = match (a.top, &a.awards) {
        (Some(0), _) => {
            return Err(Error::usage(
                "`--top 0` gives no certificates",
                "use --top 3 for the best three",
            ))
        }
        (Some(n), _) => Cut::Top(n),
        (None, Some(awards)) => Cut::Prizes(parse_awards(awards)?),
        (None, None) => s.awards.map_or(Cut::Top(3), Cut::Prizes),
    };
    let certs = award(&s, &cut);
    if certs.is_empty() {
        return Err(Error::input(
            "no entrant reaches an award",
            "check the standings, or widen --top / --awards",
        ));
    }
    let templates = print::templates(&a.print)?;
    let mut sources = Vec::new();
    let mut counts = std::collections::HashMap::new();
    for c in &certs {
        let n = counts.entry(c.kind).or_insert(0usize);
        *n += 1;
        sources.push(Source {
            name: format!("{}-{:02}-{}.typ", c.kind, n, paper_stem(&c.recipient)),
            text: render(&templates, std::slice::from_ref(c))?,
        });
    }
    sources.push(Source {
        name: "certificates.typ".into(),
        text: render(&templates, &certs)?,
    });
    let out = OutputSet::new(&a.out.output, a.out.force, "certificates");
    out.check_free(&print::names(&sources, &a.print))?;
    print::write(&sources, &a.print, &out)?;
    for c in &certs {
        eprintln!(
            "  {} {}: {} (rank {}, {})",
            c.kind,
            c.recipient,
            c.award,
            c.rank,
            fmt_points(c.score)
        );
    }
    eprintln!(
        "wrote {} certificate(s) and the print file {} to {}",
        certs.len(),
        if a.print.sources_only() {
            "certificates.typ"
        } else {
            "certificates.pdf"
        },
        out.dir().display()
    );
    Ok(ExitCode::Success)
}

fn render(t: &Templates, certs: &[Certificate]) -> Result<String, Error> {
    let ctx = minijinja::context! { certificates => certs, fonts => print::fonts() };
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
