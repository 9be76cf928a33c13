#!/usr/bin/env bash
# Installs what `make bogo` needs beyond scripts/install-deps.sh: Go 1.23 from
# Debian's bookworm-backports and the two Go module sources BoringSSL's BoGo
# runner builds against (../shared/bogo/README.md). As root: apt-get installs
# what is missing (adding bookworm-backports first if apt does not know it).
# Otherwise: prints the exact commands and fails, so nothing is silently
# assumed. Also fails, saying so, when the BoGo pack itself is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACK="$ROOT/../shared/bogo"

if [ ! -f "$PACK/build-runner.sh" ] || [ ! -f "$PACK/run-bogo.sh" ]; then
  echo "vouch: the BoGo pack is missing: expected BoringSSL's runner pack at ../shared/bogo" >&2
  echo "  (that is $(cd "$ROOT/.." && pwd)/shared/bogo, beside the checkout; see issue 12)" >&2
  exit 1
fi

GO=/usr/lib/go-1.23/bin/go
PACKAGES=(golang-1.23-go golang-golang-x-crypto-dev golang-golang-x-sys-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ -x "$GO" ]; then
  exit 0
fi

backports_configured() {
  grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/
}

# The pack's add-backports.sh reads the mirror from the apt sources; on a
# machine whose sources are all in deb822 form (no /etc/apt/sources.list, no
# *.list file) its grep over the missing one-line files fails the script, so
# the same suite is added here from the deb822 URIs in that case.
add_backports() {
  if bash "$PACK/add-backports.sh"; then
    return 0
  fi
  echo "vouch: add-backports.sh failed; adding bookworm-backports from the deb822 sources" >&2
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  if [ -z "$uri" ]; then
    echo "vouch: cannot find the Debian mirror in /etc/apt/sources.list.d/*.sources" >&2
    return 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" > /etc/apt/sources.list.d/bookworm-backports.sources
  apt-get update -qq
}

if [ "$(id -u)" -eq 0 ]; then
  echo "vouch: installing ${missing[*]} (bookworm-backports)"
  export DEBIAN_FRONTEND=noninteractive
  if backports_configured; then
    apt-get update -qq
  else
    add_backports
  fi
  apt-get install -y -qq --no-install-recommends -t bookworm-backports "${missing[@]}" </dev/null
else
  echo "vouch: missing Debian packages for BoGo. Run as root:" >&2
  if ! backports_configured; then
    echo "  $PACK/add-backports.sh" >&2
  fi
  echo "  apt-get update && apt-get install -y -t bookworm-backports ${missing[*]}" >&2
  exit 1
fi
