#!/usr/bin/env python3
"""Fails when an idle connection holds more heap than issue 13 allows.

Usage: check_idle_heap.py BENCH_BINARY...

Runs each OpenSSL-API/native benchmark binary's IdleHeap rows (rows.h:
200 established, drained TLS 1.3 connections, glibc heap in use grown per
connection) and compares the heap per connection with the targets: at most
10 KB for a server, 12 KB for a client (1 KB read as 1000 bytes, the
stricter reading of the issue's "KB"). Heap bytes, unlike times, do not depend on the machine's
load, so this is a test; the figures are also printed. Exit status 1 if a
row is over its limit or did not run.
"""
import json
import subprocess
import sys

LIMITS = {"IdleHeap/server": 10_000, "IdleHeap/client": 12_000}


def main(binaries):
    failed = False
    for binary in binaries:
        out = subprocess.run([binary, "--benchmark_filter=^IdleHeap/", "--benchmark_format=json"],
                             check=True, capture_output=True, text=True).stdout
        seen = set()
        for b in json.loads(out).get("benchmarks", []):
            name = b.get("run_name", b["name"]).split("/iterations")[0]
            if name not in LIMITS:
                continue
            seen.add(name)
            if b.get("error_occurred"):
                print(f"{binary}: {name}: {b.get('error_message')}")
                failed = True
                continue
            per_conn = b["heap_bytes_per_conn"]
            ok = per_conn <= LIMITS[name]
            failed = failed or not ok
            print(f"{binary}: {name}: {per_conn:.0f} bytes per idle connection "
                  f"(limit {LIMITS[name]}): {'ok' if ok else 'OVER'}")
        for name in LIMITS.keys() - seen:
            print(f"{binary}: {name}: did not run")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
