#!/usr/bin/env python3
"""ratios.py's arithmetic on a made-up run (ctest bench.ratios): the ratio of
a row is the median of each round's own ratio, not the ratio of medians.

Two rounds of one row, a quiet one and one where the machine was busy for
every build: libssl 100 us then 300 us, vouch-ssl 50 then 100, native 40
then 100. Per round, libssl / vouch-ssl is 2.0 and 3.0 (median 2.50x) where
the medians would give 200 / 75 = 2.67x; the compat overhead is +25 % and
0 % (median +12.5 %) where the medians would give 75 / 70 = +7.1 %.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TIMES = {"libssl": [100.0, 300.0], "vouch-ssl": [50.0, 100.0], "native": [40.0, 100.0]}


def write_runs(folder):
    paths = []
    for library, times in TIMES.items():
        for round_no, t in enumerate(times, start=1):
            doc = {
                "context": {"library": library},
                "benchmarks": [{
                    "name": "Handshake13/server/manual_time",
                    "run_name": "Handshake13/server/manual_time",
                    "run_type": "iteration",
                    "real_time": t,
                    "time_unit": "us",
                }],
            }
            path = os.path.join(folder, f"{library}.r{round_no}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            paths.append(path)
    return sorted(paths)


def main():
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, os.path.join(HERE, "ratios.py"), *write_runs(folder)],
                             check=True, capture_output=True, text=True).stdout
    row = next((line.split() for line in out.splitlines() if line.startswith("Handshake13/server")), None)
    print(out)
    if row is None:
        print("FAIL: no Handshake13/server row")
        return 1
    # scenario, libssl, us, vouch-ssl, us, native, us, vouch-ssl/libssl, native/libssl, overhead, %
    want = {"median libssl time": (row[1], "200.0"), "vouch-ssl/libssl": (row[7], "2.50x"),
            "native/libssl": (row[8], "2.75x"), "compat overhead": (row[9], "+12.5")}
    bad = [f"{what}: {got} (want {expected})" for what, (got, expected) in want.items() if got != expected]
    for line in bad:
        print("FAIL:", line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
