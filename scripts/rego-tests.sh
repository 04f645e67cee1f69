#!/usr/bin/env bash
# Runs the Rego policy set's unit tests (policy/*_test.rego) and, when conftest is installed and
# stacks are synthesized, the policy set against them. Neither tool is required: without them this
# prints a visible NOT RUN line and exits 0, so CI stays green but the gap is in the log.
set -euo pipefail
cd "$(dirname "$0")/.."

ran=0
if command -v opa >/dev/null 2>&1; then
  echo "== opa $(opa version | head -1)"
  opa test policy -v
  ran=1
fi
if command -v conftest >/dev/null 2>&1; then
  echo "== $(conftest --version | head -1)"
  conftest verify --policy policy
  stacks=(${CDKTF_OUTDIR:-cdktf.out}/stacks/*/cdk.tf.json)
  if [ -e "${stacks[0]}" ]; then
    conftest test --policy policy "${stacks[@]}"
  else
    echo "conftest test: skipped, no synthesized stacks (run npm run synth first)"
  fi
  ran=1
fi
if [ "$ran" = 0 ]; then
  echo "NOT RUN: opa/conftest not on PATH; the Rego policy tests (policy/*_test.rego) were not executed."
  echo "         Install OPA (https://www.openpolicyagent.org/docs/latest/#running-opa) or conftest to run them."
fi
