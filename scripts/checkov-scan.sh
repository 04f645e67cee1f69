#!/usr/bin/env bash
# Runs the real checkov (pinned in .ci/checkov-requirements.txt, installed by .ci/checkov-prereqs.sh into
# .venv-checkov/) with each stack's generated baseline (docs/policy.md, "External scanners"):
#   - every stack synthesized from config/ (or $ZENML_CONFIG_DIR): its cdk.tf.json with the terraform_json
#     framework (checkov's terraform framework reads only .tf and .hcl files: terraform/base_runner.py),
#     --baseline <stack>/policy/checkov-baseline.json --output-baseline-as-skipped;
#   - each --plan PLAN_JSON (terraform show -json) with the terraform_plan framework and the baseline of the
#     stack it was planned from (--plan-baseline, default: policy/checkov-baseline.json beside the plan).
# Passes when no check fails. Reports go to <stack>/policy/checkov.json (plans: <plan>.checkov.json).
# No network: BC_SKIP_MAPPING and --skip-download keep checkov from calling the Prisma Cloud API.
# usage: scripts/checkov-scan.sh [--outdir DIR] [--plan PLAN_JSON [--plan-baseline BASELINE_JSON]]...
#   --outdir DIR   scan DIR/stacks/*/cdk.tf.json as they are (default: synthesize into a temporary folder)
# exit 0 no failed check, 1 a failed check or checkov missing/broken, 2 bad input
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."

checkov="${CHECKOV_BIN:-.venv-checkov/bin/checkov}"
outdir=""
plans=()
baselines=()
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) outdir="${2:?--outdir needs a folder}"; shift 2 ;;
    --plan) plans+=("${2:?--plan needs a plan JSON file}"); baselines+=(""); shift 2 ;;
    --plan-baseline)
      [ "${#plans[@]}" -gt 0 ] || { echo "checkov-scan: --plan-baseline must follow a --plan" >&2; exit 2; }
      baselines[${#baselines[@]}-1]="${2:?--plan-baseline needs a file}"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "checkov-scan: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! [ -x "$checkov" ] || ! version="$("$checkov" --version 2>/dev/null)"; then
  echo "checkov-scan: FAIL: checkov is not installed at $checkov: run bash .ci/checkov-prereqs.sh (or set CHECKOV_BIN)" >&2
  exit 1
fi

if [ -z "$outdir" ]; then
  outdir="$(mktemp -d /tmp/checkov-scan.XXXXXX)"
  [ -f dist/main.js ] || npm run -s build
  CDKTF_OUTDIR="$outdir" scripts/tf-env.sh node dist/main.js >"$outdir/synth.log" 2>&1 ||
    { echo "checkov-scan: synth failed:" >&2; cat "$outdir/synth.log" >&2; exit 1; }
fi
[ -d "$outdir/stacks" ] || { echo "checkov-scan: $outdir/stacks: no synthesized stacks" >&2; exit 2; }

# Prints one summary line for a checkov -o json report and its failed checks; exit 1 when any failed.
summarize() {
  node -e 'const [file, label] = process.argv.slice(1);
    const doc = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const reports = Array.isArray(doc) ? doc : [doc];
    if (!reports.some((r) => r.results)) { console.error(`checkov-scan: FAIL: ${label}: checkov scanned nothing (${file})`); process.exit(1); }
    const count = (k) => reports.reduce((n, r) => n + (r.results ? r.results[k].length : 0), 0);
    const parsing = reports.reduce((n, r) => n + (r.summary ? r.summary.parsing_errors : 0), 0);
    const failed = reports.flatMap((r) => (r.results ? r.results.failed_checks : []));
    console.log(`checkov-scan: ${label}: ${failed.length} failed, ${count("skipped_checks")} skipped by the baseline`);
    for (const f of failed) console.log(`  FAILED ${f.check_id} ${f.resource}: ${f.check_name}`);
    if (parsing > 0) console.log(`  ${parsing} parsing error(s)`);
    process.exit(failed.length > 0 || parsing > 0 ? 1 : 0);' "$1" "$2"
}

# run LABEL FRAMEWORK FILE BASELINE REPORT
run() {
  local label="$1" framework="$2" file="$3" baseline="$4" report="$5"
  [ -f "$file" ] || { echo "checkov-scan: $file: no such file" >&2; exit 2; }
  [ -f "$baseline" ] || { echo "checkov-scan: $baseline: no such baseline" >&2; exit 2; }
  BC_SKIP_MAPPING=TRUE LOG_LEVEL=ERROR "$checkov" -f "$file" --framework "$framework" --skip-download \
    --baseline "$baseline" --output-baseline-as-skipped -o json --soft-fail >"$report" 2>"$report.log" ||
    { echo "checkov-scan: FAIL: checkov exited $? on $file (log $report.log)" >&2; return 1; }
  summarize "$report" "$label ($framework)"
}

status=0
echo "checkov-scan: checkov $version"

# The upstream files lib/policy names for checkov IDs (scanner-sources.ts, scanner-justifications.ts) must be
# those of this checkov, each defining its ID (the wheel ships graph checks' YAML as JSON).
[ -f dist/lib/policy/scanner-sources.js ] || npm run -s build
python="$(dirname "$checkov")/python"; [ -x "$python" ] || python=python3
site="$("$python" -c 'import checkov, os; print(os.path.dirname(os.path.dirname(checkov.__file__)))')"
node -e 'const [site] = process.argv.slice(1);
  const fs = require("fs"), path = require("path");
  const { SCANNER_SOURCES } = require("./dist/lib/policy/scanner-sources");
  const { SCANNER_CHECKS } = require("./dist/lib/policy/scanner-justifications");
  const sources = [...SCANNER_SOURCES, ...SCANNER_CHECKS.map((c) => [c.id, c.source])].filter(([, s]) => s.scanner === "checkov");
  const bad = sources.flatMap(([id, s]) => {
    const file = path.join(site, s.path.replace(/\.yaml$/, ".json"));
    if (!fs.existsSync(file)) return [`${id}: ${s.path} is not in this checkov`];
    return new RegExp(`["\x27]${id}["\x27]`).test(fs.readFileSync(file, "utf8")) ? [] : [`${id}: ${s.path} does not define ${id}`];
  });
  for (const b of bad) console.log(`checkov-scan: FAIL: lib/policy names ${b}`);
  if (bad.length === 0) console.log(`checkov-scan: the ${sources.length} checkov sources lib/policy names are files of this checkov that define their IDs`);
  process.exit(bad.length > 0 ? 1 : 0);' "$site" || status=1

for stack in "$outdir"/stacks/*/; do
  stack="${stack%/}"
  run "$(basename "$stack")" terraform_json "$stack/cdk.tf.json" "$stack/policy/checkov-baseline.json" "$stack/policy/checkov.json" || status=1
done
for i in "${!plans[@]}"; do
  plan="${plans[$i]}"
  baseline="${baselines[$i]:-$(dirname "$plan")/policy/checkov-baseline.json}"
  run "$plan" terraform_plan "$plan" "$baseline" "${plan%.json}.checkov.json" || status=1
done
[ "$status" = 0 ] || echo "checkov-scan: reports: $outdir/stacks/<stack>/policy/checkov.json${plans:+, <plan>.checkov.json}" >&2
exit "$status"
