#!/usr/bin/env bash
# The save tests' Zotero: `papis zotero serve` from PyPI's papis-zotero 0.4.0, a real server of
# Zotero's connector protocol that stores what it receives in a papis library. GPL: a test
# server only, never linked or shipped. Installed once into a venv under a cache dir; prints the
# path of its `papis` program as its only stdout line (the tests read it from PAPERBOY_PAPIS and
# start one server per test, each on its own port with its own papis config and library).
#
#   papis-lab.sh [VENV_DIR]   default: $PAPERBOY_PAPIS_VENV, else
#                             ${XDG_CACHE_HOME:-$HOME/.cache}/paperboy/papis-zotero-0.4.0
#
# Needs python3 with venv (Debian: python3-venv, installed here when missing) and PyPI.
set -euo pipefail

VERSION=0.4.0
say() { echo "papis-lab: $*" >&2; }

venv=${1:-${PAPERBOY_PAPIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/paperboy/papis-zotero-$VERSION}}
papis="$venv/bin/papis"

installed() {
  [ -x "$papis" ] && "$venv/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('papis-zotero') != '$VERSION')" \
    2>/dev/null
}

mkdir -p "$(dirname "$venv")"
# Two test binaries may ask at once: one installs, the other waits for it.
if command -v flock >/dev/null 2>&1; then exec 9>"$venv.lock"; flock 9; fi
if ! installed; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    say "python3 with venv is missing: installing python3-venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq python3 python3-venv >&2
    else
      say "install python3 and python3-venv (Debian), then run this again"; exit 1
    fi
  fi
  say "installing papis-zotero==$VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "papis-zotero==$VERSION" >&2
  installed || { say "papis-zotero $VERSION did not install into $venv"; exit 1; }
fi
echo "$papis"
