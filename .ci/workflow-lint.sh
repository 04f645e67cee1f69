#!/usr/bin/env bash
# Lints .github/workflows/ with zizmor (security audits: unpinned actions, credential persistence,
# template injection, permissions, ...) and actionlint (syntax, expressions, shellcheck on run: scripts).
# Both are pinned in .ci/workflow-lint-requirements.txt and installed into the git-ignored venv .ci-venv/;
# shellcheck comes from apt. Any finding fails. Under CI=true a tool that cannot be installed fails;
# elsewhere the missing piece is named and the rest still runs.
set -uo pipefail
cd "$(dirname "$0")/.."

venv=.ci-venv
req=.ci/workflow-lint-requirements.txt
log="${TMPDIR:-/tmp}/workflow-lint-install.log"
ci="${CI:-}"
say() { echo "workflow-lint: $*"; }
missing() {
  echo "workflow-lint: MISSING: $*" >&2
  exit 1
}

# --- zizmor and actionlint, pinned, in the project venv (reinstalled when the pins change)
if ! cmp -s "$req" "$venv/.installed-requirements" 2>/dev/null; then
  { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"; } >"$log" 2>&1 ||
    missing "could not install $req into $venv (python3 -m venv and PyPI are needed; log $log)"
  cp "$req" "$venv/.installed-requirements"
fi

# --- shellcheck, which actionlint runs on every run: script
if ! command -v shellcheck >/dev/null 2>&1; then
  apt_install() { if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo -n apt-get "$@"; fi; }
  if command -v apt-get >/dev/null 2>&1; then
    { apt_install install -y -q shellcheck || { apt_install update -q && apt_install install -y -q shellcheck; }; } >>"$log" 2>&1 || true
  fi
fi
shellcheck_cmd=shellcheck
if ! command -v shellcheck >/dev/null 2>&1; then
  [ "$ci" = "true" ] && missing "shellcheck (apt-get install shellcheck; log $log)"
  say "shellcheck not found (apt-get install shellcheck): run: scripts are not checked"
  shellcheck_cmd=
fi

status=0
out="$("$venv/bin/zizmor" --offline --no-progress --color never .github/workflows/ 2>&1)" || status=1
if [ "$status" -ne 0 ]; then echo "$out" >&2; fi
out="$("$venv/bin/actionlint" -no-color -shellcheck="$shellcheck_cmd" .github/workflows/*.yml 2>&1)" || { echo "$out" >&2; status=1; }
if [ "$status" -eq 0 ]; then
  say "zizmor $("$venv/bin/zizmor" --version | awk '{print $2}') and actionlint $("$venv/bin/actionlint" --version | head -1 | awk '{print $NF}'): 0 findings in .github/workflows/"
fi
exit "$status"
