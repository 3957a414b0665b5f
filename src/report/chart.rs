//! Charts as SVG text: no network, no fonts of our own; embedded in the PDF and inlined in the HTML.

use super::summary::{Bin, SectionStat};
use std::fmt::Write as _;

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
/// Room above the plot for the count axis's label and the pass line's label, clear of every bar.
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;
const FONT: &str = "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif";
const BAR: &str = "#4a78b5";
const FAIL: &str = "#c9ced6";
const PASS_LINE: &str = "#c0392b";

/// Text for an SVG text node or attribute.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: f64) -> String {
    crate::bank::fmt_points(v)
}

fn open(out: &mut String) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="{FONT}" font-size="11">"#
    );
    out.push('\n');
}

/// A round step for `max` counts on about five gridlines.
fn tick_step(max: f64) -> f64 {
    let raw = (max / 5.0).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// The histogram of total scores; bars below the pass line are grey, the line is red and labelled.
pub fn histogram(bins: &[Bin], pass: Option<f64>, labels: &HistogramLabels) -> String {
    let mut s = String::new();
    open(&mut s);
    let (x0, x1) = (
        bins.first().map_or(0.0, |b| b.from),
        bins.last().map_or(1.0, |b| b.to),
    );
    let span = (x1 - x0).max(1e-9);
    let top = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let step = tick_step(top);
    // A gridline above the tallest bar, so that no bar reaches the top of the plot.
    let ymax = ((top / step).floor() + 1.0) * step;
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let px = |v: f64| LEFT + (v - x0) / span * pw;
    let py = |c: f64| TOP + ph - c / ymax * ph;
    let mut g = 0.0;
    while g <= ymax + 1e-9 {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{g}</text>"##,
            y = py(g),
            x2 = W - RIGHT,
            tx = LEFT - 6.0,
            ty = py(g) + 4.0,
        );
        g += step;
    }
    for b in bins {
        let (xa, xb) = (px(b.from), px(b.to));
        let fill = match pass {
            Some(p) if b.to <= p => FAIL,
            _ => BAR,
        };
        if b.count > 0 {
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"><title>{from}–{to}: {c}</title></rect>"#,
                x = xa + 1.0,
                y = py(b.count as f64),
                w = (xb - xa - 2.0).max(1.0),
                h = py(0.0) - py(b.count as f64),
                from = num(b.from),
                to = num(b.to),
                c = b.count,
            );
        }
    }
    // Axis labels at every bar edge, thinned to at most 11.
    let every = bins.len().div_ceil(10).max(1);
    for (i, b) in bins.iter().enumerate() {
        if i % every == 0 {
            let _ = writeln!(
                s,
                r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{v}</text>"#,
                x = px(b.from),
                y = H - BOTTOM + 14.0,
                v = num(b.from)
            );
        }
    }
    let _ = writeln!(
        s,
        r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{v}</text>"#,
        x = px(x1),
        y = H - BOTTOM + 14.0,
        v = num(x1)
    );
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#333"/>"##,
        y = py(0.0),
        x2 = W - RIGHT
    );
    let _ = writeln!(
        s,
        r#"<text x="{x}" y="{y}" text-anchor="middle">{t}</text>"#,
        x = LEFT + pw / 2.0,
        y = H - 6.0,
        t = xml(&labels.x_axis)
    );
    let _ = writeln!(
        s,
        r#"<text x="{x}" y="{y}" text-anchor="start">{t}</text>"#,
        x = 4.0,
        y = TOP - 12.0,
        t = xml(&labels.y_axis)
    );
    if let Some(p) = pass.filter(|p| *p >= x0 && *p <= x1) {
        // The label sits above the plot, where no bar reaches, on the side of the line with
        // more room.
        let x = px(p);
        let (tx, anchor) = if x > LEFT + pw * 0.75 {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{y:.1}" stroke="{PASS_LINE}" stroke-width="2" stroke-dasharray="6 3"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}" fill="{PASS_LINE}">{t} {v}</text>"#,
            y0 = TOP - 14.0,
            y = py(0.0),
            ty = TOP - 8.0,
            t = xml(&labels.pass),
            v = num(p)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Words on the histogram.
pub struct HistogramLabels {
    pub x_axis: String,
    /// Over the count axis.
    pub y_axis: String,
    pub pass: String,
}

/// Horizontal bars of per-section facility (0–100%).
pub fn sections(stats: &[SectionStat]) -> String {
    let mut s = String::new();
    let row = 26.0;
    let h = TOP + row * stats.len().max(1) as f64 + 28.0;
    let label_w = 180.0;
    let pw = W - label_w - RIGHT - 40.0;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="{FONT}" font-size="11">"#
    );
    for pct in [0, 25, 50, 75, 100] {
        let x = label_w + pw * f64::from(pct) / 100.0;
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle">{pct}%</text>"##,
            y = h - 24.0,
            ty = h - 10.0
        );
    }
    for (i, st) in stats.iter().enumerate() {
        let y = TOP + i as f64 * row;
        let w = pw * st.facility.clamp(0.0, 1.0);
        let _ = writeln!(
            s,
            r#"<text x="{lx}" y="{ty:.1}" text-anchor="end">{t}</text><rect x="{label_w}" y="{ry:.1}" width="{w:.1}" height="16" fill="{BAR}"/><text x="{vx:.1}" y="{ty:.1}">{v:.0}%</text>"#,
            lx = label_w - 8.0,
            ty = y + 12.0,
            t = xml(&st.title),
            ry = y + 1.0,
            vx = label_w + w + 6.0,
            v = st.facility * 100.0
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of attribute `name` in the first tag of `svg` after `from`.
    fn attr(svg: &str, from: usize, name: &str) -> f64 {
        let tag = &svg[from..];
        let tag = &tag[..tag.find('>').unwrap()];
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn the_pass_label_is_clear_of_the_bars_and_the_tallest_bar_has_headroom() {
        // Ten in the top bars: a count that is a round number of gridlines.
        let bins: Vec<Bin> = (0..10)
            .map(|i| Bin {
                from: f64::from(i) * 10.0,
                to: f64::from(i + 1) * 10.0,
                count: [0, 0, 1, 2, 3, 6, 10, 10, 5, 2][i as usize],
            })
            .collect();
        let svg = histogram(
            &bins,
            Some(60.0),
            &HistogramLabels {
                x_axis: "总分".into(),
                y_axis: "人数".into(),
                pass: "合格线".into(),
            },
        );
        let tops: Vec<f64> = svg
            .match_indices("<rect ")
            .map(|(i, _)| attr(&svg, i, "y"))
            .collect();
        let highest = tops.iter().copied().fold(f64::INFINITY, f64::min);
        // The top gridline is a step above the tallest bar.
        assert!(highest > TOP + 10.0, "tallest bar at y {highest}");
        let label = svg.find("合格线 60").unwrap();
        let text = svg[..label].rfind("<text").unwrap();
        let baseline = attr(&svg, text, "y");
        assert!(
            baseline < TOP,
            "label baseline {baseline} is inside the plot"
        );
        assert!(baseline < highest, "label on a bar");
    }
}
