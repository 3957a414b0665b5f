#!/usr/bin/env python3
"""Evaluation of `examforge scan` on marks as candidates make them and sheets as offices scan them.

Usage: benches/scan_eval.py [--bin target/release/examforge] [--before OLD_BINARY] [--python PY]
                            [--also LABEL=BINARY ...] [--same-as LABEL] [--speed-jobs 1,2]
                            [-n 60] [-j 2] [--work DIR] [--conditions office,1-bit,...]

1. `examforge make --seed 7` → exam/ (sheet.pdf, sheet.layout.json, key.csv);
2. benches/omr/make_scans.py --styles: N sheets in each of six conditions (office, 1-bit,
   rescaled, photo, fax, crumpled), marked with fills, partial fills, light marks, ticks, circles
   and crosses, with erased residue, and truth per cell;
3. `examforge scan` on each condition; every cell is right, flagged (`?`: it went to review, or
   its sheet was rejected and listed in sheets.csv) or silently wrong;
4. prints per condition: silently wrong %, flagged %, proper fills read right %, and the flag
   rate per mark style (on stderr: the first silently wrong cells and proper fills not read,
   with the reason review.csv gives); the time per sheet on office scans (and with --before, the old binary's,
   interleaved, best of three; --also adds further binaries, --speed-jobs the job counts timed)
   and the CPU time (user + system, least of the three) per sheet;
   peak memory on a 3-page TIFF and a 200-page PDF;
5. with --same-as LABEL: whether --bin wrote the same scans.csv, review.csv and sheets.csv (byte for
   byte) and review crops within a grey level of that binary's, in every condition — a faster reader
   must read every page as the one it replaces did.
A binary that reads an older exam.json (--own-exam LABEL) makes its own exam with `make --seed 7`
run in its own source folder, and its own scans of each condition with the same seeds
(<condition>-LABEL/): the same marks on its own sheet. The source folder is three levels above
target/release/examforge, or given with --source LABEL=DIR, or --source LABEL=COMMIT: that commit
of this repository, taken out into <work>/source-LABEL/ (a binary copied out of its tree, e.g.
--also old=/tmp/examforge-9975c50 --own-exam old --source old=9975c50).
Needs numpy, pillow, opencv-python-headless in PY; pdftoppm and typst on PATH.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONDITIONS = ["office", "1-bit", "rescaled", "photo", "fax", "crumpled"]


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    return subprocess.run(cmd, **kw)


def scan(binary, exam, inputs, out, jobs, cpu=None):
    """Runs scan; returns (seconds, peak RSS MiB, stderr); appends its CPU seconds (user + system)
    to `cpu` when given."""
    t = time.perf_counter()
    p = run(["/usr/bin/time", "-f", "PEAK %M CPU %U %S", binary, "scan", os.path.join(exam, "exam.json"), *inputs,
             "-o", out, "--force", "--jobs", str(jobs)], capture_output=True, text=True)
    dt = time.perf_counter() - t
    # 0: all read; 3: some sheets rejected (listed in sheets.csv, scored as flagged)
    # (an older binary exits 1 when it rejected sheets, after writing its outputs)
    done = p.returncode == 1 and re.search(r"^read \d+ sheet", p.stderr, re.M)
    if p.returncode not in (0, 3) and not done:
        print(p.stderr, file=sys.stderr)
        raise SystemExit(f"scan failed with {p.returncode}")
    m = re.search(r"PEAK (\d+)", p.stderr)
    c = re.search(r"CPU ([\d.]+) ([\d.]+)", p.stderr)
    if cpu is not None and c:
        cpu.append(float(c.group(1)) + float(c.group(2)))
    return dt, (int(m.group(1)) / 1024 if m else float("nan")), p.stderr


def predictions(out):
    """file name → field → value ('?' = flagged), from scans.csv."""
    pred = {}
    with open(os.path.join(out, "scans.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = os.path.basename(r["file"])
            row = {f"q{k}": v for k, v in r.items() if k.isdigit()}
            for i, c in enumerate(r["candidate"]):
                row[f"cand{i + 1}"] = c
            row["paper"] = r["paper"]
            pred[name] = row
    return pred


def norm(v):
    return "".join(sorted(v)) if len(v) > 1 and v.isalpha() else v


def doubtful_boxes(out):
    """(file name, field) → the values of the boxes review.csv holds in doubt, and → the reason
    it gives."""
    d, why = defaultdict(set), {}
    with open(os.path.join(out, "review.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            field = r["field"]
            field = f"q{field}" if field.isdigit() else field.replace("candidate", "cand")
            why[(os.path.basename(r["file"]), field)] = r["reason"]
            for b in r["boxes"].split():
                d[(os.path.basename(r["file"]), field)].add(b.split(":")[0])
    return d, why


def score(truth_csv, out):
    pred = predictions(out)
    doubt, why = doubtful_boxes(out)
    tot = defaultdict(lambda: [0, 0, 0])  # group → [right, flagged, wrong]
    examples = []
    missed = []  # proper fills not read: (file, field, box, truth, read, review's reason)
    with open(truth_csv, newline="", encoding="utf-8") as f:
        for t in csv.DictReader(f):
            row = pred.get(t["file"])
            pv = None if row is None else row.get(t["field"], "")
            if pv is None or "?" in pv:
                k = 1
            elif norm(pv) == norm(t["truth"]):
                k = 0
            else:
                k = 2
                if len(examples) < 8:
                    examples.append((t["file"], t["field"], t["truth"], pv, t.get("styles", ""), t["erased"]))
            styles = set((t.get("styles") or "").split())
            # each box filled properly is read as marked, not merely flagged: its cell is right,
            # or it is `?` because of another box. A proper fill is any of make_scans.py's
            # `fill` style: 60–100 % of the box in the candidate's own pencil, however light
            # (12 % of candidates press 0.45–0.62), not only dark ones
            if t["truth"] and styles == {"fill"}:
                for v in t["truth"]:
                    if k == 0 or (k == 1 and row is not None and v not in doubt[(t["file"], t["field"])]
                                  and t["field"].startswith("q")) or (k == 2 and v in pv):
                        tot["fill boxes"][0] += 1
                    else:
                        tot["fill boxes"][2] += 1
                        missed.append((t["file"], t["field"], v, t["truth"], pv, why.get((t["file"], t["field"]))))
            groups = ["all"]
            for st in styles - {"fill"}:
                groups.append(f"style: {st}")
            if t["erased"]:
                groups.append("style: erased residue")
            if not t["truth"]:
                groups.append("blank")
            for g in groups:
                tot[g][k] += 1
    rejected = 0
    with open(os.path.join(out, "sheets.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rejected = sum(1 for r in rows if r["status"] == "rejected")
    warned = sum(1 for r in rows if r.get("warnings"))
    return tot, rejected, warned, examples, missed


def same_output(a, b):
    """What differs between two scan output folders: the three CSVs byte for byte, the review
    crops' sizes and pixels within one grey level (crops are mapped in single precision since
    the reading it replaced: a twentieth of a per cent of their pixels a level apart)."""
    import numpy as np
    from PIL import Image
    diffs = []
    for name in ("scans.csv", "review.csv", "sheets.csv"):
        with open(os.path.join(a, name), "rb") as fa, open(os.path.join(b, name), "rb") as fb:
            if fa.read() != fb.read():
                diffs.append(name)
    ra, rb = os.path.join(a, "review"), os.path.join(b, "review")
    ca = sorted(os.listdir(ra)) if os.path.isdir(ra) else []
    cb = sorted(os.listdir(rb)) if os.path.isdir(rb) else []
    if ca != cb:
        diffs.append(f"review/ lists {len(ca)} and {len(cb)} crops")
    else:
        def apart(c):
            x = np.asarray(Image.open(os.path.join(ra, c)), dtype=int)
            y = np.asarray(Image.open(os.path.join(rb, c)), dtype=int)
            return x.shape != y.shape or np.abs(x - y).max(initial=0) > 1
        bad = [c for c in ca if apart(c)]
        if bad:
            diffs.append(f"{len(bad)} crops differ by more than a grey level, e.g. {bad[0]}")
    return diffs


def pct(a, n):
    return f"{100 * a / n:.2f}" if n else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "examforge"))
    ap.add_argument("--before", help="an older examforge binary to time (and score) beside --bin")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=BINARY",
                    help="a further binary to time and score, e.g. main=/tmp/examforge-main")
    ap.add_argument("--own-exam", default="", metavar="LABEL,...",
                    help="binaries (by label) that make and read their own exam and scans")
    ap.add_argument("--source", action="append", default=[], metavar="LABEL=DIR|COMMIT",
                    help="where an --own-exam binary's bundled banks are: a folder, or a commit of this repository")
    ap.add_argument("--same-as", metavar="LABEL",
                    help="check that --bin wrote the same outputs as this binary in every condition")
    ap.add_argument("--speed-jobs", default=None,
                    help="job counts to time office scans with, e.g. 1,2 (default: --jobs)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("-n", type=int, default=60)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--work", default="/tmp/scan-eval")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--no-memory", action="store_true")
    a = ap.parse_args()
    # every path absolute: `make` of an --own-exam binary runs in its source folder
    a.work = os.path.abspath(a.work)
    a.bin = os.path.abspath(a.bin)
    os.makedirs(a.work, exist_ok=True)
    binaries = [("after", a.bin)] + ([("before", a.before)] if a.before else [])
    binaries += [(k, os.path.abspath(v)) for k, v in (x.split("=", 1) for x in a.also)]
    own = {x for x in a.own_exam.split(",") if x}
    sources = dict(x.split("=", 1) for x in a.source)

    def source_of(label, binary):
        """The folder `make` of an --own-exam binary runs in: its bundled banks are there."""
        given = sources.get(label)
        if given is None:
            src = os.path.dirname(os.path.dirname(os.path.dirname(binary)))
        elif os.path.isdir(given):
            src = os.path.abspath(given)
        else:
            src = os.path.join(a.work, f"source-{label}")
            if not os.path.isdir(src):
                os.makedirs(src + ".tmp", exist_ok=True)
                archive = run(["git", "-C", ROOT, "archive", given], check=True, capture_output=True).stdout
                run(["tar", "-x", "-C", src + ".tmp"], input=archive, check=True)
                os.rename(src + ".tmp", src)
        if not os.path.exists(os.path.join(src, "question-banks", "closed-book.toml")):
            raise SystemExit(f"{label}: {src} holds no question-banks/closed-book.toml: "
                             f"give its source with --source {label}=DIR or --source {label}=COMMIT")
        return src
    conds = a.conditions.split(",")

    def exam_of(label):
        return os.path.join(a.work, "exam" + (f"-{label}" if label in own else ""))

    def cond_dir(label, c):
        return os.path.join(a.work, c + (f"-{label}" if label in own else ""))

    for label, binary in [("after", a.bin)] + [b for b in binaries if b[0] in own]:
        exam = exam_of(label)
        if not os.path.exists(os.path.join(exam, "sheet.layout.json")):
            run([binary, "make", "--seed", "7", "-o", exam, "--force"], check=True,
                cwd=source_of(label, binary) if label in own else None)
        for i, c in enumerate(conds):
            d = cond_dir(label, c)
            imgs = os.path.join(d, "images")
            made = len(os.listdir(imgs)) if os.path.isdir(imgs) else 0
            # scans left by a run with another -n are made again: the times are per sheet of -n
            if made != a.n or not os.path.exists(os.path.join(d, "truth_cells.csv")):
                if os.path.isdir(d):
                    shutil.rmtree(d)
                run([a.python, os.path.join(ROOT, "benches", "omr", "make_scans.py"), "--sheet",
                     os.path.join(exam, "sheet.pdf"), "--positions", os.path.join(exam, "sheet.layout.json"),
                     "--key", os.path.join(exam, "key.csv"), "--exam", os.path.join(exam, "exam.json"),
                     "-n", str(a.n), "-o", d, "--seed", str(100 + i), "--condition", c, "--styles",
                     "-j", str(a.jobs)], check=True)
    print("| binary | condition | sheets | rejected | warned | cells | silently wrong % | flagged % | fill boxes read marked % |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    per_style = {}
    for label, binary in binaries:
        for c in conds:
            d = cond_dir(label, c)
            out = os.path.join(d, f"out-{label}")
            scan(binary, exam_of(label), [os.path.join(d, "images")], out, a.jobs)
            tot, rejected, warned, examples, missed = score(os.path.join(d, "truth_cells.csv"), out)
            r, fl, w = tot["all"]
            n = r + fl + w
            pr, pf, pw = tot["fill boxes"]
            print(f"| {label} | {c} | {a.n} | {rejected} | {warned} | {n} | {pct(w, n)} | {pct(fl, n)} | "
                  f"{pct(pr, pr + pf + pw)} |")
            per_style[(label, c)] = tot
            for e in examples:
                print("   silently wrong:", e, file=sys.stderr)
            for e in missed[:12]:
                print("   proper fill not read (file, field, box, truth, read, review's reason):", e, file=sys.stderr)
    print()
    print("Flag rate per mark style (cells holding that style: flagged % / silently wrong % / right %, count)")
    groups = sorted({g for t in per_style.values() for g in t if g.startswith("style:") or g == "blank"})
    print("| binary | condition | " + " | ".join(groups) + " |")
    print("|---|---|" + "---:|" * len(groups))
    for (label, c), tot in per_style.items():
        cells = []
        for g in groups:
            r, fl, w = tot.get(g, [0, 0, 0])
            n = r + fl + w
            cells.append(f"{pct(fl, n)} / {pct(w, n)} / {pct(r, n)} ({n})" if n else "-")
        print(f"| {label} | {c} | " + " | ".join(cells) + " |")
    if a.same_as:
        print()
        for c in conds:
            d = cond_dir(a.same_as, c)
            diffs = same_output(os.path.join(d, "out-after"), os.path.join(d, f"out-{a.same_as}"))
            print(f"same outputs as {a.same_as} ({c}): " + ("yes" if not diffs else "NO: " + "; ".join(diffs)))
    # speed on office scans, interleaved
    if "office" in conds:
        print()
        jobs = [int(j) for j in a.speed_jobs.split(",")] if a.speed_jobs else [a.jobs]
        for j in jobs:
            best = defaultdict(lambda: float("inf"))
            cpu = defaultdict(list)
            for _ in range(3):
                for label, binary in binaries:
                    imgs = os.path.join(cond_dir(label, "office"), "images")
                    dt, _, _ = scan(binary, exam_of(label), [imgs], os.path.join(a.work, f"speed-{label}"), j,
                                    cpu[label])
                    best[label] = min(best[label], dt)
            for label, _ in binaries:
                # CPU time is what a shared machine's other load disturbs least
                c = min(cpu[label]) if cpu[label] else float("nan")
                print(f"speed ({label}): {best[label]:.2f} s for {a.n} office sheets, "
                      f"{1000 * best[label] / a.n:.1f} ms a sheet with {j} job(s) (best of 3); "
                      f"CPU {1000 * c / a.n:.1f} ms a sheet")
    if not a.no_memory and "office" in conds:
        print()
        from PIL import Image

        def inputs(label):
            """A 3-page TIFF and a 200-page PDF of the office scans `label` reads."""
            d = os.path.join(cond_dir(label, "office"), "images")
            imgs = sorted(os.listdir(d))
            tif = os.path.join(cond_dir(label, "three") + ".tif")
            pages = [Image.open(os.path.join(d, f)) for f in imgs[:3]]
            pages[0].save(tif, save_all=True, append_images=pages[1:], compression="tiff_deflate")
            pdf = os.path.join(cond_dir(label, "two-hundred") + ".pdf")
            if not os.path.exists(pdf):
                many = [os.path.join(d, imgs[i % len(imgs)]) for i in range(200)]
                first = Image.open(many[0])

                def rest():
                    for p in many[1:]:
                        yield Image.open(p)
                first.save(pdf, save_all=True, append_images=rest(), resolution=200)
            return tif, pdf

        for label, binary in binaries:
            tif, pdf = inputs(label)
            for name, path in (("3-page TIFF", tif), ("200-page PDF", pdf)):
                dt, peak, err = scan(binary, exam_of(label), [path], os.path.join(a.work, f"mem-{label}"), a.jobs)
                summary = [line for line in err.splitlines() if line.startswith("read ")]
                print(f"memory ({label}) {name}: peak {peak:.0f} MiB, {dt:.1f} s; {summary[0] if summary else err[-300:]}")

if __name__ == "__main__":
    main()
