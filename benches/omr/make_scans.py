#!/usr/bin/env python3
"""Make synthetic scans of examforge's answer sheet with known ground truth.

Usage: make_scans.py --sheet exam/sheet.pdf --positions positions.json --key exam/key.csv \
                     -n 200 -o scans [--seed 7] [--format jpg|png] [--dpi 200] [--clean N] \
                     [--condition office|1-bit|rescaled|photo|fax|crumpled] [--styles]

(A copy of ../shared/omr/make_scans.py, extended: --styles marks boxes the way candidates do
besides fills — ticks, circles, crosses, light marks — and records each marked box's style in
truth_cells.csv; --condition degrades the sheet the way offices scan and phones photograph it:
office (200 dpi grey JPEG), 1-bit (300 dpi thresholded, TIFF G4), rescaled (printed at 94–97 %),
photo (taken at an angle: 5–10 % keystone, the sheet on a desk filling 70–85 % of the frame,
uneven light), fax (150 dpi thresholded, TIFF G3), crumpled (the paper displaced by up to 1 mm).)

1. rasterize the sheet once (pdftoppm -r DPI -gray);
2. per candidate: draw a ground-truth answer list (single marks, multi-marks, blanks; multi-select
   items mostly get 2-4 marks; marks stay within each item's own options from exam.json, except 1% that
   hit a printed box the item does not have, e.g. E on a 4-option item), fill the boxes with pencil-like marks (per-candidate pencil darkness,
   per-mark jitter, graphite grain, stroke streaks, 25% partial fills of 60-90% of the box, some
   overshoot), add light "erased" residue to ~5% of items, fill the 8-digit candidate number and the
   paper-type box, hand-write the digits in the writing boxes;
3. degrade: rotation +-2 deg, scale 0.97-1.03, translation +-4 mm, paper/ink levels, gaussian blur,
   gaussian noise, JPEG quality 70 (png: lossless);
4. write scans/<file>, truth.csv (one row per sheet: file, candidate, paper, q<N> = marked values in
   option order, '' = blank), truth_cells.csv (one row per field: truth, category, erased residue,
   min fill, min darkness) and meta.csv (degradation parameters).
The first --clean sheets (default 0) are written without geometric/photometric degradation.
"""
import argparse
import csv
import os
import subprocess
import tempfile
from multiprocessing import Pool

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

G = {}  # per-worker globals


def rasterize(pdf, dpi):
    with tempfile.TemporaryDirectory() as td:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-png", pdf, os.path.join(td, "p")],
                       check=True)
        im = Image.open(os.path.join(td, "p.png")).convert("L")
        return np.array(im)


def load_key(path):
    key = {}
    with open(path, encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            key[(r["paper"], int(r["number"]))] = r["answer"]
    return key


def box_px(b, s):
    return b["x"] * s, b["y"] * s, b["w"] * s, b["h"] * s


def pencil_mark(rng, w, h, fill, dark, overshoot):
    """Return an alpha map (0..1 ink opacity) of size (H, W) with margin m around the box."""
    m = 4
    H, W = int(round(h)) + 2 * m, int(round(w)) + 2 * m
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    x0, y0, x1, y1 = m, m, m + w, m + h
    if fill >= 0.92:
        # full mark, possibly overshooting the border a little
        ox = rng.uniform(-0.5, overshoot, 2)
        oy = rng.uniform(-0.5, overshoot, 2)
        mask = (xx >= x0 - ox[0]) & (xx <= x1 + ox[1]) & (yy >= y0 - oy[0]) & (yy <= y1 + oy[1])
    else:
        mode = rng.integers(3)
        if mode == 0:  # centred ellipse-ish blob of area ~ fill
            a, b = w / 2 * np.sqrt(fill) * 1.13, h / 2 * np.sqrt(fill) * 1.13
            cx, cy = (x0 + x1) / 2 + rng.uniform(-1, 1), (y0 + y1) / 2 + rng.uniform(-1, 1)
            mask = ((xx - cx) / a) ** 2 + ((yy - cy) / b) ** 2 <= 1
            mask &= (xx >= x0 - 1) & (xx <= x1 + 1) & (yy >= y0 - 1) & (yy <= y1 + 1)
        elif mode == 1:  # left/right-aligned: the candidate stopped short
            cut = w * fill
            if rng.random() < 0.5:
                mask = (xx >= x0) & (xx <= x0 + cut)
            else:
                mask = (xx >= x1 - cut) & (xx <= x1)
            mask &= (yy >= y0) & (yy <= y1)
        else:  # horizontal band: top/bottom of the box left white
            band = h * fill
            t = y0 + rng.uniform(0, h - band)
            mask = (xx >= x0) & (xx <= x1) & (yy >= t) & (yy <= t + band)
    mask = mask.astype(np.float32)
    # graphite: streaks along the stroke direction + grain
    ang = rng.uniform(-0.5, 0.5)
    period = rng.uniform(2.5, 4.5)
    streak = 0.5 + 0.5 * np.sin((yy * np.cos(ang) + xx * np.sin(ang)) * 2 * np.pi / period + rng.uniform(0, 6.3))
    grain = rng.random((H, W)).astype(np.float32)
    grain = cv2.GaussianBlur(grain, (3, 3), 0.7)
    tex = 1.0 - 0.18 * streak - 0.22 * grain
    alpha = cv2.GaussianBlur(mask, (3, 3), 0.8) * dark * tex
    return np.clip(alpha, 0, 1), m


def stroke_mark(rng, w, h, dark, style, s):
    """A tick, cross or circle drawn with a pencil line of 0.35-0.6 mm, reaching past the box."""
    m = int(round(2.2 * s))
    H, W = int(round(h)) + 2 * m, int(round(w)) + 2 * m
    mask = np.zeros((H, W), np.float32)
    t = max(1, int(round(rng.uniform(0.35, 0.6) * s)))
    j = lambda: rng.uniform(-0.12, 0.12)
    P = lambda fx, fy: (int(round(m + w * (fx + j()))), int(round(m + h * (fy + j()))))
    if style == "tick":
        a, b, c = P(0.1, 0.5), P(0.4, 0.9), P(0.95, -0.1)
        cv2.line(mask, a, b, 1.0, t, cv2.LINE_AA)
        cv2.line(mask, b, c, 1.0, t, cv2.LINE_AA)
    elif style == "cross":
        cv2.line(mask, P(0.0, 0.0), P(1.0, 1.0), 1.0, t, cv2.LINE_AA)
        cv2.line(mask, P(1.0, 0.0), P(0.0, 1.0), 1.0, t, cv2.LINE_AA)
    else:  # circle round the box, a little larger or smaller than it
        grow = rng.uniform(-0.6, 1.2) * s
        centre = (int(round(m + w / 2 + j() * w / 3)), int(round(m + h / 2 + j() * h / 3)))
        axes = (max(2, int(round(w / 2 + grow))), max(2, int(round(h / 2 + grow))))
        cv2.ellipse(mask, centre, axes, rng.uniform(-10, 10), 0, 360, 1.0, t, cv2.LINE_AA)
    grain = rng.random((H, W)).astype(np.float32)
    tex = 1.0 - 0.25 * cv2.GaussianBlur(grain, (3, 3), 0.7)
    return np.clip(mask * dark * tex, 0, 1), m


def erased_mark(rng, w, h, dark):
    m = 4
    H, W = int(round(h)) + 2 * m, int(round(w)) + 2 * m
    blot = rng.random((H, W)).astype(np.float32)
    blot = cv2.GaussianBlur(blot, (0, 0), 2.0)
    blot = (blot - blot.min()) / (np.ptp(blot) + 1e-6)
    mask = np.zeros((H, W), np.float32)
    ox, oy = rng.uniform(-2, 3, 2)
    mask[int(m - oy):int(m + h + oy), int(m - ox):int(m + w + ox)] = 1
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    return np.clip(mask * dark * (0.6 + 0.6 * blot), 0, 1), m


def apply_alpha(img, alpha, m, x, y):
    H, W = alpha.shape
    X, Y = int(round(x)) - m, int(round(y)) - m
    sub = img[Y:Y + H, X:X + W].astype(np.float32)
    img[Y:Y + H, X:X + W] = np.minimum(sub, sub * (1 - alpha[:sub.shape[0], :sub.shape[1]])).astype(np.uint8)


def choose_answers(rng, n_opts, key_ans, values, n_valid=None):
    """Return (set of marked values, category). Marks stay within the item's own options (n_valid, from
    exam.json) except for 1% of items, where any printed box may be marked (e.g. E on a 4-option item)."""
    if n_valid and n_valid < n_opts and rng.random() >= 0.01:
        values, n_opts = values[:n_valid], n_valid
    multi_item = len(key_ans) > 1
    r = rng.random()
    if multi_item:
        if r < 0.06:
            return [], "blank"
        if r < 0.16:
            return [values[rng.integers(n_opts)]], "single"
        if rng.random() < 0.6 and all(k in values for k in key_ans):
            chosen = list(key_ans)
        else:
            k = int(rng.integers(2, min(4, n_opts) + 1))
            chosen = list(rng.choice(values, size=k, replace=False))
        return sorted(set(chosen), key=values.index), "multi" if len(set(chosen)) > 1 else "single"
    if r < 0.06:
        return [], "blank"
    if r < 0.10:  # an illegal double mark on a single-answer item
        return sorted(rng.choice(values, size=2, replace=False).tolist(), key=values.index), "multi"
    if rng.random() < 0.72 and key_ans in values:
        return [key_ans], "single"
    return [values[rng.integers(n_opts)]], "single"


def degrade(rng, img, s, cond):
    """The sheet as rastered (at --dpi) → a scan or photo of it under `cond`."""
    Hh, Ww = img.shape
    meta = dict(angle=0.0, scale=1.0, dx_mm=0.0, dy_mm=0.0, blur=0.0, noise=0.0, paper=255, ink=0, dpi=0)
    ang = rng.uniform(-1.5, 1.5)
    sc = rng.uniform(0.985, 1.015)
    if cond == "rescaled":
        sc = rng.uniform(0.94, 0.97)
    dx, dy = rng.uniform(-4, 4, 2)
    bg = int(rng.uniform(225, 250))
    f = img.astype(np.float32)
    if cond == "crumpled":
        # a smooth displacement of up to 1 mm: a few long waves across the sheet
        yy, xx = np.mgrid[0:Hh, 0:Ww].astype(np.float32)
        ux = np.zeros_like(xx)
        uy = np.zeros_like(yy)
        for _ in range(4):
            kx, ky = rng.uniform(0.5, 3, 2) * 2 * np.pi / Ww, rng.uniform(0.5, 3, 2) * 2 * np.pi / Hh
            ph = rng.uniform(0, 6.3, 2)
            ux += np.sin(xx * kx[0] + yy * ky[0] + ph[0])
            uy += np.sin(xx * kx[1] + yy * ky[1] + ph[1])
        amp = rng.uniform(0.7, 1.0) * s
        ux *= amp / max(1e-6, np.abs(ux).max())
        uy *= amp / max(1e-6, np.abs(uy).max())
        f = cv2.remap(f, xx + ux, yy + uy, cv2.INTER_LINEAR, borderValue=255)
        # creases: soft shading
        f = f * (1 - 0.06 * (0.5 + 0.5 * np.sin(xx * kx[0] * 2 + yy * ky[1])))
    if cond == "photo":
        # the sheet on a desk, seen from a little off its axis: the corners moved so the sheet's
        # near and far edges differ by 5-10 %, the sheet 70-85 % of the frame's height
        out_h = int(Hh * 1.4)
        out_w = int(Ww * 1.4)
        fill = rng.uniform(0.70, 0.85)
        key = rng.uniform(0.05, 0.10)
        sh, sw = out_h * fill, out_h * fill * Ww / Hh
        cx, cy = out_w / 2 + rng.uniform(-0.05, 0.05) * out_w, out_h / 2 + rng.uniform(-0.04, 0.04) * out_h
        top = sw * (1 - key) / 2 if rng.random() < 0.5 else sw / 2
        bot = sw / 2 if top < sw / 2 else sw * (1 - key) / 2
        src = np.float32([[0, 0], [Ww, 0], [Ww, Hh], [0, Hh]])
        dst = np.float32([[cx - top, cy - sh / 2], [cx + top, cy - sh / 2], [cx + bot, cy + sh / 2], [cx - bot, cy + sh / 2]])
        rot = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-3, 3), 1.0)
        dst = np.hstack([dst, np.ones((4, 1), np.float32)]) @ rot.T
        Mp = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        desk = float(rng.uniform(60, 140))
        f = cv2.warpPerspective(f, Mp, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=desk)
        # uneven light across the frame
        yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
        g = 1 - rng.uniform(0.05, 0.18) * (xx / out_w * np.cos(rng.uniform(0, 6.3)) + yy / out_h * np.sin(rng.uniform(0, 6.3)) + 1) / 2
        f = f * g
        meta.update(angle=0.0, scale=round(fill, 3), dx_mm=round(key, 3))
        blur = rng.uniform(0.6, 1.2)
        f = cv2.GaussianBlur(f, (0, 0), blur)
        f = np.clip(f + rng.normal(0, 3, f.shape), 0, 255)
        meta.update(blur=round(blur, 2), noise=3, dpi=0)
        return f.astype(np.uint8), meta
    M = cv2.getRotationMatrix2D((Ww / 2, Hh / 2), ang, sc)
    M[0, 2] += dx * s
    M[1, 2] += dy * s
    f = cv2.warpAffine(f, M, (Ww, Hh), flags=cv2.INTER_LINEAR, borderValue=bg)
    dpi = 200
    if cond in ("1-bit", "fax"):
        dpi = 300 if cond == "1-bit" else 150
        z = dpi / (s * 25.4)
        f = cv2.resize(f, (int(Ww * z), int(Hh * z)), interpolation=cv2.INTER_AREA)
        f = cv2.GaussianBlur(f, (0, 0), 0.6)
        f = f + rng.normal(0, 8 if cond == "fax" else 4, f.shape)
        thr = rng.uniform(150, 185) if cond == "fax" else rng.uniform(120, 160)
        out = np.where(f < thr, 0, 255).astype(np.uint8)
        meta.update(angle=round(ang, 3), scale=round(sc, 4), dx_mm=round(dx, 2), dy_mm=round(dy, 2), dpi=dpi)
        return out, meta
    paper_lvl, ink_lvl = rng.uniform(232, 252), rng.uniform(8, 40)
    f = ink_lvl + (paper_lvl - ink_lvl) * (f / 255.0)
    blur = rng.uniform(0.5, 1.1)
    f = cv2.GaussianBlur(f, (0, 0), blur)
    noise = rng.uniform(2, 6)
    f = f + rng.normal(0, noise, f.shape).astype(np.float32)
    out = np.clip(f, 0, 255).astype(np.uint8)
    meta.update(angle=round(ang, 3), scale=round(sc, 4), dx_mm=round(dx, 2), dy_mm=round(dy, 2),
                blur=round(blur, 2), noise=round(noise, 2), paper=round(paper_lvl), ink=round(ink_lvl), dpi=dpi)
    return out, meta


def make_one(i):
    a = G["args"]
    rng = np.random.default_rng([a.seed, i])
    s = a.dpi / 25.4
    img = G["page"].copy()
    pos = G["pos"]
    clean = i < a.clean

    # per-candidate pencil
    base = rng.uniform(0.62, 0.92) if rng.random() > 0.12 else rng.uniform(0.45, 0.62)
    cand = "".join(str(d) for d in rng.integers(0, 10, len(G["cols"])))
    paper = sorted(G["paper"])[0] if len(G["paper"]) == 1 else ("A" if rng.random() < 0.5 else "B")
    cells = []

    def mark(b, erased=False, style="fill"):
        x, y, w, h = box_px(b, s)
        if erased:
            d = rng.uniform(0.10, 0.24)
            alpha, m = erased_mark(rng, w, h, d)
            apply_alpha(img, alpha, m, x, y)
            return 1.0, d
        d = float(np.clip(base + rng.normal(0, 0.05), 0.35, 0.97))
        if style in ("tick", "cross", "circle"):
            alpha, m = stroke_mark(rng, w, h, d, style, s)
            apply_alpha(img, alpha, m, x, y)
            return 0.0, d
        if style == "light":  # a light mark on a sheet otherwise marked dark
            d = float(rng.uniform(0.25, 0.45)) * base / 0.8
            fill = rng.uniform(0.92, 1.0)
        else:
            fill = rng.uniform(0.6, 0.9) if rng.random() < 0.25 else rng.uniform(0.92, 1.0)
        alpha, m = pencil_mark(rng, w, h, fill, d, overshoot=rng.uniform(0, 3))
        apply_alpha(img, alpha, m, x, y)
        return fill, d

    def pick_style():
        if not a.styles:
            return "fill"
        r = rng.random()
        for name, p in (("tick", 0.07), ("circle", 0.07), ("cross", 0.06), ("light", 0.06)):
            if r < p:
                return name
            r -= p
        return "fill"

    # candidate number: one bubble per column, plus the digit handwritten in the box above
    font = G["font"]
    pil = None
    for c, dch in enumerate(cand):
        b = G["cand"][(c, int(dch))]
        f, d = mark(b)
        cells.append(dict(field=f"cand{c + 1}", truth=dch, category="single", erased="", fill=round(f, 3),
                          dark=round(d, 3), styles="fill"))
    pil = Image.fromarray(img)
    dr = ImageDraw.Draw(pil)
    for c, dch in enumerate(cand):
        b = G["cand"][(c, 0)]
        x, y, w, h = box_px(b, s)
        dr.text((x + w * 0.3 + rng.uniform(-2, 2), y - (0.95 + 3.81 - 0.1) * s + rng.uniform(-2, 1)), dch,
                fill=int(rng.uniform(30, 90)), font=font)
    img = np.array(pil)
    pb = G["paper"][paper]
    f, d = mark(pb)
    cells.append(dict(field="paper", truth=paper, category="single", erased="", fill=round(f, 3), dark=round(d, 3),
                      styles="fill"))

    row = {"file": None, "candidate": cand, "paper": paper}
    for item, boxes in G["items"]:
        values = [b["value"] for b in boxes]
        chosen, cat = choose_answers(rng, len(values), G["key"].get((paper, item), ""), values,
                                     G["nopts"].get((paper, item)))
        fills, darks, styles = [], [], []
        for b in boxes:
            if b["value"] in chosen:
                st = pick_style()
                f, d = mark(b, style=st)
                fills.append(f)
                darks.append(d)
                styles.append(st)
        erased = ""
        if rng.random() < 0.05:
            free = [b for b in boxes if b["value"] not in chosen]
            if free:
                eb = free[rng.integers(len(free))]
                mark(eb, erased=True)
                erased = eb["value"]
        truth = "".join(chosen)
        row[f"q{item}"] = truth
        cells.append(dict(field=f"q{item}", truth=truth, category=cat, erased=erased,
                          fill=round(min(fills), 3) if fills else "", dark=round(min(darks), 3) if darks else "",
                          styles=" ".join(sorted(set(styles)))))

    # degradations
    meta = dict(angle=0.0, scale=1.0, dx_mm=0.0, dy_mm=0.0, blur=0.0, noise=0.0, paper=255, ink=0, dpi=a.dpi)
    if not clean:
        img, meta = degrade(rng, img, s, a.condition)
    fmt = {"1-bit": "tif", "fax": "tif"}.get(a.condition, a.format)
    name = f"scan_{i + 1:04d}.{fmt}"
    out = os.path.join(a.output, name)
    if a.condition in ("1-bit", "fax"):
        Image.fromarray(img).convert("1", dither=Image.Dither.NONE).save(
            out, compression="group4" if a.condition == "1-bit" else "group3", dpi=(meta["dpi"], meta["dpi"]))
    elif a.format == "jpg":
        cv2.imwrite(out, img, [cv2.IMWRITE_JPEG_QUALITY, 85 if a.condition == "photo" else 70])
    else:
        cv2.imwrite(out, img)
    row["file"] = name
    for c in cells:
        c["file"] = name
    meta["file"] = name
    meta["pencil"] = round(base, 3)
    return row, cells, meta


def init(args, page, pos, key, nopts):
    G["args"] = args
    G["nopts"] = nopts
    G["page"] = page
    G["pos"] = pos
    G["key"] = key
    G["cols"] = sorted({b["col"] for b in pos["candidate"]})
    G["cand"] = {(b["col"], b["digit"]): b for b in pos["candidate"]}
    G["paper"] = {b["option"]: b for b in pos["paper"]}
    items = {}
    for b in pos["items"]:
        items.setdefault(b["item"], []).append(b)
    G["items"] = sorted(items.items())
    try:
        G["font"] = ImageFont.load_default(size=int(args.dpi / 25.4 * 3.4))
    except TypeError:  # old Pillow
        G["font"] = ImageFont.load_default()


def main():
    import json
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sheet", default="exam/sheet.pdf")
    ap.add_argument("--positions", default="positions.json")
    ap.add_argument("--key", default="exam/key.csv")
    ap.add_argument("--exam", default="exam/exam.json", help="for each item's option count ('' to skip)")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("-o", "--output", default="scans")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--format", choices=["jpg", "png"], default="jpg")
    ap.add_argument("--clean", type=int, default=0, help="first N sheets without degradation")
    ap.add_argument("--condition", default="office",
                    choices=["office", "1-bit", "rescaled", "photo", "fax", "crumpled"])
    ap.add_argument("--styles", action="store_true", help="ticks, circles, crosses and light marks besides fills")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    a = ap.parse_args()
    os.makedirs(os.path.join(a.output, "images"), exist_ok=True)
    page = rasterize(a.sheet, a.dpi)
    pos = json.load(open(a.positions, encoding="utf-8"))
    # sheet.layout.json lists every sheet; sheet.pdf's first page is the first sheet (paper A's
    # when the papers differ in kind at a number: its code is then pre-marked); an older exam's
    # layout is its one sheet
    pos = pos["sheets"][0] if "sheets" in pos else pos
    key = load_key(a.key)
    nopts = {}
    if a.exam:
        def walk(code, items):
            for it in items:
                if it.get("options") and "number" in it:
                    nopts[(code, int(it["number"]))] = len(it["options"])
                walk(code, it.get("parts") or [])  # case items carry numbered sub-items
        for p in json.load(open(a.exam, encoding="utf-8"))["papers"]:
            for sec in p["sections"]:
                walk(p["code"], sec["items"])
    img_dir = a.output
    a.output = os.path.join(img_dir, "images")
    with Pool(a.jobs, initializer=init, initargs=(a, page, pos, key, nopts)) as p:
        res = p.map(make_one, range(a.n), chunksize=4)
    rows = [r for r, _, _ in res]
    qcols = [k for k in rows[0] if k.startswith("q")]
    with open(os.path.join(img_dir, "truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["file", "candidate", "paper"] + qcols)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(img_dir, "truth_cells.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["file", "field", "truth", "category", "erased", "fill", "dark", "styles"])
        w.writeheader()
        for _, cells, _ in res:
            w.writerows(cells)
    with open(os.path.join(img_dir, "meta.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["file", "angle", "scale", "dx_mm", "dy_mm", "blur", "noise", "paper", "ink",
                               "pencil", "dpi"])
        w.writeheader()
        w.writerows([m for _, _, m in res])
    print(f"wrote {a.n} scans to {a.output}, truth.csv, truth_cells.csv, meta.csv in {img_dir}")


if __name__ == "__main__":
    main()
