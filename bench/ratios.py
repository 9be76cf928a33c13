#!/usr/bin/env python3
"""Prints the ratios of bench/run.sh's benchmarks from Google Benchmark's JSON.

Usage: ratios.py FILE.json...

Files whose context names a "library" (the OpenSSL-API, native and raw-AEAD
binaries: libssl, vouch-ssl, native, libcrypto) are merged: rows of the same
name (scenarios.h) are paired across libraries, each figure being the median
of every run of that row and library in the files (bench/run.sh runs each
binary once per round, alternating). Their time is manual time: CPU time
inside the measured side's calls. Printed per scenario:
  - the time (µs) or rate (bytes/s) of each library;
  - vouch-ssl/libssl and native/libssl: rate ratios, above 1.0 = vouch faster;
  - compat overhead: vouch-ssl time / native time - 1, what vouch-ssl adds;
    these ratios are the median of each round's own ratio (paired_ratio), so
    that a round's builds, run back to back, are compared with each other;
  - for the bulk rows, each library's rate as a fraction of raw libcrypto
    AEAD sealing and opening the same bytes (aead_bench.cpp);
  - heap per idle connection, per library.

Other files (vouch_handshake_bench) give the older table: BM_Vouch_<X> paired
with BM_LibSSL_<X> (a vouch variant BM_Vouch_<X>_<suffix> is compared with
BM_LibSSL_<X>), medians when the run had repetitions. A ratio below 1.0 means
vouch took less time; for throughput (bytes/s) the ratio above 1.0 means vouch
moved more bytes per second. Then, for each library, what a feature costs on
top of the plain benchmark it extends (OVERHEADS): e.g. HandshakeStapled13 /
Handshake13 is the price of OCSP stapling (the server sending a staple, the
client verifying it).
"""
import json
import statistics
import sys

VOUCH = "BM_Vouch_"
LIBSSL = "BM_LibSSL_"
UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
# (feature benchmark, the plain benchmark it adds to, what it adds), names
# without the BM_Vouch_ / BM_LibSSL_ prefix.
OVERHEADS = [
    ("HandshakeStapled13", "Handshake13", "OCSP stapling"),
]


def load(doc):
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


def legacy_table(doc):
    runs, errors = load(doc)
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


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def print_section(header, rows, *notes):
    """A table after a blank line, then its notes; nothing when there are no rows."""
    if not rows:
        return
    print()
    print_table(header, rows)
    print()
    for line in notes:
        print(line)


# ---- the OpenSSL-API, native and raw-AEAD binaries (context "library") ----

LIBS = ("libssl", "vouch-ssl", "native")
RAW = "libcrypto"
HEAP = "heap_bytes_per_conn"


def row_name(b):
    """The name without Google Benchmark's decorations (/manual_time...)."""
    parts = b.get("run_name", b["name"]).split("/")
    return "/".join(p for p in parts if p != "manual_time" and not p.startswith("iterations:"))


def collect(docs):
    """{(library, row): {"times": [us], "rates": [B/s], "heap": [bytes]}},
    {(library, row): error}, and the rows in first-seen order."""
    samples, errors, order = {}, {}, []
    for doc in docs:
        lib = doc["context"]["library"]
        for b in doc.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration":
                continue  # each repetition is used, not the aggregates
            name = row_name(b)
            if name not in order:
                order.append(name)
            if b.get("error_occurred"):
                errors[(lib, name)] = b.get("error_message", "error")
                continue
            s = samples.setdefault((lib, name), {"times": [], "rates": [], "heap": []})
            t = micros(b, "real_time")
            s["times"].append(t)
            if "bytes_per_iteration" in b and t > 0:
                s["rates"].append(b["bytes_per_iteration"] / (t * 1e-6))
            if HEAP in b:
                s["heap"].append(b[HEAP])
    return samples, errors, order


def median(samples, lib, name, key):
    values = samples.get((lib, name), {}).get(key, [])
    return statistics.median(values) if values else None


def paired_ratio(samples, a, b, name):
    """The median over rounds of a's time / b's time in the same round —
    run.sh runs the builds of a row back to back in each round, so each
    round's ratio compares them under the same conditions, where a ratio of
    medians could pair a quiet round of one with a busy round of the other.
    The ratio of the medians when the rounds do not pair up (an error)."""
    ta = samples.get((a, name), {}).get("times", [])
    tb = samples.get((b, name), {}).get("times", [])
    if ta and len(ta) == len(tb) and all(t > 0 for t in tb):
        return statistics.median(x / y for x, y in zip(ta, tb))
    return ratio(median(samples, a, name, "times"), median(samples, b, name, "times"))


def fmt(value, spec, suffix=""):
    return "-" if value is None else f"{value:{spec}}{suffix}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def library_tables(docs):
    samples, errors, order = collect(docs)
    rounds = max((len(v["times"]) for v in samples.values()), default=0)
    timed = [n for n in order if not n.startswith(("RawAead/", "Floor/", "IdleHeap/"))]
    rows = []
    for name in timed:
        t = {lib: median(samples, lib, name, "times") for lib in LIBS}
        r = {lib: median(samples, lib, name, "rates") for lib in LIBS}
        if r["libssl"] is not None or r["vouch-ssl"] is not None:
            cells = [fmt(r[lib] and r[lib] / 2**20, ".0f", " MiB/s") for lib in LIBS]
        else:
            cells = [fmt(t[lib], ".1f", " us") for lib in LIBS]
        overhead = paired_ratio(samples, "vouch-ssl", "native", name)
        rows.append([name, *cells,
                     fmt(paired_ratio(samples, "libssl", "vouch-ssl", name), ".2f", "x"),
                     fmt(paired_ratio(samples, "libssl", "native", name), ".2f", "x"),
                     fmt(overhead and (overhead - 1) * 100, "+.1f", " %")])
    if rows:
        print_table(("scenario", "libssl", "vouch-ssl", "native", "vouch-ssl/libssl", "native/libssl",
                     "compat overhead"), rows)
        print(f"\nmedians of {rounds} run(s) per row and library; time = CPU time inside the measured side's")
        print("calls (/server, /client: that side's; bulk: both sides'); x/libssl = rate ratio = libssl time /")
        print("x time, above 1.00x = vouch faster; compat overhead = vouch-ssl time / native time - 1; ratios")
        print("and overhead are medians of each round's own ratio (the builds of a row run back to back)")
    print_skipped(errors)
    print_handshake_floor(samples, order)
    print_bulk_vs_raw(samples, order)
    print_heap(samples, order)


def print_skipped(errors):
    for (lib, name), why in sorted(errors.items()):
        print(f"skipped: {name} [{lib}]: {why}")


def print_handshake_floor(samples, order):
    rows = []
    for name in order:
        floor = median(samples, RAW, f"Floor/{name}", "times")
        if floor is None:
            continue
        lib = median(samples, "libssl", name, "times")
        native = median(samples, "native", name, "times")
        rows.append([name, fmt(lib, ".1f", " us"), fmt(floor, ".1f", " us"), fmt(ratio(lib, floor), ".2f", "x"),
                     fmt(ratio(lib, native), ".2f", "x"), fmt(native and floor and native - floor, ".1f", " us")])
    print_section(("handshake floor", "libssl", "floor", "ceiling vs libssl", "native/libssl", "native above floor"),
                  rows,
                  "floor = libcrypto's X25519 key pair and shared secret, the ECDSA signature (full handshakes)",
                  "and the key schedule's HMACs, done alone on prepared contexts (handshake_floor.cpp); ceiling =",
                  "libssl time / floor, the highest rate ratio a library could show; native above floor = what",
                  "vouch spends on everything else (transcript, records, parsing, allocation, libcrypto's EVP)")


def print_bulk_vs_raw(samples, order):
    rows = []
    for name in order:
        raw_both = median(samples, RAW, f"RawAead/{name}/seal_open", "rates")
        if raw_both is None:
            continue
        raw_seal = median(samples, RAW, f"RawAead/{name}/seal", "rates")
        piped = median(samples, RAW, f"RawAead/{name}/seal_open_piped", "rates")
        libssl = median(samples, "libssl", name, "rates")
        rows.append([name, fmt(raw_seal and raw_seal / 2**20, ".0f", " MiB/s"),
                     fmt(raw_both / 2**20, ".0f", " MiB/s"),
                     *[fmt(ratio(median(samples, lib, name, "rates"), raw_both), ".2f") for lib in LIBS],
                     fmt(piped and piped / 2**20, ".0f", " MiB/s"),
                     fmt(ratio(piped, libssl), ".2f", "x")])
    print_section(("bulk scenario", "raw seal", "raw seal+open", "libssl of raw", "vouch-ssl of raw",
                   "native of raw", "raw + pipe copies", "ceiling vs libssl"),
                  rows,
                  "x of raw = the bulk row's rate / libcrypto sealing and opening the same 16 KiB records with",
                  "prepared contexts (aead_bench.cpp): what is left for TLS records, copies and the API;",
                  "raw + pipe copies = the same with the two copies the benchmark's pipe imposes on every library",
                  "(into it, out of it): the fastest any library could run the row; ceiling vs libssl = that rate",
                  "/ libssl's, the highest rate ratio a bulk row can show")


def print_heap(samples, order):
    rows = []
    for name in order:
        if not name.startswith("IdleHeap/"):
            continue
        h = {lib: median(samples, lib, name, "heap") for lib in LIBS}
        rows.append([name, *[fmt(h[lib] and h[lib] / 1000, ".1f", " kB") for lib in LIBS],
                     fmt(ratio(h["libssl"], h["vouch-ssl"]), ".2f", "x"),
                     fmt(ratio(h["libssl"], h["native"]), ".2f", "x")])
    print_section(("heap per idle connection", "libssl", "vouch-ssl", "native", "libssl/vouch-ssl", "libssl/native"),
                  rows,
                  "glibc heap in use (mallinfo2 uordblks + hblkhd) grown per established, drained connection of",
                  "which the other end was freed: the connection and all it owns, libcrypto's part and (libssl API)",
                  "its BIO included; 1 kB = 1000 bytes")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    docs = []
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            docs.append(json.load(f))
    with_library = [d for d in docs if "library" in d.get("context", {})]
    if with_library:
        library_tables(with_library)
    for doc in docs:
        if "library" not in doc.get("context", {}):
            print()
            legacy_table(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
