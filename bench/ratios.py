#!/usr/bin/env python3
"""Prints vouch/libssl ratios from Google Benchmark's JSON output.

Usage: ratios.py BENCH.json

Pairs BM_Vouch_<X> with BM_LibSSL_<X>; a vouch variant BM_Vouch_<X>_<suffix>
is compared with BM_LibSSL_<X>. Uses the median aggregate when the run had
repetitions (--benchmark_repetitions), the single run otherwise. A ratio below
1.0 means vouch took less time; for throughput (bytes/s) the ratio above 1.0
means vouch moved more bytes per second.

Then, for each library, what a feature costs on top of the plain benchmark
it extends (OVERHEADS): e.g. HandshakeStapled13 / Handshake13 is the price of
OCSP stapling (the server sending a staple, the client verifying it).
"""
import json
import sys

VOUCH = "BM_Vouch_"
LIBSSL = "BM_LibSSL_"
UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
# (feature benchmark, the plain benchmark it adds to, what it adds), names
# without the BM_Vouch_ / BM_LibSSL_ prefix.
OVERHEADS = [
    ("HandshakeStapled13", "Handshake13", "OCSP stapling"),
]


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    runs = {}
    errors = {}
    for b in doc.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        kind = b.get("run_type", "iteration")
        if kind == "aggregate" and b.get("aggregate_name") != "median":
            continue
        # A median wins over single iterations of the same name.
        if kind == "aggregate" or name not in runs:
            runs[name] = b
    return runs, errors


def micros(b, key):
    return b[key] * UNIT_TO_US.get(b.get("time_unit", "ns"), 1e-3)


def counterpart(vouch_name, names):
    rest = vouch_name[len(VOUCH):]
    parts = rest.split("_")
    for n in range(len(parts), 0, -1):
        candidate = LIBSSL + "_".join(parts[:n])
        if candidate in names:
            return candidate
    return None


def human_rate(bps):
    for unit in ("B/s", "KiB/s", "MiB/s", "GiB/s"):
        if bps < 1024 or unit == "GiB/s":
            return f"{bps:.2f} {unit}"
        bps /= 1024
    return f"{bps:.2f} GiB/s"


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    runs, errors = load(argv[1])
    names = set(runs) | set(errors)
    rows = []
    for name in sorted(n for n in names if n.startswith(VOUCH)):
        other = counterpart(name, names)
        label = name[len(VOUCH):]
        if other is None:
            rows.append((label, "-", "-", "no libssl counterpart", "", "", ""))
            continue
        if label != other[len(LIBSSL):]:
            label += f" (vs {other[len(LIBSSL):]})"
        if name in errors or other in errors:
            why = errors.get(name) or errors.get(other)
            rows.append((label, "-", "-", f"skipped: {why}", "", "", ""))
            continue
        v, o = runs[name], runs[other]
        v_cpu, o_cpu = micros(v, "cpu_time"), micros(o, "cpu_time")
        v_real, o_real = micros(v, "real_time"), micros(o, "real_time")
        if name.endswith("/manual_time"):
            # UseManualTime: real_time is what the benchmark timed itself
            # (the server's calls only); cpu_time covers both sides.
            label = label.replace("/manual_time", "") + " [server calls only]"
            v_cpu, o_cpu = v_real, o_real
        rate = ""
        if "bytes_per_second" in v and "bytes_per_second" in o:
            rate = (f"{human_rate(v['bytes_per_second'])} vs {human_rate(o['bytes_per_second'])}"
                    f" ({v['bytes_per_second'] / o['bytes_per_second']:.2f}x)")
        rows.append((label, f"{v_cpu:.1f}", f"{o_cpu:.1f}", f"{v_cpu / o_cpu:.2f}",
                     f"{v_real / o_real:.2f}", f"{o_cpu / v_cpu:.2f}x", rate))

    header = ("benchmark", "vouch cpu us", "libssl cpu us", "cpu ratio", "real ratio",
              "vouch rate / libssl rate", "throughput vouch vs libssl")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("\nratio = vouch / libssl time (median of repetitions); below 1.0 = vouch faster;")
    print("rate ratio = handshakes (or operations) per second of vouch / of libssl = 1 / cpu ratio;")
    print("[server calls only]: manual timing of the server's calls (the cpu columns show that time)")
    print_overheads(runs, errors)
    return 0


def print_overheads(runs, errors):
    rows = []
    for feature, plain, what in OVERHEADS:
        for prefix, lib in ((VOUCH, "vouch"), (LIBSSL, "libssl")):
            f, p = prefix + feature, prefix + plain
            if f in errors or p in errors:
                rows.append((what, lib, "-", "-", "-", f"skipped: {errors.get(f) or errors.get(p)}"))
            elif f in runs and p in runs:
                f_cpu, p_cpu = micros(runs[f], "cpu_time"), micros(runs[p], "cpu_time")
                rows.append((what, lib, f"{p_cpu:.1f}", f"{f_cpu:.1f}", f"{f_cpu - p_cpu:+.1f}",
                             f"{f_cpu / p_cpu:.2f}"))
    if not rows:
        return
    header = ("feature", "library", "plain cpu us", "with it cpu us", "added us", "ratio")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print()
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("\nratio = time with the feature / plain time, per library (medians)")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
