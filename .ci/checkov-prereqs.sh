#!/usr/bin/env bash
# Installs checkov, pinned with every dependency in .ci/checkov-requirements.txt, into the project-local,
# git-ignored venv .venv-checkov/ (python3 -m venv; pip from PyPI). Re-running is cheap: nothing is
# installed when the venv already holds exactly the pinned set. scripts/checkov-scan.sh runs it.
# Exits non-zero with the reason when python3, venv or PyPI is not available.
set -uo pipefail
cd "$(dirname "$0")/.."

venv=.venv-checkov
req=.ci/checkov-requirements.txt
log=/tmp/checkov-prereqs-$$.log
python="${PYTHON:-python3}"

fail() { echo "checkov-prereqs: MISSING: $*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || fail "$python is not on PATH (install python3 with venv and pip)"
pinned() { grep -v '^#' "$req" | tr 'A-Z_' 'a-z-' | sort; }
installed() { "$venv/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | tr 'A-Z_' 'a-z-' | sort; }

if [ -x "$venv/bin/checkov" ] && [ "$(pinned)" = "$(installed)" ]; then
  echo "checkov-prereqs: checkov $("$venv/bin/checkov" --version 2>/dev/null) ($venv, pinned set installed)"
  exit 0
fi

echo "checkov-prereqs: installing $(grep '^checkov==' "$req") and its pinned dependencies into $venv (log $log)"
rm -rf "$venv"
"$python" -m venv "$venv" >"$log" 2>&1 || fail "$python -m venv $venv failed (Debian: apt-get install python3-venv; log $log)"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-deps --require-virtualenv -r "$req" >>"$log" 2>&1 ||
  fail "pip install -r $req failed: $(grep -E 'ERROR|Could not' "$log" | tail -2 | tr '\n' ' ') (log $log)"
[ "$(pinned)" = "$(installed)" ] || fail "$venv does not hold exactly the pinned set of $req after install (log $log)"
echo "checkov-prereqs: checkov $("$venv/bin/checkov" --version 2>/dev/null) installed in $venv"
