#!/usr/bin/env bash
# Checks the layering of DESIGN.md by what each folder includes:
#  - the lower layers (src/base, src/crypto, src/record, src/msg, src/ext)
#    never include the handshake, X.509, OCSP, stapler, revocation or I/O
#    code above them (e.g. traffic-key expansion lives in src/crypto, so the
#    record layer does not reach up into src/handshake);
#  - the OpenSSL-compatible skin (compat/src) includes only its own headers,
#    vouch's public headers and its named internal interface,
#    src/internal/compat_seam.h.
# Prints every violation with file and line; exits 1 if there is any.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
bad=0

upper='handshake|cert|ocsp|stapler|revocation|io|internal'
for layer in base crypto record msg ext; do
  if out=$(grep -nE "#include \"($upper)/" -r "src/$layer" 2>/dev/null); then
    echo "layering: src/$layer must not include code above it:"
    echo "$out"
    bad=1
  fi
done

if out=$(grep -nE '#include "[^"]*/' -r compat/src | grep -vE '#include "(vouch|vouch-ssl|openssl)/|#include "internal/compat_seam\.h"'); then
  echo "layering: compat/src may include only its own headers, include/vouch/ and internal/compat_seam.h:"
  echo "$out"
  bad=1
fi

if [ "$bad" -eq 0 ]; then echo "layout: ok"; fi
exit "$bad"
