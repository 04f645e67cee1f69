#!/usr/bin/env bash
# Checks the Rego policy set (policy/) with the real tools (see docs/policy-rego.md):
#   opa:      opa check --strict, opa fmt (nothing to reformat), opa test with the shared corpus
#             (policy-corpus/, loaded as data.zn_corpus)
#   conftest: conftest verify (same tests), conftest test on every synthesized stack (must pass),
#             and on the plan fixture (__tests__/fixtures/plan), which must be denied ZNALB4 and
#             ZNRDS1 alone, and ZNRDS1 alone with the fixture's cdk.tf.json as data.
# REQUIRE_OPA=1 (set by the pull-request workflow): a missing tool or missing synthesized stacks
# fails. Otherwise a missing tool is reported as NOT RUN, with the reason, and does not fail.
set -euo pipefail
cd "$(dirname "$0")/.."

require="${REQUIRE_OPA:-0}"
plan_fixture=__tests__/fixtures/plan
missing=()
for tool in opa conftest; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ] && [ "$require" = 1 ]; then
  echo "FAIL: REQUIRE_OPA=1 but not on PATH: ${missing[*]}" >&2
  exit 1
fi

# Rule IDs of the failures in conftest's JSON output (stdin), sorted and space-separated.
failed_rule_ids() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const ids = new Set(r.flatMap((f) => (f.failures || []).map((x) => x.msg.split(" ")[0])));
    console.log([...ids].sort().join(" "));'
}

# expect_plan_denials "<expected IDs>" <conftest test args...>
expect_plan_denials() {
  local expected="$1" got
  shift
  got="$(conftest test --policy policy --no-fail --output json "$@" | failed_rule_ids)"
  if [ "$got" != "$expected" ]; then
    echo "FAIL: conftest test $* denied [$got], expected [$expected]" >&2
    exit 1
  fi
  echo "ok: conftest test $* denied [$got]"
}

if command -v opa >/dev/null 2>&1; then
  echo "== $(opa version | head -1)"
  opa check --strict policy/
  if ! opa fmt --list --fail policy/; then
    echo "FAIL: the files above are not opa fmt clean; the changes it would make:" >&2
    opa fmt --diff policy/ >&2
    exit 1
  fi
  opa test policy/ policy-corpus/ -v
fi

if command -v conftest >/dev/null 2>&1; then
  echo "== $(conftest --version | head -1)"
  conftest verify --policy policy --data policy-corpus
  shopt -s nullglob
  stacks=("${CDKTF_OUTDIR:-cdktf.out}"/stacks/*/cdk.tf.json)
  if [ "${#stacks[@]}" -gt 0 ]; then
    conftest test --policy policy "${stacks[@]}"
  elif [ "$require" = 1 ]; then
    echo "FAIL: no synthesized stacks in ${CDKTF_OUTDIR:-cdktf.out}/stacks (run npm run synth first)" >&2
    exit 1
  else
    echo "conftest test: skipped, no synthesized stacks (run npm run synth first)"
  fi
  expect_plan_denials "ZNALB4 ZNRDS1" "$plan_fixture/plan.json"
  expect_plan_denials "ZNRDS1" --data "$plan_fixture/cdk.tf.json" "$plan_fixture/plan.json"
fi

if [ "${#missing[@]}" -gt 0 ]; then
  for tool in "${missing[@]}"; do
    case "$tool" in
      opa) echo "NOT RUN: opa is not on PATH: opa check --strict, opa fmt and opa test (policy/ with policy-corpus/) were not executed." ;;
      conftest) echo "NOT RUN: conftest is not on PATH: conftest verify and conftest test (stacks, plan fixture) were not executed." ;;
    esac
  done
  echo "         npm test still evaluates the pack on OPA 0.47 compiled to WebAssembly (__tests__/rego.test.ts)."
  echo "         Install the pinned tools as .github/workflows/pr.yml does; REQUIRE_OPA=1 makes their absence a failure."
fi
