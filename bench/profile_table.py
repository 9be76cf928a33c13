#!/usr/bin/env python3
"""Summarises bench/profile.sh's callgrind runs: instructions per operation.

For each row and build:
  Ir/op      every instruction the measured side's calls executed, divided by
             the fixed number of iterations (a handshake, or a megabyte
             written and read for the bulk rows);
  public key the part spent inside the public-key operations a TLS library
             cannot avoid for that row (libcrypto's EVP_PKEY_generate, or
             EVP_PKEY_fromdata where the key pair is imported from pooled
             randomness as vouch makes it — which also counts the few peer
             key imports made that way — and EVP_PKEY_derive for the X25519
             share, ECDSA_do_sign_ex for the server's signature,
             ECDSA_do_verify for each signature a client checks), inclusive
             of what they call;
  HMAC       the part spent in libcrypto's HMAC (HMAC_Init_ex, HMAC_Update,
             HMAC_Final, inclusive): the key schedule (RFC 8446 §7.1: 25
             HMACs for a TLS 1.3 server's full handshake with two tickets);
  AEAD       the part spent sealing and opening records (EVP_*Update and
             EVP_*Final_ex of the record ciphers, inclusive);
  libcrypto  the rest of the instructions executed inside libcrypto.so
             (hashing, HMAC/HKDF, AEAD, parsing, EVP's own overhead);
  libc       inside libc (malloc, free, memcpy);
  library    the remainder: the TLS library's own code (libssl.so, or vouch).

The floor rows (build "floor") are bench/handshake_floor.cpp's libcrypto work
alone on prepared contexts, profiled the same way for the handshake rows that
have one; "native above the floor" is the native build's Ir/op less the floor's.

With VOUCH_PROFILE_CACHE=1 (callgrind's cache and branch simulation: a 32 KiB
first-level instruction cache like this machine's), a last table gives per
operation the simulated first-level instruction-cache misses (I1 misses),
data-cache misses (reads and writes), and mispredicted conditional and
indirect branches. These cost time that instruction counts do not show: a
real handshake runs its primitives among the protocol's code and the other
end's, so their code is no longer in the cache the way it is in the floor's
tight loop.

The last column of the second table, "instruction bound", is the libssl build's Ir/op divided by
the native build's public-key, HMAC and AEAD parts: the rate ratio a library
doing nothing else would reach if instructions were time. They are not: under
valgrind libcrypto runs the code paths of the CPU valgrind emulates (no
AVX-512, no SHA extensions), where the primitives take far more instructions
than on the real CPU, so this bound understates how far a ratio can go in
time. The time floor is bench/handshake_floor.cpp's (make bench prints the
ceiling it sets); use these counts to see where a build's instructions go and
to compare builds before and after a change.
Usage: profile_table.py RUNS_FILE (lines: binary row iterations callgrind-file)
"""
import re
import subprocess
import sys

BUILDS = {
    "vouch_ssl_api_bench_libssl": "libssl",
    "vouch_ssl_api_bench_vouch": "vouch-ssl",
    "vouch_native_api_bench": "native",
    "vouch_aead_bench": "floor",
}
BUILD_ORDER = ("libssl", "vouch-ssl", "native", "floor")
# callgrind's simulation events, summed as the last table shows them.
SIM_COLUMNS = (
    ("I1 misses", ("I1mr",)),
    ("D1 misses", ("D1mr", "D1mw")),
    ("mispredicted branches", ("Bcm", "Bim")),
)
PUBLIC_KEY = ("EVP_PKEY_generate", "EVP_PKEY_fromdata", "EVP_PKEY_derive", "ECDSA_do_sign_ex", "ECDSA_do_verify")
# libcrypto's HMAC itself, under both EVP_MAC (vouch) and EVP_KDF's HKDF
# (libssl): the key schedules of RFC 8446 §7.1 and RFC 5246 §5 are HMACs.
HMAC = ("HMAC_Init_ex", "HMAC_Update", "HMAC_Final")
# Record protection (RFC 8446 §5.2, RFC 5246 §6.2.3.3): sealing and opening.
# The Encrypt/Decrypt functions only: EVP_CipherUpdate (libssl) calls them,
# so counting it too would count libssl's records twice.
AEAD = ("EVP_EncryptUpdate", "EVP_DecryptUpdate", "EVP_EncryptFinal_ex", "EVP_DecryptFinal_ex")


def annotate(path, inclusive):
    """(function, object) -> Ir, from callgrind_annotate."""
    args = ["callgrind_annotate", "--threshold=100", f"--inclusive={'yes' if inclusive else 'no'}", path]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    costs = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$", line)
        if not m or m.group(2).startswith("PROGRAM TOTALS"):
            continue
        where = m.group(2)
        obj = where[where.rfind("[") + 1 : -1] if where.endswith("]") else ""
        fn = where[: where.rfind(" [")] if obj else where
        fn = fn.split(":", 1)[1] if ":" in fn else fn
        costs[(fn, obj)] = costs.get((fn, obj), 0) + int(m.group(1).replace(",", ""))
    return costs


def totals(path):
    """event name -> total, from the file's events: and summary:/totals: lines."""
    events = None
    for line in open(path, errors="replace"):
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith(("summary:", "totals:")) and events:
            return dict(zip(events, (int(v) for v in line.split()[1:])))
    raise SystemExit(f"{path}: no events or totals line")


def profile(path, iterations):
    inclusive = annotate(path, True)
    exclusive = annotate(path, False)
    public_key = sum(c for (fn, obj), c in inclusive.items() if fn in PUBLIC_KEY and "libcrypto" in obj)
    hmac = sum(c for (fn, obj), c in inclusive.items() if fn in HMAC and "libcrypto" in obj)
    aead = sum(c for (fn, obj), c in inclusive.items() if fn in AEAD and "libcrypto" in obj)
    libcrypto = sum(c for (fn, obj), c in exclusive.items() if "libcrypto" in obj)
    libc = sum(c for (fn, obj), c in exclusive.items() if re.search(r"/libc\.so|libc\.so\.6", obj))
    events = totals(path)
    all_ir = events["Ir"]
    per = lambda v: v / iterations
    sim = {}
    if all(e in events for _, names in SIM_COLUMNS for e in names):
        sim = {column: per(sum(events[e] for e in names)) for column, names in SIM_COLUMNS}
    return {
        "sim": sim,
        "ir": per(all_ir),
        "public_key": per(public_key),
        "hmac": per(hmac),
        "aead": per(aead),
        "libcrypto": per(libcrypto - public_key - hmac - aead),
        "libc": per(libc),
        "library": per(all_ir - libcrypto - libc),
    }


def k(v):
    return f"{v / 1000:,.0f} K"


def main():
    rows = {}
    order = []
    for line in open(sys.argv[1]):
        binary, row, iterations, path = line.split()
        if row not in rows:
            rows[row] = {}
            order.append(row)
        rows[row][BUILDS[binary]] = profile(path, int(iterations))

    print("Instructions per operation (callgrind; a handshake, or for Bulk rows a MiB written and read)")
    print()
    print("| row | build | Ir/op | public key | HMAC | AEAD | libcrypto (rest) | libc | library |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in order:
        for build in BUILD_ORDER:
            p = rows[row].get(build)
            if p:
                print(f"| {row} | {build} | {k(p['ir'])} | {k(p['public_key'])} | {k(p['hmac'])} | {k(p['aead'])} | "
                      f"{k(p['libcrypto'])} | "
                      f"{k(p['libc'])} | {k(p['library'])} |")
    print()
    print("| row | libssl / vouch-ssl | libssl / native | compat overhead | instruction bound (libssl / (public key + HMAC + AEAD)) | native above the floor |")
    print("|---|---|---|---|---|---|")
    for row in order:
        r = rows[row]
        if not all(b in r for b in ("libssl", "vouch-ssl", "native")):
            continue
        lib, compat, native = r["libssl"]["ir"], r["vouch-ssl"]["ir"], r["native"]["ir"]
        pk = r["native"]["public_key"] + r["native"]["hmac"] + r["native"]["aead"]
        bound = f"{lib / pk:.2f}x" if pk > 0 else "-"
        above = k(native - r["floor"]["ir"]) if "floor" in r else "-"
        print(f"| {row} | {lib / compat:.2f}x | {lib / native:.2f}x | {100 * (compat / native - 1):+.1f} % | {bound} | {above} |")
    sims = [(row, build, rows[row][build]["sim"]) for row in order for build in BUILD_ORDER
            if build in rows[row] and rows[row][build]["sim"]]
    if sims:
        print()
        print("Simulated caches and branch predictors per operation (VOUCH_PROFILE_CACHE=1)")
        print()
        print("| row | build | Ir/op | " + " | ".join(c for c, _ in SIM_COLUMNS) + " |")
        print("|---|---|---|" + "---|" * len(SIM_COLUMNS))
        for row, build, sim in sims:
            cells = " | ".join(f"{sim[c]:,.0f}" for c, _ in SIM_COLUMNS)
            print(f"| {row} | {build} | {k(rows[row][build]['ir'])} | {cells} |")


if __name__ == "__main__":
    main()
