#!/usr/bin/env python3
"""Benchmark of `examforge scan` against the Python/OpenCV prototype reader, in the same run.

Usage: benches/scan_compare.py --tools DIR_WITH_make_scans.py [--python PY] [-n 200] [-j 2] [--work DIR]

1. `examforge make --seed 7` (release binary) → exam/ with sheet.pdf, sheet.layout.json, key.csv;
2. make_scans.py: N synthetic scans (200 dpi, ±2°, ±3 % scale, ±4 mm shift, blur, noise, JPEG 70,
   light / partial pencil, erased residue) with truth_cells.csv; plus turned copies (90°, 180°) of
   the first 20 for the `turned` category (the prototype cannot read those, so they are scored for
   examforge only);
3. times proto_reader.py -j J and `examforge scan --jobs J` on the same images, one after the other;
4. turns scans.csv into evaluate.py's columns (q<N>, cand1…, paper; `?` stays `?`) — the adapter
   lives here, not in the product — and scores both with evaluate.py, by category, adding the cells
   that are wrong without a flag (`?` is a flag: the cell went to review.csv).
Needs: numpy, pillow, opencv-python-headless in PY; pdftoppm; typst on PATH.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    return time.perf_counter() - t


def adapt(scans_csv, out_csv):
    """examforge's scans.csv → evaluate.py's columns."""
    with open(scans_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        open(out_csv, "w").write("file\n")
        return
    items = [k for k in rows[0] if k.isdigit()]
    n_cand = max(len(r["candidate"]) for r in rows)
    head = ["file"] + [f"q{k}" for k in items] + [f"cand{i + 1}" for i in range(n_cand)] + ["paper"]
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r in rows:
            c = r["candidate"].ljust(n_cand, "?")
            w.writerow([os.path.basename(r["file"])] + [r[k] for k in items] + list(c) + [r["paper"]])


def flags(truth_cells, pred_csv, meta_csv=None):
    """Cells right / flagged (?) / wrong without a flag, overall and for rotated scans (|angle| ≥ 1°)."""
    with open(pred_csv, newline="", encoding="utf-8") as f:
        pred = {r["file"]: r for r in csv.DictReader(f)}
    angle = {}
    if meta_csv:
        with open(meta_csv, newline="", encoding="utf-8") as f:
            angle = {r["file"]: abs(float(r["angle"])) for r in csv.DictReader(f)}
    norm = lambda v: "".join(sorted(v)) if len(v) > 1 and v.isalpha() else v
    out = {"all": [0, 0, 0, 0], "rotated ≥1°": [0, 0, 0, 0]}
    with open(truth_cells, newline="", encoding="utf-8") as f:
        for t in csv.DictReader(f):
            groups = ["all"] + (["rotated ≥1°"] if angle.get(t["file"], 0) >= 1.0 else [])
            p = pred.get(t["file"])
            v = None if p is None else (p.get(t["field"]) or "")
            for g in groups:
                o = out[g]
                o[3] += 1
                if v is None:
                    o[2] += 1
                elif v == "?" or "?" in v:
                    o[1] += 1
                elif norm(v) == norm(t["truth"]):
                    o[0] += 1
                else:
                    o[2] += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--work", default="target/scan-bench")
    ap.add_argument("--skip-make", action="store_true", help="reuse WORK/exam and WORK/scans")
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    exe = os.path.join(ROOT, "target", "release", "examforge")
    py, tools = a.python, a.tools
    exam, scans = os.path.join(work, "exam"), os.path.join(work, "scans")
    if not a.skip_make:
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        run([exe, "make", "--seed", "7", "--force", "-o", exam], cwd=ROOT)
        run([py, os.path.join(tools, "make_scans.py"), "--sheet", f"{exam}/sheet.pdf",
             "--positions", f"{exam}/sheet.layout.json", "--key", f"{exam}/key.csv",
             "--exam", f"{exam}/exam.json", "-n", str(a.n), "-o", scans, "--seed", "7"])
        # turned copies for the `turned` category
        from PIL import Image
        tdir = os.path.join(work, "turned")
        os.makedirs(tdir, exist_ok=True)
        names = sorted(os.listdir(os.path.join(scans, "images")))[:20]
        with open(os.path.join(scans, "truth_cells.csv"), newline="", encoding="utf-8") as f:
            cells = list(csv.DictReader(f))
        tcells = []
        for i, n in enumerate(names):
            im = Image.open(os.path.join(scans, "images", n))
            turn = 180 if i % 2 == 0 else 90
            new = f"turned{turn}_{n}"
            im.rotate(turn, expand=True).save(os.path.join(tdir, new), quality=70)
            tcells += [dict(c, file=new) for c in cells if c["file"] == n]
        with open(os.path.join(work, "turned_cells.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, list(cells[0].keys()))
            w.writeheader()
            w.writerows(tcells)
    images = sorted(os.path.join(scans, "images", n) for n in os.listdir(os.path.join(scans, "images")))
    proto_csv = os.path.join(work, "proto.csv")
    t_proto = run([py, os.path.join(tools, "proto_reader.py"), "--positions", f"{exam}/sheet.layout.json",
                   "--sheet", f"{exam}/sheet.pdf", *images, "-o", proto_csv, "-j", str(a.jobs)])
    out = os.path.join(work, "ef")
    t_ef = run([exe, "scan", f"{exam}/exam.json", os.path.join(scans, "images"), "-o", out,
                "--jobs", str(a.jobs), "--force"])
    out_t = os.path.join(work, "ef-turned")
    run([exe, "scan", f"{exam}/exam.json", os.path.join(work, "turned"), "-o", out_t, "--jobs",
         str(a.jobs), "--force"])
    ef_csv, eft_csv = os.path.join(work, "ef.csv"), os.path.join(work, "ef-turned.csv")
    adapt(os.path.join(out, "scans.csv"), ef_csv)
    adapt(os.path.join(out_t, "scans.csv"), eft_csv)
    n = len(images)
    print(f"\n## speed ({n} scans, {a.jobs} jobs, wall time of the whole process)\n")
    print("| reader | seconds | sheets/s |\n|---|---:|---:|")
    print(f"| proto_reader.py | {t_proto:.2f} | {n / t_proto:.1f} |")
    print(f"| examforge scan | {t_ef:.2f} | {n / t_ef:.1f} |")
    print(f"\nspeed-up: {t_proto / t_ef:.2f}×\n")
    ev = os.path.join(tools, "evaluate.py")
    truth = os.path.join(scans, "truth_cells.csv")
    meta = os.path.join(scans, "meta.csv")
    for label, pred in (("proto_reader.py", proto_csv), ("examforge scan", ef_csv)):
        run([py, ev, "--truth", truth, "--pred", pred, "--label", label,
             "--json", os.path.join(work, f"{label.split()[0]}.json")])
    run([py, ev, "--truth", os.path.join(work, "turned_cells.csv"), "--pred", eft_csv,
         "--label", "examforge scan, 20 copies turned 90°/180°"])
    print("\n## flags (`?` = sent to review.csv)\n")
    print("| reader | group | right | flagged | wrong without a flag | cells |\n|---|---|---:|---:|---:|---:|")
    for label, pred, tr, me in (("examforge scan", ef_csv, truth, meta),
                                ("examforge scan, turned", eft_csv, os.path.join(work, "turned_cells.csv"), None)):
        for g, (r, fl, wr, tot) in flags(tr, pred, me).items():
            if tot:
                print(f"| {label} | {g} | {100 * r / tot:.3f}% | {100 * fl / tot:.3f}% | "
                      f"{100 * wr / tot:.3f}% ({wr}) | {tot} |")


if __name__ == "__main__":
    main()
