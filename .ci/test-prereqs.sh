#!/usr/bin/env bash
# Installs what `npm test` needs beyond Node.js and Terraform: Debian/Ubuntu's docker-registry package
# (CNCF distribution v2), the real registry the preflight tests push synthetic images to on loopback
# (__tests__/preflight.test.ts; $DOCKER_REGISTRY_BIN overrides the binary). apt-get install when
# missing (as root, else with sudo); exits non-zero with what to do when it cannot.
set -uo pipefail

bin="${DOCKER_REGISTRY_BIN:-$(command -v docker-registry || echo /usr/bin/docker-registry)}"
ready() { [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; }

if ! ready; then
  echo "test-prereqs: installing docker-registry (apt) for the preflight registry tests"
  log=/tmp/test-prereqs-apt.log
  apt_install() { if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo -n apt-get "$@"; fi; }
  if command -v apt-get >/dev/null 2>&1; then
    { apt_install install -y -q docker-registry || { apt_install update -q && apt_install install -y -q docker-registry; }; } >"$log" 2>&1 || true
  fi
  bin="${DOCKER_REGISTRY_BIN:-$(command -v docker-registry || echo /usr/bin/docker-registry)}"
  if ! ready; then
    echo "test-prereqs: MISSING: docker-registry (CNCF distribution v2) for the preflight tests: apt-get install docker-registry (log $log), or set DOCKER_REGISTRY_BIN to a registry binary" >&2
    exit 1
  fi
fi
echo "test-prereqs: $("$bin" --version 2>&1 | head -1)"
