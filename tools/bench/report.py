"""Turning consoles into numbers and numbers into a report: parse one run's
console, medians and spreads per configuration, ratios of medians between
configurations with their geometric means, the terminal/markdown table, the
CSV/JSON files and the PNG plot.
"""
import csv
import json
import math
import re
import statistics

import png

# key, display unit, factor from the stored value (ns for guest metrics,
# s for host-timed ones), description.
METRICS = [
    ("getpid", "ns", 1, "getpid() system call round trip"),
    ("clock_gettime", "ns", 1, "clock_gettime(CLOCK_MONOTONIC), vDSO if offered"),
    ("fork", "us", 1e-3, "fork() + child exit + waitpid()"),
    ("pagefault", "ns", 1, "first write to a page of a 64 MiB anonymous mapping"),
    ("pipe", "us", 1e-3, "pipe ping-pong round trip between two processes"),
    ("mmap", "us", 1e-3, "mmap 64 KiB + write its 16 pages + munmap"),
    ("boot_init", "s", 1, "host: QEMU start to the /init marker"),
    ("boot_poweroff", "s", 1, "host: QEMU start to QEMU exit, less the workload"),
    ("cpu", "ns", 1, "one step of an integer loop (the control)"),
]
METRIC_KEYS = [m[0] for m in METRICS]
GUEST_METRICS = ["cpu", "getpid", "clock_gettime", "fork", "pagefault", "pipe", "mmap"]
CONTROL = {"cpu"}
# Ratios of medians, A/B, shown when both configurations have the metric.
# S-hv/N-hv: the nested Hyper-V pair (xhv against the kernel as a Hyper-V
# HVM guest, both in L2).
RATIOS = [("S", "X"), ("S", "N"), ("X", "N"), ("S-hv", "N-hv")]
# Those drawn in the plot.
PLOT_RATIOS = [("S", "X"), ("S", "N"), ("S-hv", "N-hv")]

_RESULT = re.compile(r"XHVBENCH result (\w+) ([0-9.]+) ns (\d+)")
_INFO = re.compile(r"XHVBENCH info (\w+) (\S+)")
_CENSUS = re.compile(r"\(xhv\)\s+(\d+) (\w+)\s+(\d+)")
_SUBOP = re.compile(r"\(xhv\)\s+sub-op (\d+)\s+(\d+)")


def parse_run(events, t_exit, rc, killed):
    """One run from its console lines [(t, line)], the time of EOF and the
    exit status. Returns a dict: status, metrics, info, times, census."""
    r = {"metrics": {}, "info": {}, "times": {}, "census": {}, "errors": []}
    t = r["times"]
    in_census, last = False, None
    for ts, line in events:
        if "XHVBENCH" in line:
            m = _RESULT.search(line)
            if m:
                r["metrics"][m.group(1)] = float(m.group(2))
                continue
            m = _INFO.search(line)
            if m:
                r["info"][m.group(1)] = m.group(2)
                continue
            for marker in ("init", "start", "done", "poweroff"):
                if re.search(rf"XHVBENCH {marker}\b", line) and marker not in t:
                    t[marker] = ts
                    if marker == "done":
                        m = re.search(r"XHVBENCH done ([0-9.]+)", line)
                        if m:
                            r["info"]["guest_elapsed"] = float(m.group(1))
            if "XHVBENCH error" in line:
                r["errors"].append(line[line.index("XHVBENCH"):])
        elif "Hypercall census" in line:
            in_census = True
        elif in_census:
            m = _CENSUS.search(line)
            if m:
                last = m.group(2)
                r["census"][last] = {"calls": int(m.group(3)), "sub": {}}
                continue
            m = _SUBOP.search(line)
            if m and last:
                r["census"][last]["sub"][m.group(1)] = int(m.group(2))
                continue
            if "Hypercalls:" in line:
                in_census = False
    if t_exit is not None:
        t["exit"] = t_exit
    if "init" in t:
        r["metrics"]["boot_init"] = t["init"]
        if "poweroff" in t and t_exit is not None and rc == 0:
            r["metrics"]["boot_poweroff"] = t["init"] + (t_exit - t["poweroff"])
    # The guest's clock against the host's over the workload (TCG guests
    # can drift; a benchmark measured by a wrong clock is wrong).
    if "start" in t and "done" in t and r["info"].get("guest_elapsed"):
        host = t["done"] - t["start"]
        if host > 0:
            r["info"]["guest_clock_ratio"] = round(r["info"]["guest_elapsed"] / host, 4)
    missing = [k for k in METRIC_KEYS if k not in r["metrics"]]
    if killed:
        r["status"] = "timeout"
    elif rc != 0:
        r["status"] = f"exit {rc}"
    elif missing:
        r["status"] = "incomplete"
    else:
        r["status"] = "ok"
    if missing:
        r["missing"] = missing
    return r


def _stats(vals):
    med = statistics.median(vals)
    return {"median": med, "min": min(vals), "max": max(vals), "n": len(vals),
            "range_pct": 100.0 * (max(vals) - min(vals)) / med if med else 0.0}


def summarize(runs, configs, smps):
    """summary[smp][config][metric] = median/min/max/n/range_pct;
    ratios[smp][metric]["S/X"] = ratio of medians (plus a "geomean" row
    over every metric but the control)."""
    summary, ratios = {}, {}
    for smp in smps:
        s = summary[str(smp)] = {}
        for c in configs:
            s[c] = {}
            for k in METRIC_KEYS:
                vals = [r["metrics"][k] for r in runs
                        if r["smp"] == smp and r["config"] == c and k in r["metrics"]]
                if vals:
                    s[c][k] = _stats(vals)
        rt = ratios[str(smp)] = {}
        for k in METRIC_KEYS:
            rt[k] = {}
            for a, b in RATIOS:
                if k in s.get(a, {}) and k in s.get(b, {}) and s[b][k]["median"] > 0:
                    rt[k][f"{a}/{b}"] = s[a][k]["median"] / s[b][k]["median"]
        rt["geomean"] = {}
        for a, b in RATIOS:
            name = f"{a}/{b}"
            vals = [rt[k][name] for k in METRIC_KEYS
                    if k not in CONTROL and name in rt[k] and rt[k][name] > 0]
            # Only over the full set: a geomean over fewer metrics is not
            # comparable with another one.
            if len(vals) == len(METRIC_KEYS) - len(CONTROL):
                rt["geomean"][name] = math.exp(sum(map(math.log, vals)) / len(vals))
    return summary, ratios


def census_summary(runs, smps, config="S"):
    """Median calls per hypercall over a configuration's runs (xhv prints
    its census at poweroff), most frequent first."""
    out = {}
    for smp in smps:
        cs = [r["census"] for r in runs
              if r["smp"] == smp and r["config"] == config and r.get("census")]
        if not cs:
            continue
        names = sorted({n for c in cs for n in c})
        med = {n: statistics.median([c.get(n, {}).get("calls", 0) for c in cs])
               for n in names}
        out[str(smp)] = dict(sorted(med.items(), key=lambda kv: -kv[1]))
    return out


def _fmt_val(v, unit):
    if v is None:
        return "-"
    if unit == "s":
        return f"{v:.2f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_ratio(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table_rows(summary, ratios, configs, smp):
    """Rows (list of cell strings) of the table for one vCPU count."""
    s, rt = summary[str(smp)], ratios[str(smp)]
    pairs = [f"{a}/{b}" for a, b in RATIOS if a in configs and b in configs]
    head = ["metric", "unit"] + [f"{c} median (range)" for c in configs] + pairs
    rows = [head]
    for key, unit, factor, _ in METRICS:
        row = [key + (" (control)" if key in CONTROL else ""), unit]
        for c in configs:
            st = s.get(c, {}).get(key)
            if st:
                row.append(f"{_fmt_val(st['median'] * factor, unit)} "
                           f"(±{st['range_pct'] / 2:.0f}%, n={st['n']})")
            else:
                row.append("missing")
        row += [fmt_ratio(rt[key].get(p)) for p in pairs]
        rows.append(row)
    rows.append(["geomean (all but control)", ""] + [""] * len(configs) +
                [fmt_ratio(rt["geomean"].get(p)) for p in pairs])
    return rows


def format_text(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])] + \
            [c.rjust(w) for c, w in zip(r[2:], widths[2:])]
        out.append("  ".join(cells).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def format_markdown(rows):
    out = ["| " + " | ".join(rows[0]) + " |",
           "|" + "|".join("---" if i < 2 else "---:" for i in range(len(rows[0]))) + "|"]
    for r in rows[1:]:
        out.append("| " + " | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out)


def write_csv(path, runs):
    """One row per run and metric (the raw data)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["smp", "config", "iteration", "status", "metric", "value", "unit"])
        for r in runs:
            if not r["metrics"]:
                w.writerow([r["smp"], r["config"], r["iteration"], r["status"], "", "", ""])
            for k in METRIC_KEYS:
                if k in r["metrics"]:
                    unit = "s" if k.startswith("boot_") else "ns"
                    w.writerow([r["smp"], r["config"], r["iteration"], r["status"],
                                k, f"{r['metrics'][k]:.6g}", unit])


def write_summary_csv(path, summary, ratios):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["smp", "metric", "kind", "name", "median", "min", "max", "n"])
        for smp, s in summary.items():
            for c, ms in s.items():
                for k, st in ms.items():
                    w.writerow([smp, k, "config", c, f"{st['median']:.6g}",
                                f"{st['min']:.6g}", f"{st['max']:.6g}", st["n"]])
            for k, rs in ratios[smp].items():
                for name, v in rs.items():
                    w.writerow([smp, k, "ratio", name, f"{v:.4f}", "", "", ""])


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")


_COLORS = [(31, 119, 180), (255, 127, 14), (120, 180, 230), (255, 190, 120),
           (44, 160, 44), (214, 39, 40)]


def plot(path, ratios, smps, title, pairs=PLOT_RATIOS):
    """Bars of the ratios per metric on a log scale around 1 (a bar up:
    the first configuration is slower; down: faster)."""
    def has(name):
        return any(name in ratios.get(str(smp), {}).get(g, {})
                   for smp in smps for g in ratios.get(str(smp), {}))
    # The pairs asked for that have data; else any pair with data.
    names = [f"{a}/{b}" for a, b in pairs if has(f"{a}/{b}")] or \
        [f"{a}/{b}" for a, b in RATIOS if has(f"{a}/{b}")]
    if not names:
        c = png.Canvas(640, 120)
        c.text(20, 20, title, scale=2)
        c.text(20, 60, "no ratios: runs missing (see the table and logs/)")
        c.save(path)
        return
    series = [(smp, name) for smp in smps for name in names]
    groups = [k for k in METRIC_KEYS] + ["geomean"]
    vals = [ratios.get(str(smp), {}).get(g, {}).get(name)
            for smp, name in series for g in groups]
    vals = [v for v in vals if v]
    lo, hi = min(vals + [1.0]) / 1.3, max(vals + [1.0]) * 1.3
    ticks = [m * 10 ** e for e in range(-3, 4) for m in (1, 2, 5)]
    lo = max([t for t in ticks if t <= lo] or [lo])
    hi = min([t for t in ticks if t >= hi] or [hi])
    ticks = [t for t in ticks if lo <= t <= hi]

    bw, gap = 22, 18
    gw = len(series) * bw + gap
    left, top, ph = 70, 60, 420
    legend_w = sum(16 + png.text_width(f"{n} smp {smp} (no data)") + 20 for smp, n in series)
    w = max(left + len(groups) * gw + 20, left + png.text_width(title, 2) + 20,
            left + legend_w)
    h = top + ph + 125
    c = png.Canvas(w, max(h, 200))
    c.text(left, 12, title, scale=2)
    legend_x = left
    for i, (smp, name) in enumerate(series):
        label = f"{name} smp {smp}"
        if not any(ratios.get(str(smp), {}).get(g, {}).get(name) for g in groups):
            label += " (no data)"
        c.rect(legend_x, 36, legend_x + 12, 48, _COLORS[i % len(_COLORS)])
        c.text(legend_x + 16, 38, label)
        legend_x += 16 + png.text_width(label) + 20

    def y(v):
        return top + (math.log(hi) - math.log(v)) / (math.log(hi) - math.log(lo)) * ph

    grey = (210, 210, 210)
    for t in ticks:
        yy = int(y(t))
        c.hline(left, w - 20, yy, (0, 0, 0) if t == 1 else grey, dash=0 if t == 1 else 3)
        lab = fmt_ratio(t) if t < 1 else f"{t:g}"
        c.text(left - 6 - png.text_width(lab), yy - 3, lab)
    c.vline(left, top, top + ph, (0, 0, 0))
    y1 = y(1.0)
    for gi, g in enumerate(groups):
        x0 = left + gi * gw + gap // 2
        for si, (smp, name) in enumerate(series):
            v = ratios.get(str(smp), {}).get(g, {}).get(name)
            x = x0 + si * bw
            if not v:
                continue
            yv = y(v)
            c.rect(x + 1, min(yv, y1), x + bw - 1, max(yv, y1) + 1, _COLORS[si % len(_COLORS)])
            lab = fmt_ratio(v)
            # The value, written vertically beside the bar's end.
            if v >= 1:
                c.text(x + bw // 2 - 3, int(yv) - 3, lab, vertical=True)
            else:
                c.text(x + bw // 2 - 3, int(yv) + 4 + png.text_width(lab), lab, vertical=True)
        name = g + (" (ctl)" if g in CONTROL else "")
        c.text(x0 + (len(series) * bw) // 2 - 3, top + ph + 8 + png.text_width(name, 1),
               name, vertical=True, scale=1)
    c.text(left, h - 14, "ratio of medians, log scale; below 1 = faster", (90, 90, 90))
    c.save(path)
