#!/usr/bin/env bash
# Runs a command with this project's Terraform settings:
# - uses the offline provider mirror /opt/tf-plugins (or $ZENML_TF_PLUGIN_MIRROR) when it exists,
#   through the project's CLI config file .terraformrc.offline;
# - otherwise drops a TF_CLI_CONFIG_FILE that points at a missing file (Terraform then uses the registry);
# - turns off HashiCorp checkpoint calls (no network needed for synth).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirror="${ZENML_TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
if [ -d "$mirror" ]; then
  rc="$here/.terraformrc.offline"
  # A private temp file per run: concurrent runs must not race on the same temp name.
  tmp="$(mktemp "$rc.XXXXXX")"
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" > "$tmp"
  mv -f "$tmp" "$rc"
  export TF_CLI_CONFIG_FILE="$rc"
elif [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
  unset TF_CLI_CONFIG_FILE
fi
export CHECKPOINT_DISABLE=1
exec "$@"
